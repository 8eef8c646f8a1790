// madvise: every advice value Linux knows (and some it does not), on every kind of map, gives
// the error (or success) CPython gives on this kernel, and the contents it leaves.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACCESS_COPY, ACCESS_READ, MAP_PRIVATE, MMap } from '../src/index.ts';
import { TempDir, throwsOSError } from './helpers.ts';

const test = suite('madvise against CPython');
const tmp = new TempDir();
test.after(() => tmp.cleanup());

// Each kind of map: how Python opens it, and how we do. The fd is O_RDWR unless the kind says.
const KINDS: Record<string, [python: string, ours: (fd: number) => MMap, readOnlyFd?: boolean]> = {
  anon_shared: ['mmap.mmap(-1, 8192)', () => new MMap(-1, 8192)],
  anon_private: ['mmap.mmap(-1, 8192, flags=mmap.MAP_PRIVATE)', () => new MMap(-1, 8192, { flags: MAP_PRIVATE })],
  anon_copy: ['mmap.mmap(-1, 8192, access=mmap.ACCESS_COPY)', () => new MMap(-1, 8192, { access: ACCESS_COPY })],
  file_shared: ['mmap.mmap(fd, 0)', (fd) => new MMap(fd, 0)],
  file_private: ['mmap.mmap(fd, 0, flags=mmap.MAP_PRIVATE)', (fd) => new MMap(fd, 0, { flags: MAP_PRIVATE })],
  file_read: ['mmap.mmap(fd, 0, access=mmap.ACCESS_READ)', (fd) => new MMap(fd, 0, { access: ACCESS_READ })],
  file_read_rdonly: ['mmap.mmap(fd, 0, access=mmap.ACCESS_READ)', (fd) => new MMap(fd, 0, { access: ACCESS_READ }), true],
};
// 100–103 are left out here: as root CPython really poisons pages (MADV_HWPOISON,
// MADV_SOFT_OFFLINE), and MADV_GUARD_INSTALL makes the next touch a SIGSEGV; see the next test.
const OPTIONS = [...Array.from({ length: 30 }, (_, i) => i), -1, 99, 104, 1000];

test('every advice on every kind of map: the result and the first bytes after it', () => {
  const path = tmp.file('x'.repeat(8192));
  const script = `
import mmap, os, json
out = []
for kind, (make, rdonly) in json.loads(${JSON.stringify(JSON.stringify(Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [k, [v[0], !!v[2]]]))))}).items():
  for opt in ${JSON.stringify(OPTIONS)}:
    with open(${JSON.stringify(path)}, 'wb') as f: f.write(b'x' * 8192)
    fd = os.open(${JSON.stringify(path)}, os.O_RDONLY if rdonly else os.O_RDWR)
    m = eval(make)
    if not rdonly and m.__repr__().find('ACCESS_READ') < 0: m[0] = 7
    try:
      m.madvise(opt); r = 'ok'
    except OSError as e:
      r = f'{type(e).__name__}: {e}'
    out.append([kind, opt, r, m[0], m[4096]])
    m.close(); os.close(fd)
print(json.dumps(out))`;
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  const expected: [string, number, string, number, number][] = JSON.parse(run.stdout);
  assert.is(expected.length, Object.keys(KINDS).length * OPTIONS.length);
  for (const [kind, opt, result, first, second] of expected) {
    fs.writeFileSync(path, 'x'.repeat(8192));
    const [, make, readOnlyFd] = KINDS[kind];
    const fd = fs.openSync(path, readOnlyFd ? 'r' : 'r+');
    const m = make(fd);
    if (!readOnlyFd && !String(m).includes('ACCESS_READ')) m.setItem(0, 7);
    let got = 'ok';
    try {
      m.madvise(opt);
    } catch (error) {
      got = `${(error as Error).name}: ${(error as Error).message}`;
    }
    assert.equal([got, m.getItem(0), m.getItem(4096)], [result, first, second], `${kind} madvise(${opt})`);
    m.close();
    fs.closeSync(fd);
  }
});

test('advice that poisons pages or makes them fault is refused with EPERM (docs/spec/API.md: the process lives)', () => {
  for (const option of [100, 101, 102, 103]) {
    const m = new MMap(-1, 4096);
    throwsOSError(() => m.madvise(option), 1);
    m.setItem(0, 1);
    assert.is(m.getItem(0), 1);
    m.close();
  }
});

test('advice on part of a page acts on the whole page, as the kernel rounds the length up', () => {
  // Written bytes on both pages; the advice covers bytes [start, start + length) of page 0 only,
  // or ends one byte into page 1.
  const WRITES = [0, 50, 150, 4095, 4096, 5000];
  const RANGES: [number, number][] = [[0, 100], [0, 1], [0, 4097], [4096, 1]];
  const ADVICE = [4, 8, 9, 24]; // MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTNEED_LOCKED
  const path = tmp.file('x'.repeat(8192));
  const script = `
import mmap, os, json
out = []
for kind, (make, rdonly) in json.loads(${JSON.stringify(JSON.stringify(Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [k, [v[0], !!v[2]]]))))}).items():
  for opt in ${JSON.stringify(ADVICE)}:
    for start, length in ${JSON.stringify(RANGES)}:
      with open(${JSON.stringify(path)}, 'wb') as f: f.write(b'x' * 8192)
      fd = os.open(${JSON.stringify(path)}, os.O_RDONLY if rdonly else os.O_RDWR)
      m = eval(make)
      if not rdonly and m.__repr__().find('ACCESS_READ') < 0:
        for at in ${JSON.stringify(WRITES)}: m[at] = 7
      try:
        m.madvise(opt, start, length); r = 'ok'
      except OSError as e:
        r = f'{type(e).__name__}: {e}'
      out.append([kind, opt, start, length, r, m[:].hex(), open(${JSON.stringify(path)}, 'rb').read().hex()])
      m.close(); os.close(fd)
print(json.dumps(out))`;
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.is(run.status, 0, run.stderr);
  const expected: [string, number, number, number, string, string, string][] = JSON.parse(run.stdout);
  assert.is(expected.length, Object.keys(KINDS).length * ADVICE.length * RANGES.length);
  for (const [kind, opt, start, length, result, bytes, file] of expected) {
    fs.writeFileSync(path, 'x'.repeat(8192));
    const [, make, readOnlyFd] = KINDS[kind];
    const fd = fs.openSync(path, readOnlyFd ? 'r' : 'r+');
    const m = make(fd);
    if (!readOnlyFd && !String(m).includes('ACCESS_READ')) for (const at of WRITES) m.setItem(at, 7);
    let got = 'ok';
    try {
      m.madvise(opt, start, length);
    } catch (error) {
      got = `${(error as Error).name}: ${(error as Error).message}`;
    }
    const what = `${kind} madvise(${opt}, ${start}, ${length})`;
    assert.is(got, result, what);
    assert.is(Buffer.from(m.getSlice()).toString('hex'), bytes, `${what}: the map's bytes`);
    m.close();
    fs.closeSync(fd);
    // The file as CPython's close leaves it; the copy backing writes back at close.
    assert.is(fs.readFileSync(path).toString('hex'), file, `${what}: the file`);
  }
});

test.run();
