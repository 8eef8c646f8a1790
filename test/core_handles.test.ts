// The core's own guarantees at its raw ABI (docs/ABI.md), whatever its host does: a handle never
// names another map, and a call takes as input only what the host has just put in the scratch
// area (issue 9, section 1).
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('core handles and input');
const module = new WebAssembly.Module(fs.readFileSync(new URL('../build/core.wasm', import.meta.url)));
type Fn = (...args: number[]) => number;
const instance = () => new WebAssembly.Instance(module, {}).exports as unknown as Record<string, Fn> & {
  memory: WebAssembly.Memory;
};

const E_CLOSED = -2;
const E_BAD_BUFFER = -29;
/** map_new arguments of a 16-byte anonymous MAP_SHARED read-write map. */
const ANONYMOUS = [16, 0, 1, 3, 0, 0, 0];

test('a closed map\'s handle is refused for good: its slot is retired before its generations wrap', () => {
  const x = instance();
  const first = x.map_new(...ANONYMOUS);
  assert.ok(first >= 0);
  const handles = new Set([first]);
  x.map_close(first, 0);
  let last = first;
  // 15 bits of generation: the slot serves 32,768 maps, then never again.
  for (let i = 1; i < 32_768; i++) {
    last = x.map_new(...ANONYMOUS);
    assert.is(last & 0xffff, first & 0xffff, 'the freed slot is reused while it has generations');
    assert.not.ok(handles.has(last));
    handles.add(last);
    x.map_close(last, 0);
  }
  const next = x.map_new(...ANONYMOUS);
  assert.is.not(next & 0xffff, first & 0xffff, 'a spent slot was handed out again');
  for (const stale of handles) {
    assert.is(x.map_length(stale), E_CLOSED);
    assert.is(x.write_byte(stale, 1), E_CLOSED);
  }
  assert.is(x.map_length(next), 16);
  assert.is(x.open_count(), 1);
});

test('write, find and set_slice take input only from the scratch area, no longer than asked', () => {
  const x = instance();
  const other = x.map_new(...ANONYMOUS);
  const target = x.map_new(...ANONYMOUS);
  const bytes = () => new Uint8Array(x.memory.buffer);
  const otherData = x.map_data(other);
  bytes().set(new TextEncoder().encode('secret'), otherData);
  // Another map's bytes, or more than the host asked for, are refused.
  assert.is(x.write(target, otherData, 6), E_BAD_BUFFER);
  assert.is(x.find(target, otherData, 6, NaN, NaN, 0), E_BAD_BUFFER);
  assert.is(x.set_slice(target, 0, 6, 1, otherData, 6), E_BAD_BUFFER);
  const scratch = x.scratch(2);
  assert.is(x.write(target, scratch, 3), E_BAD_BUFFER);
  assert.is(x.write(target, scratch + 1, 1), E_BAD_BUFFER);
  assert.is(x.write(target, scratch, 2), 2);
  // A stepped slice is gathered into the scratch area: output, never the next call's input.
  const count = x.get_slice(other, 0, 6, 2);
  assert.is(count, 3);
  assert.is(x.write(target, scratch, 3), E_BAD_BUFFER);
  assert.is(x.write(target, scratch, 1), E_BAD_BUFFER);
});

test.run();
