// count() and findAll(): against CPython (its find loop, and bytes.count for empty needles,
// run by python3), against an exhaustive model over every start/end of small maps, through the
// raw ABI of both core builds (SIMD and scalar) across every block boundary, and over maps
// longer than one search slice.
import * as fs from 'node:fs';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap, OverflowError, ValueError } from '../src/index.ts';
import { bytes, python, random, TempDir, throwsExact } from './helpers.ts';

const tmp = new TempDir();

/** find()'s window (CPython mmap_gfind), then the leftmost non-overlapping occurrences in it. */
function modelFindAll(data: string, sub: string, pos: number, start: number | null | undefined, end: number | null | undefined): number[] {
  const size = data.length;
  const clamp = (x: number) => (x < 0 ? Math.max(x + size, 0) : Math.min(x, size));
  const from = clamp(start ?? pos);
  const to = clamp(end ?? size);
  const found: number[] = [];
  if (to < from) return found;
  if (sub === '') {
    for (let i = from; i <= to; i++) found.push(i);
    return found;
  }
  for (let i = from; i + sub.length <= to;) {
    if (data.startsWith(sub, i)) {
      found.push(i);
      i += sub.length;
    } else {
      i++;
    }
  }
  return found;
}

const CONTENT = 'aaa ab aaaa baab aa';
const NEEDLES = ['', 'a', 'aa', 'aaa', 'ab', 'b', ' aa', 'x', 'aaa ab aaaa baab aa', 'aaa ab aaaa baab aa!'];
const BOUNDS = [undefined, ...Array.from({ length: 45 }, (_, i) => i - 22)];

const cpython = suite('count and findAll against CPython');

cpython('the model agrees with CPython: find loops for needles, bytes.count for the empty one', () => {
  const cases: [string, number | null, number | null][] = [];
  for (const sub of NEEDLES) for (const s of BOUNDS) for (const e of BOUNDS) cases.push([sub, s ?? null, e ?? null]);
  // CPython's mmap.find takes no None: "not given" is the cursor (0 here) and the map's end.
  const got = python<number[][]>(`
import json, mmap, sys
data = ${JSON.stringify(CONTENT)}.encode()
m = mmap.mmap(-1, len(data)); m.write(data); m.seek(0)
out = []
for sub, s, e in json.load(sys.stdin):
    sub = sub.encode()
    s = 0 if s is None else s
    e = len(m) if e is None else e
    if sub == b'':
        lo, hi = m.find(b'', s, e), m.rfind(b'', s, e)
        out.append([] if lo == -1 else list(range(lo, hi + 1)))
        assert len(out[-1]) == (m[lo:hi].count(b'') if lo != -1 else 0)
        continue
    found, i = [], m.find(sub, s, e)
    while i != -1:
        found.append(i)
        i = m.find(sub, i + len(sub), e)
    lo, hi = m.find(b'', s, e), m.rfind(b'', s, e)
    assert len(found) == (m[lo:hi].count(sub) if lo != -1 else 0)  # the find loop is bytes.count
    out.append(found)
print(json.dumps(out))`, cases);
  cases.forEach(([sub, s, e], k) => {
    assert.equal(modelFindAll(CONTENT, sub, 0, s, e), got[k], `${JSON.stringify(sub)} ${s} ${e}`);
  });
});

cpython('random maps: count and findAll give what a CPython find loop gives', () => {
  const rnd = random(7);
  const maps: string[] = [];
  const queries: [number, string, number | null, number | null][] = [];
  for (let k = 0; k < 12; k++) {
    const size = 1 + rnd(300);
    maps.push(Array.from({ length: size }, () => 'ab\n'[rnd(3)]).join(''));
    for (let q = 0; q < 40; q++) {
      const len = 1 + rnd(6);
      const sub = Array.from({ length: len }, () => 'ab\n'[rnd(3)]).join('');
      const bound = () => (rnd(4) === 0 ? null : rnd(2 * size + 10) - size - 5);
      queries.push([k, sub, bound(), bound()]);
    }
  }
  const got = python<number[][]>(`
import json, mmap, sys
maps, queries = json.load(sys.stdin)
out = []
for k, sub, s, e in queries:
    data = maps[k].encode()
    m = mmap.mmap(-1, len(data)); m.write(data); m.seek(0)
    sub = sub.encode()
    s = 0 if s is None else s
    e = len(m) if e is None else e
    found, i = [], m.find(sub, s, e)
    while i != -1:
        found.append(i)
        i = m.find(sub, i + len(sub), e)
    out.append(found)
print(json.dumps(out))`, [maps, queries]);
  const opened = maps.map((content) => {
    const m = new MMap(-1, content.length);
    m.write(content);
    m.seek(0);
    return m;
  });
  queries.forEach(([k, sub, s, e], q) => {
    const m = opened[k];
    assert.equal(Array.from(m.findAll(sub, s, e)), got[q], `map ${k} ${JSON.stringify(sub)} ${s} ${e}`);
    assert.is(m.count(sub, s, e), got[q].length);
    assert.is(m.count(bytes(sub), s, e), got[q].length);
    assert.is(m.tell(), 0);
  });
  for (const m of opened) m.close();
});

cpython.run();

const exhaustive = suite('count and findAll: every start and end of small maps');

for (const kind of ['anonymous', 'file'] as const) {
  exhaustive(`${kind} map, with the cursor at 0 and in the middle`, () => {
    let m: MMap;
    if (kind === 'anonymous') {
      m = new MMap(-1, CONTENT.length);
      m.write(CONTENT);
    } else {
      const fd = tmp.open(CONTENT);
      m = new MMap(fd, 0);
      fs.closeSync(fd);
    }
    for (const pos of [0, 7, CONTENT.length]) {
      m.seek(pos);
      for (const sub of NEEDLES) {
        for (const s of [...BOUNDS, null]) {
          for (const e of [...BOUNDS, null]) {
            const want = modelFindAll(CONTENT, sub, pos, s, e);
            const where = `${kind} pos ${pos} ${JSON.stringify(sub)} ${s} ${e}`;
            assert.equal(Array.from(m.findAll(sub, s, e)), want, where);
            assert.is(m.count(sub, s, e), want.length, where);
            assert.is(m.tell(), pos, where);
          }
        }
      }
    }
    m.close();
  });
}

exhaustive.run();

const abi = suite('find_all in both core builds: every block boundary, batches of any size');

for (const build of ['core.wasm', 'core-scalar.wasm']) {
  abi(`${build}: random haystacks against the model, counting and collecting in small batches`, () => {
    const wasm = new WebAssembly.Module(readFileSync(new URL(`../build/${build}`, import.meta.url)));
    const x = new WebAssembly.Instance(wasm, {}).exports as any;
    const rnd = random(build.length);
    let checked = 0;
    for (const size of [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 96, 127, 128, 129, 200, 1000]) {
      const h = x.map_new(size, 0, 1, 3, 0, 0, 0);
      const hay = Array.from({ length: size }, () => 'ab'[rnd(2)]).join('');
      new Uint8Array(x.memory.buffer).set(bytes(hay), x.map_data(h));
      for (let trial = 0; trial < 60; trial++) {
        const len = 1 + rnd(Math.min(size, 9));
        const sub = rnd(3) === 0 ? hay.slice(rnd(size - len + 1)).slice(0, len) : Array.from({ length: len }, () => 'ab'[rnd(2)]).join('');
        const from = rnd(size + 1);
        const to = from + rnd(size - from + 1);
        const want = modelFindAll(hay, sub, 0, from, to);
        const batch = 1 + rnd(4);
        const address = x.scratch(16 + batch * 8);
        new Uint8Array(x.memory.buffer).set(bytes(sub), address);
        assert.is(x.find_all(h, address, sub.length, from, to, 0, NaN), want.length, `${build} count ${size} ${sub} [${from},${to})`);
        // Collect in batches, resuming where the core says, as the host does.
        const got: number[] = [];
        for (let s = from; ;) {
          const n = x.find_all(h, address, sub.length, s, to, address + 16, batch);
          got.push(...new Float64Array(x.memory.buffer, address + 16, n));
          if (n < batch) break;
          s = new Float64Array(x.memory.buffer, x.out.value, 1)[0];
        }
        assert.equal(got, want, `${build} collect ${size} ${sub} [${from},${to}) by ${batch}`);
        checked++;
      }
      x.map_close(h, 0);
    }
    assert.ok(checked > 1000);
  });

  abi(`${build}: an output area outside the scratch region, or over the needle, is refused`, () => {
    const wasm = new WebAssembly.Module(readFileSync(new URL(`../build/${build}`, import.meta.url)));
    const x = new WebAssembly.Instance(wasm, {}).exports as any;
    const h = x.map_new(64, 0, 1, 3, 0, 0, 0);
    const address = x.scratch(24);
    const E_BAD_BUFFER = 29;
    assert.is(x.find_all(h, address, 1, 0, 64, address + 8, 3), -E_BAD_BUFFER, 'past the asked length');
    assert.is(x.find_all(h, address, 8, 0, 64, address, 1), -E_BAD_BUFFER, 'over the needle');
    assert.is(x.find_all(h, address, 1, 0, 64, address + 4, 1), -E_BAD_BUFFER, 'unaligned');
    assert.is(x.find_all(h, address, 1, 0, 64, x.map_data(h), 1), -E_BAD_BUFFER, 'into a map');
    assert.is(x.find_all(h, address, 1, 0, 64, address + 8, 2), 2);
    x.map_close(h, 0);
  });
}

abi.run();

const big = suite('count and findAll over maps longer than one search slice (16 MiB)');

big('occurrences straddling slice ends, dense 1-byte hits in many batches, against Buffer', () => {
  const size = (40 << 20) + 13;
  const m = new MMap(-1, size);
  const copy = Buffer.alloc(size);
  const needle = Buffer.from('needle!!');
  const spots = [5, (16 << 20) - 3, (16 << 20) - 8, (16 << 20) - 7 + 8, (32 << 20) - 7, (32 << 20) - 1 - 7, size - 8];
  for (const at of spots) {
    m.seek(at);
    m.write(needle);
    needle.copy(copy, at);
  }
  // Dense one-byte hits: more than one batch of 65,536 offsets.
  for (let at = (20 << 20); at < (20 << 20) + 300_000; at += 3) {
    m.setItem(at, 0x21);
    copy[at] = 0x21;
  }
  m.seek(0);
  const bufferFindAll = (sub: Buffer, s: number, e: number) => {
    const out: number[] = [];
    const window = copy.subarray(s, e);
    for (let i = window.indexOf(sub); i >= 0; i = window.indexOf(sub, i + sub.length)) out.push(s + i);
    return out;
  };
  for (const sub of [needle, Buffer.from('!'), Buffer.from('!!'), Buffer.from('e!')]) {
    for (const [start, end] of [[undefined, undefined], [6, undefined], [(16 << 20) - 2, undefined], [0, (32 << 20)], [-(9 << 20), -1]]) {
      const s = start === undefined ? 0 : start < 0 ? size + start : start;
      const e = end === undefined ? size : end < 0 ? size + end : end;
      const want = bufferFindAll(sub, s, e);
      const got = m.findAll(sub, start, end);
      assert.is(got.length, want.length, `${sub} ${start} ${end}`);
      assert.ok(got.every((v, k) => v === want[k]), `${sub} ${start} ${end}`);
      assert.is(m.count(sub.toString('latin1'), start, end), want.length);
    }
  }
  assert.is(m.count(''), size + 1);
  assert.is(m.findAll('', size - 2).length, 3);
  m.close();
});

big.run();

const errors = suite('count and findAll: arguments and errors, class and message');

errors('closed, missing, and badly typed arguments, in CPython order', () => {
  const m = new MMap(-1, 10);
  for (const method of ['count', 'findAll'] as const) {
    const call = (...args: unknown[]) => (m[method] as (...a: unknown[]) => unknown)(...args);
    throwsExact(() => call(), TypeError, `${method}() takes at least 1 argument (0 given)`);
    throwsExact(() => call(5), TypeError, "a bytes-like object is required, not 'int'");
    throwsExact(() => call('a', 1.5), TypeError, "'float' object cannot be interpreted as an integer");
    throwsExact(() => call('a', 0, '3'), TypeError, "'str' object cannot be interpreted as an integer");
    throwsExact(() => call('a', 2 ** 60), OverflowError, 'Python int too large to convert to C ssize_t');
    assert.equal(call('\0\0', null, null), method === 'count' ? 5 : new Float64Array([0, 2, 4, 6, 8]));
  }
  m.close();
  throwsExact(() => m.count(5 as any), ValueError, 'mmap closed or invalid');
  throwsExact(() => m.findAll('a'), ValueError, 'mmap closed or invalid');
});

errors('a string needle is its UTF-8, lone surrogates included, and reuses the scratch area across memory growth', () => {
  const m = new MMap(-1, 64);
  const sample = 'aé€😀\ud800z';
  m.write(sample);
  m.write(sample);
  const encoded = new TextEncoder().encode(sample);
  assert.is(m.count(sample, 0), 2);
  assert.is(m.count(encoded, 0), 2);
  assert.equal(m.findAll('\ud800', 0), m.findAll(new Uint8Array([0xef, 0xbf, 0xbd]), 0));
  assert.is(m.find('€', 0), encoded.indexOf(0xe2));
  // A map that grows the core's memory, then the same string needles again.
  const grow = new MMap(-1, 64 << 20);
  assert.is(m.find('😀', 0), encoded.indexOf(0xf0));
  assert.is(m.count('😀', 0), 2);
  assert.is(m.find('x'.repeat(1000), 0), -1);
  assert.is(m.find('z', 0), encoded.length - 1);
  grow.close();
  m.close();
});

errors.after(() => tmp.cleanup());
errors.run();
