// Runs cases (FORMAT.md) on wasm-mmap's MMap, answering in the oracle's shape.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MMap } from '../../src/index.ts';
import { METHOD_NAMES, type Arg, type Case, type FileMode, type Hex, type NewOp, type Op, type OpResult, type Result, type Value } from './cpython.ts';

/** The case itself is malformed (not an outcome of the library). */
class CaseError extends Error {}

const OPEN_FLAGS: Record<FileMode, number> = {
  r: fs.constants.O_RDONLY,
  w: fs.constants.O_WRONLY, // not the flag 'w', which would truncate
  rw: fs.constants.O_RDWR,
};
const NEW_OPTIONS = ['flags', 'prot', 'access', 'offset', 'backing'] as const;
const FILE_OPS = new Set(['fileWrite', 'fileTruncate', 'fileRead']);
const METHODS = new Set<string>(METHOD_NAMES);
const NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function bytesOf(hex: unknown): Uint8Array {
  if (typeof hex !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(hex)) throw new CaseError(`bad hex '${String(hex)}'`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** JSON argument -> the JS value it stands for. */
function decode(arg: Arg): unknown {
  if (Array.isArray(arg)) return arg.map(decode);
  if (arg === null || typeof arg !== 'object') return arg;
  const keys = Object.keys(arg).join();
  if (keys === 'hex') return bytesOf((arg as { hex: unknown }).hex);
  if (keys === 'undef' && (arg as { undef: unknown }).undef === true) return undefined;
  if (keys === 'num' && (arg as { num: string }).num in NUMBERS) return NUMBERS[(arg as { num: string }).num];
  throw new CaseError(`unknown argument object ${JSON.stringify(arg)}`);
}

function encode(value: unknown): Value {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return { hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  throw new CaseError(`cannot encode result ${String(value)}`);
}

function call(m: MMap, name: string, args: unknown[]): unknown {
  switch (name) {
    case 'closed':
      return m.closed;
    case 'length':
      return m.length;
    case 'dispose':
      return m[Symbol.dispose]();
    default:
      return (m as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
  }
}

/** State of one case while it runs. */
class Run {
  readonly maps = new Map<number, MMap>();
  /** Maps displaced by a later `new`: kept open until the case ends, as in the oracle. */
  readonly replaced: MMap[] = [];
  readonly writer: number;

  constructor(readonly file: string | null) {
    this.writer = file === null ? -1 : fs.openSync(file, fs.constants.O_RDWR);
  }

  needFile(what: string): string {
    if (this.file === null) throw new CaseError(`${what} needs the case's file`);
    return this.file;
  }

  newMap(op: NewOp): string {
    let fd = -1;
    let fileno: unknown;
    const spec = op.fileno as unknown;
    if (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && Object.keys(spec).join() === 'file') {
      const mode = (spec as { file: FileMode }).file;
      if (!(mode in OPEN_FLAGS)) throw new CaseError(`unknown file mode '${String(mode)}'`);
      fileno = fd = fs.openSync(this.needFile('fileno {file}'), OPEN_FLAGS[mode]);
    } else if ('fileno' in op) {
      fileno = decode(op.fileno as Arg);
    }
    try {
      const length = 'length' in op ? decode(op.length as Arg) : undefined;
      const options: Record<string, unknown> = {};
      for (const key of NEW_OPTIONS) {
        const value = key in op ? decode(op[key] as Arg) : undefined;
        if (value !== undefined) options[key] = value;
      }
      const m = new MMap(fileno as number, length as number, options);
      const slot = op.map ?? 0;
      const old = this.maps.get(slot);
      if (old) this.replaced.push(old);
      this.maps.set(slot, m);
      return m.toString();
    } finally {
      if (fd >= 0) fs.closeSync(fd); // the map must keep working without it
    }
  }

  fileOp(op: Op): unknown {
    const file = this.needFile(op.op);
    if (op.op === 'fileWrite') {
      const data = bytesOf((op.data as unknown as { hex: unknown })?.hex);
      fs.writeSync(this.writer, data, 0, data.length, op.offset);
      return null;
    }
    if (op.op === 'fileTruncate') {
      fs.ftruncateSync(this.writer, op.length);
      return null;
    }
    return new Uint8Array(fs.readFileSync(file));
  }

  runOp(op: Op): OpResult {
    if (op === null || typeof op !== 'object') throw new CaseError(`an op is an object, not ${JSON.stringify(op)}`);
    if (FILE_OPS.has(op.op)) {
      try {
        return { ok: encode(this.fileOp(op)) };
      } catch (e) {
        if (e instanceof CaseError) throw e;
        return { err: errorOf(e) };
      }
    }
    const slot = ('map' in op ? op.map : undefined) ?? 0;
    let act: () => unknown;
    if (op.op === 'new') {
      act = () => this.newMap(op as NewOp);
    } else if (!METHODS.has(op.op)) {
      throw new CaseError(`unknown op '${String(op.op)}'`);
    } else {
      const m = this.maps.get(slot);
      const raw = 'args' in op ? op.args ?? [] : [];
      if (!Array.isArray(raw)) throw new CaseError(`\`args\` of ${op.op} is not an array`);
      if (m === undefined) return { nomap: true, pos: null };
      const args = raw.map(decode);
      act = () => call(m, op.op, args);
    }
    let record: OpResult;
    try {
      record = { ok: encode(act()) };
    } catch (e) {
      if (e instanceof CaseError) throw e;
      record = { err: errorOf(e) };
    }
    const m = this.maps.get(slot);
    record.pos = m === undefined || m.closed ? null : m.tell();
    return record;
  }

  /** Closes every map (so a copy backing publishes its bytes) and answers the file's bytes. */
  finish(): Hex | null {
    for (const m of [...this.replaced, ...this.maps.values()]) {
      try {
        m.close();
      } catch {
        // the answer is the file as it is; a failing close has no op to report on
      }
    }
    if (this.writer >= 0) fs.closeSync(this.writer);
    return this.file === null ? null : { hex: fs.readFileSync(this.file).toString('hex') };
  }
}

function errorOf(e: unknown): [string, string] {
  if (e instanceof Error) return [e.name, e.message];
  return ['thrown', String(e)];
}

/**
 * Runs one case on wasm-mmap.
 * @param c the case (FORMAT.md)
 * @returns the answer, in the oracle's shape
 * @example interpret({ ops: [{ op: 'new', fileno: -1, length: 4 }, { op: 'length' }] }).results[1] // { ok: 4, pos: 0 }
 */
export function interpret(c: Case): Result {
  if (c === null || typeof c !== 'object' || !Array.isArray(c.ops)) {
    return { results: [], file: null, error: 'a case is an object with an `ops` array' };
  }
  const result: Result = c.name === undefined ? { results: [], file: null } : { name: c.name, results: [], file: null };
  let dir: string | null = null;
  try {
    let file: string | null = null;
    if (c.file !== undefined && c.file !== null) {
      const content = bytesOf((c.file as { hex?: unknown }).hex);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-mmap-interpret-'));
      file = path.join(dir, 'file');
      fs.writeFileSync(file, content);
    }
    const run = new Run(file);
    try {
      for (const op of c.ops) result.results.push(run.runOp(op));
    } catch (e) {
      if (!(e instanceof CaseError)) throw e;
      result.error = e.message;
    } finally {
      result.file = run.finish();
    }
  } catch (e) {
    if (!(e instanceof CaseError)) throw e;
    result.error = e.message;
  } finally {
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/**
 * Runs a batch of cases on wasm-mmap.
 * @param cases the batch
 * @returns one answer per case, in order
 * @example interpretAll(cases).forEach((r, i) => compare(r, cpython[i]));
 */
export function interpretAll(cases: Case[]): Result[] {
  return cases.map(interpret);
}
