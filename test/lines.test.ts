// lines(): against CPython's `for line in iter(m.readline, b'')` (the ending stripped, decoded
// as Python decodes), on random text with \r, \n, non-ASCII and invalid UTF-8, across the
// 64 KiB blocks the host reads ahead; the cursor after each line, interleaving with
// readline(), seek() and writes; errors.
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap, ValueError } from '../src/index.ts';
import { python, random, TempDir, throwsExact } from './helpers.ts';

const tmp = new TempDir();

/** A file map of `data` on the backing under test. */
function mapOf(data: Uint8Array): MMap {
  const fd = fs.openSync(tmp.file(data), 'r+');
  const m = new MMap(fd, 0);
  fs.closeSync(fd);
  return m;
}

/** Lines and the cursor after each, from CPython: readline() loop, ending dropped, decoded. */
function cpythonLines(data: Uint8Array, start: number, encoding: 'utf8' | 'latin1' | 'bytes'): { lines: (string | number[])[]; pos: number[] } {
  return python(`
import json, mmap, sys
req = json.load(sys.stdin)
data = bytes(req['data'])
m = mmap.mmap(-1, len(data)); m.write(data); m.seek(req['start'])
lines, pos = [], []
for line in iter(m.readline, b''):
    if line.endswith(b'\\r\\n'): line = line[:-2]
    elif line.endswith(b'\\n'): line = line[:-1]
    enc = req['encoding']
    lines.append(list(line) if enc == 'bytes' else line.decode('utf-8' if enc == 'utf8' else 'latin-1', 'replace'))
    pos.append(m.tell())
print(json.dumps({'lines': lines, 'pos': pos}))`, { data: Array.from(data), start, encoding });
}

/** The lines and the cursor after each, from lines(). */
function ours(m: MMap, encoding: 'utf8' | 'latin1' | 'bytes'): { lines: (string | number[])[]; pos: number[] } {
  const lines: (string | number[])[] = [];
  const pos: number[] = [];
  for (const line of m.lines({ encoding })) {
    lines.push(typeof line === 'string' ? line : Array.from(line));
    pos.push(m.tell());
  }
  return { lines, pos };
}

const cpython = suite('lines() against CPython');

cpython('random text across blocks: \\n, \\r\\n, lone \\r, non-ASCII, invalid UTF-8, long lines, with and without a last newline', () => {
  const rnd = random(11);
  // Bytes: invalid UTF-8 (a stray 0xff, sequences cut short) and a BOM among the text.
  const pieces = ['a', 'b', ' ', '\n', '\n', '\r\n', '\r', 'é', '€', '😀', '\ufeff'].map((p) => [...Buffer.from(p)])
    .concat([[0xff], [0xc3], [0xe2, 0x82], [0xf0, 0x9f]]);
  for (const [size, start] of [[1, 1], [1, 0], [300, 0], [300, 17], [200_000, 0], [150_000, 70_000]]) {
    const parts: number[] = [];
    while (parts.length < size) {
      if (rnd(5000) === 0) parts.push(...Array(70_000).fill(0x61)); // a line longer than a block
      parts.push(...pieces[rnd(pieces.length)]);
    }
    const data = new Uint8Array(parts.slice(0, size));
    for (const encoding of ['utf8', 'latin1', 'bytes'] as const) {
      const m = mapOf(data);
      m.seek(start);
      const want = cpythonLines(data, start, encoding);
      const got = ours(m, encoding);
      assert.is(got.lines.length, want.lines.length, `${size} ${encoding}: line count`);
      assert.equal(got.pos, want.pos, `${size} ${encoding}: cursor after each line`);
      assert.equal(got.lines, want.lines, `${size} ${encoding}: lines`);
      m.close();
    }
  }
});

cpython.run();

const cursor = suite('lines() and the cursor');

cursor('interleaves with readline(), seek() and writes: each line comes from where the cursor is, as it is now', () => {
  const m = new MMap(-1, 40);
  m.write('one\ntwo\r\nthree\nfour\nfive\n\nsix');
  m.seek(0);
  const it = m.lines();
  assert.is(it.next().value, 'one');
  assert.is(m.tell(), 4);
  assert.is(Buffer.from(m.readline()).toString(), 'two\r\n');
  assert.is(it.next().value, 'three');
  m.seek(0);
  assert.is(it.next().value, 'one');
  // A write to a line read ahead but not yet yielded.
  m.setSlice(9, 14, 'THREE');
  assert.is(it.next().value, 'two');
  assert.is(it.next().value, 'THREE');
  m.seek(1, 1);
  assert.is(it.next().value, 'our');
  assert.equal([...it], ['five', '', 'six' + '\0'.repeat(11)]);
  assert.is(m.tell(), 40);
  assert.equal([...m.lines()], []);
  m.close();
});

cursor('a map that shrinks under lines() (resize) ends where the map ends', () => {
  const fd = fs.openSync(tmp.file('aa\nbb\ncc\ndd\n'), 'r+');
  const m = new MMap(fd, 0);
  fs.closeSync(fd);
  const it = m.lines({ encoding: 'latin1' });
  assert.is(it.next().value, 'aa');
  m.resize(7);
  assert.equal([...it], ['bb', 'c']);
  m.close();
});

cursor.run();

const errors = suite('lines(): errors');

errors('a closed map: at the call, and at the next step after a close', () => {
  const m = new MMap(-1, 8);
  m.write('a\nb\nc\n');
  m.seek(0);
  const it = m.lines();
  assert.is(it.next().value, 'a');
  m.close();
  throwsExact(() => it.next(), ValueError, 'mmap closed or invalid');
  throwsExact(() => m.lines(), ValueError, 'mmap closed or invalid');
});

errors('an unknown encoding is a TypeError at the call', () => {
  const m = new MMap(-1, 8);
  throwsExact(() => m.lines({ encoding: 'utf-16' as any }), TypeError, `encoding must be 'utf8', 'latin1' or 'bytes', not "utf-16"`);
  assert.equal([...m.lines({})].length, 1);
  m.close();
});

errors.after(() => tmp.cleanup());
errors.run();
