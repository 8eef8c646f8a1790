// Issue 9 §5, durability and fds: where flush() and close() put the bytes (in place, also on an
// O_APPEND fd), that flush() syncs the file as CPython's msync(MS_SYNC) does, and that OS errors
// and odd bytes-like arguments give CPython's classes and messages. python3 is the reference.
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

test.run();
