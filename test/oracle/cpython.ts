// Runs cases on CPython's mmap through oracle.py; the format is in FORMAT.md beside this file.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Bytes, as lowercase or uppercase hex. */
export type Hex = { hex: string };
/** JS `undefined` at that position: the argument is not given. */
export type Undef = { undef: true };
/** A number JSON cannot spell. */
export type Num = { num: 'NaN' | 'Infinity' | '-Infinity' };
/** One argument, as the JS value it stands for. */
export type Arg = number | string | boolean | null | Hex | Undef | Num | Arg[];

export type FileMode = 'r' | 'w' | 'rw';

/** TS members an op may call (`closed`, `length` are property reads, `dispose` is `[Symbol.dispose]`). */
export type MethodName =
  | 'close' | 'closed' | 'length' | 'toString' | 'seekable' | 'dispose' | 'size' | 'tell'
  | 'readByte' | 'readline' | 'find' | 'rfind' | 'flush' | 'madvise' | 'move' | 'read'
  | 'resize' | 'seek' | 'write' | 'writeByte' | 'getItem' | 'getSlice' | 'setItem' | 'setSlice';

export const METHOD_NAMES: readonly MethodName[] = [
  'close', 'closed', 'length', 'toString', 'seekable', 'dispose', 'size', 'tell',
  'readByte', 'readline', 'find', 'rfind', 'flush', 'madvise', 'move', 'read',
  'resize', 'seek', 'write', 'writeByte', 'getItem', 'getSlice', 'setItem', 'setSlice',
];

export interface NewOp {
  op: 'new';
  map?: number;
  /** A number is passed as is; `{file}` is the case's file opened with that mode. */
  fileno?: Arg | { file: FileMode };
  length?: Arg;
  flags?: Arg;
  prot?: Arg;
  access?: Arg;
  offset?: Arg;
  /** wasm-mmap only; the oracle ignores it. */
  backing?: Arg;
}
export interface CallOp { op: MethodName; map?: number; args?: Arg[] }
export interface FileWriteOp { op: 'fileWrite'; offset: number; data: Hex }
export interface FileTruncateOp { op: 'fileTruncate'; length: number }
export interface FileReadOp { op: 'fileRead' }
export type Op = NewOp | CallOp | FileWriteOp | FileTruncateOp | FileReadOp;

export interface Case {
  name?: string;
  /** Initial bytes of the case's temporary file; omitted or null: no file. */
  file?: Hex | null;
  ops: Op[];
}

export type Value = number | string | boolean | null | Hex;
/** `pos` is the op's map's tell() afterwards (null: closed or empty slot); absent for file ops. */
export type OpResult = (
  | { ok: Value }
  | { err: [name: string, message: string] }
  | { crash: 'SIGBUS' | 'SIGSEGV' | 'timeout' | string }
  | { nomap: true }
) & { pos?: number | null };

export interface Result {
  name?: string;
  /** One per op; shorter than `ops` after a crash or a malformed op. */
  results: OpResult[];
  /** The file's bytes after the case. */
  file: Hex | null;
  /** Set only when the case is malformed; never a CPython outcome. */
  error?: string;
}

const ORACLE = fileURLToPath(new URL('./oracle.py', import.meta.url));

/**
 * Runs `cases` on CPython (one python3 process, one forked child per case).
 * @param cases the batch
 * @returns one Result per case, in order
 * @throws Error when python3 cannot run or the oracle itself fails
 * @example const [r] = await runCPython([{ ops: [{ op: 'new', fileno: -1, length: 4 }, { op: 'length' }] }]);
 */
export function runCPython(cases: Case[]): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.PYTHON ?? 'python3', [ORACLE], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.stdin.on('error', () => {}); // an early exit is reported by 'close' with stderr
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString();
      if (code !== 0) {
        reject(new Error(`oracle.py exited with ${code ?? signal}: ${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as Result[]);
      } catch (e) {
        reject(new Error(`oracle.py gave unreadable output (${(e as Error).message}): ${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(cases));
  });
}
