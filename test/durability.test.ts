// Issue 9 §5, durability and fds: where flush() and close() put the bytes (in place, also on an
// O_APPEND fd), that flush() syncs the file as CPython's msync(MS_SYNC) does, and that OS errors
// and odd bytes-like arguments give CPython's classes and messages. python3 is the reference.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MADV_REMOVE, MMap } from '../src/index.ts';
import { TempDir, python } from './helpers.ts';

const test = suite(`durability ${process.env.WASM_MMAP_BACKING ?? 'auto'}`);
const tmp = new TempDir();
test.after(() => tmp.cleanup());

const PAGE = 4096;
const src = path.resolve('src/index.ts');

test("an 'a+' fd: flush(), MADV_REMOVE and close() write in place, as CPython's map does", () => {
  const content = 'x'.repeat(2 * PAGE);
  const ours = tmp.file(content);
  const theirs = tmp.file(content);
  const fd = fs.openSync(ours, 'a+');
  const m = new MMap(fd, 0);
  fs.closeSync(fd);
  m.setSlice(0, 3, 'abc');
  m.flush();
  m.madvise(MADV_REMOVE, PAGE, PAGE);
  m.setSlice(5, 6, 'Z');
  m.close();
  python(`import mmap, sys, json
f = open(json.load(sys.stdin), 'a+b'); m = mmap.mmap(f.fileno(), 0)
m[0:3] = b'abc'; m.flush(); m.madvise(mmap.MADV_REMOVE, ${PAGE}, ${PAGE}); m[5:6] = b'Z'; m.close(); f.close()
print(1)`, theirs);
  assert.is(fs.statSync(ours).size, 2 * PAGE);
  assert.ok(fs.readFileSync(ours).equals(fs.readFileSync(theirs)));
});

test("an 'a+' fd of a file renamed, then unlinked: the map still writes that file, in place", () => {
  const file = tmp.file('0123456789');
  const fd = fs.openSync(file, 'a+');
  fs.renameSync(file, `${file}.moved`);
  const m = new MMap(fd, 0);
  fs.unlinkSync(`${file}.moved`);
  m.write('ab');
  m.flush();
  m.setItem(9, 90);
  m.close();
  const seen = Buffer.alloc(16);
  const n = fs.readSync(fd, seen, 0, 16, 0);
  fs.closeSync(fd);
  assert.is(seen.subarray(0, n).toString('latin1'), 'ab2345678Z');
});

/** The sync system calls a child makes in flush() and in close(), from strace. */
function syncCalls(run: (file: string) => string, file: string): { flush: string[]; close: string[] } {
  const log = path.join(tmp.dir, 'strace.log');
  const [cmd, ...args] = run(file).split('\0');
  const traced = spawnSync('strace', ['-f', '-qq', '-o', log, '-e', 'trace=fsync,fdatasync,msync,sync_file_range,faccessat,faccessat2,access',
    cmd, ...args], { encoding: 'utf8', env: process.env });
  assert.is(traced.status, 0, traced.stderr);
  const lines = fs.readFileSync(log, 'latin1').split('\n');
  const marker = (name: string) => lines.findIndex((l) => l.includes(`/nonexistent-${name}`));
  const sync = (from: number, to: number) => lines.slice(from + 1, to)
    .map((l) => /(fsync|fdatasync|msync|sync_file_range)\(/.exec(l)?.[1]).filter((s): s is string => s !== undefined);
  const [a, b, c] = [marker('before'), marker('flushed'), marker('closed')];
  assert.ok(a >= 0 && b > a && c > b, 'the three markers are in the trace');
  return { flush: sync(a, b), close: sync(b, c) };
}

const strace = spawnSync('strace', ['-V']).status === 0;
(strace ? test : test.skip)('flush() syncs the file as msync(MS_SYNC) does; close() leaves it to the kernel, as CPython', () => {
  const expected = syncCalls((file) => ['python3', '-c', `import mmap, os
f = open(${JSON.stringify(file)}, 'r+b'); m = mmap.mmap(f.fileno(), 0); m[0] = 65
os.access('/nonexistent-before', 0); m.flush(); os.access('/nonexistent-flushed', 0); m.close(); os.access('/nonexistent-closed', 0)`].join('\0'),
  tmp.file('0123456789'));
  assert.equal(expected, { flush: ['msync'], close: [] });
  const script = path.join(tmp.dir, 'sync.mts');
  fs.writeFileSync(script, `import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { MMap } from ${JSON.stringify(src)};
const fd = fs.openSync(process.argv[2], 'r+'); const m = new MMap(fd, 0); fs.closeSync(fd); m.setItem(0, 65);
const mark = (name: string) => fs.existsSync('/nonexistent-' + name);
mark('before'); m.flush(); mark('flushed'); m.close(); mark('closed');`);
  const ours = syncCalls((file) => [process.execPath, '--import', 'tsx', script, file].join('\0'), tmp.file('0123456789'));
  // The copy backing writes back and then fdatasync()s: the same guarantee as msync(MS_SYNC).
  assert.equal(ours, { flush: [process.env.WASM_MMAP_BACKING === 'copy' ? 'fdatasync' : 'msync'], close: [] });
});

test.run();
