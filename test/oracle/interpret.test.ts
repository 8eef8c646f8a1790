// The interpreter answers the oracle's cases in the oracle's shape, with CPython's answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MMap } from '../../src/index.ts';
import { runCPython, type Arg, type Case, type Op } from './cpython.ts';
import { interpretAll } from './interpret.ts';

const hex = (s: string) => ({ hex: Buffer.from(s, 'latin1').toString('hex') });
const call = (op: string, ...args: Arg[]): Op => ({ op, args } as Op);
const newFile: Op = { op: 'new', fileno: { file: 'rw' }, length: 0 };
const native = process.env.WASM_MMAP_BACKING !== 'copy' && MMap.nativeAvailable;

async function both(cases: Case[]) {
  return { py: await runCPython(cases), ts: interpretAll(cases) };
}

test('one map: results, positions and file bytes equal CPython\'s', async () => {
  const { py, ts } = await both([{ name: 'one', file: hex('one two ones'), ops: [
    newFile,
    call('find', hex('one'), { undef: true }, 5),
    call('seek', 1),
    call('find', hex('')),
    call('read', 3, 'extra'),
    call('getSlice', null, null, -2),
    call('setSlice', null, null, hex('ab'), 6),
    call('seek', 13),
    call('toString'),
    { op: 'dispose' },
    call('length'),
    call('closed'),
  ] }]);
  assert.equal(ts, py);
});

test('slots: an empty one answers nomap, a taken one is replaced; anonymous maps', async () => {
  const { py, ts } = await both([{ ops: [
    { op: 'tell', map: 2 },
    { op: 'new', fileno: -1, length: 3 },
    call('write', hex('ab')),
    { op: 'new', fileno: -1, length: 5, access: 1 },
    call('tell'),
    call('write', hex('a')),
    call('size'),
  ] }]);
  assert.equal(ts, py);
});

test('a malformed case is an error on both sides, after the answers before it', async () => {
  const cases = [
    { ops: [{ op: 'new', fileno: -1, length: 3 }, { op: 'bogus' }] },
    { ops: [{ op: 'fileRead' }] },
  ] as unknown as Case[];
  const { py, ts } = await both(cases);
  assert.equal(ts.map((r) => r.results), py.map((r) => r.results));
  assert.equal(ts.map((r) => r.error), py.map((r) => r.error));
});

test('where CPython crashes, wasm-mmap answers an error or zeros (docs/spec/API.md Errors)', async () => {
  const { py, ts } = await both([
    { file: hex('0123456789'), ops: [{ op: 'new', fileno: { file: 'rw' }, length: 10, prot: 0 }, call('getItem', 0)] },
    { ops: [{ op: 'new', fileno: -1, length: 4096 }, call('resize', 8192), call('getItem', 4096)] },
  ]);
  assert.equal(py.map((r) => r.results.at(-1)), [{ crash: 'SIGSEGV' }, { crash: 'SIGBUS' }]);
  assert.equal(ts[0].results[1], { err: ['OSError', '[Errno 14] Bad address'], pos: 0 });
  assert.equal(ts[1].results[2], { ok: 0, pos: 0 });
});

test('native backing: two maps and another writer of one file', async () => {
  if (!native) return;
  const { py, ts } = await both([{ file: hex('0123456789'), ops: [
    newFile,
    { op: 'new', map: 1, fileno: { file: 'r' }, length: 0, access: 1 },
    call('setItem', 0, 65),
    { op: 'getSlice', map: 1 },
    { op: 'fileWrite', offset: 9, data: hex('!') },
    call('getItem', 9),
    { op: 'fileTruncate', length: 12 },
    call('size'),
    { op: 'fileRead' },
  ] }]);
  assert.equal(ts, py);
});

test.run();
