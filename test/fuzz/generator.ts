// Random cases (test/oracle/FORMAT.md) that reach every method of the API with its edge
// arguments. A case is drawn from a seed alone, so `seed` and `index` reproduce it.
import type { Arg, Case, FileMode, NewOp, Op } from '../oracle/cpython.ts';

/** Which backing a case's file maps use; `anonymous` cases map no file. */
export type Backing = 'native' | 'copy';

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** One of `table`'s values, each as likely as its weight. */
  weighted<T extends string>(table: Readonly<Record<T, number>>): T {
    const keys = Object.keys(table) as T[];
    let r = this.next() * keys.reduce((sum, k) => sum + table[k], 0);
    for (const k of keys) {
      r -= table[k];
      if (r < 0) return k;
    }
    return keys[keys.length - 1];
  }
}

/** The seed of case `index` of a run seeded `seed`: cases stay reproducible one by one. */
export function caseSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
}

// The largest safe integer: beyond it the TS API answers OverflowError where CPython takes the
// exact value (a deliberate difference), so no argument goes further. Sizes between 4 GiB and
// this are never asked for: CPython may grant them (a sparse file, an overcommitted map) and
// the oracle would then read gigabytes.
const HUGE = 2 ** 53 - 1;
const UNDEF: Arg = { undef: true };
const BYTES = ['00', '0a', '30', '31', '32', '61', '62', 'ff'];
// MADV_HWPOISON (100) and MADV_SOFT_OFFLINE (101) are left out: as root they damage real pages.
// 20-24: MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE (a private map
// copies the pages), MADV_DONTNEED_LOCKED.
const ADVICE = [0, 1, 2, 3, 4, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 23, 24, 999, -1];
// Advice that changes bytes or which pages a private map owns: aimed at parts of pages too.
const PAGE_ADVICE = [4, 4, 9, 23, 24];
const PAGE = 4096;
const MAP_PRIVATE = 2;
const MAP_POPULATE = 32768;
// Conversion failures (TypeError; compared by class only).
const NOT_INTEGERS: Arg[] = [null, 1.5, -0.5, { num: 'NaN' }, { num: 'Infinity' }, { num: '-Infinity' }, 'x', [1]];

/** What the generator believes about a slot, to aim arguments at its edges. */
interface Slot {
  size: number;
  file: boolean;
  writable: boolean;
  /** Its writes may reach the file (not MAP_PRIVATE, not ACCESS_COPY). */
  shared: boolean;
}

/** Builds one case; see `generate`. */
class Builder {
  readonly ops: Op[] = [];
  readonly slots = new Map<number, Slot>();
  fileBytes = '';
  /** Ops on the copy backing may read the file only right after a full flush or a close. */
  fileMaps = 0;
  /**
   * Whether resize() may be called: not once the copy backing has two maps of the file, as a
   * resize of one changes the file under the other, which a copy does not see.
   */
  resizable = true;

  constructor(readonly rng: Rng, readonly backing: Backing) {}

  /** A position or count near the edges of a map of `size` bytes. */
  position(size: number): Arg {
    const x = this.anyPosition(size);
    // Past ±(2^53 - 1) the TS API answers OverflowError by design (a deliberate difference).
    return typeof x === 'number' && Math.abs(x) > HUGE ? Math.sign(x) * HUGE : x;
  }

  private anyPosition(size: number): Arg {
    const r = this.rng;
    switch (r.weighted({ small: 5, edge: 5, negative: 3, huge: 1, odd: 1, undef: 1 })) {
      case 'small': return r.int(0, Math.max(1, Math.min(size + 1, 12)));
      case 'edge': return r.pick([size - 1, size, size + 1, Math.floor(size / 2), 0, 1, 4096, 4095]);
      case 'negative': return r.pick([-1, -2, -size, -size - 1, -size + 1, -4096]);
      case 'huge': return r.pick([HUGE, -HUGE, 2 ** 31, -(2 ** 31), 2 ** 32, HUGE - 1]);
      case 'odd': return r.pick(NOT_INTEGERS);
      default: return UNDEF;
    }
  }

  bytes(length: number): Arg {
    let hex = '';
    for (let i = 0; i < length; i++) hex += this.rng.pick(BYTES);
    return { hex };
  }

  /** A needle: often a piece of the file, so that searches hit. */
  needle(): Arg {
    const r = this.rng;
    const n = r.pick([0, 0, 1, 1, 1, 2, 2, 3, 5]);
    if (this.fileBytes.length >= 2 * n && r.chance(0.6)) {
      const at = r.int(0, this.fileBytes.length / 2 - n);
      return { hex: this.fileBytes.slice(2 * at, 2 * (at + n)) };
    }
    return this.bytes(n);
  }

  /** A length for `new`: what CPython and the library both refuse, or a small one. */
  newLength(fileSize: number | null): Arg {
    const r = this.rng;
    if (fileSize === null) return r.pick([1, 10, 10, 100, 4096, 4097, 8192, 0, -1, HUGE, 1.5, null]);
    return r.pick([0, 0, 0, 0, fileSize, Math.max(0, fileSize - 1), fileSize + 1, 1, 5, -1, HUGE, 'x']);
  }

  /** A new map in `slot`; `private`: flags MAP_PRIVATE (maybe with MAP_POPULATE), no access. */
  newMap(slot: number, fileSize: number | null, privateMap = false): void {
    const r = this.rng;
    const op: NewOp = { op: 'new' };
    if (slot !== 0) op.map = slot;
    let file = false;
    if (fileSize === null) {
      op.fileno = r.chance(0.95) ? -1 : r.pick([-2, 9999, 1.5]);
    } else {
      file = true;
      op.fileno = r.chance(0.95) ? { file: r.weighted<FileMode>({ rw: 8, r: 2, w: 1 }) } : r.pick([-2, 9999, 'x']);
      op.backing = this.backing;
    }
    op.length = this.newLength(fileSize);
    // access, flags and prot: mostly one of them, sometimes clashing ones; prot-only maps
    // (flags and prot without access), private and populated ones often.
    const which = privateMap ? 'private' : r.weighted({ none: 4, access: 4, flags: 3, prot: 2, protFlags: 2, both: 1 });
    if (which === 'access' || which === 'both') op.access = r.pick([0, 1, 2, 3, 3, 4, -1, 1.5]);
    if (which === 'flags' || which === 'both' || which === 'protFlags') {
      op.flags = r.pick([1, 2, 2, 2, 3, 0, 32, 1 | MAP_POPULATE, 2 | MAP_POPULATE, 2 | MAP_POPULATE, 12345678]);
    }
    if (which === 'private') op.flags = r.pick([MAP_PRIVATE, MAP_PRIVATE, MAP_PRIVATE | MAP_POPULATE]);
    if (which === 'prot' || which === 'protFlags' || (which === 'both' && r.chance(0.5)) || (which === 'private' && r.chance(0.3))) {
      op.prot = r.pick([1, 2, 3, 3, 5, 7, 0]);
    }
    if (r.chance(0.2)) op.offset = r.pick([0, 4096, 4096, 8192, 1, -1, 100]);
    this.ops.push(op);

    const length = typeof op.length === 'number' ? op.length : 0;
    const offset = typeof op.offset === 'number' ? op.offset : 0;
    const asked = file && length === 0 ? (fileSize ?? 0) - offset : length;
    const size = asked > 0 && asked < 2 ** 32 ? asked : 0; // larger maps fail
    const readOnly = op.access === 1 || op.prot === 1 || op.prot === 5 || op.prot === 0;
    const privateFlags = (op.access === undefined || op.access === 0) && typeof op.flags === 'number' && (op.flags & 3) === MAP_PRIVATE;
    const shared = !(op.access === 3 || privateFlags);
    this.slots.set(slot, { size, file, writable: !readOnly, shared });
    if (file) this.fileMaps++;
    if (file && this.backing === 'copy' && this.fileMaps > 1) this.resizable = false;
  }

  /** Python's slice.indices length: aims slice assignments at the right size. */
  sliceLength(size: number, start: Arg, stop: Arg, step: Arg): number {
    const st = typeof step === 'number' ? step : 1;
    if (st === 0) return 0;
    const clamp = (v: Arg, dflt: number): number => {
      if (typeof v !== 'number') return dflt;
      let x = v < 0 ? v + size : v;
      if (st > 0) x = Math.min(Math.max(x, 0), size);
      else x = Math.min(Math.max(x, -1), size - 1);
      return x;
    };
    const a = clamp(start, st > 0 ? 0 : size - 1);
    const b = clamp(stop, st > 0 ? size : -1);
    if (st > 0) return a < b ? Math.floor((b - a - 1) / st) + 1 : 0;
    return a > b ? Math.floor((a - b - 1) / -st) + 1 : 0;
  }

  call(op: string, slot: number, args: Arg[]): void {
    const r = this.rng;
    if (r.chance(0.03)) args.push(r.pick([0, 1, 'extra', null]));
    this.ops.push((slot === 0 ? { op, args } : { op, map: slot, args }) as Op);
  }

  method(slot: number): void {
    const r = this.rng;
    const size = this.slots.get(slot)?.size ?? 10;
    const pos = () => this.position(size);
    const name = r.weighted({
      read: 6, readByte: 3, readline: 3, write: 6, writeByte: 3, seek: 7, tell: 2, find: 6, rfind: 5,
      getItem: 5, getSlice: 6, setItem: 4, setSlice: 6, move: 4, flush: 3, madvise: 3, resize: 3,
      size: 1, length: 1, closed: 1, toString: 2, seekable: 1, close: 1, dispose: 0.5, resizeCycle: 2,
    });
    if ((name === 'resize' || name === 'resizeCycle') && !this.resizable) return this.call('getSlice', slot, []);
    switch (name) {
      case 'read': return this.call(name, slot, [r.pick([UNDEF, null, -1, 0, 1, 3, size, size + 1, HUGE, -HUGE, 1.5, 'x'])]);
      case 'write': {
        const n = r.pick([0, 1, 2, 3, 5, size, size + 1, Math.max(0, size - 1)]);
        return this.call(name, slot, r.chance(0.02) ? [r.pick([null, 5])] : [this.bytes(Math.min(n, 9000))]);
      }
      case 'writeByte': return this.call(name, slot, [r.pick([0, 65, 255, 256, -1, 1.5, null, HUGE])]);
      case 'seek': return this.call(name, slot, r.chance(0.7) ? [pos()] : [pos(), r.pick([0, 1, 2, 3, -1, UNDEF, 1.5])]);
      case 'find':
      case 'rfind': {
        const args: Arg[] = [r.chance(0.02) ? null : this.needle()];
        if (r.chance(0.7)) args.push(pos());
        if (r.chance(0.6)) args.push(pos());
        return this.call(name, slot, args);
      }
      case 'getItem': return this.call(name, slot, [pos()]);
      case 'setItem': return this.call(name, slot, [pos(), r.pick([0, 65, 255, 256, -1, 1.5, null, 'x', HUGE])]);
      case 'getSlice': return this.call(name, slot, [pos(), pos(), this.step()]);
      case 'setSlice': {
        const [start, stop, step] = [pos(), pos(), this.step()];
        const n = Math.max(0, this.sliceLength(size, start, stop, step) + r.pick([0, 0, 0, 0, 1, -1]));
        return this.call(name, slot, [start, stop, this.bytes(Math.min(n, 9000)), step]);
      }
      case 'move': return this.call(name, slot, r.chance(0.05) ? [pos(), pos()] : [pos(), pos(), pos()]);
      case 'flush': {
        const args = r.chance(0.4) ? [] : [r.pick([0, 0, 1, 4095, 4096, 8192, -1, size, HUGE, UNDEF]), r.pick([UNDEF, 0, 1, 10, size, size + 1, -1, HUGE])];
        this.call(name, slot, args);
        if (args.length === 0 && this.slots.get(slot)?.file && r.chance(0.5)) this.ops.push({ op: 'fileRead' });
        return;
      }
      case 'madvise': {
        if (r.chance(0.5)) return this.call(name, slot, [r.pick(ADVICE), ...(r.chance(0.6) ? [pos(), pos()] : [])]);
        // Aimed at pages: a page-aligned start, and part of a page, a whole one, or more.
        const start = r.pick([0, 0, PAGE, 2 * PAGE, size - (size % PAGE)]);
        return this.call(name, slot, [r.pick(PAGE_ADVICE), start, r.pick([1, 10, 100, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, size])]);
      }
      case 'resizeCycle': return this.resizeCycle(slot, size);
      case 'resize': {
        const n = r.pick([1, 5, 10, 100, Math.max(1, size - 1), size + 1, 4096, 4097, 8192, 0, -1, HUGE, 1.5]);
        if (typeof n === 'number' && n > 0 && n < 2 ** 32) {
          const s = this.slots.get(slot);
          if (s?.writable) s.size = n;
        }
        return this.call(name, slot, [n]);
      }
      case 'close':
      case 'dispose':
        this.call(name, slot, []);
        if (this.slots.get(slot)?.file && this.ops.length > 0 && r.chance(0.5)) this.ops.push({ op: 'fileRead' });
        return;
      default: return this.call(name, slot, []);
    }
  }

  /**
   * resize() down and up again around writes and flushes: a private map keeps the pages it
   * wrote across the truncation and shows the file, zeros past its end, in the others.
   */
  resizeCycle(slot: number, size: number): void {
    const r = this.rng;
    const small = r.pick([1, 4, 17, 54, 100, PAGE - 1, PAGE + 5, Math.max(1, size >> 1), Math.max(1, size - 1)]);
    const big = r.pick([small + 1, small + 13, PAGE, PAGE + 100, 2 * PAGE + 7, size, size + 10, 3 * PAGE]);
    const s = this.slots.get(slot);
    const touch = (n: number): void => {
      const at = r.int(0, Math.max(0, n - 1));
      switch (r.weighted({ write: 2, writeByte: 1, setItem: 1, setSlice: 2, none: 1 })) {
        case 'write': this.call('seek', slot, [at]); this.call('write', slot, [this.bytes(r.int(1, 12))]); break;
        case 'writeByte': this.call('writeByte', slot, [r.pick([0, 65, 255])]); break;
        case 'setItem': this.call('setItem', slot, [at, r.pick([0, 65, 255])]); break;
        case 'setSlice': {
          const n2 = r.int(1, 20);
          this.call('setSlice', slot, [at, at + n2, this.bytes(Math.max(0, Math.min(n2, n - at)))]);
          break;
        }
        default:
      }
      if (r.chance(0.4)) this.call('flush', slot, []);
    };
    touch(size);
    this.call('resize', slot, [small]);
    touch(small);
    this.call('resize', slot, [big]);
    if (s?.writable) s.size = big;
    touch(big);
    this.call('getSlice', slot, r.chance(0.5) ? [] : [Math.max(0, small - 20), big]);
  }

  step(): Arg {
    return this.rng.pick([UNDEF, null, 1, 1, 2, 3, -1, -1, -2, -3, 0, 7, HUGE, -HUGE, 1.5]);
  }

  /** Another writer (native backing only: the copy backing does not promise to see it). */
  fileEdit(): void {
    const r = this.rng;
    const size = this.fileBytes.length / 2;
    if (r.chance(0.85)) {
      const offset = r.int(0, size + 4);
      const data = this.bytes(r.int(1, 5)) as { hex: string };
      this.ops.push({ op: 'fileWrite', offset, data });
    } else {
      // Mostly growth: a shrink under a live map ends the case (CPython's SIGBUS).
      this.ops.push({ op: 'fileTruncate', length: r.pick([size + 1, size + 4096, Math.max(0, size - 1), 0, 4096, 8192]) });
    }
  }
}

/** Lines of text over several pages (hex): what readline() and find() see in real files. */
function text(rng: Rng): string {
  const size = rng.pick([100, 4096, 5021, 8192, 9000, 12288, 13000]);
  let out = '';
  while (out.length < size) {
    const n = rng.chance(0.1) ? rng.int(1000, 5000) : rng.int(0, 80);
    out += rng.pick(['x', 'a', 'b', 'ab']).repeat(n).slice(0, n) + '\n';
  }
  return Buffer.from(out.slice(0, size), 'latin1').toString('hex');
}

/**
 * Draws one case: one or two maps (anonymous, or of the case's file on `backing`) and a random
 * sequence of calls, file edits by another writer, and file reads, aimed at argument edges.
 * @param rng the source of randomness (its state advances)
 * @param backing the backing of file maps: `copy` cases get no other writer, one file map,
 *   and read the file only after a full flush() or a close()
 * @returns the case
 * @example const c = generate(new Rng(caseSeed(1, 0)), 'native');
 */
export function generate(rng: Rng, backing: Backing): Case {
  const b = new Builder(rng, backing);
  const anonymous = rng.chance(0.3);
  let fileSize: number | null = null;
  let file: Case['file'] = null;
  if (!anonymous) {
    if (rng.chance(0.25)) {
      b.fileBytes = text(rng);
      fileSize = b.fileBytes.length / 2;
    } else {
      fileSize = rng.pick([0, 1, 5, 10, 10, 10, 12, 100, 4095, 4096, 4097, 8192, 8200]);
      b.fileBytes = (b.bytes(fileSize) as { hex: string }).hex;
    }
    file = { hex: b.fileBytes };
  }
  b.newMap(0, fileSize);
  // A second map: of the same file (native: both must see each other; copy: a private one
  // beside a private first map, as neither's writes reach the file), or anonymous.
  if (rng.chance(0.3)) {
    const first = b.slots.get(0)!;
    if (!anonymous && backing === 'native') b.newMap(1, fileSize, rng.chance(0.4));
    else if (!anonymous && backing === 'copy' && first.file && !first.shared && rng.chance(0.6)) b.newMap(1, fileSize, true);
    else b.newMap(1, null);
  }
  const count = rng.int(3, 25);
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    if (!anonymous && backing === 'native' && roll < 0.06) b.fileEdit();
    else if (!anonymous && backing === 'native' && roll < 0.1) b.ops.push({ op: 'fileRead' });
    else if (roll < 0.12) b.newMap(rng.chance(0.5) ? 0 : 1, anonymous || (backing === 'copy' && b.fileMaps > 0) ? null : fileSize);
    else {
      const slots = [...b.slots.keys()];
      b.method(rng.chance(0.02) ? 3 : rng.pick(slots));
    }
  }
  return { file, ops: b.ops };
}
