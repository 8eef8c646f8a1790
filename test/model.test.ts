// Exhaustive comparisons of find, rfind, getSlice, setSlice and move against plain reference
// models, over every start/end (and step, dest/src/count) of small maps, on an anonymous map
// and on a file-backed map of the backing under test. The models themselves are checked
// against python3 (CPython 3.11) first, so that they are not this code's own idea.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IndexError, MMap, ValueError } from '../src/index.ts';
import { TempDir, bytes, text } from './helpers.ts';

const CONTENT = 'one two ones';            // docs/spec/mmap-semantics.md §9's map
const NEEDLES = ['', 'o', 'one', 'ones', 'e', 's', 'one two ones', 'one two ones!', 'x', 'wo o'];
const BOUNDS = [undefined, ...Array.from({ length: 31 }, (_, i) => i - 15)];
const STEPS = [undefined, null, 1, 2, 3, 5, -1, -2, -3, -7];

/** mmap_gfind of CPython 3.11: start defaults to pos, bounds clamp into [0, size]. */
function modelFind(data: string, sub: string, pos: number, start: number | undefined, end: number | undefined, reverse: boolean): number {
  const size = data.length;
  const clamp = (x: number) => (x < 0 ? Math.max(x + size, 0) : Math.min(x, size));
  const from = clamp(start ?? pos);
  const to = clamp(end ?? size);
  if (to < from) return -1;
  const candidates = [];
  for (let i = from; i + sub.length <= to; i++) if (data.slice(i, i + sub.length) === sub) candidates.push(i);
  if (candidates.length === 0) return -1;
  return reverse ? candidates[candidates.length - 1] : candidates[0];
}

/** Python's slice.indices(size), as the list of indices a slice selects. */
function modelSlice(size: number, start: number | null | undefined, stop: number | null | undefined, step: number | null | undefined): number[] {
  const by = step ?? 1;
  const adjust = (x: number | null | undefined, dflt: number) => {
    if (x === null || x === undefined) return dflt;
    if (x < 0) return Math.max(x + size, by < 0 ? -1 : 0);
    return Math.min(x, by < 0 ? size - 1 : size);
  };
  const from = adjust(start, by < 0 ? size - 1 : 0);
  const to = adjust(stop, by < 0 ? -1 : size);
  const out = [];
  for (let i = from; by > 0 ? i < to : i > to; i += by) out.push(i);
  return out;
}

/** The map under test: anonymous, or a file on the backing WASM_MMAP_BACKING selects. */
function open(kind: 'anonymous' | 'file', tmp: TempDir, content: string): MMap {
  if (kind === 'anonymous') {
    const m = new MMap(-1, content.length);
    m.write(bytes(content));
    m.seek(0);
    return m;
  }
  const fd = tmp.open(content);
  const m = new MMap(fd, 0);
  fs.closeSync(fd);
  return m;
}

const models = suite('reference models agree with CPython');

models('the find model gives CPython mmap.find/rfind for every bound', () => {
  const script = `
import mmap, json
m = mmap.mmap(-1, ${CONTENT.length}); m.write(${JSON.stringify(CONTENT)}.encode())
bounds = [None] + list(range(-15, 16))
out = []
for pos in (0, 5, 12):
  m.seek(pos)
  for sub in ${JSON.stringify(NEEDLES)}:
    for s in bounds:
      for e in bounds:
        args = [sub.encode()] + ([] if s is None and e is None else [pos if s is None else s] + ([] if e is None else [e]))
        out.append([m.find(*args), m.rfind(*args)])
print(json.dumps(out))`;
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  const expected: number[][] = JSON.parse(run.stdout);
  let k = 0;
  for (const pos of [0, 5, 12]) {
    for (const sub of NEEDLES) {
      for (const s of BOUNDS) {
        for (const e of BOUNDS) {
          // Python cannot leave start out and give end: there start is the cursor.
          const start = s === undefined && e !== undefined ? pos : s;
          const got = [modelFind(CONTENT, sub, pos, start, e, false), modelFind(CONTENT, sub, pos, start, e, true)];
          assert.equal(got, expected[k++], `pos ${pos} sub ${sub} ${s} ${e}`);
        }
      }
    }
  }
});

models('the slice model gives Python slice indices for every bound and step', () => {
  const script = `
import json
bounds = [None] + list(range(-15, 16))
steps = [None, None, 1, 2, 3, 5, -1, -2, -3, -7]
print(json.dumps([[list(range(${CONTENT.length}))[a:b:c] for a in bounds for b in bounds] for c in steps]))`;
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  const expected: number[][][] = JSON.parse(run.stdout);
  STEPS.forEach((c, i) => {
    let k = 0;
    for (const a of BOUNDS) for (const b of BOUNDS) assert.equal(modelSlice(CONTENT.length, a, b, c), expected[i][k++]);
  });
});

models.run();

for (const kind of ['anonymous', 'file'] as const) {
  const test = suite(`exhaustive model comparison (${kind} map)`);
  const tmp = new TempDir();
  test.after(() => tmp.cleanup());

  test('find and rfind, every needle, start, end and cursor', () => {
    const m = open(kind, tmp, CONTENT);
    for (const pos of [0, 1, 5, 12]) {
      m.seek(pos);
      for (const sub of NEEDLES) {
        for (const s of BOUNDS) {
          for (const e of BOUNDS) {
            const where = `pos ${pos} sub '${sub}' start ${s} end ${e}`;
            assert.is(m.find(sub, s, e), modelFind(CONTENT, sub, pos, s, e, false), `find ${where}`);
            assert.is(m.rfind(sub, s, e), modelFind(CONTENT, sub, pos, s, e, true), `rfind ${where}`);
            assert.is(m.tell(), pos);
          }
        }
      }
    }
    m.close();
  });

  test('getSlice, every start, stop and step', () => {
    const m = open(kind, tmp, CONTENT);
    for (const c of STEPS) {
      for (const a of [null, ...BOUNDS]) {
        for (const b of [null, ...BOUNDS]) {
          const expected = modelSlice(CONTENT.length, a, b, c).map((i) => CONTENT[i]).join('');
          assert.is(text(m.getSlice(a, b, c)), expected, `[${a}:${b}:${c}]`);
        }
      }
    }
    m.close();
  });

  test('setSlice, every start, stop and step, with the right and a wrong length', () => {
    const m = open(kind, tmp, CONTENT);
    for (const c of STEPS) {
      for (const a of BOUNDS) {
        for (const b of BOUNDS) {
          const indices = modelSlice(CONTENT.length, a, b, c);
          const data = indices.map((_, k) => String.fromCharCode(65 + k)).join('');
          const expected = CONTENT.split('');
          indices.forEach((i, k) => { expected[i] = data[k]; });
          m.setSlice(0, null, bytes(CONTENT));
          m.setSlice(a, b, bytes(data), c);
          assert.is(text(m.getSlice()), expected.join(''), `[${a}:${b}:${c}] = ${data}`);
          assert.throws(() => m.setSlice(a, b, bytes(data + 'Z'), c),
            (e: Error) => e instanceof IndexError && e.message === 'mmap slice assignment is wrong size');
          assert.is(text(m.getSlice()), expected.join(''), 'a failed assignment changes nothing');
        }
      }
    }
    m.close();
  });

  test('move, every dest, src and count in and around the map', () => {
    const m = open(kind, tmp, CONTENT);
    const size = CONTENT.length;
    for (let dest = -1; dest <= size + 1; dest++) {
      for (let src = -1; src <= size + 1; src++) {
        for (let count = -1; count <= size + 1; count++) {
          m.setSlice(0, null, bytes(CONTENT));
          const ok = dest >= 0 && src >= 0 && count >= 0 && size - dest >= count && size - src >= count;
          if (ok) {
            m.move(dest, src, count);
            const expected = CONTENT.slice(0, dest) + CONTENT.slice(src, src + count) + CONTENT.slice(dest + count);
            assert.is(text(m.getSlice()), expected, `move(${dest}, ${src}, ${count})`);
          } else {
            assert.throws(() => m.move(dest, src, count),
              (e: Error) => e instanceof ValueError && e.message === 'source, destination, or count out of range');
            assert.is(text(m.getSlice()), CONTENT);
          }
        }
      }
    }
    m.close();
  });

  test.run();
}
