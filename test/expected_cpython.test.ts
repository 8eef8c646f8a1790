// Expected values from CPython itself, at test time: each group describes cases (a file or an
// anonymous map, how the fd is opened, the constructor's arguments, then a list of
// operations); python3 runs them through its mmap module and prints JSON, and the same cases
// run through MMap here. The results must be deepEqual, errors included (class and exact
// message, argument-conversion ones included; errno for OSErrors).
//
// Differences from 3.11 that docs/spec/API.md sets are folded in: seek() returns the new position, so
// its result is compared with CPython's tell() after the seek. Nothing here touches memory
// that would crash CPython (docs/spec/mmap-semantics.md §18).
import * as fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as lib from '../src/index.ts';
import { MMap, OSError } from '../src/index.ts';
import { TempDir, bytes, hex, python } from './helpers.ts';

type Arg = number | null | { hex: string };
type Op = [string, ...Arg[]];
interface Case {
  file?: string; // hex content; absent: no file, and fileno is `fd` (default -1, anonymous)
  fd?: number;
  mode?: 'r' | 'w' | 'r+'; // how the fd is opened (default 'r+')
  length: number;
  opts?: Record<string, number>;
  ops?: Op[];
}
type Outcome = { ok: unknown } | { err: string; msg?: string; errno?: number };
interface Result {
  ctor: 'ok' | Outcome;
  ops: Outcome[];
  final?: string; // the file's bytes (hex) after close
}

const b = (s: string): { hex: string } => ({ hex: hex(bytes(s)) });
const fileHex = (s: string | Uint8Array) => hex(typeof s === 'string' ? bytes(s) : s);

// Every message is compared word for word, argument-conversion ones included.

const RUNNER = String.raw`
import json, mmap, os, shutil, sys, tempfile
cases = json.load(sys.stdin)
OPEN = {'r': os.O_RDONLY, 'w': os.O_WRONLY, 'r+': os.O_RDWR}
def err(e):
    if isinstance(e, OSError):
        return {'err': type(e).__name__, 'errno': e.errno, 'msg': str(e)}
    return {'err': type(e).__name__, 'msg': str(e)}
def val(v):
    return {'hex': v.hex()} if isinstance(v, bytes) else v
def arg(a):
    return bytes.fromhex(a['hex']) if isinstance(a, dict) else a
state = {}
def op(m, path, name, args):
    args = [arg(a) for a in args]
    if name == 'seek':
        m.seek(*args)
        return m.tell()
    if name == 'len': return len(m)
    if name == 'repr': return repr(m)
    if name == 'closed': return m.closed
    if name == 'getitem': return m[args[0]]
    if name == 'getslice': return m[slice(*args)]
    if name == 'setitem':
        m[args[0]] = args[1]
        return None
    if name == 'setslice':
        m[slice(args[0], args[1], args[3])] = args[2]
        return None
    if name == 'file':
        with open(path, 'rb') as f: return f.read()
    if name == 'fsize': return os.stat(path).st_size
    if name == 'append':
        with open(path, 'ab') as f: f.write(args[0])
        return None
    if name == 'closefd':
        os.close(state.pop('fd'))
        return None
    return getattr(m, name)(*args)
out = []
d = tempfile.mkdtemp()
for i, case in enumerate(cases):
    path, fd = None, case.get('fd', -1)
    if case.get('file') is not None:
        path = os.path.join(d, str(i))
        with open(path, 'wb') as f: f.write(bytes.fromhex(case['file']))
        fd = os.open(path, OPEN[case.get('mode', 'r+')])
    state['fd'] = fd if path is not None else -1
    res = {'ops': []}
    try:
        m = mmap.mmap(fd, case['length'], **case.get('opts', {}))
        res['ctor'] = 'ok'
    except Exception as e:
        m, res['ctor'] = None, err(e)
    if m is not None:
        for name, *args in case.get('ops', []):
            try:
                res['ops'].append({'ok': val(op(m, path, name, args))})
            except Exception as e:
                res['ops'].append(err(e))
        m.close()
    if state.get('fd', -1) >= 0: os.close(state['fd'])
    if path is not None:
        with open(path, 'rb') as f: res['final'] = f.read().hex()
    out.append(res)
shutil.rmtree(d)
print(json.dumps(out))
`;

const OPEN = { r: fs.constants.O_RDONLY, w: fs.constants.O_WRONLY, 'r+': fs.constants.O_RDWR };

function outcomeOf(e: any): Outcome {
  if (e instanceof OSError) return { err: e.name, errno: (e as any).errno, msg: e.message };
  return { err: e?.name ?? typeof e, msg: e?.message ?? String(e) };
}

function value(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: hex(v) };
  return v === undefined ? null : v;
}

function arg(a: Arg): unknown {
  return a !== null && typeof a === 'object' ? Buffer.from(a.hex, 'hex') : a;
}

function runOp(m: MMap, file: string | undefined, state: { fd: number }, [name, ...raw]: Op): unknown {
  const args = raw.map(arg) as any[];
  switch (name) {
    case 'seek': return (m.seek as any)(...args);
    case 'len': return m.length;
    case 'repr': return m.toString();
    case 'closed': return m.closed;
    case 'getitem': return m.getItem(args[0]);
    case 'getslice': return m.getSlice(args[0], args[1], args[2]);
    case 'setitem': return m.setItem(args[0], args[1]);
    case 'setslice': return m.setSlice(args[0], args[1], args[2], args[3]);
    case 'file': return new Uint8Array(fs.readFileSync(file!));
    case 'fsize': return fs.statSync(file!).size;
    case 'append': return fs.appendFileSync(file!, args[0]);
    case 'closefd': {
      fs.closeSync(state.fd);
      state.fd = -1;
      return undefined;
    }
    case 'read_byte': return m.readByte();
    case 'write_byte': return m.writeByte(args[0]);
    default: return (m as any)[name](...args);
  }
}

function runHere(cases: Case[]): Result[] {
  const tmp = new TempDir();
  try {
    return cases.map((c) => {
      let file: string | undefined;
      const state = { fd: -1 };
      if (c.file !== undefined) {
        file = tmp.file(Buffer.from(c.file, 'hex'));
        state.fd = fs.openSync(file, OPEN[c.mode ?? 'r+']);
      }
      const res: Result = { ctor: 'ok', ops: [] };
      let m: MMap | undefined;
      try {
        m = new MMap(file === undefined ? c.fd ?? -1 : state.fd, c.length, c.opts);
      } catch (e) {
        res.ctor = outcomeOf(e);
      }
      if (m) {
        for (const op of c.ops ?? []) {
          try {
            res.ops.push({ ok: value(runOp(m, file, state, op)) });
          } catch (e) {
            res.ops.push(outcomeOf(e));
          }
        }
        m.close();
      }
      if (state.fd >= 0) fs.closeSync(state.fd);
      if (file !== undefined) res.final = fileHex(new Uint8Array(fs.readFileSync(file)));
      return res;
    });
  } finally {
    tmp.cleanup();
  }
}

function describe(c: Case): string {
  const where = c.file === undefined ? String(c.fd ?? -1) : `file(${c.file.length / 2} bytes, ${c.mode ?? 'r+'})`;
  return `mmap(${where}, ${c.length}, ${JSON.stringify(c.opts ?? {})})`;
}

/** Runs `cases` through CPython and through MMap, and compares them case by case, op by op. */
function compare(cases: Case[]): void {
  const expected = python<Result[]>(RUNNER, cases);
  const actual = runHere(cases);
  assert.is(actual.length, expected.length);
  cases.forEach((c, i) => {
    const py = expected[i];
    const here = actual[i];
    assert.equal(here.ctor, py.ctor, `${describe(c)}: constructor`);
    assert.is(here.ops.length, py.ops.length, `${describe(c)}: operations run`);
    py.ops.forEach((want, k) => {
      assert.equal(here.ops[k], want, `${describe(c)}: op #${k} ${JSON.stringify(c.ops![k])}`);
    });
    assert.is(here.final, py.final, `${describe(c)}: file after close`);
  });
}

const range = (a: number, z: number) => Array.from({ length: z - a }, (_, i) => a + i);
const MAX = Number.MAX_SAFE_INTEGER;
const { ACCESS_READ, ACCESS_WRITE, ACCESS_COPY, ACCESS_DEFAULT, MAP_PRIVATE, MAP_SHARED, MAP_ANONYMOUS } = lib;
const { PROT_READ, PROT_WRITE, PROT_EXEC, PAGESIZE } = lib;

test('module constants have CPython’s values', () => {
  const names = python<Record<string, number>>(
    `import json, mmap
print(json.dumps({n: getattr(mmap, n) for n in dir(mmap)
  if n.startswith(('ACCESS_', 'PROT_', 'MADV_')) or n in
  ('PAGESIZE', 'ALLOCATIONGRANULARITY', 'MAP_SHARED', 'MAP_PRIVATE', 'MAP_ANONYMOUS', 'MAP_ANON', 'MAP_POPULATE')}))`,
  );
  assert.ok(Object.keys(names).length >= 25);
  for (const [name, v] of Object.entries(names)) assert.is((lib as any)[name], v, name);
});

const LINES = 'ab\ncd\nefgh';

test('read, read_byte, readline from every position', () => {
  const reads: Op[] = [
    ['read'], ['read', null], ['read', 0], ['read', 1], ['read', 3], ['read', 100], ['read', -1],
    ['read', -100], ['read', MAX], ['read', -MAX], ['read_byte'], ['readline'],
  ];
  const cases: Case[] = [];
  for (const pos of range(0, 11)) {
    for (const r of reads) cases.push({ file: fileHex(LINES), length: 0, ops: [['seek', pos], r, ['tell'], r, ['tell']] });
  }
  cases.push({ file: fileHex(LINES), length: 0, ops: [['readline'], ['readline'], ['readline'], ['readline'], ['tell']] });
  cases.push({ file: fileHex('\n\n\n'), length: 0, ops: [['readline'], ['readline'], ['readline'], ['readline']] });
  cases.push({ file: fileHex('a\rb'), length: 0, ops: [['readline'], ['tell']] });
  cases.push({
    file: fileHex(LINES),
    length: 0,
    ops: [['read_byte'], ['read_byte'], ['read', 2], ['readline'], ['read', 2], ['read_byte'], ['readline'], ['read'], ['read_byte'], ['tell']],
  });
  compare(cases);
});

test('seek(pos, whence) from the middle, the ends, and past a shrunk end', () => {
  const cases: Case[] = [];
  for (const start of [0, 5, 10]) {
    const ops: Op[] = [];
    for (const pos of [...range(-12, 13), MAX, -MAX]) {
      for (const whence of [undefined, 0, 1, 2, 3, -1]) {
        ops.push(['seek', start], whence === undefined ? ['seek', pos] : ['seek', pos, whence], ['tell']);
      }
    }
    cases.push({ length: 10, ops });
  }
  // pos beyond the size after a shrink (docs/spec/mmap-semantics.md §8)
  cases.push({
    length: 10,
    ops: [['seek', 8], ['resize', 5], ['tell'], ['seek', 0, 1], ['seek', -2, 1], ['seek', -3, 1], ['tell'], ['repr']],
  });
  cases.push({ file: fileHex('abcdefghij'), length: 0, ops: [['seek', 8], ['resize', 5], ['seek', 0, 2], ['tell']] });
  compare(cases);
});

test('find and rfind over every start/end in -14..14, and the cursor default', () => {
  const needles = ['', 'o', 'on', 'one', 'ones', 'two', 's', 'x', 'one ', 'ones ', 'one two ones', 'one two ones!'];
  const ops: Op[] = [];
  for (const n of needles) {
    for (const f of ['find', 'rfind']) {
      ops.push([f, b(n)]);
      for (const s of range(-14, 15)) {
        ops.push([f, b(n), s]);
        for (const e of range(-14, 15)) ops.push([f, b(n), s, e]);
      }
      ops.push([f, b(n), MAX, MAX], [f, b(n), -MAX], [f, b(n), 0, MAX], [f, b(n), -MAX, -MAX]);
    }
  }
  const cursor: Op[] = [];
  for (const pos of [1, 5, 12]) {
    cursor.push(['seek', pos]);
    for (const n of needles) cursor.push(['find', b(n)], ['rfind', b(n)], ['find', b(n), 0], ['tell']);
  }
  const shrunk: Op[] = [['seek', 8], ['resize', 5]];
  for (const n of ['', 'a', 'e', 'abcde']) shrunk.push(['find', b(n)], ['rfind', b(n)], ['find', b(n), 0], ['rfind', b(n), 0]);
  const offsetFile = fileHex('A'.repeat(4096) + 'needle' + 'B'.repeat(10));
  compare([
    { file: fileHex('one two ones'), length: 0, ops },
    { file: fileHex('one two ones'), length: 0, ops: cursor },
    { file: fileHex('abcdefghij'), length: 0, ops: shrunk },
    {
      file: offsetFile,
      length: 0,
      opts: { offset: 4096 },
      ops: [['find', b('needle')], ['find', b('B'.repeat(10))], ['find', b('B'.repeat(11))], ['rfind', b('B')], ['find', b('A')]],
    },
  ]);
});

test('write, write_byte, move and item/slice assignment, then the file after close, for each access', () => {
  const edits: Op[] = [
    ['write', b('abc')], ['tell'], ['write', b('')], ['write_byte', 65], ['write_byte', 255], ['tell'],
    ['seek', 8], ['write', b('123')], ['write', b('12')], ['write', b('')], ['write', b('1')], ['write_byte', 0x7a], ['tell'],
    ['move', 5, 0, 5], ['move', 1, 0, 9], ['move', 0, 1, 9], ['move', 10, 0, 0], ['move', 5, 0, 6],
    ['setitem', 0, 65], ['setitem', -1, 66], ['setitem', 10, 1], ['setitem', 0, 256], ['setitem', 0, -1],
    ['setslice', 2, 5, b('xyz'), null], ['setslice', 2, 5, b('xy'), null], ['setslice', -3, null, b('XYZ'), null],
    ['setslice', 8, 100, b('pq'), null], ['setslice', null, null, b('abcde'), 2],
    ['setslice', 8, 2, b('uvw'), -2], ['setslice', null, null, b('jihgfedcba'), -1], ['setslice', 5, 2, b(''), null],
    ['setslice', 100, null, b('a'), null], ['setslice', null, null, b(''), 0],
    ['getslice', null, null, null], ['tell'], ['flush'],
  ];
  const cases: Case[] = [];
  const opts = [{}, { access: ACCESS_WRITE }, { access: ACCESS_COPY }, { access: ACCESS_READ }, { flags: MAP_PRIVATE }, { prot: PROT_READ }];
  for (const o of opts) {
    cases.push({ file: fileHex('0123456789'), length: 0, opts: o, ops: [...edits, ['file']] });
    cases.push({ length: 10, opts: o, ops: edits });
  }
  // close() publishes what a flush would (no explicit flush here)
  cases.push({ file: fileHex('0123456789'), length: 0, ops: [['write', b('XY')], ['setitem', 9, 33]] });
  cases.push({ file: fileHex('0123456789'), length: 4, ops: [['seek', 2], ['write', b('ab')], ['write', b('c')]] });
  cases.push({ file: fileHex('x'.repeat(8192)), length: 10, opts: { offset: 4096 }, ops: [['write', b('hello')], ['getslice', null, null, null]] });
  compare(cases);
});

test('move(dest, src, count) for every triple in -1..11', () => {
  const ops: Op[] = [];
  for (const d of range(-1, 12)) {
    for (const s of range(-1, 12)) {
      for (const c of range(-1, 12)) {
        ops.push(['move', d, s, c], ['getslice', null, null, null], ['setslice', null, null, b('0123456789'), null]);
      }
    }
  }
  compare([{ length: 10, ops: [['write', b('0123456789')], ['seek', 3], ...ops, ['tell']] }]);
});

test('getItem / getSlice rows of docs/spec/mmap-semantics.md §11', () => {
  const ops: Op[] = [];
  for (const i of [...range(-12, 12), MAX, -MAX]) ops.push(['getitem', i]);
  const idx = [null, 0, 1, 2, 5, 8, 9, 10, 11, 100, -1, -3, -10, -11, -100, MAX, -MAX];
  for (const s of idx) for (const e of idx) for (const st of [null, 1, 2, 3, -1, -2, -3, 0, MAX, -MAX]) ops.push(['getslice', s, e, st]);
  compare([{ file: fileHex('0123456789'), length: 0, ops }]);
});

test('resize: the map, the cursor and the file’s bytes', () => {
  const after: Op[] = [['len'], ['size'], ['fsize'], ['getslice', null, null, null], ['tell']];
  compare([
    {
      file: fileHex('abcdefghij'),
      length: 0,
      ops: [
        ['seek', 8], ['resize', 20], ...after, ['flush'], ['file'],
        ['resize', 5], ...after, ['read'], ['tell'], ['readline'], ['read_byte'], ['write', b('')], ['write', b('a')],
        ['write_byte', 1], ['find', b('')], ['rfind', b('')], ['find', b('a')], ['find', b('a'), 0], ['seek', 0, 1], ['tell'],
        ['resize', -1], ['len'], ['repr'], ['flush'], ['file'],
      ],
    },
    // writes before a resize survive it, and reach the file
    {
      file: fileHex('abcdefghij'),
      length: 0,
      ops: [['write', b('XY')], ['resize', 15], ['setitem', 14, 33], ['resize', 12], ...after, ['flush'], ['file']],
    },
    // an offset map truncates the file to offset + newsize
    {
      file: fileHex('x'.repeat(8192)),
      length: 10,
      opts: { offset: 4096 },
      ops: [['resize', 100], ...after, ['getslice', 0, 12, null], ['resize', 3], ...after],
    },
    { file: fileHex('0123456789'), length: 0, opts: { access: ACCESS_WRITE }, ops: [['resize', 4096], ...after] },
    // a MAP_PRIVATE (ACCESS_DEFAULT) map resizes and truncates the file too
    {
      file: fileHex('0123456789'),
      length: 0,
      opts: { flags: MAP_PRIVATE },
      ops: [['setitem', 0, 65], ['resize', 100], ...after, ['resize', 5], ...after],
    },
    // ... but not on an O_RDONLY fd (ftruncate fails: EINVAL), and the map is unchanged
    { file: fileHex('0123456789'), mode: 'r', length: 0, opts: { flags: MAP_PRIVATE }, ops: [['resize', 100], ...after] },
    ...[{ access: ACCESS_READ }, { access: ACCESS_COPY }, { prot: PROT_READ }].map(
      (opts): Case => ({ file: fileHex('0123456789'), length: 0, opts, ops: [['resize', 5], ['resize', -1], ['len'], ['fsize']] }),
    ),
    ...[{ access: ACCESS_READ }, { access: ACCESS_COPY }].map((opts): Case => ({ length: 10, opts, ops: [['resize', 5], ['len']] })),
    // anonymous: growth within the first page keeps the data; resize(0) is EINVAL
    {
      length: 10,
      ops: [['write', b('0123456789')], ['seek', 9], ['resize', 20], ['getslice', null, null, null], ['resize', 4],
        ['getslice', null, null, null], ['tell'], ['resize', 0], ['len']],
    },
    // a private anonymous map grows with zero-filled pages
    {
      length: PAGESIZE,
      opts: { flags: MAP_PRIVATE },
      ops: [['resize', 2 * PAGESIZE], ['len'], ['getitem', PAGESIZE], ['setitem', 2 * PAGESIZE - 1, 7], ['getitem', -1]],
    },
    // a shared anonymous map shrunk then grown back within its original pages
    { length: 2 * PAGESIZE, ops: [['setitem', 0, 9], ['resize', PAGESIZE], ['resize', 2 * PAGESIZE], ['getitem', PAGESIZE], ['getitem', 0]] },
    // a file-backed map grows past its first page (ftruncate grows the file)
    { file: fileHex('z'.repeat(PAGESIZE)), length: 0, ops: [['resize', 2 * PAGESIZE], ['getitem', PAGESIZE], ['getitem', 0], ...after] },
  ]);
});

test('anonymous shrink then grow within a page brings the old bytes back (Linux mremap)', () => {
  compare([{ length: 10, ops: [['write', b('0123456789')], ['resize', 4], ['resize', 5], ['getslice', null, null, null]] }]);
});

test('a map shrunk, then grown past its pages to a new region, keeps its whole last page (mremap moves pages)', () => {
  const ops: Op[] = [['write', b('0123456789')], ['resize', 4], ['resize', 3 * PAGESIZE], ['getslice', 0, 12, null],
    ['len']];
  compare([
    // (a shared anonymous map's grown pages are CPython's SIGBUS: not touched here)
    { length: PAGESIZE, ops },
    { length: PAGESIZE, opts: { flags: MAP_PRIVATE }, ops },
    { file: fileHex('f'.repeat(PAGESIZE)), length: 0, ops: [...ops, ['getitem', PAGESIZE], ['flush'], ['file']] },
    { file: fileHex('f'.repeat(PAGESIZE)), length: 0, opts: { flags: MAP_PRIVATE }, ops: [...ops, ['getitem', PAGESIZE]] },
  ]);
});

test('flush(offset, size) over a grid, for each access mode, anonymous and offset maps', () => {
  const offsets = [undefined, 0, 1, 100, 4095, 4096, 4097, 8192, 9999, 10000, 10001, 12288, -1, MAX];
  const sizes = [undefined, 0, 1, 10, 903, 904, 5904, 5905, 10000, 10001, -1, MAX];
  const grid = (os: (number | undefined)[], ss: (number | undefined)[]): Op[] => {
    const ops: Op[] = [];
    for (const o of os) {
      if (o === undefined) {
        ops.push(['flush']);
        continue;
      }
      for (const s of ss) ops.push(s === undefined ? ['flush', o] : ['flush', o, s]);
    }
    return ops;
  };
  const ops = grid(offsets, sizes);
  const tenK = fileHex(new Uint8Array(10000));
  const cases: Case[] = [
    {}, { access: ACCESS_WRITE }, { access: ACCESS_READ }, { access: ACCESS_COPY }, { flags: MAP_PRIVATE }, { prot: PROT_READ },
  ].map((opts) => ({ file: tenK, length: 0, opts, ops }));
  cases.push({ length: 16, ops: grid([undefined, 0, 1, 4, 15, 16, 17, -1], [undefined, 0, 4, 16, 17, -1]) });
  cases.push({ length: 16, opts: { access: ACCESS_READ }, ops: grid([0, 1, 16, 17], [0, 4, 16, 17]) });
  cases.push({ file: tenK, length: 0, opts: { offset: 4096 }, ops: grid([0, 1, 4096, 5904], [undefined, 0, 1, 1808, 1809]) });
  cases.push({ file: fileHex(new Uint8Array(4999)), length: 0, ops: grid([4096], [903, 904]) });
  compare(cases);
});

test('madvise: every option and a start/length grid', () => {
  const options = Object.entries(lib)
    .filter(([k]) => k.startsWith('MADV_') && k !== 'MADV_HWPOISON')
    .map(([, v]) => v as number);
  const opts = [{}, { flags: MAP_PRIVATE }, { access: ACCESS_READ }, { access: ACCESS_COPY }];
  const cases: Case[] = [];
  for (const o of opts) {
    cases.push({ length: 2 * PAGESIZE, opts: o, ops: [...options, 12345, -5].map((v): Op => ['madvise', v]) });
  }
  const grid: Op[] = [];
  for (const s of [undefined, -1, 0, 1, 4095, 4096, 4097, 8191, 8192, 8193, MAX]) {
    for (const l of [undefined, -1, 0, 1, 2, 4096, 8192, 10000, MAX]) {
      if (s === undefined) {
        grid.push(['madvise', 0]);
        break;
      }
      grid.push(l === undefined ? ['madvise', 0, s] : ['madvise', 0, s, l]);
    }
  }
  cases.push({ length: 2 * PAGESIZE, ops: grid });
  // file-backed maps: options that leave a file's contents alone
  const safe = [lib.MADV_NORMAL, lib.MADV_RANDOM, lib.MADV_SEQUENTIAL, lib.MADV_WILLNEED, lib.MADV_DONTNEED];
  for (const o of [{}, { access: ACCESS_READ }, { flags: MAP_PRIVATE }]) {
    cases.push({
      file: fileHex('q'.repeat(2 * PAGESIZE)),
      length: 0,
      opts: o,
      ops: [...safe.map((v): Op => ['madvise', v]), ['madvise', 0, 1], ...grid, ['getitem', 0]],
    });
  }
  compare(cases);
});

test('madvise effects on contents: DONTNEED keeps shared data, zeroes private anonymous pages; REMOVE', () => {
  // docs/spec/API.md: reproducing these effects is preferred (a backing that does not documents it).
  const ops = (advice: number): Op[] => [['setitem', 0, 7], ['setitem', PAGESIZE, 8], ['madvise', advice], ['getitem', 0], ['getitem', PAGESIZE]];
  compare([
    { length: 2 * PAGESIZE, ops: ops(lib.MADV_DONTNEED) },
    { length: 2 * PAGESIZE, opts: { flags: MAP_PRIVATE }, ops: ops(lib.MADV_DONTNEED) },
    { length: 2 * PAGESIZE, ops: ops(lib.MADV_REMOVE) },
    { length: 2 * PAGESIZE, opts: { flags: MAP_PRIVATE }, ops: [['setitem', 0, 7], ['madvise', lib.MADV_DONTNEED, PAGESIZE], ['getitem', 0]] },
  ]);
});

test('repr for each access / flags / prot combination, file-backed and anonymous', () => {
  const cases: Case[] = [];
  const file = fileHex('r'.repeat(8192));
  for (const access of [undefined, ACCESS_DEFAULT, ACCESS_READ, ACCESS_WRITE, ACCESS_COPY]) {
    for (const flags of [undefined, MAP_SHARED, MAP_PRIVATE]) {
      for (const prot of [undefined, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC, 0]) {
        const opts: Record<string, number> = {};
        if (access !== undefined) opts.access = access;
        if (flags !== undefined) opts.flags = flags;
        if (prot !== undefined) opts.prot = prot;
        const ops: Op[] = [['repr'], ['seek', 3], ['repr'], ['closed'], ['close'], ['repr'], ['closed']];
        cases.push({ file, length: 0, opts, ops });
        cases.push({ file, length: 10, opts: { ...opts, offset: 4096 }, ops });
        cases.push({ length: 10, opts, ops });
      }
    }
  }
  cases.push({ length: 10, opts: { offset: 4096 }, ops: [['repr']] });
  compare(cases);
});

test('constructor rows: fd modes r, w, r+ × file sizes × lengths × offsets × options', () => {
  const cases: Case[] = [];
  const optionSets: Record<string, number>[] = [
    {}, { access: ACCESS_READ }, { access: ACCESS_WRITE }, { access: ACCESS_COPY }, { access: ACCESS_DEFAULT },
    { prot: PROT_READ }, { prot: PROT_WRITE }, { flags: MAP_PRIVATE }, { access: 4 }, { access: ACCESS_READ, flags: MAP_PRIVATE },
    { access: ACCESS_WRITE, flags: MAP_SHARED, prot: PROT_READ | PROT_WRITE }, { flags: 12345678 },
  ];
  for (const mode of ['r', 'w', 'r+'] as const) {
    for (const size of [0, 10, 8192]) {
      const file = fileHex('0123456789'.repeat(820).slice(0, size).padEnd(size, 'x'));
      for (const length of [0, 1, 10, 11, 4096, 8192, 8193, -1]) {
        for (const offset of [undefined, 1, 4096, 8192, -1]) {
          for (const o of optionSets) {
            const opts = offset === undefined ? o : { ...o, offset };
            const touch: Op[] = 'prot' in o ? [] : [['getslice', 0, 3, null]];
            cases.push({ file, mode, length, opts, ops: [['len'], ['repr'], ['size'], ...touch] });
          }
        }
      }
    }
  }
  compare(cases);
});

test('constructor rows: anonymous maps × lengths × offsets × flags × access', () => {
  const cases: Case[] = [];
  for (const length of [0, 1, 10, 4096, -1]) {
    for (const offset of [undefined, 0, 1, 4096, -1]) {
      for (const flags of [undefined, 0, MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS, MAP_SHARED | MAP_PRIVATE, MAP_PRIVATE | MAP_ANONYMOUS]) {
        for (const access of [undefined, 0, 1, 2, 3, 4, -1]) {
          const opts: Record<string, number> = {};
          if (offset !== undefined) opts.offset = offset;
          if (flags !== undefined) opts.flags = flags;
          if (access !== undefined) opts.access = access;
          cases.push({ length, opts, ops: [['len'], ['repr'], ['size'], ['getslice', null, null, null]] });
        }
      }
    }
  }
  // bad file descriptors: argument errors come first, then EBADF
  for (const fd of [-2, 9999]) {
    for (const [length, opts] of [[10, {}], [-1, {}], [10, { access: 9 }], [10, { offset: -1 }], [0, {}]] as const) {
      cases.push({ fd, length, opts });
    }
  }
  compare(cases);
});

test('size() is the file’s size, len() the map’s; the fd is dup()ed', () => {
  compare([
    { file: fileHex('0123456789'), length: 4, ops: [['len'], ['size']] },
    { file: fileHex('x'.repeat(8192)), length: 10, opts: { offset: 4096 }, ops: [['len'], ['size']] },
    { file: fileHex('abc'), length: 0, ops: [['append', b('defgh')], ['len'], ['size'], ['getslice', null, null, null]] },
    { length: 10, ops: [['size']] },
    {
      file: fileHex('hello'),
      length: 0,
      ops: [['closefd'], ['getslice', null, null, null], ['size'], ['resize', 10], ['getslice', null, null, null], ['flush'], ['file']],
    },
  ]);
});

test('fd modes: what a read-only or write-only fd allows', () => {
  const cases: Case[] = [];
  for (const mode of ['r', 'w', 'r+'] as const) {
    for (const opts of [{}, { access: ACCESS_READ }, { access: ACCESS_WRITE }, { access: ACCESS_COPY }, { prot: PROT_READ }, { flags: MAP_PRIVATE }]) {
      cases.push({
        file: fileHex('0123456789'),
        mode,
        length: 0,
        opts,
        ops: [['repr'], ['write', b('abc')], ['getslice', null, null, null], ['flush'], ['resize', 20], ['len']],
      });
    }
  }
  compare(cases);
});

test('non-regular files: a directory', () => {
  // mmap of a directory fd is ENODEV; run directly (the runner only opens regular files).
  const tmp = new TempDir();
  try {
    const code = String.raw`import json, mmap, os, sys
d = json.load(sys.stdin); fd = os.open(d, os.O_RDONLY); out = []
for length, access in [(10, mmap.ACCESS_READ), (0, mmap.ACCESS_READ), (10, mmap.ACCESS_DEFAULT)]:
    try:
        mmap.mmap(fd, length, access=access); out.append('ok')
    except OSError as e:
        out.append({'err': type(e).__name__, 'errno': e.errno, 'msg': str(e)})
print(json.dumps(out))`;
    const expected = python(code, tmp.dir);
    const fd = fs.openSync(tmp.dir, 'r');
    const here = [[10, ACCESS_READ], [0, ACCESS_READ], [10, ACCESS_DEFAULT]].map(([length, access]) => {
      try {
        new MMap(fd, length, { access }).close();
        return 'ok';
      } catch (e) {
        return outcomeOf(e);
      }
    });
    fs.closeSync(fd);
    assert.equal(here, expected);
  } finally {
    tmp.cleanup();
  }
});

test.run();
