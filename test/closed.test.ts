// After close(): every member throws ValueError 'mmap closed or invalid', even with bad
// arguments (CPython checks validity before it parses them, docs/spec/mmap-semantics.md §15), except `closed`,
// close() (idempotent), toString(), [Symbol.dispose]() and seekable() (docs/spec/API.md).
import * as fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap, ACCESS_COPY, ACCESS_READ, ACCESS_WRITE, MADV_NORMAL, ValueError } from '../src/index.ts';
import { TempDir, bytes, catchError, throwsExact } from './helpers.ts';

let tmp: TempDir;
test.before.each(() => {
  tmp = new TempDir();
});
test.after.each(() => {
  tmp.cleanup();
});

const CLOSED = 'mmap closed or invalid';

/** Closed maps of each kind: anonymous, file-backed (each access mode), at pos 4 as in docs/spec/mmap-semantics.md §15. */
function closedMaps(): [string, MMap][] {
  const make: [string, () => MMap][] = [
    ['anonymous', () => new MMap(-1, 10)],
    ['file DEFAULT', () => new MMap(tmp.open('0123456789'), 10)],
    ['file READ', () => new MMap(tmp.open('0123456789', 'r'), 10, { access: ACCESS_READ })],
    ['file WRITE', () => new MMap(tmp.open('0123456789'), 10, { access: ACCESS_WRITE })],
    ['file COPY', () => new MMap(tmp.open('0123456789'), 10, { access: ACCESS_COPY })],
  ];
  return make.map(([label, fn]) => {
    const m = fn();
    m.seek(4);
    m.close();
    return [label, m];
  });
}

/** Every checked member, with good arguments and with bad ones. */
const CALLS: [string, (m: MMap) => unknown][] = [
  ['length', (m) => m.length],
  ['find(sub)', (m) => m.find(bytes('a'))],
  ['find(sub, 0, 5)', (m) => m.find(bytes('a'), 0, 5)],
  ['rfind(sub)', (m) => m.rfind(bytes('a'))],
  ['flush()', (m) => m.flush()],
  ['flush(0, 0)', (m) => m.flush(0, 0)],
  ['madvise(MADV_NORMAL)', (m) => m.madvise(MADV_NORMAL)],
  ['move(0, 0, 0)', (m) => m.move(0, 0, 0)],
  ['read()', (m) => m.read()],
  ['read(1)', (m) => m.read(1)],
  ['readByte()', (m) => m.readByte()],
  ['readline()', (m) => m.readline()],
  ['resize(5)', (m) => m.resize(5)],
  ['seek(0)', (m) => m.seek(0)],
  ['size()', (m) => m.size()],
  ['tell()', (m) => m.tell()],
  ['write(b"a")', (m) => m.write(bytes('a'))],
  ['write(b"")', (m) => m.write(bytes(''))],
  ['writeByte(1)', (m) => m.writeByte(1)],
  ['getItem(0)', (m) => m.getItem(0)],
  ['getSlice(0, 2)', (m) => m.getSlice(0, 2)],
  ['getSlice(null, null, 2)', (m) => m.getSlice(null, null, 2)],
  ['getSlice()', (m) => m.getSlice()],
  ['setItem(0, 1)', (m) => m.setItem(0, 1)],
  ['setSlice(0, 1, b"a")', (m) => m.setSlice(0, 1, bytes('a'))],
  ['setSlice(null, null, b"", 2)', (m) => m.setSlice(null, null, bytes(''), 2)],
  // bad arguments: the closed check comes first
  ['read("x")', (m) => m.read('x' as any)],
  ['seek("x")', (m) => m.seek('x' as any)],
  ['seek()', (m) => (m.seek as any)()],
  ['write(5)', (m) => m.write(5 as any)],
  ['write()', (m) => (m.write as any)()],
  ['find(5)', (m) => m.find(5 as any)],
  ['rfind(sub, null)', (m) => m.rfind(bytes('a'), null as any)],
  ['move(0, 0)', (m) => (m.move as any)(0, 0)],
  ['resize()', (m) => (m.resize as any)()],
  ['resize(-1)', (m) => m.resize(-1)],
  ['flush(-1)', (m) => m.flush(-1)],
  ['madvise(null)', (m) => m.madvise(null as any)],
  ['writeByte(300)', (m) => m.writeByte(300)],
  ['writeByte("a")', (m) => m.writeByte('a' as any)],
  ['getItem(100)', (m) => m.getItem(100)],
  ['getItem("a")', (m) => m.getItem('a' as any)],
  ['getSlice(null, null, 0)', (m) => m.getSlice(null, null, 0)],
  ['setItem(0, "x")', (m) => m.setItem(0, 'x' as any)],
  ['setItem(100, 1)', (m) => m.setItem(100, 1)],
  ['setItem(0, 999)', (m) => m.setItem(0, 999)],
  ['setSlice(0, 1, b"abc")', (m) => m.setSlice(0, 1, bytes('abc'))],
  ['setSlice(0, 1, 5)', (m) => m.setSlice(0, 1, 5 as any)],
];

for (const [what, call] of CALLS) {
  test(`closed: ${what} throws ValueError '${CLOSED}'`, () => {
    for (const [label, m] of closedMaps()) {
      const e = throwsExact(() => call(m), ValueError, CLOSED);
      assert.ok(e, label);
    }
  });
}

test('closed: every other method and getter on the prototype throws too', () => {
  // Whatever members the class has beyond CPython's, the API's rule covers them all.
  // `backing` has its own test below.
  const exempt = new Set(['constructor', 'close', 'closed', 'toString', 'seekable', 'backing']);
  const names: string[] = [];
  for (let proto = MMap.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (!exempt.has(name)) names.push(name);
  }
  assert.ok(names.length >= 15, names.join(' '));
  for (const [label, m] of closedMaps()) {
    for (const name of names) {
      const desc = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(m), name) ??
        Object.getOwnPropertyDescriptor(MMap.prototype, name)!;
      const touch = typeof desc.get === 'function' ? () => (m as any)[name] : () => (m as any)[name]();
      const e = catchError(touch, `${label}.${name}`);
      assert.instance(e, ValueError, `${label}.${name}: ${e?.name}: ${e?.message}`);
      assert.is(e.message, CLOSED, `${label}.${name}`);
    }
  }
});

test("closed: the backing getter throws too (docs/spec/API.md: every member but the five exempt)", () => {
  for (const [label, m] of closedMaps()) {
    const e = catchError(() => m.backing, `${label}.backing`);
    assert.instance(e, ValueError);
    assert.is(e.message, CLOSED);
  }
});

test('closed: `closed` is true; close() returns undefined again and again', () => {
  for (const [, m] of closedMaps()) {
    assert.is(m.closed, true);
    assert.is(m.close(), undefined);
    assert.is(m.close(), undefined);
    assert.is(m.closed, true);
  }
});

test("closed: toString() is '<mmap.mmap closed=True>'", () => {
  for (const [, m] of closedMaps()) assert.is(m.toString(), '<mmap.mmap closed=True>');
  // String() and template literals use it too
  const [, m] = closedMaps()[0];
  assert.is(`${m}`, '<mmap.mmap closed=True>');
});

test('closed: [Symbol.dispose]() is a no-op; seekable() is true', () => {
  for (const [, m] of closedMaps()) {
    assert.is(m[Symbol.dispose](), undefined);
    assert.is(m.closed, true);
    assert.is(m.seekable(), true);
  }
});

test('closing through [Symbol.dispose]() closes, and the map then throws', () => {
  const m = new MMap(-1, 10);
  assert.is(m.closed, false);
  assert.is(m.seekable(), true);
  m[Symbol.dispose]();
  assert.is(m.closed, true);
  throwsExact(() => m.length, ValueError, CLOSED);
  throwsExact(() => m.read(), ValueError, CLOSED);
  assert.is(m.close(), undefined);
});

test('the map keeps working after its fd is closed, until close()', () => {
  const p = tmp.file('hello');
  const f = fs.openSync(p, 'r+');
  const m = new MMap(f, 0);
  fs.closeSync(f);
  assert.is(m.length, 5);
  assert.is(m.size(), 5);
  m.close();
  throwsExact(() => m.size(), ValueError, CLOSED);
});

test.run();
