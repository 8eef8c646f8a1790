// Bytes-like arguments that lie, and results that must not share memory: issue 9, section 1 and 2.
// A lying argument once overflowed the scratch area into other maps, or handed a call an earlier
// call's leftovers; results of different maps were cut from one buffer. The reference is the
// argument's genuine bytes (its engine slots, not its getters) and CPython's errors.
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap, ValueError } from '../src/index.ts';
import { TempDir, bytes, python, text, throwsExact } from './helpers.ts';

const test = suite('bytes-like arguments');
const tmp = new TempDir();
test.after(() => tmp.cleanup());

const PAGE = 4096;

/** A read-only file map and a writable one beside the map under test, with known bytes. */
function neighbours() {
  const roContent = 'r'.repeat(3 * PAGE);
  const rwContent = 'w'.repeat(3 * PAGE);
  const roPath = tmp.file(roContent);
  const rwPath = tmp.file(rwContent);
  const roFd = fs.openSync(roPath, 'r');
  const rwFd = fs.openSync(rwPath, 'r+');
  const ro = new MMap(roFd, 0, { access: 1 });
  const rw = new MMap(rwFd, 0);
  rw.write('secret');
  rw.seek(0);
  return {
    check() {
      assert.is(text(ro.getSlice()), roContent);
      assert.is(text(rw.getSlice()), `secret${rwContent.slice(6)}`);
      assert.is(fs.readFileSync(roPath, 'latin1'), roContent);
    },
    close() {
      ro.close();
      rw.close();
      fs.closeSync(roFd);
      fs.closeSync(rwFd);
    },
  };
}

class ShortLength extends Uint8Array {
  override get length(): number { return 1; }
}
class LongLength extends Uint8Array {
  override get length(): number { return 14; }
  override get byteLength(): number { return 14; }
}
class LongDataView extends DataView {
  override get byteLength(): number { return 1e9; }
}

test('write takes the genuine bytes of an array whose length lies, and no others', () => {
  const around = neighbours();
  const m = new MMap(-1, 4 * PAGE);
  const data = new ShortLength(3 * PAGE).fill(0x41);
  assert.is(m.write(data), 3 * PAGE);
  assert.is(m.tell(), 3 * PAGE);
  assert.is(text(m.getSlice(0, 3 * PAGE)), 'A'.repeat(3 * PAGE));
  assert.is(text(m.getSlice(3 * PAGE)), '\0'.repeat(PAGE));
  around.check();
  m.close();
  around.close();
});

test('an empty array that claims 14 bytes writes nothing: no leftover of an earlier call', () => {
  const around = neighbours();
  const m = new MMap(-1, 64);
  // Leave another map's bytes in the scratch area: a write, a needle, a stepped slice.
  const other = new MMap(-1, 64);
  other.write('confidential!!');
  other.find('confidential');
  other.getSlice(0, 28, 2);
  assert.is(m.write(new LongLength(0)), 0);
  assert.is(m.tell(), 0);
  assert.is(text(m.getSlice()), '\0'.repeat(64));
  assert.is(m.find(new LongLength(0)), 0);
  m.setSlice(0, 0, new LongLength(0));
  assert.is(text(m.getSlice()), '\0'.repeat(64));
  around.check();
  other.close();
  m.close();
  around.close();
});

test('find, rfind and setSlice read a lying array by its genuine bytes, read-only maps too', () => {
  const around = neighbours();
  const path = tmp.file(`${'.'.repeat(2 * PAGE)}needle${'.'.repeat(PAGE)}`);
  const fd = fs.openSync(path, 'r');
  const ro = new MMap(fd, 0, { access: 1 });
  const needle = new ShortLength(bytes('needle'));
  assert.is(ro.find(needle), 2 * PAGE);
  assert.is(ro.rfind(needle), 2 * PAGE);
  assert.is(ro.find(new ShortLength(3 * PAGE)), -1);
  const m = new MMap(-1, 3 * PAGE);
  m.setSlice(0, 3 * PAGE, new ShortLength(3 * PAGE).fill(0x42));
  assert.is(text(m.getSlice()), 'B'.repeat(3 * PAGE));
  around.check();
  m.close();
  ro.close();
  fs.closeSync(fd);
  around.close();
});

test('a DataView or typed array is read by its engine slots: lying getters and own properties change nothing', () => {
  const m = new MMap(-1, 16);
  assert.is(m.write(new LongDataView(bytes('12345').buffer)), 5);
  const own = bytes('abc');
  Object.defineProperty(own, 'length', { value: 1000 });
  Object.defineProperty(own, 'byteLength', { value: 1000 });
  Object.defineProperty(own, 'buffer', { value: new ArrayBuffer(1000) });
  assert.is(m.write(own), 3);
  // Elements wider than a byte: their bytes, as CPython's buffer protocol gives them.
  assert.is(m.write(new Uint16Array([0x4443])), 2);
  assert.is(text(m.getSlice()), '12345abcCD\0\0\0\0\0\0');
  m.close();
});

test('a proxy is not bytes-like, and its traps do not run', () => {
  const m = new MMap(-1, 16);
  let trapped = 0;
  const proxy = new Proxy(new Uint8Array(3), { get(target, key) { trapped++; m.close(); return Reflect.get(target, key); } });
  throwsExact(() => m.write(proxy), TypeError, "a bytes-like object is required, not 'object'");
  assert.is(trapped, 0);
  assert.not.ok(m.closed);
  m.close();
});

test("an unknown backing or lines() encoding is named without running the caller's code", () => {
  let ran = 0;
  const acting = () => { ran++; throw new Error('user code ran'); };
  const hostile: [unknown, string][] = [
    [new Proxy({}, { get: acting }), 'object'],
    [{ get constructor() { return acting(); } }, 'Object'],
    [{ toJSON: acting }, 'Object'],
  ];
  const m = new MMap(-1, 16);
  for (const [value, type] of hostile) {
    throwsExact(() => new MMap(-1, 16, { backing: value as any }), TypeError,
      `backing must be 'auto', 'native' or 'copy', not a value of type '${type}'`);
    throwsExact(() => m.lines({ encoding: value as any }), TypeError,
      `encoding must be 'utf8', 'latin1' or 'bytes', not a value of type '${type}'`);
  }
  m.close();
  throwsExact(() => new MMap(-1, 16, { backing: 3 as any }), TypeError,
    "backing must be 'auto', 'native' or 'copy', not a value of type 'int'");
  throwsExact(() => new MMap(-1, 16, { backing: 'x' as any }), TypeError,
    `backing must be 'auto', 'native' or 'copy', not "x"`);
  assert.is(ran, 0);
});

test("a detached buffer is CPython's released memoryview", () => {
  const expected = python<string>(`import mmap, json
m = mmap.mmap(-1, 16)
v = memoryview(b'abc'); v.release()
try: m.write(v)
except ValueError as e: print(json.dumps(str(e)))`);
  const m = new MMap(-1, 16);
  const buffer = new ArrayBuffer(8);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  for (const data of [buffer, view]) {
    throwsExact(() => m.write(data), ValueError, expected);
    throwsExact(() => m.find(data), ValueError, expected);
    throwsExact(() => m.setSlice(0, 0, data), ValueError, expected);
  }
  // An empty buffer that was never detached is just empty.
  assert.is(m.write(new ArrayBuffer(0)), 0);
  m.close();
});

test('resizable and shared buffers: the bytes they hold when the call reads them', () => {
  const m = new MMap(-1, 16);
  const resizable = new (ArrayBuffer as any)(4, { maxByteLength: 16 }) as ArrayBuffer;
  new Uint8Array(resizable).set(bytes('wxyz'));
  const tracking = new Uint8Array(resizable);
  (resizable as any).resize(2);
  assert.is(m.write(tracking), 2);
  const fixed = new Uint8Array(resizable, 0, 2);
  (resizable as any).resize(1);
  assert.is(m.write(fixed), 0); // out of bounds after the shrink: no bytes
  const shared = new SharedArrayBuffer(3);
  new Uint8Array(shared).set(bytes('SAB'));
  assert.is(m.write(shared), 3);
  assert.is(text(m.getSlice(0, 5)), 'wxSAB');
  m.close();
});

test("results are independent: a result's buffer never holds another result's or another map's bytes", () => {
  const a = new MMap(-1, 4 * PAGE);
  const b = new MMap(-1, 4 * PAGE);
  a.write(new Uint8Array(4 * PAGE).fill(0x61));
  b.write(new Uint8Array(4 * PAGE).fill(0x62));
  a.seek(0);
  b.seek(0);
  // Sizes on both sides of the pooled range (65 B to 64 KiB).
  for (const n of [64, 65, 100, 4096]) {
    const first = a.read(n);
    const second = a.read(n);
    const other = b.read(n);
    first.fill(0x7a);
    assert.is(text(second), 'a'.repeat(n), `a result of ${n} bytes shares its bytes with the next`);
    assert.is(text(other), 'b'.repeat(n));
    for (const [result, own] of [[first, 0x61], [second, 0x61], [other, 0x62]] as const) {
      const whole = new Uint8Array(result.buffer);
      const foreign = own === 0x61 ? 0x62 : 0x61;
      assert.is(whole.indexOf(foreign), -1, `a result of ${n} bytes shows another map's bytes`);
    }
  }
  a.close();
  b.close();
});

test('a readline result stays as it was while the same map makes more', () => {
  const m = new MMap(-1, 1000);
  for (let i = 0; i < 10; i++) m.write(`${String(i).repeat(99)}\n`);
  m.seek(0);
  const lines = Array.from({ length: 10 }, () => m.readline());
  lines.forEach((line, i) => assert.is(text(line), `${String(i).repeat(99)}\n`));
  m.close();
});

test.run();
