// One test per error of docs/spec/mmap-semantics.md §19 (CPython 3.11's catalogue): class (instanceof
// and name) and exact message, plus the check-order rows and docs/spec/API.md's extras (ENOMEM,
// EFAULT, ENOTSUP). Argument-conversion errors are checked by class only, as docs/spec/API.md lets
// their wording be JS's.
//
// Not testable here: `mmap length is too large` (unreachable on 64-bit, docs/spec/mmap-semantics.md §19), the two
// BufferErrors (no member creates buffer exports), item/slice deletion (no `del` in the API),
// and EFBIG (a resize large enough for it is refused with ENOMEM first, docs/spec/API.md).
import * as fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MMap,
  ACCESS_COPY,
  ACCESS_DEFAULT,
  ACCESS_READ,
  ACCESS_WRITE,
  BufferError,
  IndexError,
  MADV_NORMAL,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  OSError,
  OverflowError,
  PAGESIZE,
  PROT_READ,
  PROT_WRITE,
  ValueError,
} from '../src/index.ts';
import { TempDir, bytes, catchError, text, throwsExact, throwsOSError } from './helpers.ts';

let tmp: TempDir;
const fds: number[] = [];
test.before.each(() => {
  tmp = new TempDir();
});
test.after.each(() => {
  for (const fd of fds.splice(0)) fs.closeSync(fd);
  tmp.cleanup();
});

/** Opens a temp file holding `content` (flags as fs.openSync); closed after the test. */
function fd(content: string | Uint8Array, flags: string | number = 'r+'): number {
  const f = tmp.open(content, flags);
  fds.push(f);
  return f;
}

/** A shared file-backed map of b'0123456789' (ACCESS_DEFAULT unless told). */
function digits(options: ConstructorParameters<typeof MMap>[2] = {}): MMap {
  return new MMap(fd('0123456789'), 10, options);
}

const READONLY = "mmap can't modify a readonly memory map.";
const NO_RESIZE = "mmap can't resize a readonly or copy-on-write memory map.";

test('ValueError: mmap closed or invalid', () => {
  const m = digits();
  m.close();
  throwsExact(() => m.read(), ValueError, 'mmap closed or invalid');
  throwsExact(() => m.getItem(0), ValueError, 'mmap closed or invalid');
});

test('ValueError: read byte out of range (pos unchanged)', () => {
  const m = digits();
  m.seek(10);
  throwsExact(() => m.readByte(), ValueError, 'read byte out of range');
  assert.is(m.tell(), 10);
  // read_byte three times from 7 gives 55, 56, 57, then the error; tell() stays 10
  m.seek(7);
  assert.equal([m.readByte(), m.readByte(), m.readByte()], [55, 56, 57]);
  throwsExact(() => m.readByte(), ValueError, 'read byte out of range');
  assert.is(m.tell(), 10);
  m.close();
});

test('ValueError: write byte out of range', () => {
  const m = digits();
  m.seek(10);
  throwsExact(() => m.writeByte(0x7a), ValueError, 'write byte out of range');
  assert.is(m.tell(), 10);
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('ValueError: data out of range (no partial write, pos unchanged)', () => {
  const m = digits();
  for (const [pos, data] of [[9, '0123'], [8, '123'], [10, '1'], [7, 'abcd']] as const) {
    m.seek(pos);
    throwsExact(() => m.write(bytes(data)), ValueError, 'data out of range');
    assert.is(m.tell(), pos);
    assert.is(text(m.getSlice()), '0123456789');
  }
  // write(b'') when pos > size, after a shrink
  m.seek(8);
  m.resize(5);
  throwsExact(() => m.write(bytes('')), ValueError, 'data out of range');
  assert.is(m.tell(), 8);
  m.close();
});

test('ValueError: seek out of range (pos unchanged)', () => {
  const m = new MMap(-1, 10);
  m.seek(5);
  const rows: [number, number?][] = [
    [11], [-1], [6, 1], [-6, 1], [-11, 2], [1, 2],
    [Number.MAX_SAFE_INTEGER, 1], [Number.MAX_SAFE_INTEGER, 2],
    [-Number.MAX_SAFE_INTEGER, 1], [-Number.MAX_SAFE_INTEGER, 2],
  ];
  for (const [pos, whence] of rows) {
    throwsExact(() => m.seek(pos, whence), ValueError, 'seek out of range');
    assert.is(m.tell(), 5);
  }
  m.close();
});

test('ValueError: unknown seek type (checked before the range)', () => {
  const m = new MMap(-1, 10);
  for (const [pos, whence] of [[0, 3], [0, -1], [100, 3]]) {
    throwsExact(() => m.seek(pos, whence), ValueError, 'unknown seek type');
  }
  assert.is(m.tell(), 0);
  m.close();
});

test('ValueError: source, destination, or count out of range', () => {
  const m = digits();
  m.seek(3);
  const max = Number.MAX_SAFE_INTEGER;
  const rows = [
    [11, 0, 0], [0, 11, 0], [0, 0, 11], [5, 0, 6], [0, 5, 6], [-1, 0, 0], [0, -1, 0], [0, 0, -1],
    [max, 0, 1], [0, max, max], [1, 1, max],
  ];
  for (const [d, s, c] of rows) {
    throwsExact(() => m.move(d, s, c), ValueError, 'source, destination, or count out of range');
  }
  assert.is(text(m.getSlice()), '0123456789');
  assert.is(m.tell(), 3);
  m.close();
});

test('ValueError: flush values out of range', () => {
  const m = new MMap(fd(new Uint8Array(10000)), 0);
  const rows = [
    [4096], [1], [10000], [4096, 5905], [10001, 0], [12288, 0], [0, 10001],
    [-1], [0, -1], [Number.MAX_SAFE_INTEGER, 1], [1, Number.MAX_SAFE_INTEGER],
  ];
  for (const [o, s] of rows) throwsExact(() => m.flush(o, s), ValueError, 'flush values out of range');
  m.close();
});

test('ValueError: new size out of range', () => {
  const m = digits();
  throwsExact(() => m.resize(-1), ValueError, 'new size out of range');
  assert.is(m.length, 10);
  m.close();
  const a = new MMap(-1, 10);
  throwsExact(() => a.resize(-1), ValueError, 'new size out of range');
  a.close();
});

test('ValueError: madvise start out of bounds', () => {
  const m = new MMap(-1, 2 * PAGESIZE);
  throwsExact(() => m.madvise(MADV_NORMAL, 2 * PAGESIZE), ValueError, 'madvise start out of bounds');
  throwsExact(() => m.madvise(MADV_NORMAL, -1), ValueError, 'madvise start out of bounds');
  m.close();
});

test('ValueError: madvise length invalid', () => {
  const m = new MMap(-1, 2 * PAGESIZE);
  throwsExact(() => m.madvise(MADV_NORMAL, 0, -1), ValueError, 'madvise length invalid');
  m.close();
});

test('OverflowError: madvise length too large, unreachable with safe integers', () => {
  // CPython raises it only when start + length overflows ssize_t; safe integers cannot, so
  // a huge safe length is clamped (CPython: m.madvise(0, 4096, 2**53-1) → None) and 2**63
  // fails at conversion, still an OverflowError.
  const m = new MMap(-1, 2 * PAGESIZE);
  assert.is(m.madvise(MADV_NORMAL, PAGESIZE, Number.MAX_SAFE_INTEGER), undefined);
  throwsExact(() => m.madvise(MADV_NORMAL, PAGESIZE, 2 ** 63), OverflowError);
  m.close();
});

test('ValueError: mmap item value must be in range(0, 256)', () => {
  const m = digits();
  throwsExact(() => m.setItem(0, 256), ValueError, 'mmap item value must be in range(0, 256)');
  throwsExact(() => m.setItem(0, -1), ValueError, 'mmap item value must be in range(0, 256)');
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('ValueError: slice step cannot be zero', () => {
  const m = digits();
  throwsExact(() => m.getSlice(null, null, 0), ValueError, 'slice step cannot be zero');
  throwsExact(() => m.setSlice(null, null, bytes(''), 0), ValueError, 'slice step cannot be zero');
  // the slice is unpacked before the value is looked at (CPython: m[::0] = 5 → this error)
  throwsExact(() => m.setSlice(null, null, 5 as any, 0), ValueError, 'slice step cannot be zero');
  m.close();
});

test("ValueError: mmap can't specify both access and flags, prot.", () => {
  const f = fd('0123456789');
  const msg = "mmap can't specify both access and flags, prot.";
  throwsExact(() => new MMap(f, 99999, { flags: MAP_PRIVATE, access: ACCESS_READ }), ValueError, msg);
  // checked before the access value itself
  throwsExact(() => new MMap(f, 10, { access: 5, flags: MAP_PRIVATE }), ValueError, msg);
  throwsExact(() => new MMap(f, 10, { access: ACCESS_READ, prot: PROT_READ }), ValueError, msg);
  throwsExact(() => new MMap(-1, 10, { access: ACCESS_COPY, flags: MAP_PRIVATE }), ValueError, msg);
  // the default flags and prot given explicitly are allowed
  const m = new MMap(f, 10, { access: ACCESS_WRITE, flags: MAP_SHARED, prot: PROT_READ | PROT_WRITE });
  assert.is(m.toString(), '<mmap.mmap closed=False, access=ACCESS_WRITE, length=10, pos=0, offset=0>');
  m.close();
});

test('ValueError: mmap invalid access parameter.', () => {
  const f = fd('0123456789');
  for (const access of [4, 9, -1]) {
    throwsExact(() => new MMap(f, 10, { access }), ValueError, 'mmap invalid access parameter.');
  }
  // before the file size check, and before the fd is looked at
  throwsExact(() => new MMap(f, 99999, { access: 9 }), ValueError, 'mmap invalid access parameter.');
  throwsExact(() => new MMap(-2, 10, { access: 9 }), ValueError, 'mmap invalid access parameter.');
  throwsExact(() => new MMap(-1, 10, { access: 4 }), ValueError, 'mmap invalid access parameter.');
});

test('ValueError: cannot mmap an empty file', () => {
  const f = fd('');
  throwsExact(() => new MMap(f, 0), ValueError, 'cannot mmap an empty file');
  throwsExact(() => new MMap(f, 0, { offset: 4096 }), ValueError, 'cannot mmap an empty file');
});

test('ValueError: mmap offset is greater than file size', () => {
  const f10 = fd('0123456789');
  const f8192 = fd('x'.repeat(8192));
  const msg = 'mmap offset is greater than file size';
  throwsExact(() => new MMap(f10, 0, { offset: 10 }), ValueError, msg);
  throwsExact(() => new MMap(f10, 0, { offset: 4096 }), ValueError, msg);
  throwsExact(() => new MMap(f8192, 0, { offset: 8192 }), ValueError, msg);
});

test('ValueError: mmap length is greater than file size', () => {
  const f10 = fd('0123456789');
  const f8192 = fd('x'.repeat(8192));
  const msg = 'mmap length is greater than file size';
  throwsExact(() => new MMap(f10, 11), ValueError, msg);
  // the size check comes before the alignment check (EINVAL)
  throwsExact(() => new MMap(f10, 10, { offset: 1 }), ValueError, msg);
  throwsExact(() => new MMap(f10, 1, { offset: 4096 }), ValueError, msg);
  throwsExact(() => new MMap(f8192, 4097, { offset: 4096 }), ValueError, msg);
  throwsExact(() => new MMap(f8192, 1, { offset: 8192 }), ValueError, msg);
  throwsExact(() => new MMap(fd(''), 1), ValueError, msg);
});

test('OverflowError: memory mapped length must be positive', () => {
  const f = fd('0123456789');
  const msg = 'memory mapped length must be positive';
  throwsExact(() => new MMap(f, -1), OverflowError, msg);
  // length before offset, and before the fd
  throwsExact(() => new MMap(f, -1, { offset: -1 }), OverflowError, msg);
  throwsExact(() => new MMap(-2, -1), OverflowError, msg);
  throwsExact(() => new MMap(-1, -1), OverflowError, msg);
});

test('OverflowError: memory mapped offset must be positive', () => {
  const f = fd('0123456789');
  const msg = 'memory mapped offset must be positive';
  throwsExact(() => new MMap(f, 10, { offset: -1 }), OverflowError, msg);
  // before the access value
  throwsExact(() => new MMap(f, 10, { offset: -1, access: 9 }), OverflowError, msg);
});

test("TypeError: mmap can't modify a readonly memory map.", () => {
  const maps = [
    digits({ access: ACCESS_READ }),
    digits({ prot: PROT_READ }),
    new MMap(-1, 10, { access: ACCESS_READ }),
    // PROT_NONE is stored as ACCESS_READ
    new MMap(-1, 10, { prot: 0 }),
  ];
  for (const r of maps) {
    throwsExact(() => r.write(bytes('a')), TypeError, READONLY);
    throwsExact(() => r.writeByte(0), TypeError, READONLY);
    throwsExact(() => r.move(0, 0, 0), TypeError, READONLY);
    throwsExact(() => r.setItem(0, 65), TypeError, READONLY);
    throwsExact(() => r.setSlice(0, 2, bytes('ab')), TypeError, READONLY);
    assert.is(r.tell(), 0);
    r.close();
  }
});

test("TypeError: mmap can't resize a readonly or copy-on-write memory map.", () => {
  const maps = [
    digits({ access: ACCESS_READ }),
    digits({ access: ACCESS_COPY }),
    digits({ prot: PROT_READ }),
    new MMap(-1, 10, { access: ACCESS_READ }),
    new MMap(-1, 10, { access: ACCESS_COPY }),
  ];
  for (const r of maps) {
    throwsExact(() => r.resize(5), TypeError, NO_RESIZE);
    assert.is(r.length, 10);
    r.close();
  }
});

test('BufferError: exported, named, an Error (no member creates exports)', () => {
  assert.type(BufferError, 'function');
  assert.is(BufferError.name, 'BufferError');
  assert.ok(BufferError.prototype instanceof Error);
});

test('IndexError: mmap index out of range', () => {
  const m = digits();
  for (const i of [10, -11]) {
    throwsExact(() => m.getItem(i), IndexError, 'mmap index out of range');
  }
  throwsExact(() => m.setItem(10, 1), IndexError, 'mmap index out of range');
  throwsExact(() => m.setItem(-11, 1), IndexError, 'mmap index out of range');
  // the index is checked before the value
  throwsExact(() => m.setItem(10, bytes('a') as any), IndexError, 'mmap index out of range');
  throwsExact(() => m.setItem(10, 256), IndexError, 'mmap index out of range');
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('IndexError: mmap slice assignment is wrong size', () => {
  const m = digits();
  const msg = 'mmap slice assignment is wrong size';
  throwsExact(() => m.setSlice(2, 5, bytes('ab')), IndexError, msg);
  throwsExact(() => m.setSlice(2, 5, bytes('abcd')), IndexError, msg);
  throwsExact(() => m.setSlice(5, 2, bytes('a')), IndexError, msg);
  throwsExact(() => m.setSlice(100, null, bytes('a')), IndexError, msg);
  throwsExact(() => m.setSlice(null, null, bytes('abcd'), 2), IndexError, msg);
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('TypeError: mmap indices must be integers (getItem)', () => {
  const m = digits();
  for (const key of [1.5, 'a', null, NaN]) {
    throwsExact(() => m.getItem(key as any), TypeError, 'mmap indices must be integers');
  }
  m.close();
});

test('TypeError: mmap indices must be integer (setItem)', () => {
  const m = digits();
  for (const key of [1.5, 'a', null]) {
    throwsExact(() => m.setItem(key as any, 1), TypeError, 'mmap indices must be integer');
  }
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('TypeError: mmap item value must be an int', () => {
  const m = digits();
  for (const v of [bytes('a'), 'a', 1.5, null]) {
    throwsExact(() => m.setItem(0, v as any), TypeError, 'mmap item value must be an int');
  }
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('argument conversion: TypeError by class (JS-worded messages)', () => {
  const m = digits();
  const bad: [string, () => unknown][] = [
    ['read(str)', () => m.read('1' as any)],
    ['read(1.5)', () => m.read(1.5)],
    ['read(true)', () => m.read(true as any)],
    ['read(1n)', () => m.read(1n as any)],
    ['write(int)', () => m.write(1 as any)],
    ['write(null)', () => m.write(null as any)],
    ['write([])', () => m.write([1, 2] as any)],
    ['find(int)', () => m.find(111 as any)],
    ['find(sub, null)', () => m.find(bytes('1'), null as any)],
    ['find(sub, 0, null)', () => m.find(bytes('1'), 0, null as any)],
    ['find(sub, 1.5)', () => m.find(bytes('1'), 1.5)],
    ['rfind(sub, NaN)', () => m.rfind(bytes('1'), NaN)],
    ['setSlice(list)', () => m.setSlice(0, 3, [1, 2, 3] as any)],
    ['setSlice(int)', () => m.setSlice(0, 3, 5 as any)],
    ['setSlice("a", "b")', () => m.setSlice('a' as any, 'b' as any, bytes(''))],
    ['getSlice(1.5)', () => m.getSlice(1.5)],
    ['seek(1.5)', () => m.seek(1.5)],
    ['seek(null)', () => m.seek(null as any)],
    ['seek(0, 1.5)', () => m.seek(0, 1.5)],
    ['seek(Infinity)', () => m.seek(Infinity)],
    ['seek(true)', () => m.seek(true as any)],
    ['writeByte(str)', () => m.writeByte('a' as any)],
    ['writeByte(1.5)', () => m.writeByte(1.5)],
    ['writeByte(bytes)', () => m.writeByte(bytes('a') as any)],
    ['move(1.5, 0, 0)', () => m.move(1.5, 0, 0)],
    ['flush(null)', () => m.flush(null as any)],
    ['flush(0, null)', () => m.flush(0, null as any)],
    ['resize(null)', () => m.resize(null as any)],
    ['resize(1.5)', () => m.resize(1.5)],
    ['madvise(null)', () => m.madvise(null as any)],
    ['setItem(0, 2**64)', () => m.setItem(0, 2 ** 64)],
    ['new MMap(fd, 10.5)', () => new MMap(fd('0123456789'), 10.5)],
    ['new MMap(fd, "10")', () => new MMap(fd('0123456789'), '10' as any)],
    ['new MMap(fd, null)', () => new MMap(fd('0123456789'), null as any)],
    ['new MMap(fd, 10, {offset: null})', () => new MMap(fd('0123456789'), 10, { offset: null as any })],
    ['new MMap(-1, true)', () => new MMap(-1, true as any)],
    ['new MMap(-1, 10, {backing: "x"})', () => new MMap(-1, 10, { backing: 'x' as any })],
  ];
  for (const [what, fn] of bad) {
    const e = catchError(fn);
    assert.instance(e, TypeError, `${what}: ${e?.name}: ${e?.message}`);
  }
  assert.is(m.tell(), 0);
  assert.is(text(m.getSlice()), '0123456789');
  m.close();
});

test('argument conversion: OverflowError by class, IndexError for an index key', () => {
  const m = digits();
  const over: [string, () => unknown][] = [
    ['writeByte(256)', () => m.writeByte(256)],
    ['writeByte(-1)', () => m.writeByte(-1)],
    ['seek(2**63)', () => m.seek(2 ** 63)],
    ['seek(2**53)', () => m.seek(2 ** 53)],
    ['seek(0, 2**31)', () => m.seek(0, 2 ** 31)],
    ['read(2**64)', () => m.read(2 ** 64)],
    ['move(2**63, 0, 0)', () => m.move(2 ** 63, 0, 0)],
    ['find(sub, 2**63)', () => m.find(bytes('1'), 2 ** 63)],
    ['flush(2**63)', () => m.flush(2 ** 63)],
    ['resize(2**63)', () => m.resize(2 ** 63)],
    ['madvise(2**31)', () => m.madvise(2 ** 31)],
    ['new MMap(2**31, 10)', () => new MMap(2 ** 31, 10)],
    ['new MMap(fd, 2**63)', () => new MMap(fd('0123456789'), 2 ** 63)],
    ['new MMap(fd, 10, {offset: 2**63})', () => new MMap(fd('0123456789'), 10, { offset: 2 ** 63 })],
  ];
  for (const [what, fn] of over) {
    const e = catchError(fn);
    assert.instance(e, OverflowError, `${what}: ${e?.name}: ${e?.message}`);
    assert.is(e.name, 'OverflowError');
  }
  // `cannot fit 'int' into an index-sized integer` is an IndexError for an index key
  throwsExact(() => m.getItem(2 ** 64), IndexError);
  throwsExact(() => m.setItem(2 ** 64, 1), IndexError);
  assert.is(m.tell(), 0);
  m.close();
});

test('OSError EBADF: [Errno 9] Bad file descriptor', () => {
  throwsOSError(() => new MMap(-2, 10), 9);
  throwsOSError(() => new MMap(9999, 10), 9);
  // size() on an anonymous map is fstat(-1) in CPython (kept for fidelity, docs/spec/API.md)
  const a = new MMap(-1, 10);
  throwsOSError(() => a.size(), 9);
  a.close();
});

test('OSError EINVAL: [Errno 22] Invalid argument', () => {
  throwsOSError(() => new MMap(-1, 0), 22);
  throwsOSError(() => new MMap(-1, 10, { offset: 1 }), 22);
  for (const flags of [0, MAP_ANONYMOUS, MAP_SHARED | MAP_PRIVATE]) {
    throwsOSError(() => new MMap(-1, 10, { flags }), 22);
  }
  throwsOSError(() => new MMap(fd('0123456789'), 10, { flags: 12345678 }), 22);
  const f8192 = fd('x'.repeat(8192));
  throwsOSError(() => new MMap(f8192, 10, { offset: 1 }), 22);
  throwsOSError(() => new MMap(f8192, 0, { offset: 100 }), 22);

  const a = new MMap(-1, 16);
  throwsOSError(() => a.flush(1, 4), 22);
  throwsOSError(() => a.flush(16, 0), 22);
  a.close();
  const m = new MMap(-1, 2 * PAGESIZE);
  throwsOSError(() => m.madvise(MADV_NORMAL, 1), 22);
  throwsOSError(() => m.madvise(12345), 22);
  throwsOSError(() => m.madvise(-5), 22);
  // resize(0): mremap fails; the length stays
  throwsOSError(() => m.resize(0), 22);
  assert.is(m.length, 2 * PAGESIZE);
  m.close();
  // resize of a MAP_PRIVATE map of an O_RDONLY fd: ftruncate fails, the map is unchanged
  const p = new MMap(fd('0123456789', 'r'), 0, { flags: MAP_PRIVATE });
  throwsOSError(() => p.resize(100), 22);
  assert.is(p.length, 10);
  p.close();
});

test('OSError EACCES: PermissionError [Errno 13] Permission denied', () => {
  const ro = fd('x'.repeat(8192), 'r');
  const wo = fd('x'.repeat(8192), fs.constants.O_WRONLY);
  const rows: [number, object][] = [
    [ro, {}],
    [ro, { access: ACCESS_WRITE }],
    [ro, { access: ACCESS_DEFAULT }],
    [wo, {}],
    [wo, { access: ACCESS_READ }],
    [wo, { access: ACCESS_COPY }],
  ];
  for (const [f, options] of rows) {
    throwsOSError(() => new MMap(f, 0, options), 13);
  }
  // a read-only fd allows read-only and private maps
  for (const options of [{ access: ACCESS_READ }, { access: ACCESS_COPY }, { prot: PROT_READ }, { flags: MAP_PRIVATE }]) {
    new MMap(ro, 0, options).close();
  }
});

test('OSError ENODEV: [Errno 19] No such device (a directory)', () => {
  const dirFd = fs.openSync(tmp.dir, 'r');
  fds.push(dirFd);
  throwsOSError(() => new MMap(dirFd, 10, { access: ACCESS_READ }), 19);
});

test('OSError ENOMEM (12): larger than the library can hold, before anything changes', () => {
  throwsOSError(() => new MMap(-1, 2 ** 40), 12);
  const a = new MMap(-1, 10);
  throwsOSError(() => a.resize(2 ** 40), 12);
  assert.is(a.length, 10);
  a.close();

  // a file-backed resize is refused before the file is truncated
  const path = tmp.file('0123456789');
  const f = fs.openSync(path, 'r+');
  fds.push(f);
  const m = new MMap(f, 0);
  throwsOSError(() => m.resize(2 ** 40), 12);
  assert.is(fs.statSync(path).size, 10);
  assert.is(m.length, 10);
  assert.is(text(m.getSlice()), '0123456789');
  m.close();

  // a sparse file of 1 TiB mapped whole
  const big = tmp.file('');
  fs.truncateSync(big, 2 ** 40);
  const g = fs.openSync(big, 'r');
  fds.push(g);
  throwsOSError(() => new MMap(g, 0, { access: ACCESS_READ }), 12);
});

test("OSError EFAULT (14): touching a PROT_NONE map's bytes", () => {
  for (const m of [new MMap(-1, 10, { prot: 0 }), new MMap(fd('0123456789'), 10, { prot: 0 })]) {
    throwsOSError(() => m.getItem(0), 14);
    throwsOSError(() => m.getSlice(0, 2), 14);
    throwsOSError(() => m.read(1), 14);
    throwsOSError(() => m.readByte(), 14);
    throwsOSError(() => m.readline(), 14);
    throwsOSError(() => m.find(bytes('1')), 14);
    assert.is(m.tell(), 0);
    // not a touch: these still work
    assert.is(m.length, 10);
    assert.is(m.toString(), '<mmap.mmap closed=False, access=ACCESS_READ, length=10, pos=0, offset=0>');
    m.close();
  }
});

test('OSError ENOTSUP (95): backing "native" where the helper is unavailable', () => {
  const f = fd('0123456789');
  if (MMap.nativeAvailable) {
    const m = new MMap(f, 10, { backing: 'native' });
    assert.is(m.backing, 'native');
    m.close();
  } else {
    throwsOSError(() => new MMap(f, 10, { backing: 'native' }), 95);
    // raised after CPython's own argument checks
    throwsExact(() => new MMap(f, 11, { backing: 'native' }), ValueError, 'mmap length is greater than file size');
  }
  const c = new MMap(f, 10, { backing: 'copy' });
  assert.is(c.backing, 'copy');
  c.close();
});

// Check order (docs/spec/mmap-semantics.md §0 and the per-method rows).

test('order: closed before argument errors', () => {
  const m = digits();
  m.close();
  const calls: (() => unknown)[] = [
    () => m.read('x' as any),
    () => m.seek('x' as any),
    () => m.write(5 as any),
    () => m.find('x' as any, 1.5),
    () => m.move(0, 0, undefined as any),
    () => m.resize(undefined as any),
    () => m.writeByte(300),
    () => m.getItem(2 ** 64),
    () => m.setItem('a' as any, 'x' as any),
    () => m.getSlice(null, null, 0),
  ];
  for (const call of calls) throwsExact(call, ValueError, 'mmap closed or invalid');
});

test('order: closed before readonly', () => {
  const r = digits({ access: ACCESS_READ });
  r.close();
  const calls: (() => unknown)[] = [
    () => r.write(bytes('a')),
    () => r.writeByte(1),
    () => r.move(0, 0, 0),
    () => r.resize(1),
    () => r.setItem(0, 1),
    () => r.setSlice(0, 1, bytes('a')),
  ];
  for (const call of calls) throwsExact(call, ValueError, 'mmap closed or invalid');
});

test('order: argument parsing before readonly', () => {
  const r = digits({ access: ACCESS_READ });
  throwsExact(() => r.writeByte(999), OverflowError);
  for (const call of [() => r.write(5 as any), () => r.move(1.5, 0, 0), () => r.resize(null as any)]) {
    const e = throwsExact(call, TypeError);
    assert.is.not(e.message, READONLY);
    assert.is.not(e.message, NO_RESIZE);
  }
  r.close();
});

test('order: readonly before range', () => {
  const r = digits({ access: ACCESS_READ });
  throwsExact(() => r.write(bytes('')), TypeError, READONLY);
  throwsExact(() => r.write(bytes('x'.repeat(100))), TypeError, READONLY);
  throwsExact(() => r.move(0, 0, 100), TypeError, READONLY);
  r.seek(10);
  throwsExact(() => r.writeByte(0), TypeError, READONLY);
  throwsExact(() => r.resize(-1), TypeError, NO_RESIZE);
  r.close();
});

test('order: item and slice assignment check readonly first', () => {
  const r = digits({ access: ACCESS_READ });
  const calls: (() => unknown)[] = [
    () => r.setItem(0, 65),
    () => r.setItem(100, 65),
    () => r.setItem(0, 999),
    () => r.setItem(0, bytes('a') as any),
    () => r.setItem('a' as any, 1),
    () => r.setSlice(0, 2, bytes('ab')),
    () => r.setSlice(0, 2, bytes('abc')),
    () => r.setSlice(0, 2, 5 as any),
    () => r.setSlice(null, null, bytes(''), 0),
  ];
  for (const call of calls) throwsExact(call, TypeError, READONLY);
  assert.is(text(r.getSlice()), '0123456789');
  r.close();
});

test('order: parse before range; slice value type before its size', () => {
  const m = digits();
  m.seek(10);
  throwsExact(() => m.writeByte(300), OverflowError);
  assert.is(m.tell(), 10);
  const e = throwsExact(() => m.setSlice(0, 3, 5 as any), TypeError);
  assert.is.not(e.message, 'mmap slice assignment is wrong size');
  // madvise: start before length
  const a = new MMap(-1, 2 * PAGESIZE);
  throwsExact(() => a.madvise(MADV_NORMAL, -1, -1), ValueError, 'madvise start out of bounds');
  a.close();
  m.close();
});

test('order: flush range check runs for READ and COPY maps, the msync only for DEFAULT/WRITE', () => {
  const f = fd(new Uint8Array(10000));
  for (const access of [ACCESS_READ, ACCESS_COPY]) {
    const r = new MMap(f, 0, { access });
    throwsExact(() => r.flush(0, 10001), ValueError, 'flush values out of range');
    throwsExact(() => r.flush(-1), ValueError, 'flush values out of range');
    assert.is(r.flush(1, 4), undefined);
    r.close();
  }
  const mp = new MMap(f, 0, { flags: MAP_PRIVATE });
  throwsOSError(() => mp.flush(1, 4), 22);
  mp.close();
  const w = new MMap(f, 0, { access: ACCESS_WRITE });
  throwsOSError(() => w.flush(100, 10), 22);
  w.close();
});

test('undefined takes the default even before a given argument; null is None', () => {
  const m = new MMap(fd('one two ones'), 0);
  m.seek(1);
  // find(sub, undefined, 5) searches from the cursor to 5
  assert.is(m.find(bytes('one'), undefined, 5), -1);
  assert.is(m.find(bytes('ne'), undefined, 5), 1);
  assert.is(m.tell(), 1);
  assert.is(text(m.read(null)), 'ne two ones');
  assert.is(text(m.getSlice(null, 3)), 'one');
  m.close();
});

test.run();
