// The search engine under find(), rfind() and readline(): the SIMD build and the scalar build
// (the reference kept beside it) against a naive search, on random haystacks long enough to
// cross every SIMD block boundary and tail, through the core's raw ABI.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { random } from './helpers.ts';


/** Naive find/rfind over hay[from, to). */
function naive(hay: Uint8Array, needle: Uint8Array, from: number, to: number, reverse: boolean): number {
  let found = -1;
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    found = i;
    if (!reverse) return i;
  }
  return found;
}

for (const build of ['core.wasm', 'core-scalar.wasm']) {
  const test = suite(`search in ${build}`);
  const wasm = new WebAssembly.Module(readFileSync(new URL(`../build/${build}`, import.meta.url)));

  test('find and rfind agree with a naive search on random data', () => {
    const x = new WebAssembly.Instance(wasm, {}).exports as any;
    const rnd = random(build.length);
    let checked = 0;
    for (const size of [1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1000, 4096, 5000]) {
      const h = x.map_new(size, 0, 1, 3, 0, 0, 0);
      assert.ok(h >= 0);
      const data = x.map_data(h);
      const hay = new Uint8Array(size).map(() => 97 + rnd(3)); // a small alphabet: many near-misses
      new Uint8Array(x.memory.buffer).set(hay, data);
      for (let trial = 0; trial < 200; trial++) {
        const len = 1 + rnd(Math.min(size, 40));
        const at = rnd(size - len + 1);
        const needle = rnd(4) === 0 ? new Uint8Array(len).map(() => 97 + rnd(4)) : hay.slice(at, at + len);
        const from = rnd(size + 1);
        const to = from + rnd(size - from + 1);
        const address = x.scratch(len);
        new Uint8Array(x.memory.buffer).set(needle, address);
        for (const reverse of [0, 1]) {
          const got = x.find(h, address, len, from, to, reverse);
          assert.is(got, naive(hay, needle, from, to, reverse === 1), `${build} size ${size} [${from},${to}) len ${len} rev ${reverse}`);
          checked++;
        }
      }
      assert.is(x.map_close(h, 0), 0);
    }
    assert.ok(checked > 5000);
  });

  test('find over a haystack long enough for the three-byte filter agrees with Buffer.indexOf', () => {
    // 9 MiB of 'a'/'b' (the core turns a haystack of 8 MiB or more over to a third filter byte
    // once its first and last bytes prove common), with needles that match nowhere but where
    // they are planted: at the ends, around the first 64 KiB stretch, far in.
    const x = new WebAssembly.Instance(wasm, {}).exports as any;
    const rnd = random(7);
    const size = 9 << 20;
    const h = x.map_new(size, 0, 1, 3, 0, 0, 0);
    const data = x.map_data(h);
    const hay = Buffer.from(new Uint8Array(size).map(() => 97 + rnd(2)));
    new Uint8Array(x.memory.buffer).set(hay, data);
    /** Writes `bytes` at `at` into the map and into its copy `hay`, which stay equal. */
    const put = (bytes: Uint8Array, at: number) => {
      hay.set(bytes, at);
      new Uint8Array(x.memory.buffer).set(bytes, data + at);
    };
    const needles = ['aca', 'abca', 'abccccca', 'abcacbcacbcacbcba'].map((s) => Buffer.from(s, 'latin1'));
    for (const needle of needles) {
      const len = needle.length;
      for (const at of [0, 5, (64 << 10) - 1, 64 << 10, (64 << 10) + 63, (3 << 20) + 17, size - len - 64, size - len]) {
        put(needle, at);
        const address = x.scratch(len);
        new Uint8Array(x.memory.buffer).set(needle, address);
        for (const [from, to] of [[0, size], [1, size], [at + 1, size], [0, at + len - 1]]) {
          const expected = hay.subarray(from, to).indexOf(needle);
          const got = x.find(h, address, len, from, to, 0);
          assert.is(got, expected < 0 ? -1 : from + expected, `${build} ${needle} at ${at} [${from},${to})`);
        }
        put(hay.subarray(at, at + len).map(() => 97 + rnd(2)), at);
      }
    }
    assert.is(x.map_close(h, 0), 0);
  });

  test('readline stops after the first newline, whichever block it falls in', () => {
    const x = new WebAssembly.Instance(wasm, {}).exports as any;
    for (let at = 0; at < 80; at++) {
      const h = x.map_new(80, 0, 1, 3, 0, 0, 0);
      new Uint8Array(x.memory.buffer)[x.map_data(h) + at] = 10;
      assert.is(x.readline(h), at + 1);
      assert.is(x.tell(h), at + 1);
      assert.is(x.readline(h), 80 - at - 1);
      x.map_close(h, 0);
    }
  });

  test.run();
}

const sliced = suite('find and rfind over maps longer than one search slice (16 MiB)');

sliced('needles straddling slice boundaries, with and without bounds, against Buffer.indexOf', async () => {
  const { MMap } = await import('../src/index.ts');
  const size = 40 << 20;
  const m = new MMap(-1, size);
  const copy = Buffer.alloc(size);
  const needle = Buffer.from('needle!!');
  for (const at of [(16 << 20) - 3, (32 << 20) - 7, size - 8, 5]) {
    m.seek(at);
    m.write(needle);
    needle.copy(copy, at);
  }
  m.seek(0);
  for (const [start, end] of [[undefined, undefined], [6, undefined], [(16 << 20) - 2, undefined], [0, (32 << 20)], [0, (32 << 20) - 1], [-(9 << 20), undefined]]) {
    const s = start === undefined ? 0 : start < 0 ? size + start : start;
    const e = end ?? size;
    const window = copy.subarray(s, e);
    const first = window.indexOf(needle);
    const last = window.lastIndexOf(needle);
    assert.is(m.find(needle, start, end), first < 0 ? -1 : s + first, `find ${start} ${end}`);
    assert.is(m.rfind(needle, start, end), last < 0 ? -1 : s + last, `rfind ${start} ${end}`);
  }
  assert.is(m.find('absent'), -1);
  assert.is(m.rfind('absent'), -1);
  m.close();
});

sliced.run();
