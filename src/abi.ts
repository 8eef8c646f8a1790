// The ABI layer: loads the core, instantiates it, keeps views of its memory current, moves bytes
// across the boundary and turns the core's error codes into Python's exceptions. Users never see
// anything from here; src/mmap.ts is the only caller.
import { readFileSync } from 'node:fs';
import { IndexError, OSError, OverflowError, ValueError } from './errors.js';
import { errnoNumber } from './errno.js';

/** The core's exports (docs/ABI.md). Positions and sizes are f64 integers; NaN means "not given". */
export interface CoreExports {
  memory: WebAssembly.Memory;
  out: WebAssembly.Global;
  map_new(length: number, offset: number, flags: number, prot: number, access: number, fileSize: number, facts: number): number;
  map_close(handle: number, zeroed: number): number;
  map_data(handle: number): number;
  map_length(handle: number): number;
  map_access(handle: number): number;
  map_writable(handle: number): number;
  map_limit(handle: number): number;
  map_set_limit(handle: number, limit: number): number;
  map_follow(handle: number, from: number, to: number): number;
  map_take_dirty(handle: number): number;
  map_undo_pos(handle: number): number;
  open_count(): number;
  scratch(length: number): number;
  read(handle: number, n: number): number;
  read_byte(handle: number): number;
  readline(handle: number): number;
  write(handle: number, source: number, length: number): number;
  write_byte(handle: number, byte: number): number;
  seek(handle: number, dist: number, whence: number): number;
  tell(handle: number): number;
  find(handle: number, needle: number, length: number, start: number, end: number, reverse: number): number;
  get_item(handle: number, index: number): number;
  set_item(handle: number, index: number, value: number): number;
  get_slice(handle: number, start: number, stop: number, step: number): number;
  set_slice(handle: number, start: number, stop: number, step: number, source: number, length: number): number;
  move(handle: number, dest: number, src: number, count: number): number;
  flush(handle: number, offset: number, size: number): number;
  madvise(handle: number, option: number, start: number, length: number): number;
  resize_prepare(handle: number, newSize: number): number;
  resize_abort(handle: number): number;
  resize_commit(handle: number, newSize: number): number;
  find_all(handle: number, needle: number, length: number, start: number, end: number, into: number, capacity: number): number;
  lines_block(handle: number, most: number): number;
  map_advance(handle: number, from: number, to: number, changes: number): number;
  set_address_bias(bias: number): void;
  free_pages(): number;
}

/** The fd's facts that map_new takes (assembly/mmap.ts FD_*). */
export const FD_GIVEN = 1;
export const FD_VALID = 2;
export const FD_REGULAR = 4;
export const FD_DEV_ZERO = 8;
export const FD_READABLE = 16;
export const FD_WRITABLE = 32;
export const WANT_EXTERNAL = 64;
/** map_new's decision bits (OUT[1]; assembly/mmap.ts SHARED, FILE, EXTERNAL, FD_WRITABLE_BIT, DECIDED_*). */
export const DECIDED_SHARED = 1;
export const DECIDED_FILE = 2;
export const DECIDED_EXTERNAL = 4;
export const DECIDED_FD_WRITABLE = 8;
export const DECIDED_WRITABLE = 32;
export const DECIDED_POPULATE = 64;
/** madvise results. */
export const ADVICE_ZEROED = 1;
export const ADVICE_RELOAD = 2;

// Error codes of assembly/errors.ts, each with its Python class and CPython 3.11's message.
export const E_CLOSED = 2;
export const E_STEP_ZERO = 15;
export const E_OS = 1000;
export const EINVAL = errnoNumber('EINVAL');
const ENOMEM = errnoNumber('ENOMEM');
const ERRORS: Record<number, [new (message: string) => Error, string]> = {
  2: [ValueError, 'mmap closed or invalid'],
  3: [ValueError, 'read byte out of range'],
  4: [ValueError, 'write byte out of range'],
  5: [ValueError, 'data out of range'],
  6: [ValueError, 'seek out of range'],
  7: [ValueError, 'unknown seek type'],
  8: [ValueError, 'source, destination, or count out of range'],
  9: [ValueError, 'flush values out of range'],
  10: [ValueError, 'new size out of range'],
  11: [ValueError, 'madvise start out of bounds'],
  12: [ValueError, 'madvise length invalid'],
  13: [OverflowError, 'madvise length too large'],
  14: [ValueError, 'mmap item value must be in range(0, 256)'],
  15: [ValueError, 'slice step cannot be zero'],
  16: [ValueError, "mmap can't specify both access and flags, prot."],
  17: [ValueError, 'mmap invalid access parameter.'],
  18: [ValueError, 'cannot mmap an empty file'],
  19: [ValueError, 'mmap offset is greater than file size'],
  20: [ValueError, 'mmap length is greater than file size'],
  21: [OverflowError, 'memory mapped length must be positive'],
  22: [OverflowError, 'memory mapped offset must be positive'],
  23: [TypeError, "mmap can't modify a readonly memory map."],
  24: [TypeError, "mmap can't resize a readonly or copy-on-write memory map."],
  25: [IndexError, 'mmap index out of range'],
  26: [IndexError, 'mmap slice assignment is wrong size'],
  27: [TypeError, 'mmap item value must be an int'],
  28: [TypeError, "cannot fit 'int' into an index-sized integer"],
  29: [Error, 'wasm-mmap: the host passed input outside the scratch area (a bug)'],
};

/** The exception for a core error code (the negated value a core call returned). */
export function coreError(code: number): Error {
  if (code >= E_OS) return new OSError(code - E_OS);
  const known = ERRORS[code];
  if (known === undefined) return new Error(`wasm-mmap: unknown core error ${code} (a bug)`);
  return new known[0](known[1]);
}

/** Throws the exception for a core result when it is an error code (any negative value but -1). */
export function check(result: number): number {
  if (result < -1) throw coreError(-result);
  return result;
}

const SEARCH_SLICE = 16 << 20;
/** Offsets one findAll call of the core stores (512 KiB of the scratch area). */
export const SCAN_BATCH = 1 << 16;

/**
 * Where one map's results of 65 bytes to 64 KiB are cut from, as Node's Buffer pool does: V8
 * allocates a typed array over 64 bytes outside its heap, at ten times the cost of the copy.
 * One pool per map, so that a result's `buffer` never holds another map's bytes. It starts
 * small and doubles up to 1 MiB, so that thousands of maps that read little cost little.
 */
export class ResultPool {
  // No buffer until the first result: opening a map must stay cheap.
  private buffer: ArrayBuffer | undefined;
  private used = 0;

  /** A new array of `count` bytes (at most POOL_LARGEST) of this pool. */
  take(count: number): Uint8Array {
    if (this.buffer === undefined || this.buffer.byteLength - this.used < count) {
      this.buffer = new ArrayBuffer(this.buffer === undefined ? POOL_FIRST : Math.min(POOL_SIZE, this.buffer.byteLength * 2));
      this.used = 0;
    }
    const part = new Uint8Array(this.buffer, this.used, count);
    this.used += (count + 7) & ~7;
    return part;
  }
}

const POOL_FIRST = 64 << 10;
const POOL_SIZE = 1 << 20;
const POOL_LARGEST = 64 << 10;

const wasm = new WebAssembly.Module(readFileSync(new URL('../build/core.wasm', import.meta.url)));

/** One instance of the core: one linear memory holding many maps. */
export class Core {
  private readonly x: CoreExports;
  private bytes: Uint8Array;
  private outValues: Float64Array;
  private readonly outAddress: number;
  /** Called when the memory has grown: V8 then makes the whole memory read-write again. */
  readonly afterGrow = new Set<() => void>();
  /** The memory grew and out() saw it first: the next view() runs afterGrow. */
  private restorePending = false;
  /**
   * The native helper's fault record of this memory (src/faults.ts): [0] counts
   * the SIGBUS faults absorbed in it. One per memory, hence per thread: a fault is the EFAULT
   * of the core it hit. Until watched, nothing counts.
   */
  faults = new Int32Array(1);
  /** One bit per page of the memory: the handler put a zero page there (the record's tail). */
  faultPages = new Uint8Array(0);
  /** How many of faults[0] the maps have handled. */
  faultsHandled = 0;

  constructor() {
    this.x = new WebAssembly.Instance(wasm, {}).exports as unknown as CoreExports;
    this.outAddress = this.x.out.value as number;
    this.bytes = new Uint8Array(this.x.memory.buffer);
    this.outValues = new Float64Array(this.x.memory.buffer, this.outAddress, 4);
  }

  /** Whether a call touched a page past its file's end since the last check (only a native map can). */
  faultPending(): boolean {
    return this.faults[0] !== this.faultsHandled;
  }

  /** The memory's bytes; a new view whenever the memory has grown (growth detaches the old one). */
  view(): Uint8Array {
    if (this.refreshViews() || this.restorePending) {
      // The restores call the core (map_data), which rewrites the out record: out() never runs them.
      this.restorePending = false;
      for (const restore of this.afterGrow) restore();
    }
    return this.bytes;
  }

  /** Value `i` of the core's out record, written by the last call. */
  out(i: number): number {
    if (this.refreshViews()) this.restorePending = true;
    return this.outValues[i];
  }

  /** Whether the memory grew since the views were made, in which case they are made anew. */
  private refreshViews(): boolean {
    // A grow detaches the old buffer (its length becomes 0); reading memory.buffer on every
    // call would cost more than the call itself.
    if (this.bytes.byteLength !== 0) return false;
    this.bytes = new Uint8Array(this.x.memory.buffer);
    this.outValues = new Float64Array(this.x.memory.buffer, this.outAddress, 4);
    return true;
  }

  /**
   * A copy of `count` bytes at `address`, as CPython returns `bytes`; copies of 65 bytes to
   * 64 KiB are cut from `pool`, the map's own.
   */
  copyOut(address: number, count: number, pool: ResultPool): Uint8Array {
    const view = this.view();
    if (count <= 64 || count > POOL_LARGEST) return view.slice(address, address + count);
    const copy = pool.take(count);
    copy.set(view.subarray(address, address + count));
    return copy;
  }

  /**
   * find/rfind. A long window is searched in slices of SEARCH_SLICE bytes, one call each: V8
   * switches a wasm function to its optimised code only between calls, so one call over a
   * whole big map would run in the baseline compiler's code throughout. The window comes from
   * the core itself (an empty needle finds the clamped start, and rfinds the clamped end).
   * Returns the index, or -1.
   */
  find(handle: number, needle: Uint8Array | string, start: number, end: number, reverse: number): number {
    return check(this.findRaw(handle, needle, start, end, reverse));
  }

  /**
   * find's search, returning what the core returns: the index, -1, or an error code (negated).
   * A string needle is encoded straight into the scratch area (needleIn).
   */
  private findRaw(handle: number, needle: Uint8Array | string, start: number, end: number, reverse: number): number {
    const address = this.needleIn(needle);
    const n = this.needleLength;
    const x = this.x;
    if (n === 0 || x.map_length(handle) <= SEARCH_SLICE) return x.find(handle, address, n, start, end, reverse);
    const from = x.find(handle, address, 0, start, end, 0);
    const to = x.find(handle, address, 0, start, end, 1);
    if (from < 0 || to - from < n) return from < -1 ? from : -1;
    if (reverse === 0) {
      for (let s = from; s < to; s += SEARCH_SLICE) {
        const found = x.find(handle, address, n, s, Math.min(s + SEARCH_SLICE + n - 1, to), 0);
        if (found !== -1) return found;
      }
    } else {
      for (let e = to; e > from; e -= SEARCH_SLICE) {
        const found = x.find(handle, address, n, Math.max(e - SEARCH_SLICE - n + 1, from), e, 1);
        if (found !== -1) return found;
      }
    }
    return -1;
  }


  /** The length in bytes of the needle that {@link Core.needleIn} put last. */
  needleLength = 0;
  /** Where the output room that {@link Core.needleIn} reserved after the needle starts. */
  outputAddress = 0;
  /** A view of the scratch area as it was last asked for (see needleIn). */
  private scratchBytes = new Uint8Array(0);

  /**
   * Puts a needle into the scratch area, followed by `extra` bytes (8-aligned) for output;
   * returns its address and sets {@link Core.needleLength}. A string is encoded straight into
   * the area (TextEncoder.encodeInto on a kept view of it): no array in between, so that a
   * string needle costs no more than a pre-encoded one.
   */
  needleIn(sub: Uint8Array | string, extra = 0): number {
    if (typeof sub !== 'string') {
      const address = this.x.scratch(align8(sub.length) + extra);
      if (address === 0) throw new OSError(ENOMEM);
      this.view().set(sub, address);
      this.needleLength = sub.length;
      this.outputAddress = address + align8(sub.length);
      return address;
    }
    const room = sub.length * 3; // a UTF-16 unit is at most 3 bytes of UTF-8
    const asked = align8(room) + extra;
    const address = this.x.scratch(asked);
    if (address === 0) throw new OSError(ENOMEM);
    let view = this.scratchBytes;
    this.view(); // a grow detaches the kept view (its length becomes 0)
    // The area only grows, so a view made at this address for a larger request is still inside it.
    if (view.byteOffset !== address || view.byteLength < room) {
      view = this.scratchBytes = new Uint8Array(this.x.memory.buffer, address, asked);
    }
    this.needleLength = room === 0 ? 0 : utf8.encodeInto(sub, view).written;
    this.outputAddress = address + align8(room);
    return address;
  }

  /**
   * count/findAll over the window of find(): the number of non-overlapping occurrences of the
   * needle at `address` (put by needleIn), or an error code (negated). With `collect`, their
   * offsets are passed to it in batches (a view of the core's memory, valid during the call).
   * Long windows go in slices of SEARCH_SLICE, as find does; a slice resumes where the last
   * occurrence ended, or where one could still straddle the slice's end.
   */
  scan(handle: number, address: number, start: number, end: number, collect?: (batch: Float64Array) => void): number {
    const x = this.x;
    const n = this.needleLength;
    const into = collect === undefined ? 0 : this.outputAddress;
    const capacity = collect === undefined ? NaN : SCAN_BATCH;
    const sliced = n > 0 && x.map_length(handle) > SEARCH_SLICE;
    let from = start;
    let to = end;
    if (sliced) {
      // The window, from the core itself: an empty needle finds the clamped start, and rfinds the clamped end.
      from = x.find(handle, address, 0, start, end, 0);
      to = x.find(handle, address, 0, start, end, 1);
      if (from < 0) return from === -1 ? 0 : from;
    }
    let total = 0;
    for (let s = from; ;) {
      const e = sliced ? Math.min(s + SEARCH_SLICE, to) : to;
      const found = x.find_all(handle, address, n, s, e, into, capacity);
      if (found < 0) return found;
      total += found;
      if (found > 0 && collect !== undefined) {
        this.view();
        collect(new Float64Array(x.memory.buffer, into, found));
      }
      const full = found === capacity;
      if (!full && (!sliced || e === to)) return total;
      // A full batch goes on after its last occurrence; a slice, where one could still straddle its end.
      s = full ? this.out(0) : Math.max(this.out(0), e - n + 1);
      if (sliced && to - s < n) return total;
    }
  }

  // The typed calls: one per export, each checking its result (a negative code but find's -1
  // throws its exception) and reading the out record before anything else can call the core.

  /** map_new: a handle, or an error code (negated): openMap tries another core on ENOMEM. */
  mapNew(length: number, offset: number, flags: number, prot: number, access: number, fileSize: number, facts: number): number {
    return this.x.map_new(length, offset, flags, prot, access, fileSize, facts);
  }

  /** map_close. */
  close(handle: number, zeroed: boolean): void { check(this.x.map_close(handle, zeroed ? 1 : 0)); }

  /** map_data: the region's address and capacity. */
  region(handle: number): { address: number; capacity: number } {
    const address = check(this.x.map_data(handle));
    return { address, capacity: this.out(0) };
  }

  /** map_length: `len(m)`. */
  length(handle: number): number { return check(this.x.map_length(handle)); }

  /** tell: the cursor. */
  tell(handle: number): number { return check(this.x.tell(handle)); }

  /** map_access: the stored access (ACCESS_*). */
  access(handle: number): number { return check(this.x.map_access(handle)); }

  /** map_writable: throws CPython's TypeError for a read-only map. */
  checkWritable(handle: number): void { check(this.x.map_writable(handle)); }

  /** map_limit: where the bytes the core refuses to touch start; Infinity: none. */
  limit(handle: number): number { return check(this.x.map_limit(handle)); }

  /** map_follow: the next run of pages in [from, to) that must show the file as it is now, or undefined. */
  follow(handle: number, from: number, to: number): { start: number; end: number } | undefined {
    const start = check(this.x.map_follow(handle, from, to));
    return start < 0 ? undefined : { start, end: this.out(0) };
  }

  /** map_set_limit: bytes at or past `limit` are gone (EFAULT on touch); Infinity: none. */
  setLimit(handle: number, limit: number): void { check(this.x.map_set_limit(handle, limit === Infinity ? NaN : limit)); }

  /** map_take_dirty: the span written since the last take, or undefined; it is empty afterwards. */
  takeDirty(handle: number): { from: number; to: number } | undefined {
    const from = check(this.x.map_take_dirty(handle));
    return from < 0 ? undefined : { from, to: this.out(0) };
  }

  /** map_undo_pos: the cursor back where it was before the last call that moved it. */
  undoPos(handle: number): void { check(this.x.map_undo_pos(handle)); }

  /** open_count: the maps open in this core. */
  openCount(): number { return this.x.open_count(); }

  /** read: up to `n` bytes (NaN: to the end) from the cursor, copied out. */
  read(handle: number, n: number, pool: ResultPool): Uint8Array {
    const count = check(this.x.read(handle, n));
    return this.copyOut(this.out(0), count, pool);
  }

  /** read_byte. */
  readByte(handle: number): number { return check(this.x.read_byte(handle)); }

  /** readline: the line from the cursor, copied out. */
  readline(handle: number, pool: ResultPool): Uint8Array {
    const count = check(this.x.readline(handle));
    return this.copyOut(this.out(0), count, pool);
  }

  /** write: `data` at the cursor; the count written. */
  write(handle: number, data: Uint8Array): number {
    return check(this.x.write(handle, this.copyIn(data), data.length));
  }

  /** write_byte. */
  writeByte(handle: number, byte: number): void { check(this.x.write_byte(handle, byte)); }

  /** seek: the new position. */
  seek(handle: number, distance: number, whence: number): number { return check(this.x.seek(handle, distance, whence)); }

  /** get_item. */
  getItem(handle: number, index: number): number { return check(this.x.get_item(handle, index)); }

  /** set_item (value NaN: not an int; ±Infinity: does not fit). */
  setItem(handle: number, index: number, value: number): void { check(this.x.set_item(handle, index, value)); }

  /** get_slice: the slice's bytes, copied out. */
  getSlice(handle: number, start: number, stop: number, step: number, pool: ResultPool): Uint8Array {
    const count = check(this.x.get_slice(handle, start, stop, step));
    return this.copyOut(this.out(0), count, pool);
  }

  /** set_slice. */
  setSlice(handle: number, start: number, stop: number, step: number, data: Uint8Array): void {
    check(this.x.set_slice(handle, start, stop, step, this.copyIn(data), data.length));
  }

  /** move. */
  move(handle: number, dest: number, src: number, count: number): void { check(this.x.move(handle, dest, src, count)); }

  /** flush: the range to publish, or undefined when there is nothing to do (READ/COPY maps). */
  flush(handle: number, offset: number, size: number): { offset: number; size: number } | undefined {
    return check(this.x.flush(handle, offset, size)) === 1 ? { offset: this.out(0), size: this.out(1) } : undefined;
  }

  /** madvise: what the advice does to the bytes (ADVICE_*), over the clamped range. */
  madvise(handle: number, option: number, start: number, length: number): { effect: number; start: number; length: number } {
    const effect = check(this.x.madvise(handle, option, start, length));
    return { effect, start: this.out(0), length: this.out(1) };
  }

  /** resize_prepare: CPython's checks and room for the new size; a spare region's address, or 0 (in place). */
  resizePrepare(handle: number, newSize: number): number {
    check(this.x.resize_prepare(handle, newSize));
    return this.out(0);
  }

  /** resize_abort: gives back what resize_prepare reserved. */
  resizeAbort(handle: number): void { check(this.x.resize_abort(handle)); }

  /** resize_commit: the map's new address, and the range to read from the file again (through follow). */
  resizeCommit(handle: number, newSize: number): { address: number; refillFrom: number; refillTo: number } {
    check(this.x.resize_commit(handle, newSize));
    return { address: this.out(0), refillFrom: this.out(1), refillTo: this.out(2) };
  }

  /** set_address_bias: where the memory's base sits, mod 1 GiB. */
  setAddressBias(bias: number): void { this.x.set_address_bias(bias); }

  /** The core's memory. */
  get memory(): WebAssembly.Memory { return this.x.memory; }

  /** The memory's current buffer, for the native helper (a grow detaches old ones). */
  buffer(): ArrayBuffer { return this.x.memory.buffer; }

  /** count: the non-overlapping occurrences of `needle` in find()'s window (see scan). */
  count(handle: number, needle: Uint8Array | string, start: number, end: number): number {
    return check(this.scan(handle, this.needleIn(needle), start, end));
  }

  /** findAll: the offsets of the occurrences count() counts, ascending, in a new array. */
  findAll(handle: number, needle: Uint8Array | string, start: number, end: number): Float64Array {
    const batches: Float64Array[] = [];
    const address = this.needleIn(needle, SCAN_BATCH * 8);
    check(this.scan(handle, address, start, end, (batch) => batches.push(batch.slice())));
    if (batches.length === 1) return batches[0];
    const all = new Float64Array(batches.reduce((n, batch) => n + batch.length, 0));
    let at = 0;
    for (const batch of batches) {
      all.set(batch, at);
      at += batch.length;
    }
    return all;
  }

  /** lines_block: the block of whole lines at the cursor (count 0 at the end); the cursor stays. */
  linesBlock(handle: number, most: number): { count: number; address: number; ascii: boolean; changes: number } {
    const count = check(this.x.lines_block(handle, most));
    return { count, address: this.out(0), ascii: this.out(1) === 1, changes: this.out(2) };
  }

  /** map_advance: whether the cursor moved from `from` to `to` (not when it moved, or the map changed, since `changes`). */
  advance(handle: number, from: number, to: number, changes: number): boolean {
    return check(this.x.map_advance(handle, from, to, changes)) === 1;
  }

  /** Copies `data` into the scratch area; returns its address. */
  copyIn(data: Uint8Array): number {
    const address = this.x.scratch(data.length);
    if (address === 0) throw new OSError(ENOMEM);
    this.view().set(data, address);
    return address;
  }
}

const utf8 = new TextEncoder();
const align8 = (n: number) => (n + 7) & ~7;

const cores: Core[] = [];
const E_ENOMEM = E_OS + ENOMEM;

/** What map_new decided of a new map, in its core. */
export interface NewMap {
  core: Core;
  handle: number;
  length: number;
  /** The bytes come from the file (not anonymous memory). */
  file: boolean;
  /** MAP_SHARED: writes reach the file (not MAP_PRIVATE or ACCESS_COPY). */
  shared: boolean;
  /** The host maps the region's pages (the native backing). */
  external: boolean;
  /** The fd is open O_RDWR (ftruncate needs it). */
  fdWritable: boolean;
  /** The stored access is not ACCESS_READ. */
  writable: boolean;
  /** MAP_POPULATE was asked for. */
  populate: boolean;
}

/**
 * Makes a map in one core call (map_new: every check of CPython's constructor and Linux's
 * mmap(2), in their order), in a core with room, adding a core when every one is full: one core
 * holds up to 65,536 maps in one 4 GiB memory, and a process can hold thousands of cores.
 * @param facts The fd's FD_* bits for a given core (whether it may take native maps).
 * @param setup Prepares a new core before its first map (e.g. the native helper's address bias).
 * @throws the first error, as CPython and Linux give it.
 */
export function openMap(length: number, offset: number, flags: number, prot: number, access: number,
  fileSize: number, facts: (core: Core) => number, setup: (core: Core) => void): NewMap {
  const make = (core: Core) => core.mapNew(length, offset, flags, prot, access, fileSize, facts(core));
  let core: Core | undefined;
  let handle = -E_ENOMEM;
  for (let i = cores.length - 1; i >= 0 && handle === -E_ENOMEM; i--) {
    core = cores[i];
    handle = make(core);
  }
  if (handle === -E_ENOMEM) {
    // A core with no map that has no room either: the map is larger than any core can hold.
    if (cores.some((c) => c.openCount() === 0)) throw coreError(E_ENOMEM);
    core = newCore(setup);
    cores.push(core);
    handle = make(core);
  }
  check(handle);
  const decided = core!.out(1);
  return {
    core: core!,
    handle,
    length: core!.out(0),
    file: (decided & DECIDED_FILE) !== 0,
    shared: (decided & DECIDED_SHARED) !== 0,
    external: (decided & DECIDED_EXTERNAL) !== 0,
    fdWritable: (decided & DECIDED_FD_WRITABLE) !== 0,
    writable: (decided & DECIDED_WRITABLE) !== 0,
    populate: (decided & DECIDED_POPULATE) !== 0,
  };
}

function newCore(setup: (core: Core) => void): Core {
  const core = new Core();
  setup(core);
  return core;
}
