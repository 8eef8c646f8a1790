// Cases (test/oracle/FORMAT.md) as plans for the component's drivers: each op as a call of
// wit/mmap.wit with WIT-typed arguments. Some ops the WIT cannot express: arguments of other
// types (floats, strings, booleans, NaN) or None where Python takes none (argument conversion,
// not mmap's semantics), fds other than the case's file, a negative anonymous length (u64), and
// a file mode that open() would not choose (it opens read-only for ACCESS_READ or a prot
// without PROT_WRITE, else read-write). `inexpressible` lists them; the test drops those that
// CPython refuses (a failed call changes nothing) and leaves out cases where CPython accepts one.
// Both drivers (component-node.ts, component_wasmtime.py) run the same plan: the translation is
// written once.
import type { Arg, Case, Hex, NewOp, Op } from '../oracle/cpython.ts';

type Int = number;
/** A WIT argument: an integer, `null` for option's none, or bytes. */
export type WitArg = Int | null | Hex;
export type Options = { flags: Int | null; prot: Int | null; access: Int | null; offset: Int | null };
/** How a driver turns a call's result into the oracle's value. */
export type Shape = 'unit' | 'int' | 'bytes' | 'bool' | 'string';

export type Step =
  | { kind: 'open'; slot: number; length: Int; options: Options }
  | { kind: 'anonymous'; slot: number; length: Int; options: Options }
  | { kind: 'call'; slot: number; method: string; args: WitArg[]; shape: Shape }
  | { kind: 'fileWrite'; offset: number; hex: string }
  | { kind: 'fileTruncate'; length: number }
  | { kind: 'fileRead' };

export interface Plan { file: string | null; steps: Step[] }

class Inexpressible extends Error {}

const isUndef = (a: unknown) => a !== null && typeof a === 'object' && (a as { undef?: unknown }).undef === true;
const isHex = (a: unknown): a is Hex => a !== null && typeof a === 'object' && typeof (a as Hex).hex === 'string';

/** One parameter's type: `s` an integer, `o` option<integer> where Python takes None, `n` option<integer>
 * where Python does not (a given None is a TypeError there), `b` bytes, `u8` a byte. */
type Param = 's' | 'o' | 'n' | 'b' | 'u8';

// Each method: its WIT name, parameters, result. Where Python requires a parameter, a missing
// one is its TypeError: not expressible.
const METHODS: Record<string, [string, Param[], Shape]> = {
  close: ['close', [], 'unit'],
  dispose: ['close', [], 'unit'],
  closed: ['closed', [], 'bool'],
  length: ['length', [], 'int'],
  toString: ['to-string', [], 'string'],
  seekable: ['seekable', [], 'bool'],
  size: ['size', [], 'int'],
  tell: ['tell', [], 'int'],
  readByte: ['read-byte', [], 'int'],
  readline: ['readline', [], 'bytes'],
  find: ['find', ['b', 'n', 'n'], 'int'],
  rfind: ['rfind', ['b', 'n', 'n'], 'int'],
  flush: ['flush', ['n', 'n'], 'unit'],
  madvise: ['madvise', ['s', 'n', 'n'], 'unit'],
  move: ['move', ['s', 's', 's'], 'unit'],
  read: ['read', ['o'], 'bytes'],
  resize: ['resize', ['s'], 'unit'],
  seek: ['seek', ['s', 'n'], 'int'],
  write: ['write', ['b'], 'int'],
  writeByte: ['write-byte', ['u8'], 'unit'],
  getItem: ['get-item', ['s'], 'int'],
  getSlice: ['get-slice', ['o', 'o', 'o'], 'bytes'],
  setItem: ['set-item', ['s', 's'], 'unit'],
  setSlice: ['set-slice', ['o', 'o', 'b', 'o'], 'unit'],
};

function integer(a: unknown, what: string): Int {
  if (typeof a === 'number' && Number.isSafeInteger(a)) return a;
  throw new Inexpressible(`${what}: ${JSON.stringify(a)} is not an integer`);
}

function witArg(a: Arg | undefined, type: Param, what: string): WitArg {
  const missing = a === undefined || isUndef(a);
  if (type === 'b') {
    if (isHex(a)) return a;
    throw new Inexpressible(`${what}: ${JSON.stringify(a)} is not bytes`);
  }
  if (type === 'o' || type === 'n') {
    if (missing) return null;
    if (a === null && type === 'o') return null;
    return integer(a, what);
  }
  if (missing) throw new Inexpressible(`${what}: a required argument is missing`);
  const n = integer(a, what);
  if (type === 'u8' && (n < 0 || n > 255)) throw new Inexpressible(`${what}: ${n} is not a byte`);
  return n;
}

function newOptions(op: NewOp): Options {
  const get = (key: 'flags' | 'prot' | 'access' | 'offset') => {
    const v = op[key];
    return v === undefined || isUndef(v) ? null : integer(v, `new ${key}`);
  };
  const options = { flags: get('flags'), prot: get('prot'), access: get('access'), offset: get('offset') };
  for (const key of ['flags', 'prot', 'access'] as const) {
    const v = options[key];
    if (v !== null && (v < -(2 ** 31) || v >= 2 ** 31)) throw new Inexpressible(`new ${key}: not an s32`);
  }
  return options;
}

function step(op: Op): Step {
  if (op.op === 'fileWrite') return { kind: 'fileWrite', offset: op.offset, hex: op.data.hex };
  if (op.op === 'fileTruncate') return { kind: 'fileTruncate', length: op.length };
  if (op.op === 'fileRead') return { kind: 'fileRead' };
  const slot = op.map ?? 0;
  if (op.op === 'new') {
    const n = op as NewOp;
    const options = newOptions(n);
    const length = n.length === undefined || isUndef(n.length) ? null : integer(n.length, 'new length');
    if (length === null) throw new Inexpressible('new: no length');
    if (n.fileno === -1) {
      if (length < 0) throw new Inexpressible('anonymous: a negative length is not a u64');
      return { kind: 'anonymous', slot, length, options };
    }
    const spec = n.fileno as { file?: string } | undefined;
    if (spec === null || typeof spec !== 'object' || typeof spec.file !== 'string') {
      throw new Inexpressible(`new: fileno ${JSON.stringify(n.fileno)} is not the case's file`);
    }
    const readOnly = options.access === 1 || ((options.access ?? 0) === 0 && ((options.prot ?? 3) & 2) === 0);
    if (spec.file !== (readOnly ? 'r' : 'rw')) throw new Inexpressible(`new: open() would not open the file '${spec.file}'`);
    return { kind: 'open', slot, length, options };
  }
  const method = METHODS[op.op];
  if (method === undefined) throw new Inexpressible(`no method ${op.op}`);
  const [name, params, shape] = method;
  const given = op.args ?? [];
  // Trailing `undefined`s are not given; a given argument past the last parameter is dropped (JS).
  const args = params.map((type, i) => witArg(given[i], type, `${op.op} argument ${i}`));
  return { kind: 'call', slot, method: name, args, shape };
}

/** The indices of a case's ops that the WIT cannot express, with why. */
export function inexpressible(c: Case): Map<number, string> {
  const why = new Map<number, string>();
  c.ops.forEach((op, i) => {
    try {
      step(op);
    } catch (e) {
      if (!(e instanceof Inexpressible)) throw e;
      why.set(i, e.message);
    }
  });
  return why;
}

/** The plan of a case whose every op the WIT can express. */
export function planOf(c: Case): Plan {
  return { file: c.file?.hex ?? null, steps: c.ops.map(step) };
}

/** Python's class name for a WIT error-kind: `file-not-found-error` is FileNotFoundError. */
export function className(kind: string): string {
  return kind.split('-').map((w) => (w === 'os' || w === 'io' ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1))).join('');
}
