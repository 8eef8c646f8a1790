// Runs cases on CPython (oracle.py) and on wasm-mmap (interpret.ts) and compares every answer:
// results, error classes and messages, the cursor, and the file's bytes. The only allowed
// differences are docs/spec/API.md's deliberate ones, in the table NORMALISATION below.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runCPython, type Case, type NewOp, type Op, type OpResult, type Result } from '../oracle/cpython.ts';
import type { Backing } from './generator.ts';

/**
 * The normalisation table: each row is one of docs/spec/API.md's deliberate differences, and nothing
 * else is forgiven.
 *
 * | row        | CPython 3.11                                   | wasm-mmap must answer                                 |
 * |------------|------------------------------------------------|-------------------------------------------------------|
 * | seek       | `None`                                         | the new position; the oracle already reports tell()   |
 * | conversion | a TypeError/OverflowError/IndexError whose     | the same class; the message is not compared           |
 * |            | message matches CONVERSION (argument           |                                                       |
 * |            | conversion and arity: docs/spec/API.md, Errors)          |                                                       |
 * | crash      | SIGBUS/SIGSEGV in op k (the case stops)        | op k: `OSError [Errno 14] Bad address`; but when the  |
 * |            |                                                | same case with every shared anonymous map made        |
 * |            |                                                | MAP_PRIVATE runs on without crashing at k (the grown  |
 * |            |                                                | shared anonymous map of docs/spec/mmap-semantics.md §10.4), every answer     |
 * |            |                                                | from op k on must equal that run's (zeros). The file  |
 * |            |                                                | is not compared after a crash (CPython may have died  |
 * |            |                                                | mid-write). A case with MADV_DONTNEED/FREE/REMOVE     |
 * |            |                                                | has no such model (they act differently on private    |
 * |            |                                                | memory): its answers from op k on are not judged.     |
 * | enomem     | `new`/`resize` asking for more than ENOMEM_AT  | `OSError [Errno 12] Cannot allocate memory`. If       |
 * |            | bytes: success, or any OSError (EFBIG from     | CPython succeeded, the two maps now differ by design: |
 * |            | ftruncate, EINVAL from mremap, ENOMEM)         | comparison stops there, the file included.            |
 * | search     | find/rfind over a window reaching pages past   | either answer: which bytes a search reads depends on  |
 * |            | the file's end (after a fileTruncate or a      | its algorithm (CPython's reads some candidates' later |
 * |            | resize): a crash, or a result when its search  | bytes only after a first-byte match), so a result     |
 * |            | happened not to read a lost page               | where CPython crashed, or EFAULT where it did not     |
 * |            |                                                | (the cursor unchanged)                                |
 * | copy       | another map's or writer's bytes visible at     | copy backing only: a `fileRead` is compared only      |
 * |            | once                                           | right after `flush()` (no arguments), `close()` or    |
 * |            |                                                | `dispose` of the case's one file map; the generator   |
 * |            |                                                | makes no other writers and no second file map there.  |
 *
 * Strings as bytes, booleans as integers and unsafe integers are deliberate differences too,
 * but the generator never makes them, so they have no row.
 */
export const CONVERSION = [
  'cannot be interpreted as an integer',
  'argument should be integer or None',
  'a bytes-like object is required',
  'too large to convert',
  'integer is greater than',
  'integer is less than',
  'cannot fit',
  'slice indices must be integers',
  'takes exactly',
  'takes at least',
  'takes at most',
  'missing required argument',
];

/** Sizes above this are beyond one wasm32 memory (4 GiB less the core's pages and alignment). */
export const ENOMEM_AT = 2 ** 32 - 2 ** 24;

const EFAULT: [string, string] = ['OSError', '[Errno 14] Bad address'];
const ENOMEM: [string, string] = ['OSError', '[Errno 12] Cannot allocate memory'];

/** Where and how the two answers part. */
export interface Divergence {
  /** The op's index, or `file` (final bytes), `length` (count of answers), `error` (a run
   * failed), `crash` (wasm-mmap killed the process: a bug wherever CPython stands). */
  at: number | 'file' | 'length' | 'error' | 'crash';
  op: string;
  py: unknown;
  ours: unknown;
  /** What the shrinker keeps fixed: the op's name and both answers' kinds. */
  signature: string;
}

/** The outcome of one case. */
export interface Verdict {
  divergence: Divergence | null;
  /** Ops CPython answered (the case's length, or up to its crash). */
  ops: number;
}

type Judgement = Divergence | null | { crashAt: number };

function kind(r: unknown): string {
  if (r === undefined || r === null || typeof r !== 'object') return 'missing';
  const o = r as Record<string, unknown>;
  if ('err' in o) return (o.err as string[])[0];
  return ['ok', 'crash', 'nomap'].find((k) => k in o) ?? 'missing';
}

function canon(x: unknown): string {
  if (x === null || typeof x !== 'object') return JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canon(o[k])}`).join(',')}}`;
}

function isError(r: OpResult | undefined, [name, message]: [string, string]): boolean {
  return r !== undefined && 'err' in r && r.err[0] === name && r.err[1] === message;
}

/** The conversion row: drops both messages where CPython's is an argument-conversion one. */
function relax(py: OpResult, ours: OpResult): [OpResult, OpResult] {
  if (!('err' in py) || !CONVERSION.some((c) => py.err[1].includes(c))) return [py, ours];
  const drop = (r: OpResult): OpResult => ('err' in r ? { ...r, err: [r.err[0], ''] } : r);
  return [drop(py), drop(ours)];
}

/** The enomem row: the size an op asks for, when it is `new` or `resize`. */
function requestedSize(op: Op): number {
  if (op.op === 'new') {
    const n = op as NewOp;
    return (typeof n.length === 'number' ? n.length : 0) + (typeof n.offset === 'number' ? n.offset : 0);
  }
  if (op.op === 'resize') {
    const a = (op as { args?: unknown[] }).args?.[0];
    return typeof a === 'number' ? a : 0;
  }
  return 0;
}

/** The copy row: is op j's fileRead one the copy backing promises to answer like CPython? */
function fileReadComparable(c: Case, j: number): boolean {
  const fileSlots = new Set<number>();
  let fileMaps = 0;
  for (let i = 0; i < j; i++) {
    const op = c.ops[i];
    if (op.op !== 'new') continue;
    const slot = op.map ?? 0;
    const spec = (op as NewOp).fileno;
    if (spec !== null && typeof spec === 'object' && 'file' in spec) {
      fileSlots.add(slot);
      fileMaps++;
    } else {
      fileSlots.delete(slot);
    }
  }
  const prev = c.ops[j - 1] as { op: string; map?: number; args?: unknown[] } | undefined;
  if (prev === undefined || fileMaps > 1 || !fileSlots.has(prev.map ?? 0)) return fileMaps === 0;
  return prev.op === 'close' || prev.op === 'dispose' || (prev.op === 'flush' && (prev.args ?? []).length === 0);
}

function divergence(at: Divergence['at'], op: string, py: unknown, ours: unknown): Divergence {
  return { at, op, py, ours, signature: `${op}:${at === 'file' ? 'file' : `${kind(py)}>${kind(ours)}`}` };
}

/** Compares answers from op `from` on (the crash row's second run answers only the rest). */
function judge(c: Case, py: Result, ours: Result, backing: Backing | 'anonymous', from = 0): Judgement {
  if (ours.error?.startsWith(CRASHED)) {
    const k = py.results.findIndex((r) => 'crash' in r);
    return { at: 'crash', op: k < 0 ? 'case' : c.ops[k].op, py: py.results.at(-1), ours: ours.error, signature: `crash:${ours.error}` };
  }
  if (py.error !== undefined || ours.error !== undefined) {
    return divergence('error', 'case', py.error ?? null, ours.error ?? null);
  }
  for (let j = from; j < py.results.length; j++) {
    const op = c.ops[j];
    const p = py.results[j];
    const o = ours.results[j];
    if ('crash' in p) return { crashAt: j };
    if (o === undefined) return divergence(j, op.op, p, o);
    if (op.op === 'fileRead' && backing === 'copy' && !fileReadComparable(c, j)) continue;
    if (SEARCHES.has(op.op) && 'ok' in p && isError(o, EFAULT) && o.pos === p.pos && fileMayHaveShrunk(c, j)) continue;
    if (isError(o, ENOMEM) && requestedSize(op) > ENOMEM_AT && ('ok' in p || ('err' in p && p.err[0] === 'OSError'))) {
      if ('ok' in p) return null; // the maps now differ by design; nothing after is comparable
      if (o.pos === p.pos) continue;
    }
    const [pn, on] = relax(p, o);
    if (canon(pn) !== canon(on)) return divergence(j, op.op, p, o);
  }
  if (ours.results.length !== py.results.length) {
    return divergence('length', 'case', py.results.length, ours.results.length);
  }
  if (canon(py.file) !== canon(ours.file)) return divergence('file', 'file', py.file, ours.file);
  return null;
}

// Advice whose effect on bytes differs between shared and private anonymous memory.
const CONTENT_ADVICE = new Set<unknown>([4, 8, 9]); // MADV_DONTNEED, MADV_FREE, MADV_REMOVE

/** The crash row's second run: every shared anonymous map made MAP_PRIVATE (null: none).
 * ACCESS_WRITE becomes `flags=MAP_PRIVATE, prot=PROT_WRITE`, which CPython also stores as
 * ACCESS_WRITE (docs/spec/mmap-semantics.md §2.2), so every repr stays the same. 'unjudgeable' when the case gives
 * advice that changes bytes differently in private memory: that run is no model then. */
function privateVariant(c: Case): Case | null | 'unjudgeable' {
  let changed = false;
  const ops = c.ops.map((op): Op => {
    if (op.op !== 'new' || (op as NewOp).fileno !== -1) return op;
    const n = op as NewOp;
    const flags = n.flags === undefined ? 1 : n.flags;
    if ((n.access === undefined || n.access === 0) && typeof flags === 'number' && (flags & 3) === 1) {
      changed = true;
      return { ...n, flags: flags ^ 3 };
    }
    // ACCESS_WRITE allows flags and prot only at their defaults (docs/spec/mmap-semantics.md §2.2).
    if (n.access === 2 && (n.flags === undefined || n.flags === 1) && (n.prot === undefined || n.prot === 3)) {
      changed = true;
      const { access: _, ...rest } = n;
      return { ...rest, flags: 2, prot: 2 };
    }
    return op;
  });
  if (!changed) return null;
  const advice = c.ops.some((op) => op.op === 'madvise' && CONTENT_ADVICE.has((op as { args?: unknown[] }).args?.[0]));
  return advice ? 'unjudgeable' : { ...c, ops };
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** Marks an answer of ours whose process died (a signal: the library crashed Node). */
const CRASHED = 'wasm-mmap crashed the process: ';

/** The interpreter in a child process, kept between batches and started again after a crash. */
class Worker {
  private child: ChildProcess | null = null;
  private lines: string[] = [];
  private wake: (() => void) | null = null;
  private exit: string | null = null;

  private start(): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    this.exit = null;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.wake?.();
    });
    child.on('close', (code, signal) => {
      this.exit = signal ?? `exit ${code}`;
      this.child = null;
      this.wake?.();
    });
    child.stdin!.on('error', () => {}); // a crash mid-write is reported by 'close'
    return child;
  }

  /** Idle, the child must not keep this process alive; busy, it must. */
  private hold(child: ChildProcess, busy: boolean): void {
    for (const handle of [child, child.stdin, child.stdout] as unknown as { ref(): void; unref(): void }[]) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }

  /** Answers `cases` in order; a case that kills the child answers `error: CRASHED + signal`. */
  async run(cases: Case[]): Promise<Result[]> {
    const out: Result[] = [];
    while (out.length < cases.length) {
      const child = this.child ?? (this.child = this.start());
      const batch = cases.slice(out.length);
      this.hold(child, true);
      child.stdin!.write(batch.map((c) => `${JSON.stringify(c)}\n`).join(''));
      for (let done = 0; done < batch.length; ) {
        if (this.lines.length > 0) {
          out.push(JSON.parse(this.lines.shift()!) as Result);
          done++;
        } else if (this.exit !== null) {
          out.push({ results: [], file: null, error: CRASHED + this.exit });
          this.exit = null;
          break;
        } else {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
        }
      }
    }
    if (this.child !== null) this.hold(this.child, false);
    return out;
  }

  /** Ends the child (it also ends with this process: it is unref'd). */
  stop(): void {
    this.child?.stdin!.end();
    this.child = null;
  }
}

const worker = new Worker();

/** Ends the interpreter's child process, for a caller that wants to exit promptly. */
export function stopWorker(): void {
  worker.stop();
}

function crashAnswer(c: Case, ours: Result, k: number): Divergence | null {
  const o = ours.results[k];
  if (SEARCHES.has(c.ops[k].op) && o !== undefined && 'ok' in o) return null; // the search row
  return isError(o, EFAULT) ? null : divergence(k, c.ops[k].op, { crash: true, want: EFAULT }, o);
}

// The search row of the table.
const SEARCHES = new Set(['find', 'rfind']);

/** Whether a file may have shrunk before op `j` (another writer, or a resize): a map may then span pages past its end. */
function fileMayHaveShrunk(c: Case, j: number): boolean {
  return c.ops.slice(0, j).some((op) => op.op === 'fileTruncate' || op.op === 'resize');
}

/** The backing a case's file maps ask for (`anonymous` when it maps no file). */
export function backingOf(c: Case): Backing | 'anonymous' {
  for (const op of c.ops) {
    if (op.op === 'new' && typeof (op as NewOp).backing === 'string') return (op as NewOp).backing as Backing;
  }
  return 'anonymous';
}

/**
 * Runs `cases` on CPython and on wasm-mmap and compares them under the normalisation table.
 * @param cases the batch; each file map's `new` names its backing
 * @param runOurs the host that answers them (default: the Node host's interpreter; the Python
 *   host's tests pass theirs)
 * @returns one verdict per case, in order
 * @throws Error when python3 cannot run the oracle
 * @example const [v] = await check([generate(new Rng(1), 'native')]); v.divergence // null
 */
export async function check(cases: Case[], runOurs: (cases: Case[]) => Promise<Result[]> = (c) => worker.run(c)): Promise<Verdict[]> {
  const py = await runCPython(cases);
  const ours = await runOurs(cases);
  const judged = cases.map((c, i) => judge(c, py[i], ours[i], backingOf(c)));
  const crashed = judged.flatMap((j, i) => (j !== null && 'crashAt' in j ? [i] : []));
  const variants = crashed.map((i) => privateVariant(cases[i]));
  const toRerun = variants.filter((v): v is Case => v !== null && v !== 'unjudgeable');
  const rerun = toRerun.length === 0 ? [] : await runCPython(toRerun);
  let next = 0;
  crashed.forEach((i, n) => {
    const k = (judged[i] as { crashAt: number }).crashAt;
    const variant = variants[n];
    let verdict: Judgement = { crashAt: k };
    if (variant === 'unjudgeable') {
      verdict = null;
    } else if (variant !== null) {
      const again = rerun[next++];
      const r = again.results[k];
      // Without a crash at k there, the crash came from a grown shared anonymous map: zeros.
      // Ops before k are the first run's to answer: MAP_PRIVATE changes some advice (MADV_REMOVE).
      if (r !== undefined && !('crash' in r)) verdict = judge(variant, again, ours[i], backingOf(cases[i]), k);
    }
    judged[i] = verdict !== null && 'crashAt' in verdict ? crashAnswer(cases[i], ours[i], verdict.crashAt) : verdict;
  });
  return judged.map((j, i) => ({ divergence: j as Divergence | null, ops: py[i].results.length }));
}
