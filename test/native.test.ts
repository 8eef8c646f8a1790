// The native helper alone: a plain WebAssembly.Memory, a hand-assembled wasm module that loads
// and stores bytes, real files, and python3 as the other process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { baseIsStable, native, nativeError, type NativeHelper } from '../src/native.ts';

const unavailable = native === undefined ? `native helper unavailable: ${nativeError}` : undefined;
if (unavailable !== undefined && process.env.WASM_MMAP_BACKING === 'native') {
  test('the native helper loads (WASM_MMAP_BACKING=native)', () => assert.unreachable(unavailable));
} else if (unavailable !== undefined) {
  console.log(`# native.test.ts skipped: ${unavailable}`);
}
const it = unavailable === undefined ? test : test.skip;
const helper = native as NativeHelper;
const page = helper?.pageSize ?? 4096;

// (module (import "env" "memory" (memory 0))
//   (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u)
//   (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store8)
//   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))
// A shared memory must be imported as shared: limits flag 3, minimum 0, maximum 65536 (LEB128).
const section = (id: number, ...bytes: number[]) => [id, bytes.length, ...bytes];
const name = (text: string) => [text.length, ...Buffer.from(text)];
const assemble = (...limits: number[]) => new WebAssembly.Module(new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, 2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 0),
  ...section(2, 1, ...name('env'), ...name('memory'), 0x02, ...limits),
  ...section(3, 3, 0, 1, 0),
  ...section(7, 3, ...name('load'), 0x00, 0, ...name('store'), 0x00, 1, ...name('grow'), 0x00, 2),
  ...section(10, 3, 7, 0, 0x20, 0, 0x2d, 0, 0, 0x0b, 9, 0, 0x20, 0, 0x20, 1, 0x3a, 0, 0, 0x0b,
    6, 0, 0x20, 0, 0x40, 0, 0x0b),
]));
const modules = { plain: assemble(0x00, 0x00), shared: assemble(0x03, 0x00, 0x80, 0x80, 0x04) };

interface Core {
  memory: WebAssembly.Memory;
  load(at: number): number;
  store(at: number, value: number): void;
  grow(pages: number): number;
}

function core(shared = false): Core {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared });
  const module = modules[shared ? 'shared' : 'plain'];
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, ...(exports as unknown as Omit<Core, 'memory'>) };
}

const dir = fs.mkdtempSync(join(tmpdir(), 'wasm-mmap-native-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file of `size` bytes where byte i is (i * 7 + 3) & 255, so every offset is recognisable. */
function makeFile(size: number, file = join(dir, `f${Math.random().toString(36).slice(2)}`)) {
  fs.writeFileSync(file, Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 255));
  return file;
}
const expected = (i: number) => (i * 7 + 3) & 255;

/** Another process: python3 reads one byte, or writes one and reads it back. */
function python(file: string, at: number, value?: number): number {
  const code = value === undefined
    ? 'import sys\nf = open(sys.argv[1], "rb"); f.seek(int(sys.argv[2])); print(f.read(1)[0])'
    : 'import sys\nf = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2]))\n'
      + 'f.write(bytes([int(sys.argv[3])])); f.close(); print(sys.argv[3])';
  const run = spawnSync('python3', ['-c', code, file, String(at), String(value ?? '')],
    { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  return Number(run.stdout);
}

/** Runs `fn` expecting `Kind`, with `message` and, for OS errors, the errno properties. */
function throwsLike(fn: () => unknown, Kind: ErrorConstructor, message: string,
  props: Record<string, unknown> = {}) {
  try {
    fn();
  } catch (error) {
    assert.instance(error, Kind);
    assert.is((error as Error).message, message);
    for (const [key, value] of Object.entries(props)) {
      assert.is((error as unknown as Record<string, unknown>)[key], value, key);
    }
    return;
  }
  assert.unreachable(`expected ${Kind.name}: ${message}`);
}

const region = 1 << 20; // inside the 4 MiB memory, page-aligned

it('a shared mapping: wasm and another process see each other\'s writes at once', () => {
  const { memory, load, store } = core();
  const file = makeFile(3 * page + 100);
  const fd = fs.openSync(file, 'r+');
  helper.map(memory.buffer, region, 4 * page, fd, 0, true, true);
  fs.closeSync(fd); // the mapping holds the file
  for (const i of [0, 1, page - 1, page, 2 * page + 17, 3 * page + 99]) {
    assert.is(load(region + i), expected(i), `byte ${i}`);
  }
  assert.is(load(region + 3 * page + 100), 0, 'the tail of the last page reads as zeros');
  assert.is(load(region - 1), 0, 'the byte before the region is untouched');
  store(region + 5000, 0xab);
  assert.is(python(file, 5000), 0xab, 'python3 sees the wasm store with no msync');
  python(file, 100, 7);
  assert.is(load(region + 100), 7, 'wasm sees python3\'s write at once');
  helper.msync(memory.buffer, region, 3 * page + 100);
  helper.unmap(memory.buffer, region, 4 * page);
});

it('a mapping at a file offset sees that part of the file', () => {
  const { memory, load } = core();
  const file = makeFile(4 * page);
  const fd = fs.openSync(file, 'r');
  helper.map(memory.buffer, region, 2 * page, fd, 2 * page, false, true);
  fs.closeSync(fd);
  assert.is(load(region), expected(2 * page));
  assert.is(load(region + 2 * page - 1), expected(4 * page - 1));
  assert.is(load(region + 2 * page), 0, 'past the mapped length the memory is its own');
  helper.unmap(memory.buffer, region, 2 * page);
});

it('a private mapping: writes stay in memory and never reach the file', () => {
  const { memory, load, store } = core();
  const file = makeFile(2 * page);
  const before = fs.readFileSync(file);
  const fd = fs.openSync(file, 'r+');
  helper.map(memory.buffer, region, 2 * page, fd, 0, true, false);
  fs.closeSync(fd);
  store(region + 10, 0xee);
  assert.is(load(region + 10), 0xee);
  assert.is(python(file, 10), expected(10), 'python3 does not see a private write');
  helper.msync(memory.buffer, region, 2 * page);
  helper.unmap(memory.buffer, region, 2 * page);
  assert.equal(fs.readFileSync(file), before, 'the file is unchanged after msync and unmap');
});

it('madvise(MADV_DONTNEED) drops a private mapping\'s writes: the file shows through again', () => {
  const { memory, load, store } = core();
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r');
  helper.map(memory.buffer, region, page, fd, 0, true, false);
  fs.closeSync(fd);
  store(region + 1, 0x55);
  helper.madvise(memory.buffer, region, page, 4 /* MADV_DONTNEED */);
  assert.is(load(region + 1), expected(1));
  throwsLike(() => helper.madvise(memory.buffer, region + 1, page, 4), Error,
    '[Errno 22] Invalid argument', { errno: 22, code: 'EINVAL', syscall: 'madvise' });
  helper.unmap(memory.buffer, region, page);
});

it('a read-only mapping: a wasm store traps with a catchable RuntimeError', () => {
  const { memory, load, store } = core();
  // Without V8's trap handler such a store is a SIGSEGV; baseIsStable() requires the handler.
  assert.ok(baseIsStable(memory), 'this test needs the trap handler');
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r');
  helper.map(memory.buffer, region, page, fd, 0, false, true);
  fs.closeSync(fd);
  for (let i = 0; i < 1000; i++) {
    assert.throws(() => store(region + 8, 1),
      (error: unknown) => error instanceof WebAssembly.RuntimeError);
  }
  assert.is(load(region + 8), expected(8));
  assert.is(python(file, 8), expected(8));
  store(region + page, 9); // the next page is still ordinary memory
  assert.is(load(region + page), 9);
  helper.unmap(memory.buffer, region, page);
  store(region + 8, 1);
  assert.is(load(region + 8), 1, 'unmap gives writable memory back');
});

it('a read-only mapping follows the file: another process\'s writes show at once', () => {
  const { memory, load } = core();
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r');
  helper.map(memory.buffer, region, page, fd, 0, false, true);
  fs.closeSync(fd);
  python(file, 20, 0x99);
  assert.is(load(region + 20), 0x99);
  helper.unmap(memory.buffer, region, page);
});

it('memory.grow, from JS or wasm, reopens read-only mappings; protect() closes them again', () => {
  const { memory, load, store, grow } = core();
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r'); // a shared mapping of this fd would abort the process on grow
  helper.map(memory.buffer, region, page, fd, 0, false, false); // private, as NativeBacking maps it
  fs.closeSync(fd);
  for (const growBy of [() => memory.grow(1), () => grow(1)]) {
    const pages = memory.buffer.byteLength / 65536;
    assert.is(growBy(), pages);
    store(region + 30, 0x31); // V8 mprotected the whole memory read-write
    assert.is(load(region + 30), 0x31);
    assert.is(python(file, 30), expected(30), 'the mapping is private: the file is safe');
    helper.protect(memory.buffer, region, page, false);
    assert.throws(() => store(region + 31, 1),
      (error: unknown) => error instanceof WebAssembly.RuntimeError);
    assert.is(load(region + 31), expected(31));
  }
  helper.unmap(memory.buffer, region, page);
});

it('unmap gives zero pages back and the file keeps its bytes', () => {
  const { memory, load, store } = core();
  const file = makeFile(2 * page);
  const fd = fs.openSync(file, 'r+');
  helper.map(memory.buffer, region, 2 * page, fd, 0, true, true);
  fs.closeSync(fd);
  store(region + 3, 0x33);
  helper.unmap(memory.buffer, region, 2 * page);
  for (let i = 0; i < 2 * page; i += 97) assert.is(load(region + i), 0, `byte ${i}`);
  store(region + 4, 0x44);
  const bytes = fs.readFileSync(file);
  assert.is(bytes[3], 0x33, 'the shared write stays in the file');
  assert.is(bytes[4], expected(4), 'a store after unmap does not reach the file');
});

it('a mapping survives memory.grow: the base stays where the trap handler reserved it', () => {
  const { memory, load, store } = core();
  const base = helper.address(memory.buffer);
  assert.is(base % 65536, 0);
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r+');
  helper.map(memory.buffer, region, page, fd, 0, true, true);
  fs.closeSync(fd);
  const old = memory.buffer;
  memory.grow(1000);
  assert.is(helper.address(memory.buffer), base);
  assert.is(load(region + 5), expected(5));
  store(region + 6, 0x66);
  assert.is(python(file, 6), 0x66);
  throwsLike(() => helper.unmap(old, region, page), TypeError, 'buffer is detached or empty');
  helper.unmap(memory.buffer, region, page);
});

it('a shared WebAssembly.Memory is mapped through a Uint8Array over its SharedArrayBuffer', () => {
  const { memory, load } = core(true);
  assert.ok(baseIsStable(memory));
  const view = new Uint8Array(memory.buffer);
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r');
  helper.map(view, region, page, fd, 0, false, true);
  fs.closeSync(fd);
  assert.is(load(region + 11), expected(11));
  assert.is(view[region + 12], expected(12));
  helper.unmap(view, region, page);
  assert.is(load(region + 11), 0);
});

it('a page past the file\'s end: a touch is a SIGBUS that watch() turns into a counted zero page', () => {
  // In a child: the handler and its fault record are per process, and the library's own maps
  // in this process would take the counted fault for theirs.
  const file = makeFile(page);
  const child = `
    const helper = require(${JSON.stringify(fileURLToPath(new URL('../build/mmap_helper.node', import.meta.url)))});
    const fs = require('node:fs');
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536 });
    const record = new Int32Array(helper.watch(memory.buffer, 2 ** 33));
    const pages = new Uint8Array(record.buffer, 16);
    const fd = fs.openSync(${JSON.stringify(file)}, 'r+');
    helper.map(memory.buffer, ${region}, ${2 * page}, fd, 0, true, true);
    fs.closeSync(fd);
    const view = new Uint8Array(memory.buffer);
    const inFile = view[${region + 5}];
    const pastEnd = view[${region + page + 9}];
    const faults = record[0];
    const at = record[1] >>> 0;
    const marked = [...pages.subarray(0, ${(region + 2 * page) / page / 8 + 1})].flatMap((byte, i) => [0, 1, 2, 3, 4, 5, 6, 7].filter((bit) => byte & (1 << bit)).map((bit) => i * 8 + bit));
    view[${region + page + 9}] = 1;
    console.log(JSON.stringify({ inFile, pastEnd, faults, at, expectedAt: (helper.address(memory.buffer) + ${region + page + 9}) % 2 ** 32, marked, faultsAfterStore: record[0] }));`;
  const run = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  const got = JSON.parse(run.stdout);
  assert.is(got.inFile, expected(5), 'the page the file covers is the file');
  assert.is(got.pastEnd, 0, 'the page past the end reads as zero');
  assert.is(got.faults, 1, 'and the fault is counted');
  assert.is(got.at, got.expectedAt, 'at its address');
  assert.equal(got.marked, [(region + page) / page], 'and its page, the only one, is marked');
  assert.is(got.faultsAfterStore, 1, 'the zero page stays: no second fault');
  assert.is(fs.statSync(file).size, page, 'the file never grows');
});

it('arguments and ranges are checked before anything is mapped', () => {
  const { memory, load, store } = core();
  const size = memory.buffer.byteLength;
  const file = makeFile(2 * page);
  const fd = fs.openSync(file, 'r+');
  store(region, 0x77);
  const cases: Array<[() => unknown, ErrorConstructor, string]> = [
    [() => helper.map(memory.buffer, size, page, fd, 0, true, true), RangeError,
      'range reaches beyond the end of the buffer'],
    [() => helper.map(memory.buffer, size + page, page, fd, 0, true, true), RangeError,
      'range reaches beyond the end of the buffer'],
    [() => helper.map(memory.buffer, size - page, 2 * page, fd, 0, true, true), RangeError,
      'range reaches beyond the end of the buffer'],
    [() => helper.map(memory.buffer, region + 1, page, fd, 0, true, true), RangeError,
      'offset must be a multiple of the page size'],
    [() => helper.map(memory.buffer, region, page, fd, 1, true, true), RangeError,
      'fileOffset must be a multiple of the page size'],
    [() => helper.map(memory.buffer, region, 0, fd, 0, true, true), RangeError,
      'length must be positive'],
    [() => helper.map(memory.buffer, -page, page, fd, 0, true, true), RangeError,
      'offset must be a non-negative integer'],
    [() => helper.map(memory.buffer, 0.5, page, fd, 0, true, true), RangeError,
      'offset must be a non-negative integer'],
    [() => helper.map(memory.buffer, region, 2 ** 53, fd, 0, true, true), RangeError,
      'length must be a non-negative integer'],
    [() => helper.map(memory.buffer, '0' as never, page, fd, 0, true, true), TypeError,
      'offset must be a non-negative integer'],
    [() => helper.map(memory.buffer, region, page, fd, 0, 1 as never, true), TypeError,
      'writable must be a boolean'],
    [() => helper.map(memory.buffer, region, page, 2 ** 31, 0, true, true), RangeError,
      'fd must be an integer'],
    [() => helper.map(memory.buffer, region, page, 1.5, 0, true, true), RangeError,
      'fd must be an integer'],
    [() => helper.map({} as never, region, page, fd, 0, true, true), TypeError,
      'buffer must be an ArrayBuffer or a Uint8Array'],
    [() => helper.map(new Uint16Array(memory.buffer) as never, region, page, fd, 0, true, true),
      TypeError, 'buffer must be an ArrayBuffer or a Uint8Array'],
    [() => helper.map(new Uint8Array(memory.buffer, 8), region, page, fd, 0, true, true),
      RangeError, 'buffer must start and end on a page boundary'],
    [() => helper.unmap(memory.buffer, region, 0), RangeError, 'length must be positive'],
    [() => helper.unmap(memory.buffer, size, page), RangeError,
      'range reaches beyond the end of the buffer'],
    [() => helper.msync(memory.buffer, size - page, page + 1), RangeError,
      'range reaches beyond the end of the buffer'],
    [() => helper.madvise(memory.buffer, size, page, 0), RangeError,
      'range reaches beyond the end of the buffer'],
  ];
  for (const [fn, Kind, message] of cases) throwsLike(fn, Kind, message);
  fs.closeSync(fd);
  assert.is(load(region), 0x77, 'a failed call changes nothing');
  assert.equal(fs.readFileSync(file)[0], expected(0));
});

it('syscall failures carry errno, code, syscall and Python\'s message', () => {
  const { memory, load } = core();
  const file = makeFile(page);
  const fd = fs.openSync(file, 'r');
  throwsLike(() => helper.map(memory.buffer, region, page, fd, 0, true, true), Error,
    '[Errno 13] Permission denied', { errno: 13, code: 'EACCES', syscall: 'mmap' });
  assert.is(load(region), 0, 'a refused mapping leaves the memory as it was');
  helper.map(memory.buffer, region, page, fd, 0, true, false); // private: a read-only fd will do
  fs.closeSync(fd);
  throwsLike(() => helper.msync(memory.buffer, region + 1, 1), Error,
    '[Errno 22] Invalid argument', { errno: 22, code: 'EINVAL', syscall: 'msync' });
  helper.msync(memory.buffer, region, 0);
  throwsLike(() => helper.dup(fd), Error, '[Errno 9] Bad file descriptor',
    { errno: 9, code: 'EBADF', syscall: 'fcntl' });
  throwsLike(() => helper.map(memory.buffer, region, page, fd, 0, true, true), Error,
    '[Errno 9] Bad file descriptor', { errno: 9, code: 'EBADF', syscall: 'mmap' });
  assert.is(load(region), expected(0), 'a bad fd leaves the mapping there as it was');
  throwsLike(() => helper.fstat(-2, new Float64Array(4)), Error, '[Errno 9] Bad file descriptor',
    { errno: 9, code: 'EBADF', syscall: 'fstat' });
  helper.unmap(memory.buffer, region, page);
});

it('dup, and fstat with the access mode and O_APPEND', () => {
  const file = makeFile(page);
  const { O_RDONLY, O_RDWR, O_WRONLY, O_APPEND } = fs.constants;
  for (const [flags, mode] of [['r', O_RDONLY], ['r+', O_RDWR], ['a', O_WRONLY | O_APPEND],
    ['a+', O_RDWR | O_APPEND]] as const) {
    const fd = fs.openSync(file, flags);
    const copy = helper.dup(fd);
    assert.is.not(copy, fd);
    assert.is(fs.fstatSync(copy).ino, fs.fstatSync(fd).ino);
    const out = new Float64Array(4);
    helper.fstat(copy, out);
    const stat = fs.fstatSync(fd);
    assert.equal([...out], [stat.size, stat.mode, stat.rdev, mode], flags);
    fs.closeSync(fd);
    assert.is(fs.fstatSync(copy).size, page, 'the copy outlives the original');
    fs.closeSync(copy);
  }
});

it('baseIsStable is false without V8\'s trap handler', () => {
  const script = 'import { baseIsStable } from "./src/native.ts";'
    + 'console.log(String(baseIsStable(new WebAssembly.Memory({ initial: 64, maximum: 65536 }))))';
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const [flags, stable] of [[[], true], [['--disable-wasm-trap-handler'], false]] as const) {
    const run = spawnSync(process.execPath,
      [...flags, '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, encoding: 'utf8' });
    assert.is(run.stdout.trim(), String(stable), `${flags.join(' ')} ${run.stderr}`);
  }
});

test.run();
