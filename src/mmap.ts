// The public class: Python's mmap.mmap, with docs/spec/API.md's names. Every method checks in CPython's
// order: closed, then its arguments (here), then the rest in the core; a failed call changes
// nothing. The bytes live in a core's memory, filled and published by a backing.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { inspect } from 'node:util';
import {
  Core, E_CLOSED, ResultPool, E_STEP_ZERO, EINVAL, WANT_EXTERNAL, coreError, openMap, type NewMap,
} from './abi.js';
import {
  arityError, required, toByte, toBytes, toInt, toLong, toOptionalCount, toOptionalIndex, toOptionalSsize,
  toPath, toSliceIndex, toSsize, givenChoice,
} from './args.js';
import { AnonymousBacking } from './backings/anonymous.js';
import { Backing, BackingName, MapFile, closeFd } from './backings/backing.js';
import { CopyBacking } from './backings/copy.js';
import { NativeBacking } from './backings/native.js';
import { ACCESS_DEFAULT, ACCESS_NAMES, ACCESS_READ, MAP_SHARED, PROT_READ, PROT_WRITE } from './constants.js';
import { errnoNumber } from './errno.js';
import { OSError, IndexError, os } from './errors.js';
import { duplicate, fdFacts } from './fd.js';
import { EFAULT, watchFaults } from './faults.js';
import { TextLines, type TextBlock } from './lines.js';
import { baseIsStable, native, nativeError } from './native.js';

/** Options of {@link MMap.open}: the constructor's, and the map's length. */
export interface MMapOpenOptions extends MMapOptions {
  /** The map's length in bytes; 0 (default) maps the file from `offset` to its end. */
  length?: number;
}

/** Options of {@link MMap.lines}. */
export interface LinesOptions {
  /** `'utf8'` (default), `'latin1'`, or `'bytes'` (`Uint8Array` copies). */
  encoding?: 'utf8' | 'latin1' | 'bytes';
}

/** How many bytes of whole lines lines() decodes at a time (more for a longer line). */
const LINES_BLOCK = 64 << 10;
const EISDIR = 21;

/** Options of the constructor, as Python's keyword arguments (docs/spec/API.md, Construction). */
export interface MMapOptions {
  /** `MAP_SHARED` (default) or `MAP_PRIVATE`, possibly with other `MAP_*` bits. */
  flags?: number;
  /** `PROT_READ | PROT_WRITE` by default. */
  prot?: number;
  /** `ACCESS_DEFAULT` (default), `ACCESS_READ`, `ACCESS_WRITE` or `ACCESS_COPY`. */
  access?: number;
  /** Where the map starts in the file: a multiple of `ALLOCATIONGRANULARITY`; 0 by default. */
  offset?: number;
  /** `'auto'` (default: native where the helper serves, else copy), `'native'` or `'copy'`. */
  backing?: 'auto' | 'native' | 'copy';
}

const ENOTSUP = errnoNumber('ENOTSUP');
const EBADF = errnoNumber('EBADF');

/** Whether a core's memory may hold native mappings (its base never moves); decided once per core. */
const nativeSafe = new WeakMap<Core, boolean>();
function nativeUsable(core: Core): boolean {
  let safe = nativeSafe.get(core);
  if (safe === undefined) {
    safe = native !== undefined && baseIsStable(core.memory);
    nativeSafe.set(core, safe);
  }
  return safe;
}

function setupCore(core: Core): void {
  if (!nativeUsable(core)) return;
  core.setAddressBias(native!.address(core.buffer()) % 2 ** 30);
  watchFaults(core, native!);
}

/** The constructor's options, each read once (a getter may answer differently each time) and converted in CPython's order. */
function readOptions(options: MMapOptions | undefined) {
  const { flags, prot, access, offset, backing = 'auto' } = options ?? {};
  const read = {
    flags: flags === undefined ? MAP_SHARED : toInt(flags),
    prot: prot === undefined ? PROT_READ | PROT_WRITE : toInt(prot),
    access: access === undefined ? ACCESS_DEFAULT : toInt(access),
    offset: offset === undefined ? 0 : toLong(offset),
    backing,
  };
  if (backing !== 'auto' && backing !== 'native' && backing !== 'copy') {
    throw new TypeError(`backing must be 'auto', 'native' or 'copy', not ${givenChoice(backing)}`);
  }
  return read;
}

/** The backing map_new decided on, over the map's own fd (-1 for none). */
function newBacking(map: NewMap, fd: number, offset: number): Backing {
  const file: MapFile = {
    fd, offset, shared: map.shared, writable: map.writable, fdWritable: map.fdWritable, populate: map.populate,
  };
  const helper = nativeUsable(map.core) ? native : undefined;
  const Kind = !map.file ? AnonymousBacking : map.external ? NativeBacking : CopyBacking;
  return new Kind(map.core, map.handle, file, helper);
}

const envBacking = process.env.WASM_MMAP_BACKING;
/** What the environment asks `'auto'` to be, read once when the module loads (a read costs 0.15 µs). */
const autoBacking = envBacking === 'native' || envBacking === 'copy' ? envBacking : undefined;

let copyFallbackWarned = false;

/**
 * Says once per process that a shared writable file map went to the copy backing although
 * nobody asked for it (`backing: 'auto'`, and no WASM_MMAP_BACKING): a program that shares the
 * file with another process or thread would otherwise wait, silently, for writes that never
 * arrive. `backing: 'copy'` silences it.
 */
function warnCopyFallback(map: NewMap): void {
  const copiesSharedWrites = map.file && !map.external && map.shared && map.writable;
  if (copyFallbackWarned || autoBacking !== undefined || !copiesSharedWrites) return;
  copyFallbackWarned = true;
  const core = map.core;
  const reason = native === undefined ? nativeError!.split('\n')[0]
    : nativeUsable(core) ? 'the native backing was not chosen' : "this process's WebAssembly memory can move (V8's trap handler is off)";
  process.emitWarning(
    `a shared writable map of a file uses the copy backing: ${reason}. Other processes and threads see its `
    + "writes only after flush() or close(), and it never sees theirs. Pass { backing: 'copy' } to silence this "
    + `warning${native === undefined ? '; MMap.nativeError says how to get the native backing' : ''}.`,
    { type: 'WasmMmapWarning', code: 'WASM_MMAP_COPY_BACKING' });
}

/** Releases a map's resources: called by close(), [Symbol.dispose]() and, last, the finalizer. */
function release(state: { backing?: Backing }): void {
  const backing = state.backing;
  if (backing === undefined) return;
  state.backing = undefined;
  let zeroed = false;
  try {
    zeroed = backing.detach();
  } finally {
    // A native map whose pages could not be replaced keeps its region (leaked): reusing it
    // would put the file under another map.
    if (zeroed || backing.name !== 'native') backing.core.close(backing.handle, zeroed);
  }
}

const UNCLONEABLE = Symbol('wasm-mmap: an MMap cannot be posted to another thread or cloned; open the file there');

const finalizer = new FinalizationRegistry<{ backing?: Backing }>((state) => {
  try {
    release(state);
  } catch {
    // Nobody can be told at collection time; close() reports the same failure.
  }
});

/**
 * A memory-mapped file or anonymous memory, with the behaviour of CPython 3.11's `mmap.mmap`.
 * @example
 * const fd = fs.openSync('data.bin', 'r+');
 * using m = new MMap(fd, 0);
 * m.find('needle');
 */
export class MMap {
  /** Whether the native helper loaded; where it did not, {@link MMap.nativeError} says why. */
  static readonly nativeAvailable: boolean = native !== undefined;
  /** Why the native helper is unavailable, with possible solutions; `undefined` when it loaded. */
  static readonly nativeError: string | undefined = nativeError;

  /**
   * A value no structured clone can copy, so that posting a map to another thread
   * (`postMessage`, `structuredClone`) throws a `DataCloneError` that says why, instead of
   * delivering `{}`: the map's bytes live in this thread's memory. Open the file in the other
   * thread instead.
   * @example worker.postMessage(m); // DataCloneError: Symbol(wasm-mmap: an MMap cannot be posted …) could not be cloned.
   */
  readonly uncloneable: symbol = UNCLONEABLE;

  readonly #state: { backing?: Backing } = {};
  readonly #offset: number;
  readonly #name: BackingName;
  // The core and handle, kept here as well as in the backing: the hot calls then read them
  // from one class, which V8 optimises better than reads through three backing classes.
  readonly #core: Core;
  readonly #handle: number;
  readonly #pool = new ResultPool();

  /**
   * Maps `length` bytes of the file open as `fileno` (0 = the whole file from `offset`), or
   * anonymous memory when `fileno` is -1. Checks as CPython's constructor does, in its order.
   * @param fileno A file descriptor (from `fs.openSync`), or -1 for an anonymous map.
   * @param length The map's length in bytes; 0 maps the file from `offset` to its end.
   * @param options `flags`, `prot`, `access`, `offset` as in Python, and the `backing`.
   * @throws {OverflowError} for a negative length or offset.
   * @throws {ValueError} for a bad access, or sizes beyond the file's end.
   * @throws {OSError} as Linux's mmap(2) fails (EBADF, EINVAL, EACCES, ENOMEM…).
   * @example const m = new MMap(-1, 4096);
   */
  constructor(fileno: number, length: number, options: MMapOptions = {}) {
    // Left to right, as CPython's keyword parser converts and misses them.
    const fd = toInt(required(fileno, 'fileno', 1));
    const len = toSsize(required(length, 'length', 2));
    const { flags, prot, access, offset, backing: wanted } = readOptions(options);
    const facts = fdFacts(fd);
    const choice = wanted === 'auto' ? autoBacking ?? 'auto' : wanted;
    const external = (core: Core) => choice === 'native' || (choice === 'auto' && nativeUsable(core));
    const map = openMap(len, offset, flags, prot, access, facts.size,
      (core) => facts.bits | (external(core) ? WANT_EXTERNAL : 0), setupCore);
    let ownFd = -1;
    try {
      // CPython dup()s before mmap(2) checks anything; a failure here (EMFILE) comes after them.
      if (fd !== -1) ownFd = duplicate(fd, facts, map.file && !map.external);
      if (map.file && choice === 'native' && !nativeUsable(map.core)) {
        throw new OSError(ENOTSUP, `Operation not supported: the native backing is unavailable here (${
          native === undefined ? nativeError : "this process's WebAssembly memory can move"})`);
      }
      const backing = newBacking(map, ownFd, offset);
      this.#name = backing.name;
      backing.attach(map.length);
      this.#state.backing = backing;
      map.core.view(); // a grow by map_new unprotected the read-only maps: restore them
    } catch (error) {
      map.core.close(map.handle, false);
      if (ownFd !== -1) closeFd(ownFd);
      throw error;
    }
    this.#offset = offset;
    this.#core = map.core;
    this.#handle = map.handle;
    finalizer.register(this, this.#state, this.#state);
    if (wanted === 'auto') warnCopyFallback(map);
  }

  /**
   * Makes a call that touches the map's bytes: the one way every such method calls the core, so
   * that the fault protocol (a file that shrank under a native map) lives here once. An EFAULT
   * the core answered for pages it knows are gone is tried once more when the file has grown
   * back over them; a call that touched pages the file lost goes to #afterFault.
   * `askAgain`: false for a call whose second run could differ from its first (move()).
   */
  #touch<T>(b: Backing, call: () => T, movesPos: boolean, askAgain = true): T {
    let result: T;
    try {
      result = call();
    } catch (error) {
      return this.#recover(b, error, call, movesPos, askAgain);
    }
    if (this.#core.faultPending()) return this.#afterFault(b, call, movesPos, askAgain);
    return result;
  }

  /**
   * #touch's slow path: the call threw `error` (an error code, or the core's EFAULT for lost
   * pages), or touched pages the file lost.
   */
  #recover<T>(b: Backing, error: unknown, call: () => T, movesPos: boolean, askAgain = true): T {
    if (this.#core.faultPending()) return this.#afterFault(b, call, movesPos, askAgain);
    if ((error as OSError).errno === EFAULT && error instanceof OSError && b.refresh()) return this.#touch(b, call, movesPos, askAgain);
    throw error;
  }

  /**
   * The call touched pages its file lost (the SIGBUS handler put zeros there): the backing takes
   * them as holes and the cursor is undone. The core now knows where the file ends, so it is
   * asked once more and its rules answer without touching them: a forward search or readline()
   * that ends before them answers, as CPython's does (the first run may have read ahead past
   * its match); any other call reaching them is EFAULT. A second fault is EFAULT.
   */
  #afterFault<T>(b: Backing, call: () => T, movesPos: boolean, askAgain: boolean): T {
    b.absorbFault(movesPos);
    if (!askAgain) throw new OSError(EFAULT);
    return this.#touch(b, call, movesPos, false);
  }

  /** The open map's backing, or ValueError('mmap closed or invalid'). */
  #open(): Backing {
    const backing = this.#state.backing;
    if (backing === undefined) throw coreError(E_CLOSED);
    return backing;
  }

  /** Which backing holds the bytes: `'native'`, `'copy'` or `'anonymous'`. */
  get backing(): 'native' | 'copy' | 'anonymous' {
    this.#open();
    return this.#name;
  }

  /**
   * Whether the map is closed (Python's `closed`).
   * @returns `true` after {@link MMap.close}.
   */
  get closed(): boolean {
    return this.#state.backing === undefined;
  }

  /**
   * The map's length in bytes (Python's `len(m)`).
   * @throws {ValueError} when the map is closed.
   */
  get length(): number {
    this.#open();
    return this.#core.length(this.#handle);
  }

  /**
   * Closes the map: publishes a shared copy-backed map's bytes, unmaps, closes its fd. Idempotent.
   * @example m.close();
   */
  close(): void {
    finalizer.unregister(this.#state);
    release(this.#state);
  }

  /** Closes the map (`using m = new MMap(…)`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Finds `sub` in `[start, end)`, as Python's `find`: start defaults to the cursor.
   * @param sub The bytes to find (a string is encoded as UTF-8).
   * @param start Where to start (negative counts from the end); the cursor by default.
   * @param end Where to stop (negative counts from the end); the map's end by default.
   * @returns The lowest index where `sub` starts, or -1.
   * @example m.find('needle', 0);
   */
  find(sub: Uint8Array | ArrayBufferView | ArrayBuffer | string, start?: number, end?: number): number {
    return this.#find(sub, start, end, 0);
  }

  /**
   * Finds the last `sub` in `[start, end)`, as Python's `rfind`.
   * @param sub The bytes to find.
   * @param start Where to start; the cursor by default.
   * @param end Where to stop; the map's end by default.
   * @returns The highest index where `sub` starts, or -1.
   * @example m.rfind('\n');
   */
  rfind(sub: Uint8Array | ArrayBufferView | ArrayBuffer | string, start?: number, end?: number): number {
    return this.#find(sub, start, end, 1);
  }

  #find(sub: unknown, start: unknown, end: unknown, reverse: number): number {
    const b = this.#open();
    if (sub === undefined) throw arityError(reverse ? 'rfind' : 'find', 'at least 1 argument', []);
    const needle = typeof sub === 'string' ? sub : toBytes(sub);
    const from = toOptionalSsize(start);
    const to = toOptionalSsize(end);
    return this.#touch(b, () => this.#core.find(this.#handle, needle, from, to, reverse), false);
  }

  /**
   * Makes the map's bytes reach the file (msync; the copy backing writes them back).
   * @param offset Where to start, page-aligned; 0 by default.
   * @param size How many bytes; the map's length by default (even with an offset, as CPython).
   * @throws {ValueError} `flush values out of range`; {OSError} EINVAL for an unaligned offset.
   * @example m.flush();
   */
  flush(offset?: number, size?: number): void {
    const b = this.#open();
    const off = toOptionalSsize(offset);
    const n = toOptionalSsize(size);
    const range = this.#core.flush(this.#handle, off, n);
    if (range !== undefined) b.publish(range.offset, range.size);
  }

  /**
   * Gives the kernel advice about a range (Python's `madvise`), with Linux's `MADV_*` values.
   * @param option A `MADV_*` constant.
   * @param start Where the range starts, page-aligned; 0 by default.
   * @param length The range's length; to the map's end by default (clamped to it).
   * @throws {ValueError} for a start out of bounds or a negative length; {OSError} EINVAL.
   * @example m.madvise(MADV_SEQUENTIAL);
   */
  madvise(option: number, start?: number, length?: number): void {
    const b = this.#open();
    if (option === undefined) throw arityError('madvise', 'at least 1 argument', []);
    const advice = toInt(option);
    const s = toOptionalSsize(start);
    const n = toOptionalSsize(length);
    // Through #touch: an EFAULT for pages a file lost is asked again if the file grew back over them.
    const { effect, start: from, length: count } = this.#touch(b, () => this.#core.madvise(this.#handle, advice, s, n), false);
    b.advise(advice, from, count, effect);
  }

  /**
   * Copies `count` bytes from `src` to `dest` (overlap allowed), as Python's `move`.
   * @param dest Where to copy to.
   * @param src Where to copy from.
   * @param count How many bytes.
   * @throws {ValueError} `source, destination, or count out of range`.
   * @example m.move(0, 10, 5);
   */
  move(dest: number, src: number, count: number): void {
    const b = this.#open();
    if (dest === undefined || src === undefined || count === undefined) {
      throw arityError('move', 'exactly 3 arguments', [dest, src, count]);
    }
    const d = toSsize(dest);
    const s = toSsize(src);
    const c = toSsize(count);
    // Not asked again after a fault: a second run over bytes the first half moved could differ.
    this.#touch(b, () => this.#core.move(this.#handle, d, s, c), false, false);
  }

  /**
   * Reads up to `n` bytes from the cursor and moves it past them.
   * @param n How many bytes; `undefined`, `null` or negative reads to the end.
   * @returns A copy of the bytes (empty at the end).
   * @example m.read(16);
   */
  read(n?: number | null): Uint8Array {
    const b = this.#open();
    const want = toOptionalCount(n);
    return this.#touch(b, () => this.#core.read(this.#handle, want, this.#pool), true);
  }

  /**
   * Reads the byte at the cursor and moves it by one (Python's `read_byte`).
   * @returns The byte, 0–255.
   * @throws {ValueError} `read byte out of range` at the end.
   * @example m.readByte();
   */
  readByte(): number {
    const b = this.#open();
    // The byte-sized calls make their core call inline, without #touch's closure (twice as
    // fast); their slow path is #touch's.
    let failure: unknown;
    try {
      const r = this.#core.readByte(this.#handle);
      if (!this.#core.faultPending()) return r;
    } catch (error) {
      failure = error;
    }
    return this.#recover(b, failure, () => this.#core.readByte(this.#handle), true);
  }

  /**
   * Reads from the cursor to the next newline (included) or the end.
   * @returns A copy of the line's bytes (empty at the end).
   * @example m.readline();
   */
  readline(): Uint8Array {
    const b = this.#open();
    return this.#touch(b, () => this.#core.readline(this.#handle, this.#pool), true);
  }

  /**
   * Changes the map's length, and the file's (ftruncate), as Python's `resize`.
   * @param newsize The new length in bytes.
   * @throws {TypeError} for a read-only or copy-on-write map; {ValueError} `new size out of range`;
   * {OSError} EINVAL for 0 (Linux's mremap), ENOMEM beyond what one core memory holds.
   * @example m.resize(8192);
   */
  resize(newsize: number): void {
    const b = this.#open();
    if (newsize === undefined) throw arityError('resize', 'exactly 1 argument', []);
    const n = toSsize(newsize);
    let spare: number;
    try {
      spare = this.#core.resizePrepare(this.#handle, n);
    } catch (error) {
      // Linux's mremap refuses 0 (EINVAL), after CPython truncated the file to the map's offset.
      if (n === 0 && (error as OSError).errno === EINVAL) b.resizeToZero();
      throw error;
    }
    this.#core.view();
    b.resize(n, spare);
  }

  /**
   * Moves the cursor, as Python's `seek`.
   * @param pos The distance.
   * @param whence 0 from the start (default), 1 from the cursor, 2 from the end.
   * @returns The new position (as Python 3.13).
   * @throws {ValueError} `seek out of range` or `unknown seek type`.
   * @example m.seek(-1, 2);
   */
  seek(pos: number, whence: number = 0): number {
    this.#open();
    if (pos === undefined) throw arityError('seek', 'at least 1 argument', []);
    const dist = toSsize(pos);
    const how = toInt(whence);
    return this.#core.seek(this.#handle, dist, how);
  }

  /**
   * Always `true` (as Python 3.13); works on a closed map too.
   * @returns `true`.
   * @example m.seekable();
   */
  seekable(): boolean {
    return true;
  }

  /**
   * The size of the file behind the map (Python's `size()`: fstat, not the map's length).
   * @returns The file's size in bytes.
   * @throws {OSError} EBADF for an anonymous map, as CPython 3.11.
   * @example m.size();
   */
  size(): number {
    const b = this.#open();
    if (b.fd === -1) throw new OSError(EBADF);
    return os(() => fstatSync(b.fd)).size;
  }

  /**
   * The cursor's position.
   * @returns The position (it may exceed the length after a shrinking resize).
   * @example m.tell();
   */
  tell(): number {
    this.#open();
    return this.#core.tell(this.#handle);
  }

  /**
   * Writes `data` at the cursor and moves it past them; nothing is written if they do not fit.
   * @param data The bytes (a string is encoded as UTF-8).
   * @returns The number of bytes written.
   * @throws {TypeError} on a read-only map; {ValueError} `data out of range`.
   * @example m.write('hello');
   */
  write(data: Uint8Array | ArrayBufferView | ArrayBuffer | string): number {
    const b = this.#open();
    if (data === undefined) throw arityError('write', 'exactly 1 argument', []);
    const bytes = toBytes(data);
    let failure: unknown;
    try {
      const r = this.#core.write(this.#handle, bytes);
      if (!this.#core.faultPending()) return r;
    } catch (error) {
      failure = error;
    }
    return this.#recover(b, failure, () => this.#core.write(this.#handle, bytes), true);
  }

  /**
   * Writes one byte at the cursor and moves it by one (Python's `write_byte`).
   * @param byte 0–255.
   * @throws {OverflowError} outside 0–255; {ValueError} `write byte out of range`.
   * @example m.writeByte(0x41);
   */
  writeByte(byte: number): void {
    const b = this.#open();
    if (byte === undefined) throw arityError('write_byte', 'exactly 1 argument', []);
    const value = toByte(byte);
    let failure: unknown;
    try {
      this.#core.writeByte(this.#handle, value);
      if (!this.#core.faultPending()) return;
    } catch (error) {
      failure = error;
    }
    this.#recover(b, failure, () => this.#core.writeByte(this.#handle, value), true);
  }

  /**
   * The byte at `index` (Python's `m[i]`); negative counts from the end.
   * @param index The index.
   * @returns The byte, 0–255.
   * @throws {IndexError} `mmap index out of range`.
   * @example m.getItem(-1);
   */
  getItem(index: number): number {
    const b = this.#open();
    const i = toItemIndex(index, 'mmap indices must be integers');
    let failure: unknown;
    try {
      const r = this.#core.getItem(this.#handle, i);
      if (!this.#core.faultPending()) return r;
    } catch (error) {
      failure = error;
    }
    return this.#recover(b, failure, () => this.#core.getItem(this.#handle, i), false);
  }

  /**
   * Sets the byte at `index` (Python's `m[i] = v`).
   * @param index The index; negative counts from the end.
   * @param value 0–255.
   * @throws {TypeError} on a read-only map, or for a value that is not an integer;
   * {IndexError} `mmap index out of range`; {ValueError} for a value outside 0–255.
   * @example m.setItem(0, 0x41);
   */
  setItem(index: number, value: number): void {
    const b = this.#open();
    this.#core.checkWritable(this.#handle);
    const i = toItemIndex(index, 'mmap indices must be integer');
    const v = typeof value !== 'number' || !Number.isInteger(value) ? NaN
      : Number.isSafeInteger(value) ? value : Infinity;
    let failure: unknown;
    try {
      this.#core.setItem(this.#handle, i, v);
      if (!this.#core.faultPending()) return;
    } catch (error) {
      failure = error;
    }
    this.#recover(b, failure, () => this.#core.setItem(this.#handle, i, v), false);
  }

  /**
   * A slice of the map (Python's `m[start:stop:step]`); `undefined`/`null` mean Python's None.
   * @param start The first index.
   * @param stop The index to stop before.
   * @param step The step, not 0.
   * @returns A copy of the bytes.
   * @throws {ValueError} `slice step cannot be zero`.
   * @example m.getSlice(null, null, -1);
   */
  getSlice(start?: number | null, stop?: number | null, step?: number | null): Uint8Array {
    const b = this.#open();
    const [from, to, by] = toSlice(start, stop, step);
    return this.#touch(b, () => this.#core.getSlice(this.#handle, from, to, by, this.#pool), false);
  }

  /**
   * Assigns a slice (Python's `m[start:stop:step] = data`): `data` must have the slice's length.
   * @param start The first index (`null`: None).
   * @param stop The index to stop before (`null`: None).
   * @param data The bytes.
   * @param step The step, not 0.
   * @throws {TypeError} on a read-only map; {IndexError} `mmap slice assignment is wrong size`.
   * @example m.setSlice(null, null, new Uint8Array(5), 2);
   */
  setSlice(start: number | null | undefined, stop: number | null | undefined,
    data: Uint8Array | ArrayBufferView | ArrayBuffer | string, step?: number | null): void {
    const b = this.#open();
    this.#core.checkWritable(this.#handle);
    const [from, to, by] = toSlice(start, stop, step);
    const bytes = toBytes(data);
    this.#touch(b, () => this.#core.setSlice(this.#handle, from, to, by, bytes), false);
  }

  /**
   * Python's repr: `<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=10, pos=0, offset=0>`.
   * @returns The text; a subclass shows its own name.
   * @example String(m);
   */
  toString(): string {
    const name = this.constructor === MMap ? 'mmap.mmap' : this.constructor.name;
    const b = this.#state.backing;
    if (b === undefined) return `<${name} closed=True>`;
    const access = ACCESS_NAMES[this.#core.access(this.#handle)];
    return `<${name} closed=False, access=${access}, length=${this.#core.length(this.#handle)}, `
      + `pos=${this.#core.tell(this.#handle)}, offset=${this.#offset}>`;
  }

  /**
   * Opens the file at `path` and maps it; the map owns the file descriptor (Python:
   * `open(path, 'r+b')`, or `'rb'` for a read-only map, then `mmap.mmap(f.fileno(), length, …)`).
   * The file is opened read-only for `access: ACCESS_READ`, or a `prot` without `PROT_WRITE`,
   * and read-write otherwise.
   * @param path The file's path, or a `file:` URL.
   * @param options `length` (0 by default: the whole file from `offset`) and the constructor's options.
   * @returns The map.
   * @throws {OSError} when the file cannot be opened, with `errno`, `code` and `path`
   * (e.g. `[Errno 2] No such file or directory: 'missing.log'`, named `FileNotFoundError`); and
   * whatever the constructor throws (`ValueError: cannot mmap an empty file`, …).
   * @example
   * const m = MMap.open('app.log', { access: ACCESS_READ });
   */
  static open(path: string | URL, options?: MMapOpenOptions): MMap {
    // Each option is read once, as the constructor reads them.
    const { length, flags, prot, access, offset, backing } = options ?? {};
    const readOnly = access === ACCESS_READ
      || ((access === undefined || access === ACCESS_DEFAULT) && typeof prot === 'number' && (prot & PROT_WRITE) === 0);
    const file = toPath(path);
    let fd: number;
    try {
      fd = openSync(file, readOnly ? 'r' : 'r+');
    } catch (error) {
      throw OSError.from(error, file);
    }
    try {
      // Linux opens a directory read-only; Python's open() refuses it, as Node does read-write.
      if (os(() => fstatSync(fd)).isDirectory()) throw new OSError(EISDIR, undefined, file);
      return new this(fd, length ?? 0, { flags, prot, access, offset, backing });
    } finally {
      closeSync(fd); // the map holds its own duplicate
    }
  }

  /**
   * Counts the non-overlapping occurrences of `sub` in `[start, end)`, as Python's `bytes.count`
   * counts them, in the core. The window is find()'s: `start` defaults to the cursor, negative
   * bounds count from the end, both are clamped. An empty `sub` occurs at every index of the
   * window and at its end (`bytes.count(b'')`). The cursor does not move.
   * @param sub The bytes to count (a string is encoded as UTF-8).
   * @param start Where to start; the cursor when `undefined` or `null`.
   * @param end Where to stop; the map's end when `undefined` or `null`.
   * @returns The number of occurrences.
   * @throws {ValueError} when the map is closed; {TypeError} for a `sub` that is not bytes-like.
   * @example m.count('timeout', 0);
   */
  count(sub: Uint8Array | ArrayBufferView | ArrayBuffer | string, start?: number | null, end?: number | null): number {
    const b = this.#open();
    if (sub === undefined) throw arityError('count', 'at least 1 argument', []);
    const needle = typeof sub === 'string' ? sub : toBytes(sub);
    const from = toOptionalIndex(start);
    const to = toOptionalIndex(end);
    return this.#touch(b, () => this.#core.count(this.#handle, needle, from, to), false);
  }

  /**
   * The offsets of the non-overlapping occurrences of `sub` in `[start, end)`, ascending: those
   * {@link MMap.count} counts, found in the core. The cursor does not move.
   * @param sub The bytes to find (a string is encoded as UTF-8).
   * @param start Where to start; the cursor when `undefined` or `null`.
   * @param end Where to stop; the map's end when `undefined` or `null`.
   * @returns A new `Float64Array` of offsets (empty when there is none).
   * @throws {ValueError} when the map is closed; {TypeError} for a `sub` that is not bytes-like.
   * @example for (const at of m.findAll('ERROR', 0)) console.log(at);
   */
  findAll(sub: Uint8Array | ArrayBufferView | ArrayBuffer | string, start?: number | null, end?: number | null): Float64Array {
    const b = this.#open();
    if (sub === undefined) throw arityError('findAll', 'at least 1 argument', []);
    const needle = typeof sub === 'string' ? sub : toBytes(sub);
    const from = toOptionalIndex(start);
    const to = toOptionalIndex(end);
    return this.#touch(b, () => this.#core.findAll(this.#handle, needle, from, to), false);
  }

  /**
   * The lines from the cursor, each yielded without its ending (`\n`, or `\r\n` as
   * `node:readline` drops it); a last line without a newline is yielded too. The cursor moves
   * past each line as it is yielded, so `readline()`, `seek()` and writes may be interleaved:
   * the next line is read from wherever the cursor is. Python:
   * `for line in iter(m.readline, b''): line = line.rstrip(b'\n')…`.
   * Lines are found in the core and decoded in blocks of up to 64 KiB of whole lines; writes
   * through this map are seen at once, another process's writes within the current block are not.
   * @param options `encoding`: `'utf8'` (default; invalid bytes become U+FFFD, a BOM is kept),
   * `'latin1'`, or `'bytes'` for `Uint8Array` copies.
   * @returns An iterator of the lines.
   * @throws {ValueError} when the map is closed (at the call, and at any step after a close);
   * {TypeError} for an unknown encoding.
   * @example for (const line of m.lines()) if (line.includes('ERROR')) errors++;
   */
  lines(options?: { encoding?: 'utf8' | 'latin1' }): IterableIterator<string>;
  lines(options: { encoding: 'bytes' }): IterableIterator<Uint8Array>;
  lines(options?: LinesOptions): IterableIterator<string | Uint8Array>;
  lines(options?: LinesOptions): IterableIterator<string | Uint8Array> {
    this.#open();
    const encoding = options?.encoding ?? 'utf8';
    if (encoding !== 'utf8' && encoding !== 'latin1' && encoding !== 'bytes') {
      throw new TypeError(`encoding must be 'utf8', 'latin1' or 'bytes', not ${givenChoice(encoding)}`);
    }
    return encoding === 'bytes' ? this.#byteLines() : this.#textLines(encoding === 'latin1');
  }

  /** The iterator of text lines, over blocks read by #textBlock. */
  #textLines(latin1: boolean): TextLines {
    return new TextLines(this.#core, this.#handle, this.#state, () => this.#textBlock(latin1));
  }

  /** The block of whole lines at the cursor, decoded; undefined at the map's end. */
  #textBlock(latin1: boolean): TextBlock | undefined {
    const b = this.#open();
    const core = this.#core;
    // Decoding reads the map's pages: inside #touch, so that a touch past the file's end is EFAULT.
    const read = this.#touch(b, () => {
      const { count, address, ascii, changes } = core.linesBlock(this.#handle, LINES_BLOCK);
      return { count, ascii, changes, text: Buffer.from(core.buffer(), address, count).toString(latin1 ? 'latin1' : 'utf8') };
    }, false);
    if (read.count === 0) return undefined;
    const pos = core.tell(this.#handle);
    const newlines = latin1 || read.ascii ? undefined : this.findAll('\n', pos, pos + read.count);
    return { text: read.text, pos, end: pos + read.count, changes: read.changes, newlines };
  }

  *#byteLines(): Generator<Uint8Array, void, undefined> {
    const core = this.#core;
    let block = new Uint8Array(0);
    let at = 0;
    let pos = 0;
    let changes = 0;
    for (;;) {
      const b = this.#open();
      if (at < block.length) {
        const nl = block.indexOf(10, at);
        const stop = nl < 0 ? block.length : nl;
        const next = pos + (stop + (nl < 0 ? 0 : 1) - at);
        if (core.advance(this.#handle, pos, next, changes)) {
          const line = block.subarray(at, nl > at && block[nl - 1] === 13 ? nl - 1 : stop);
          at = nl < 0 ? block.length : nl + 1;
          pos = next;
          yield line;
          continue;
        }
      }
      // One copy per block; each line is a view of its own bytes of it, as the result pool's are.
      const read = this.#touch(b, () => {
        const { count, address, changes: stamp } = core.linesBlock(this.#handle, LINES_BLOCK);
        return { stamp, bytes: core.view().slice(address, address + count) };
      }, false);
      if (read.bytes.length === 0) return;
      block = read.bytes;
      pos = core.tell(this.#handle);
      changes = read.stamp;
      at = 0;
    }
  }

  /**
   * What `console.log(m)` and `util.inspect(m)` show: the repr, as {@link MMap.toString}.
   * @returns The repr.
   * @example util.inspect(m); // '<mmap.mmap closed=False, access=ACCESS_DEFAULT, length=10, pos=0, offset=0>'
   */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** A key of m[i]: an integer; `message` is CPython's TypeError for other types. */
function toItemIndex(index: unknown, message: string): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(message);
  if (!Number.isSafeInteger(index)) throw new IndexError("cannot fit 'int' into an index-sized integer");
  return index;
}

/** Slice arguments in PySlice_Unpack's order: the step first (and its zero check), then the bounds. */
function toSlice(start: unknown, stop: unknown, step: unknown): [number, number, number] {
  const by = toSliceIndex(step);
  if (by === 0) throw coreError(E_STEP_ZERO);
  return [toSliceIndex(start), toSliceIndex(stop), by];
}
