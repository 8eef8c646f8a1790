// Runs cases on CPython (oracle.py) and on wasm-mmap (interpret.ts) and compares every answer:
// results, error classes and messages, the cursor, and the file's bytes. The only allowed
// differences are README's documented ones, in the table below.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runCPython, type Case, type NewOp, type Op, type OpResult, type Result } from '../oracle/cpython.ts';
import type { Backing } from './generator.ts';

/**
 * The normalisation table: each row is one of README's differences from CPython (its table
 * "Differences from Python"), and nothing else is forgiven.
 *
 * | row        | CPython 3.11                                   | wasm-mmap must answer                                 |
 * |------------|------------------------------------------------|-------------------------------------------------------|
 * | seek       | `None`                                         | the new position; the oracle already reports tell()   |
 * | crash      | SIGBUS/SIGSEGV in op k (the case stops), or    | op k: `OSError [Errno 14] Bad address`; but when the  |
 * |            | EFAULT from MADV_POPULATE_READ/WRITE over a    | (a populate: only then; otherwise it is compared as   |
 * |            | shared anonymous map grown past its first size | it is)                                                |
 * |            |                                                | same case with every resized shared anonymous map     |
 * |            |                                                | made in a 1 MiB shmem object (objectVariant) runs on  |
 * |            |                                                | without crashing at k (growth past the first size,   |
 * |            |                                                | README), every answer from op k on must equal that    |
 * |            |                                                | run's (zeros past the first size). The file is not    |
 * |            |                                                | compared after a crash (CPython may have died         |
 * |            |                                                | mid-write).                                           |
 * | enomem     | `new`/`resize` asking for more than ENOMEM_AT  | `OSError [Errno 12] Cannot allocate memory`. If       |
 * |            | bytes: success, or any OSError (EFBIG from     | CPython succeeded, the two maps now differ by design: |
 * |            | ftruncate, EINVAL from mremap, ENOMEM)         | comparison stops there, the file included.            |
 * | search     | find/rfind whose window reaches the map's      | which bytes a search reads depends on its algorithm   |
 * |            | pages past the file's end (or a PROT_NONE      | (CPython's reads some candidates' later bytes only    |
 * |            | map): a crash, or a result when its search     | after a first-byte match). A forward search whose     |
 * |            | happened not to read a lost page               | match ends before the lost pages answers it, where    |
 * |            |                                                | CPython crashed too; any other search reaching them   |
 * |            |                                                | is EFAULT, where CPython answered too (cursor kept)   |
 * | split      | `resize` after `madvise` with advice that      | resizes (not modelled). CPython's map kept its size,  |
 * |            | changes the mapping's flags (SPLITTING) on     | so the maps now differ by design: comparison stops    |
 * |            | part of the map: OSError EFAULT (mremap across | there, the file included.                             |
 * |            | the two mappings Linux split it into)          |                                                       |
 * | copy       | another map's or writer's bytes visible at     | copy backing only (README's row, and Backings): a     |
 * |            | once                                           | `fileRead` is compared only right after `flush()` (no |
 * |            |                                                | arguments), `close()` or `dispose` of the case's one  |
 * |            |                                                | file map;                                             |
 * |            |                                                | the generator makes no other writers there, and a     |
 * |            |                                                | second file map only as a private one beside a        |
 * |            |                                                | private first map, with no resize after it.           |
 *
 * README's other differences need no row: `seekable()` is answered by the oracle itself (as
 * 3.13); strings as bytes, booleans as integers, unsafe integers, MADV_HWPOISON..GUARD_REMOVE,
 * MAP_FIXED and the buffer protocol are never generated; `resize(2**62)` is the enomem row.
 */
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

/** `populate`: not a crash but MADV_POPULATE_* answering EFAULT, judged by the crash row's second run only. */
type Judgement = Divergence | null | { crashAt: number; populate?: true };

// MADV_POPULATE_READ, MADV_POPULATE_WRITE: on a shared anonymous map's pages past its first
// size, CPython's madvise answers EFAULT where a touch would be SIGBUS.
const POPULATE = new Set<unknown>([22, 23]);

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
    if (op.op === 'madvise' && POPULATE.has((op as { args?: unknown[] }).args?.[0]) && isError(p, EFAULT) && o !== undefined && 'ok' in o) {
      return { crashAt: j, populate: true };
    }
    if (o === undefined) return divergence(j, op.op, p, o);
    if (op.op === 'fileRead' && backing === 'copy' && !fileReadComparable(c, j)) continue;
    if (SEARCHES.has(op.op) && 'ok' in p && isError(o, EFAULT) && o.pos === p.pos && searchMayFault(c, py, j, p.ok as number)) continue;
    if (op.op === 'resize' && isError(p, EFAULT) && 'ok' in o && afterSplit(c, py, j)) return null; // the split row: sizes now differ
    if (isError(o, ENOMEM) && requestedSize(op) > ENOMEM_AT && ('ok' in p || ('err' in p && p.err[0] === 'OSError'))) {
      if ('ok' in p) return null; // the maps now differ by design; nothing after is comparable
      if (o.pos === p.pos) continue;
    }
    if (canon(p) !== canon(o)) return divergence(j, op.op, p, o);
  }
  if (ours.results.length !== py.results.length) {
    return divergence('length', 'case', py.results.length, ours.results.length);
  }
  if (canon(py.file) !== canon(ours.file)) return divergence('file', 'file', py.file, ours.file);
  return null;
}

/**
 * Bytes of shmem object the crash row's second run gives each shared anonymous map: more than
 * the generator ever grows a map to, and small enough that a whole map in an answer stays small.
 */
const OBJECT = 1 << 20;

/**
 * The crash row's second run: every shared anonymous map that resizes is made in a shmem object
 * of OBJECT bytes and resized at once to its length (an op inserted after its `new`), so that
 * growing it never passes the object's end: pages a shrink unmapped come back with their bytes,
 * pages never mapped are zeros. Null when no map needs it. `inserted`: the indices of the
 * inserted ops in the variant, whose answers are dropped.
 */
function objectVariant(c: Case, py: Result): Variant | null {
  const ops: Op[] = [];
  const inserted: number[] = [];
  const lengths = new Map<number, number>();
  c.ops.forEach((op, i) => {
    ops.push(op);
    // A `new` CPython failed changes nothing; one past its crash may succeed in the second run.
    const answer = py.results[i];
    if (op.op !== 'new' || (op as NewOp).fileno !== -1 || (answer !== undefined && !('ok' in answer))) return;
    const n = op as NewOp;
    const slot = n.map ?? 0;
    const flags = n.flags === undefined ? 1 : n.flags;
    const shared = n.access === 2 || ((n.access === undefined || n.access === 0) && typeof flags === 'number' && (flags & 3) !== 2);
    // Only a map that is resized later (before another `new` took its slot) can grow; past
    // CPython's crash, any resize of the slot may be one that succeeds in the second run.
    let resized = false;
    for (let j = i + 1; j < c.ops.length; j++) {
      const o = c.ops[j] as { op: string; map?: number };
      const r = py.results[j];
      if ((o.map ?? 0) !== slot || (r !== undefined && !('ok' in r))) continue;
      if (o.op === 'new' && r !== undefined) break;
      if (o.op === 'resize') resized = true;
    }
    // A length CPython refuses must stay as it is: its error is part of the answers. A map
    // without PROT_WRITE is ACCESS_READ, which resize() refuses: it cannot grow.
    const prot = n.prot === undefined ? 3 : n.prot;
    if (!shared || !resized || !Number.isInteger(n.length) || (n.length as number) <= 0) return;
    if (typeof prot !== 'number' || (prot & 2) === 0) return;
    ops[ops.length - 1] = { ...n, length: OBJECT };
    lengths.set(ops.length - 1, n.length);
    inserted.push(ops.length);
    // Only if that `new` made a map: one past CPython's crash may fail in the second run too.
    ops.push({ op: 'resize', ...(n.map === undefined ? {} : { map: n.map }), args: [n.length], ifMade: true } as Op);
  });
  return inserted.length === 0 ? null : { c: { ...c, ops }, inserted, lengths };
}

interface Variant {
  c: Case;
  /** Indices of the inserted resize ops. */
  inserted: number[];
  /** Indices of the `new` ops made OBJECT bytes long, and the length each asked for. */
  lengths: Map<number, number>;
}

/**
 * The second run's answers for the original case's ops: without those of the inserted ops, and
 * each enlarged `new`'s repr with the length it asked for (the inserted resize gave it that).
 */
function originalAnswers(r: Result, v: Variant): Result {
  const results = r.results.map((a, i) => {
    const length = v.lengths.get(i);
    return length !== undefined && 'ok' in a && typeof a.ok === 'string' ? { ...a, ok: a.ok.replace(`length=${OBJECT},`, `length=${length},`) } : a;
  });
  return { ...r, results: results.filter((_, i) => !v.inserted.includes(i)) };
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

function crashAnswer(c: Case, py: Result, ours: Result, k: number): Divergence | null {
  const o = ours.results[k];
  // The search row: a forward search whose match ends before the lost pages answers it.
  if (c.ops[k].op === 'find' && o !== undefined && 'ok' in o && typeof o.ok === 'number' && o.ok >= 0) {
    const s = searchAt(c, py, k);
    if (s !== null && o.ok + s.needle <= s.lost) return null;
  }
  return isError(o, EFAULT) ? null : divergence(k, c.ops[k].op, { crash: true, want: EFAULT }, o);
}

// The search row of the table.
const SEARCHES = new Set(['find', 'rfind']);

/** What the runner knows of a map before an op, from CPython's answers to the ops before it. */
interface MapState {
  length: number;
  offset: number;
  /** It maps the case's file (not MAP_ANONYMOUS). */
  file: boolean;
  /** Its `new` named the case's file: its resize() truncates the file even if anonymous. */
  truncates: boolean;
  protNone: boolean;
  /** The cursor. */
  pos: number;
  /** A madvise on part of it with advice that splits a Linux mapping. */
  split: boolean;
}

// Advice that changes a mapping's flags (Linux mm/madvise.c madvise_update_vma): on part of a
// mapping, Linux splits it in two. RANDOM, SEQUENTIAL, DONTFORK, DOFORK, MERGEABLE,
// UNMERGEABLE, HUGEPAGE, NOHUGEPAGE, DONTDUMP, DODUMP, WIPEONFORK, KEEPONFORK.
const SPLITTING = new Set<unknown>([1, 2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
const EFBIG = '[Errno 27] File too large';

/** Replays CPython's answers to ops [0, j): each map's length, offset and cursor, and the file's size. */
function statesBefore(c: Case, py: Result, j: number): { maps: Map<number, MapState>; fileSize: number } {
  const maps = new Map<number, MapState>();
  let fileSize = c.file ? c.file.hex.length / 2 : 0;
  for (let i = 0; i < j; i++) {
    const op = c.ops[i] as Op & { map?: number; args?: unknown[] };
    const r = py.results[i];
    if (op.op === 'fileTruncate') fileSize = op.length;
    else if (op.op === 'fileWrite') fileSize = Math.max(fileSize, op.offset + op.data.hex.length / 2);
    if (op.op.startsWith('file') || r === undefined) continue;
    const slot = op.map ?? 0;
    const m = maps.get(slot);
    if (op.op === 'new') {
      const n = op as NewOp;
      const length = 'ok' in r && typeof r.ok === 'string' ? /length=(\d+)/.exec(r.ok) : null;
      if (length === null) continue; // a failed new leaves the slot as it was
      const named = n.fileno !== null && typeof n.fileno === 'object' && 'file' in n.fileno;
      const flags = typeof n.flags === 'number' ? n.flags : 1;
      maps.set(slot, {
        length: Number(length[1]), offset: typeof n.offset === 'number' ? n.offset : 0, file: named && (flags & 32) === 0,
        truncates: named, protNone: n.prot === 0, pos: 0, split: false,
      });
      continue;
    }
    if (m === undefined) continue;
    if (typeof r.pos === 'number') m.pos = r.pos;
    const n = op.args?.[0];
    if (op.op === 'resize' && typeof n === 'number' && ('ok' in r || ('err' in r && r.err[0] === 'OSError' && r.err[1] !== EFBIG))) {
      // CPython's resize ftruncates first; mremap may fail after it (EINVAL for 0, EFAULT).
      if (m.truncates && n >= 0) fileSize = m.offset + n;
      if ('ok' in r) m.length = n;
    }
    if (op.op === 'madvise' && 'ok' in r && SPLITTING.has(n)) {
      const [start, len] = [op.args?.[1], op.args?.[2]];
      const s = typeof start === 'number' ? start : 0;
      const end = typeof len === 'number' ? s + len : m.length;
      if (s > 0 || Math.ceil(end / 4096) < Math.ceil(m.length / 4096)) m.split = true;
    }
  }
  return { maps, fileSize };
}

/**
 * A search op's needle length and where its map's lost pages start (pages past the file's
 * end, or 0 for PROT_NONE), when its window [start, end) reaches them; null otherwise.
 */
function searchAt(c: Case, py: Result, j: number): { needle: number; lost: number } | null {
  const op = c.ops[j] as { map?: number; args?: unknown[] };
  const { maps, fileSize } = statesBefore(c, py, j);
  const m = maps.get(op.map ?? 0);
  const sub = op.args?.[0];
  if (m === undefined || sub === null || typeof sub !== 'object' || !('hex' in sub)) return null;
  const lost = m.protNone ? 0 : m.file ? Math.max(0, Math.ceil((fileSize - m.offset) / 4096) * 4096) : Infinity;
  // CPython mmap_gfind: start defaults to the cursor, end to the length; negatives count from
  // the end; both are clamped to [0, length].
  const clamp = (v: unknown, dflt: number) => {
    if (typeof v !== 'number') return dflt;
    const x = v < 0 ? v + m.length : v;
    return Math.min(Math.max(x, 0), m.length);
  };
  const start = clamp(op.args?.[1], m.pos);
  const end = clamp(op.args?.[2], m.length);
  return end > lost && end > start ? { needle: (sub as { hex: string }).hex.length / 2, lost } : null;
}

/** The search row, where CPython answered `found` and we EFAULT: fine unless a forward match ended before the lost pages. */
function searchMayFault(c: Case, py: Result, j: number, found: number): boolean {
  const s = searchAt(c, py, j);
  if (s === null) return false;
  return c.ops[j].op === 'rfind' || found < 0 || found + s.needle > s.lost;
}

/** The split row: an earlier madvise split op `j`'s map. */
function afterSplit(c: Case, py: Result, j: number): boolean {
  return statesBefore(c, py, j).maps.get((c.ops[j] as { map?: number }).map ?? 0)?.split ?? false;
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
 * @param run what answers for wasm-mmap (default: the interpreter of src/ in a child process;
 *   test/guests/ passes the component's drivers)
 * @returns one verdict per case, in order
 * @throws Error when python3 cannot run the oracle
 * @example const [v] = await check([generate(new Rng(1), 'native')]); v.divergence // null
 */
export async function check(cases: Case[], run: (cases: Case[]) => Promise<Result[]> = (c) => worker.run(c)): Promise<Verdict[]> {
  const py = await runCPython(cases);
  const ours = await run(cases);
  const judged = cases.map((c, i) => judge(c, py[i], ours[i], backingOf(c)));
  const crashed = judged.flatMap((j, i) => (j !== null && 'crashAt' in j ? [i] : []));
  const variants = crashed.map((i) => objectVariant(cases[i], py[i]));
  const toRerun = variants.flatMap((v) => (v === null ? [] : [v.c]));
  const rerun = toRerun.length === 0 ? [] : await runCPython(toRerun);
  let next = 0;
  crashed.forEach((i, n) => {
    const k = (judged[i] as { crashAt: number }).crashAt;
    const variant = variants[n];
    const populate = (judged[i] as { populate?: true }).populate === true;
    let verdict: Judgement = { crashAt: k };
    if (variant !== null) {
      const again = originalAnswers(rerun[next++], variant);
      const r = again.results[k];
      // Without a crash at k there, the crash came from growth past a shared anonymous map's
      // first size. Ops before k are the first run's to answer (`new` shows the object's size).
      if (r !== undefined && !('crash' in r) && !(populate && isError(r, EFAULT))) verdict = judge(cases[i], again, ours[i], backingOf(cases[i]), k);
    }
    // A populate EFAULT that the second run does not explain is an ordinary divergence.
    if (populate && verdict !== null && 'crashAt' in verdict && verdict.crashAt === k) {
      verdict = divergence(k, cases[i].ops[k].op, py[i].results[k], ours[i].results[k]);
    }
    judged[i] = verdict !== null && 'crashAt' in verdict ? crashAnswer(cases[i], py[i], ours[i], verdict.crashAt) : verdict;
  });
  return judged.map((j, i) => ({ divergence: j as Divergence | null, ops: py[i].results.length }));
}
