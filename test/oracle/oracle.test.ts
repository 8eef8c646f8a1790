// The oracle itself, checked against rows of docs/spec/mmap-semantics.md.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCPython, type Arg, type Case, type Hex, type Op, type OpResult } from './cpython.ts';

const hex = (s: string): Hex => ({ hex: Buffer.from(s, 'latin1').toString('hex') });
const undef: Arg = { undef: true };
const call = (op: string, ...args: Arg[]): Op => ({ op, args } as Op);
const on = (map: number, op: string, ...args: Arg[]): Op => ({ op, map, args } as Op);
const newFile = (extra: object = {}): Op => ({ op: 'new', fileno: { file: 'rw' }, length: 0, ...extra });

async function runOne(c: Case) {
  const [result] = await runCPython([c]);
  assert.is(result.error, undefined);
  return result;
}

/** The results of `ops` on a map of a file holding `content` (the `new` result left out). */
async function onFile(content: string, ops: Op[]): Promise<OpResult[]> {
  const result = await runOne({ file: hex(content), ops: [newFile(), ...ops] });
  return result.results.slice(1);
}

const ok = (value: unknown, pos?: number | null) => (pos === undefined ? { ok: value } : { ok: value, pos });
const err = (name: string, message: string, pos?: number | null) =>
  pos === undefined ? { err: [name, message] } : { err: [name, message], pos };
const strip = (rs: OpResult[]) => rs.map(({ pos: _, ...r }) => r);

test('find/rfind clamping rows (§9, b"one two ones", pos 0)', async () => {
  const rs = await onFile('one two ones', [
    call('find', hex('one')),
    call('find', hex('one'), 1, -2),
    call('find', hex(''), 13),
    call('find', hex(''), 100),
    call('find', hex(''), -1),
    call('find', hex(''), 5, 3),
    call('find', hex('one'), -4),
    call('rfind', hex('one')),
    call('rfind', hex('one'), 0, -2),
    call('rfind', hex(''), 13),
    call('rfind', hex('o'), -3),
    call('find', hex('one'), null),
    call('find', hex('one'), 1.5),
    call('find', 'one'),
  ]);
  assert.equal(strip(rs), [
    ok(0), ok(-1), ok(12), ok(12), ok(11), ok(-1), ok(8),
    ok(8), ok(0), ok(12), ok(-1),
    err('TypeError', "'NoneType' object cannot be interpreted as an integer"),
    err('TypeError', "'float' object cannot be interpreted as an integer"),
    err('TypeError', "a bytes-like object is required, not 'str'"),
  ]);
});

test('find start defaults to the cursor; undefined start means that default (§9)', async () => {
  const rs = await onFile('one two ones', [
    call('seek', 1),
    call('find', hex('one')),
    call('find', hex('')),
    call('rfind', hex('')),
    call('find', hex(''), undef, 12),
    call('find', hex('one'), undef, 3),
    call('find', hex('one'), 0),
  ]);
  assert.equal(rs, [ok(1, 1), ok(8, 1), ok(1, 1), ok(12, 1), ok(1, 1), ok(-1, 1), ok(0, 1)]);
});

test('seek answers the new position; a failed seek keeps pos (§8, §13)', async () => {
  const rs = await onFile('0123456789', [
    call('seek', 5),
    call('seek', -5, 1),
    call('seek', 7),
    call('seek', 11),
    call('seek', -8, 1),
    call('seek', 1, 3),
    call('seek', 0, 2),
    call('seek', 2 ** 53 - 1, 1),
    call('seek', { num: 'NaN' }),
  ]);
  assert.equal(rs, [
    ok(5, 5), ok(0, 0), ok(7, 7),
    err('ValueError', 'seek out of range', 7),
    err('ValueError', 'seek out of range', 7),
    err('ValueError', 'unknown seek type', 7),
    ok(10, 10),
    err('ValueError', 'seek out of range', 10),
    err('TypeError', "'float' object cannot be interpreted as an integer", 10),
  ]);
});

test('read, readline, readByte and write rows (§4–§7, §13)', async () => {
  const rs = await onFile('ab\ncd\nefgh', [
    call('seek', 2),
    call('read', -1),
    call('seek', 0),
    call('readline'),
    call('readline'),
    call('readByte'),
    call('read', null),
    call('readByte'),
    call('seek', 7),
    call('write', hex('abcd')),
    call('write', hex('XY')),
    call('writeByte', 256),
  ]);
  assert.equal(rs, [
    ok(2, 2), ok(hex('\ncd\nefgh'), 10), ok(0, 0),
    ok(hex('ab\n'), 3), ok(hex('cd\n'), 6), ok(101, 7), ok(hex('fgh'), 10),
    err('ValueError', 'read byte out of range', 10),
    ok(7, 7),
    err('ValueError', 'data out of range', 7),
    ok(2, 9),
    err('OverflowError', 'unsigned byte integer is greater than maximum', 9),
  ]);
});

test('indexing and slice assignment rows (§11, §12)', async () => {
  const rs = await onFile('0123456789', [
    call('getItem', -1),
    call('getItem', 10),
    call('getItem', 2 ** 53 - 1),
    call('getSlice', 8, 2, -2),
    call('getSlice', null, null, 0),
    call('getSlice'),
    call('setItem', 0, 256),
    call('setItem', 0, hex('a')),
    call('setSlice', null, null, hex('abcd'), 2),
    call('setSlice', null, null, hex('abcde'), 2),
    call('getSlice'),
  ]);
  assert.equal(strip(rs), [
    ok(57), err('IndexError', 'mmap index out of range'), err('IndexError', 'mmap index out of range'),
    ok(hex('864')), err('ValueError', 'slice step cannot be zero'), ok(hex('0123456789')),
    err('ValueError', 'mmap item value must be in range(0, 256)'),
    err('TypeError', 'mmap item value must be an int'),
    err('IndexError', 'mmap slice assignment is wrong size'),
    ok(null), ok(hex('a1b3c5d7e9')),
  ]);
});

test('arguments: extras are dropped, a missing required one is CPython\'s TypeError', async () => {
  const rs = await onFile('0123456789', [
    call('tell', 1),
    call('readByte', 1, 2),
    call('move', undef, 0, 0),
    call('write', undef),
  ]);
  assert.equal(rs.slice(0, 2), [ok(0, 0), ok(48, 1)]);
  assert.equal(rs.slice(2).map((r) => 'err' in r && r.err[0]), ['TypeError', 'TypeError']);
});

test('PROT_NONE: the touch is a crash and the next case of the batch still runs (§2.2, §18)', async () => {
  const results = await runCPython([
    { name: 'prot none', file: hex('0123456789'), ops: [
      newFile({ length: 10, prot: 0 }), call('length'), call('getItem', 0), call('length'),
    ] },
    { name: 'after', ops: [{ op: 'new', fileno: -1, length: 10 }, call('getSlice', 0, 3)] },
  ]);
  assert.equal(results[0].results, [
    ok('<mmap.mmap closed=False, access=ACCESS_READ, length=10, pos=0, offset=0>', 0),
    ok(10, 0),
    { crash: 'SIGSEGV' },
  ]);
  assert.equal(results[0].file, hex('0123456789'));
  assert.equal(results[1].name, 'after');
  assert.equal(results[1].results[1], ok(hex('\0\0\0'), 0));
});

test('growing a shared anonymous map: SIGBUS past the first page, fine otherwise (§10.4)', async () => {
  const anon = (length: number, extra: object = {}): Op => ({ op: 'new', fileno: -1, length, ...extra });
  const results = await runCPython([
    { ops: [anon(4096), call('resize', 8192), call('length'), call('getItem', 4095), call('getItem', 4096)] },
    { ops: [anon(8192), call('resize', 4096), call('resize', 8192), call('getItem', 4096)] },
    { ops: [anon(4096, { flags: 2 }), call('resize', 8192), call('setItem', 8191, 7), call('getItem', 8191)] },
  ]);
  assert.equal(strip(results[0].results.slice(1)), [ok(null), ok(8192), ok(0), { crash: 'SIGBUS' }]);
  assert.equal(strip(results[1].results.slice(1)), [ok(null), ok(null), ok(0)]);
  assert.equal(strip(results[2].results.slice(1)), [ok(null), ok(null), ok(7)]);
});

test('resize(0) on a file-backed map: OSError, file truncated, then SIGBUS (§10.4)', async () => {
  const result = await runOne({ file: hex('abcdefghij'), ops: [
    newFile(), call('resize', 5), call('resize', 0), call('length'), call('size'), call('getItem', 0),
  ] });
  assert.equal(strip(result.results.slice(1)), [
    ok(null), err('OSError', '[Errno 22] Invalid argument'), ok(5), ok(0), { crash: 'SIGBUS' },
  ]);
  assert.equal(result.file, hex(''));
});

test('two maps of one file see each other; COPY keeps its own bytes (§2.3)', async () => {
  const result = await runOne({ file: hex('0123456789'), ops: [
    newFile({ access: 2 }),
    { op: 'new', map: 1, fileno: { file: 'rw' }, length: 0 },
    { op: 'new', map: 2, fileno: { file: 'r' }, length: 0, access: 3 },
    on(0, 'setItem', 0, 65),
    on(1, 'getSlice'),
    on(2, 'getSlice'),
    on(2, 'setItem', 1, 66),
    on(2, 'getSlice'),
    on(1, 'getSlice'),
    { op: 'fileWrite', offset: 9, data: hex('!') },
    on(0, 'getItem', 9),
    on(1, 'getItem', 9),
    on(2, 'getItem', 9),
    { op: 'fileRead' },
  ] });
  assert.equal(strip(result.results.slice(3)), [
    ok(null), ok(hex('A123456789')), ok(hex('A123456789')),
    ok(null), ok(hex('AB23456789')), ok(hex('A123456789')),
    ok(null), ok(33), ok(33), ok(57), ok(hex('A12345678!')),
  ]);
  assert.equal(result.file, hex('A12345678!'));
});

test('constructor rows; the map outlives its fd; size() follows the file (§2.2, §10.3)', async () => {
  const results = await runCPython([
    { file: hex('0123456789'), ops: [newFile({ length: 11 })] },
    { file: hex('0123456789'), ops: [{ op: 'new', fileno: { file: 'r' }, length: 0 }] },
    { file: hex('0123456789'), ops: [newFile({ length: -1, offset: -1 })] },
    { file: hex(''), ops: [newFile()] },
    { ops: [{ op: 'new', fileno: -1, length: 0 }, { op: 'new', fileno: 9999, length: 10 }] },
    { ops: [{ op: 'new', fileno: -1, length: 10 }, call('size')] },
    { file: hex('abc'), ops: [
      newFile(), { op: 'fileWrite', offset: 3, data: hex('defgh') }, call('length'), call('size'), call('getSlice'),
      { op: 'fileTruncate', length: 2 }, call('size'),
    ] },
  ]);
  const rs = results.map((r) => strip(r.results));
  assert.equal(rs[0], [err('ValueError', 'mmap length is greater than file size')]);
  assert.equal(rs[1], [err('PermissionError', '[Errno 13] Permission denied')]);
  assert.equal(rs[2], [err('OverflowError', 'memory mapped length must be positive')]);
  assert.equal(rs[3], [err('ValueError', 'cannot mmap an empty file')]);
  assert.equal(rs[4], [err('OSError', '[Errno 22] Invalid argument'), err('OSError', '[Errno 9] Bad file descriptor')]);
  assert.equal(rs[5][1], err('OSError', '[Errno 9] Bad file descriptor'));
  assert.equal(rs[6].slice(1), [ok(null), ok(3), ok(8), ok(hex('abc')), ok(null), ok(2)]);
});

test('closed map: every member but the exempt ones raises (§15)', async () => {
  const rs = await onFile('0123456789', [
    call('seek', 4),
    call('close'),
    call('close'),
    call('closed'),
    call('toString'),
    call('length'),
    call('read', 'x'),
    call('move', 0, 0),
    call('seekable'),
    call('dispose'),
  ]);
  const closed = err('ValueError', 'mmap closed or invalid', null);
  assert.equal(rs, [
    ok(4, 4), ok(null, null), ok(null, null), ok(true, null), ok('<mmap.mmap closed=True>', null),
    closed, closed, closed, ok(true, null), ok(null, null),
  ]);
});

test('batch: results in order, names echoed, an empty slot and a malformed case are reported', async () => {
  const cases: Case[] = Array.from({ length: 200 }, (_, i) => ({
    name: `c${i}`,
    ops: [{ op: 'new', fileno: -1, length: i + 1 }, call('length')],
  }));
  cases.push({ name: 'empty slot', ops: [on(3, 'tell')] });
  cases.push({ name: 'bad', ops: [call('length'), { op: 'nonsense' } as unknown as Op] });
  const results = await runCPython(cases);
  assert.is(results.length, 202);
  results.slice(0, 200).forEach((r, i) => {
    assert.is(r.name, `c${i}`);
    assert.equal(r.results[1], ok(i + 1, 0));
    assert.is(r.file, null);
  });
  assert.equal(results[200].results, [{ nomap: true, pos: null }]);
  assert.equal(results[201].results, [{ nomap: true, pos: null }]);
  assert.match(results[201].error ?? '', 'unknown op');
});

test.run();
