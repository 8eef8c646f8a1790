// Proof that the native backing is real: the core works on the file's page cache itself, so
// another process sees our writes without flush() and we see its writes at once, as with
// CPython; a private map's writes never reach the file; flushed bytes survive a SIGKILL.
// Runs only where the suite runs with WASM_MMAP_BACKING=native.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAP_PRIVATE, MMap } from '../src/index.ts';
import { TempDir, bytes, text, throwsOSError } from './helpers.ts';

const test = suite('native backing');
const tmp = new TempDir();
test.after(() => tmp.cleanup());
// On the copy run these tests are reported as skipped, not passed.
const nativeTest = process.env.WASM_MMAP_BACKING === 'native' ? test : test.skip;

function python(code: string): string {
  const run = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  return run.stdout;
}

function mapFile(path: string, options = {}): MMap {
  const fd = fs.openSync(path, 'r+');
  const m = new MMap(fd, 0, options);
  fs.closeSync(fd);
  assert.is(m.backing, 'native');
  return m;
}

/** Where the file at `path` is mapped in this process (its first line in /proc/self/maps). */
function mapStart(path: string): bigint {
  const line = fs.readFileSync('/proc/self/maps', 'latin1').split('\n').find((l) => l.endsWith(fs.realpathSync(path)))!;
  return BigInt('0x' + line.split('-')[0]);
}

nativeTest('a resize that grows the memory moves the map to the region the core reserved, read-only maps beside it', () => {
  // First in this file, so that the memory has not grown yet. The memory's growth makes the read-only map's pages writable again; restoring them calls
  // the core, which once overwrote the new region's address before resize() read it.
  const readOnly = tmp.file('r'.repeat(4096));
  const path = tmp.file('w'.repeat(4096));
  const roFd = fs.openSync(readOnly, 'r');
  const ro = new MMap(roFd, 0, { access: 1 });
  const m = mapFile(path);
  m.resize(64 << 20);
  assert.is(text(m.getSlice(0, 4096)), 'w'.repeat(4096));
  m.setItem(5000, 66);
  m.flush();
  assert.is(fs.readFileSync(path)[5000], 66);
  assert.is(text(ro.getSlice()), 'r'.repeat(4096));
  m.close();
  ro.close();
  fs.closeSync(roFd);
});

nativeTest('python3 reads our write to a shared map without flush(), and we read its write at once', () => {
  const path = tmp.file('0123456789');
  const m = mapFile(path);
  m.write('AB');
  assert.is(python(`print(open(${JSON.stringify(path)}, 'rb').read().decode(), end='')`), 'AB23456789');
  python(`
import os
fd = os.open(${JSON.stringify(path)}, os.O_RDWR); os.pwrite(fd, b'xyz', 7); os.close(fd)`);
  assert.is(text(m.getSlice()), 'AB23456xyz');
  m.close();
});

nativeTest('python3 mmap and our map of one file see each other, byte for byte', () => {
  const path = tmp.file('.'.repeat(8192));
  const m = mapFile(path);
  m.setItem(5000, 66);
  const out = python(`
import mmap, os
fd = os.open(${JSON.stringify(path)}, os.O_RDWR)
p = mmap.mmap(fd, 0)
print(p[5000]); p[6000] = 67; p.close()`);
  assert.is(out.trim(), '66');
  assert.is(m.getItem(6000), 67);
  m.close();
});

nativeTest('a private map never writes to the file, and keeps its writes across a resize', () => {
  const path = tmp.file('0123456789');
  const m = mapFile(path, { flags: MAP_PRIVATE });
  m.write('PRIVATE');
  m.flush();
  assert.is(text(fs.readFileSync(path)), '0123456789');
  m.resize(8 << 20); // large enough to need a new, 2 MiB-aligned region
  assert.is(text(m.getSlice(0, 10)), 'PRIVATE789');
  assert.is(fs.statSync(path).size, 8 << 20); // resize truncates the file, as CPython does
  m.close();
  assert.is(text(fs.readFileSync(path).subarray(0, 10)), '0123456789');
});

nativeTest('a map of 2 MiB or more starts 2 MiB-aligned in the address space (fewer page faults)', () => {
  const path = tmp.file('');
  fs.truncateSync(path, 6 << 20);
  const small = new MMap(-1, 4096); // so that the big one does not start at the region space's start by luck
  const m = mapFile(path);
  assert.is(mapStart(path) % (2n << 20n), 0n);
  m.close();
  small.close();
});

nativeTest('a map of 1 GiB or more starts 1 GiB-aligned (the kernel frees whole page-table pages), and a bigger one 2 MiB-aligned where 1 GiB alignment would pass the 4 GiB limit', () => {
  const small = new MMap(-1, 4096);
  const giant = tmp.file('');
  fs.truncateSync(giant, 1 << 30); // sparse: no blocks on disk
  const m = mapFile(giant);
  assert.is(mapStart(giant) % (1n << 30n), 0n);
  m.close();
  // 4 GiB - 8 MiB fits a core's memory only 2 MiB-aligned (nothing else open in the new core).
  const biggest = tmp.file('');
  fs.truncateSync(biggest, 2 ** 32 - (8 << 20));
  const big = mapFile(biggest);
  assert.is(mapStart(biggest) % (2n << 20n), 0n);
  assert.is(big.size(), 2 ** 32 - (8 << 20));
  big.close();
  small.close();
});

nativeTest('a file truncated under a live map: EFAULT instead of SIGBUS, nothing moves, and the bytes come back with the file', () => {
  const path = tmp.file('a'.repeat(3 * 4096));
  const m = mapFile(path);
  m.seek(5000);
  fs.truncateSync(path, 4096); // CPython would now die of SIGBUS touching page 1 or 2
  for (const touch of [() => m.readByte(), () => m.read(10), () => m.write('x'), () => m.getItem(9000), () => m.find('b', 4000), () => m.readline()]) {
    throwsOSError(touch, 14);
    assert.is(m.tell(), 5000);
  }
  assert.is(m.getItem(4095), 97); // the page the file still covers
  fs.writeFileSync(path, 'b'.repeat(3 * 4096)); // another writer makes the file whole again
  assert.is(m.readByte(), 98);
  assert.is(m.getItem(-1), 98);
  m.close();
});

nativeTest('after a touch of pages the file lost, a forward search that matches before them answers, as CPython', () => {
  const content = `${'.'.repeat(100)}needle${'.'.repeat(3 * 4096 - 106)}`;
  // CPython, on the file truncated to one page under its map: find stops at the match.
  const expected = python(`import mmap, os
fd = os.open(${JSON.stringify(tmp.file(content))}, os.O_RDWR)
m = mmap.mmap(fd, 0); os.ftruncate(fd, 4096)
print(m.find(b'needle', 0), m.find(b'needle', 50, 4000))`).trim();
  const path = tmp.file(content);
  const m = mapFile(path);
  fs.truncateSync(path, 4096);
  throwsOSError(() => m.getItem(3 * 4096 - 1), 14); // the core now knows the pages are gone
  assert.is(`${m.find('needle', 0)} ${m.find('needle', 50, 4000)}`, expected);
  throwsOSError(() => m.find('absent', 0), 14);
  throwsOSError(() => m.rfind('needle', 0), 14);
  m.close();
});

nativeTest('a first touch of pages the file lost: find and readline that end before them answer, as CPython', () => {
  // 'needle\n' ends the page the file keeps; the search's and readline's blocks read on past it.
  const content = `${'.'.repeat(4089)}needle\n${'.'.repeat(2 * 4096)}`;
  const expected = python(`import mmap, os
fd = os.open(${JSON.stringify(tmp.file(content))}, os.O_RDWR)
m = mmap.mmap(fd, 0); os.ftruncate(fd, 4096)
m.seek(4000)
print(m.find(b'needle'), m.find(b'\\n', 4095), len(m.readline()), m.tell())`).trim();
  const fresh = () => {
    const path = tmp.file(content);
    const m = mapFile(path);
    fs.truncateSync(path, 4096);
    m.seek(4000);
    return m;
  };
  // Each on a map that has not touched the lost pages yet, so that the call itself meets them.
  const [a, b, c] = [fresh(), fresh(), fresh()];
  assert.is(`${a.find('needle')} ${b.find('\n', 4095)} ${c.readline().length} ${c.tell()}`, expected);
  throwsOSError(() => a.find('absent'), 14);
  throwsOSError(() => b.rfind('needle'), 14);
  for (const m of [a, b, c]) m.close();
});

nativeTest('bytes written and flushed by a process killed with SIGKILL are on disk', async () => {
  const path = tmp.file('-'.repeat(100));
  const script = `
import { openSync } from 'node:fs';
import { MMap } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).pathname)};
const m = new MMap(openSync(${JSON.stringify(path)}, 'r+'), 0, { backing: 'native' });
m.write('written before SIGKILL');
m.flush();
console.log('ready');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => { if (String(d).includes('ready')) resolve(); }));
  child.kill('SIGKILL');
  const [, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  assert.is(signal, 'SIGKILL');
  assert.is(text(fs.readFileSync(path).subarray(0, 22)), 'written before SIGKILL');
});

test.run();
