// The semantics of CPython 3.11's mmap object, over maps whose bytes live in regions of this
// memory. Each function checks in CPython's order (closed, arguments, writable, range, act) and
// changes nothing when it fails. Numbers arrive as f64 (exact integers up to 2^53; the host
// rejects others); NaN means "not given" (Python's default, or None where Python takes None).

import {
  E_CLOSED, E_READ_BYTE_RANGE, E_WRITE_BYTE_RANGE, E_DATA_RANGE, E_SEEK_RANGE, E_SEEK_TYPE,
  E_MOVE_RANGE, E_FLUSH_RANGE, E_NEWSIZE_RANGE, E_MADVISE_START, E_MADVISE_LENGTH,
  E_MADVISE_OVERFLOW, E_ITEM_VALUE_RANGE, E_STEP_ZERO, E_ACCESS_AND_FLAGS, E_ACCESS_INVALID,
  E_EMPTY_FILE, E_OFFSET_PAST_FILE, E_LENGTH_PAST_FILE, E_LENGTH_NEGATIVE, E_OFFSET_NEGATIVE,
  E_READONLY, E_NOT_RESIZEABLE, E_INDEX_RANGE, E_SLICE_SIZE, E_ITEM_VALUE_TYPE, E_ITEM_VALUE_FIT,
  E_BAD_BUFFER, E_EBADF, E_ENOMEM, E_EFAULT, E_EINVAL, E_OS,
} from './errors';
import { PAGE, regionAlloc, regionFree, regionExtend, regionShrink, regionBytes } from './region';
import { findBytes, rfindBytes, scanAll, scanStop, isAscii } from './search';

export const ACCESS_DEFAULT: i32 = 0;
export const ACCESS_READ: i32 = 1;
export const ACCESS_WRITE: i32 = 2;
export const ACCESS_COPY: i32 = 3;
const MAP_SHARED: i32 = 1;
const MAP_PRIVATE: i32 = 2;
const MAP_TYPE: i32 = 3;
const MAP_FIXED: i32 = 0x10;
const MAP_ANONYMOUS: i32 = 0x20;
const MAP_POPULATE: i32 = 0x8000;
const MAP_HUGETLB: i32 = 0x40000;
const MAP_FIXED_NOREPLACE: i32 = 0x100000;
const PROT_READ: i32 = 1;
const PROT_WRITE: i32 = 2;
const SSIZE_MAX: i64 = i64.MAX_VALUE;

/** The facts of the fd that the host passes to mapNew (it asks fstat and fcntl once). */
export const FD_GIVEN: i32 = 1;       // fileno is not -1
export const FD_VALID: i32 = 2;       // fstat succeeded
export const FD_REGULAR: i32 = 4;     // a regular file
export const FD_DEV_ZERO: i32 = 8;    // /dev/zero (anonymous memory)
export const FD_READABLE: i32 = 16;   // open O_RDONLY or O_RDWR
export const FD_WRITABLE: i32 = 32;   // open O_WRONLY or O_RDWR
export const WANT_EXTERNAL: i32 = 64; // for a file map: the host maps the region's pages (never zero or copy them here)

// Bits of MapRecord.bits; the first four and two more are mapNew's decision (OUT[1]) too.
export const SHARED: u8 = 1;          // MAP_SHARED: writes reach the file
export const FILE: u8 = 2;            // the bytes come from a file (resize changes it)
export const EXTERNAL: u8 = 4;        // the host maps the region's pages
export const FD_WRITABLE_BIT: u8 = 8; // the fd is open O_RDWR (ftruncate, MADV_REMOVE need it)
const PROT_NONE_BIT: u8 = 16;
const NO_READ: u8 = 32;               // prot without PROT_READ (Linux refuses MADV_POPULATE_READ there)
export const DECIDED_WRITABLE: i32 = 32; // OUT[1] only: the stored access is not ACCESS_READ
export const DECIDED_POPULATE: i32 = 64; // OUT[1] only: MAP_POPULATE

/** Largest number of maps one core instance holds; the host opens another instance past it. */
export const MAX_MAPS: i32 = 1 << 16;
const INDEX_BITS: i32 = 16;
const GEN_MAX: i32 = 0x7fff; // handles are positive i32: 15 bits of generation above the index
const NO_LIMIT: u32 = u32.MAX_VALUE;

// One map. A free slot has data == 0 and keeps its generation, so a stale handle is refused.
//
//   0        4          8        12    16      20          24             28        32        36     37     38    40        44      48          52        56
//   ├ data ──┼ capacity ┼ length ┼ pos ┼ limit ┼ spareData ┼ spareCapacity ┼ dirtyLo ┼ dirtyHi ┼access┼ bits ┼ gen ┼ prevPos ┼ owned ┼ ownedSize ┼ changes ┤
//
// limit: bytes at or past it must not be touched (0 for PROT_NONE; 0 after a failed resize(0)
// left the file shorter than the map): CPython dies there, this core answers EFAULT.
// spare: a region reserved by resizePrepare and not yet committed.
// dirty: the span of bytes written since the host last took it (the copy backing publishes
// only that, so that a map never writes back bytes it did not change over another writer's).
// prevPos: the cursor before the last call that moved it, for the host to undo a call that
// touched pages the file no longer has (the native backing learns that only afterwards).
// owned: for a private map of a file whose pages the host copies (not external), a bitmap of
// the pages the map owns, one bit a page (0: none). Linux gives a MAP_PRIVATE map its own copy
// of a page when it first writes it (or at open, with MAP_POPULATE), and that copy keeps its
// bytes whatever happens to the file; a page it does not own shows the file as it is now.
// changes: counts the calls that changed the map's bytes or length, so that the host's lines()
// knows when the text it read ahead is stale.
@unmanaged class MapRecord {
  data: u32;
  capacity: u32;
  length: u32;
  pos: u32;
  limit: u32;
  spareData: u32;
  spareCapacity: u32;
  dirtyLo: u32;
  dirtyHi: u32;
  access: u8;
  bits: u8;
  gen: u16;
  prevPos: u32;
  owned: u32;
  ownedSize: u32;
  changes: u32;
}

const RECORD_SIZE: usize = offsetof<MapRecord>();
const TABLE: usize = memory.data(<i32>(<usize>MAX_MAPS * RECORD_SIZE), 16);
let tableUsed: i32 = 0;     // slots ever handed out
let freeSlot: i32 = -1;     // head of the list of free slots, linked through `pos`
let openMaps: i32 = 0;

// Out record: values a call returns besides its result (addresses, clamped ranges).
export const OUT: usize = memory.data(32, 16);
@inline function out(i: i32, value: f64): void { store<f64>(OUT + (<usize>i << 3), value); }

// The scratch region: host inputs (needles, data to write) and gathered slices.
let scratchAddress: usize = 0;
let scratchCapacity: u64 = 0;
let scratchLength: i64 = 0; // what the host asked for last: the most that a call may read as input

@inline function record(index: i32): MapRecord {
  return changetype<MapRecord>(TABLE + <usize>index * RECORD_SIZE);
}

/** The map a handle names, or null when the handle is not an open map. */
function lookup(handle: i32): MapRecord | null {
  if (handle < 0) return null;
  const index = handle & ((1 << INDEX_BITS) - 1);
  if (index >= tableUsed) return null;
  const m = record(index);
  if (m.data == 0 || <i32>m.gen != (handle >>> INDEX_BITS)) return null;
  return m;
}

/** f64 argument to i64; NaN gives `fallback`, values beyond ±2^63 saturate, fractions truncate. */
@inline function arg(x: f64, fallback: i64): i64 {
  if (isNaN(x)) return fallback;
  if (x >= 9.2e18) return SSIZE_MAX;
  if (x <= -9.2e18) return i64.MIN_VALUE;
  return <i64>x;
}

/**
 * Whether [address, address + length) is host input: the start of the scratch area, no longer
 * than the host asked for with its last scratch() call. Anything else would let a host's
 * mistake copy another map's bytes, or an earlier call's leftovers, into a map.
 */
function isInput(address: usize, length: i64): bool {
  return address == scratchAddress && address != 0 && length >= 0 && length <= scratchLength;
}

@inline function writable(m: MapRecord): bool { return <i32>m.access != ACCESS_READ; }

/** Adds bytes [from, to) to the map's dirty span; a private copied map now owns their pages. */
@inline function dirty(m: MapRecord, from: i64, to: i64): void {
  if (from >= to) return;
  dirtySpan(m, from, to);
  if (m.owned != 0) own(m, from, to, true);
}

@inline function dirtySpan(m: MapRecord, from: i64, to: i64): void {
  m.changes++;
  if (<u32>from < m.dirtyLo) m.dirtyLo = <u32>from;
  if (<u32>to > m.dirtyHi) m.dirtyHi = <u32>to;
}

// ---- owned pages (MapRecord.owned) ----

/** Frees a map's bitmap (zeroed first: free pages read as zeros). */
function freeOwned(m: MapRecord): void {
  if (m.owned == 0) return;
  memory.fill(<usize>m.owned, 0, <usize>m.ownedSize);
  regionFree(<usize>m.owned, m.ownedSize);
  m.owned = 0;
}

/** Grows a map's bitmap to cover `capacity` bytes of region; false when there is no room. */
function ensureOwned(m: MapRecord, capacity: u64): bool {
  const need = regionBytes(ownedBytes(capacity));
  if (m.owned == 0 || need <= <u64>m.ownedSize) return true;
  const bigger = regionAlloc(need);
  if (bigger == 0) return false;
  memory.copy(bigger, <usize>m.owned, <usize>m.ownedSize);
  freeOwned(m);
  m.owned = <u32>bigger;
  m.ownedSize = <u32>need;
  return true;
}


/** Bytes of a bitmap for a region of `capacity` bytes. */
@inline function ownedBytes(capacity: u64): u64 { return (capacity / <u64>PAGE + 7) >> 3; }

/** Marks the pages holding bytes [from, to) owned (or not). Precondition: from < to <= capacity. */
function own(m: MapRecord, from: i64, to: i64, owned: bool): void {
  for (let page = from / <i64>PAGE; page * <i64>PAGE < to; page++) {
    const at = <usize>m.owned + <usize>(page >> 3);
    const bit = <u8>(1 << <u8>(page & 7));
    store<u8>(at, owned ? load<u8>(at) | bit : load<u8>(at) & ~bit);
  }
}

@inline function owns(m: MapRecord, page: i64): bool {
  return (load<u8>(<usize>m.owned + <usize>(page >> 3)) & <u8>(1 << <u8>(page & 7))) != 0;
}

/**
 * The first run of pages in [from, to) (page-aligned: from rounded down, to up) that the map
 * does not own, and whose bytes the host must therefore read from the file as it is now (zeros
 * past its end): its start, or -1 when there is none; OUT[0] = its end. For a map with no
 * bitmap (shared, anonymous, external), [from, to) itself.
 */
export function mapFollow(handle: i32, from: f64, to: f64): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  let start = max(arg(from, 0), 0);
  const end = min(arg(to, 0), <i64>m.capacity);
  if (m.owned == 0) {
    if (start >= end) return -1;
    out(0, <f64>end);
    return <f64>start;
  }
  let page = start / <i64>PAGE;
  const last = (end + <i64>PAGE - 1) / <i64>PAGE;
  while (page < last && owns(m, page)) page++;
  if (page >= last) return -1;
  let stop = page + 1;
  while (stop < last && !owns(m, stop)) stop++;
  out(0, <f64>(stop * <i64>PAGE));
  return <f64>(page * <i64>PAGE);
}

/** Whether bytes [from, to) may be touched (see MapRecord.limit). Precondition: from <= to. */
@inline function touchable(m: MapRecord, from: i64, to: i64): bool {
  return from == to || to <= <i64>m.limit;
}

// ---- construction ----

/** The stored access of a map (CPython new_mmap_object), or -code. */
function deriveAccess(flags: i32, prot: i32, access: i32): i32 {
  if (access != ACCESS_DEFAULT && (flags != MAP_SHARED || prot != (PROT_READ | PROT_WRITE))) return -E_ACCESS_AND_FLAGS;
  if (access == ACCESS_READ || access == ACCESS_WRITE || access == ACCESS_COPY) return access;
  if (access != ACCESS_DEFAULT) return -E_ACCESS_INVALID;
  if ((prot & PROT_READ) != 0 && (prot & PROT_WRITE) != 0) return ACCESS_DEFAULT;
  if ((prot & PROT_WRITE) != 0) return ACCESS_WRITE;
  return ACCESS_READ;
}

/**
 * Creates a map, making every check of CPython's constructor and of Linux's mmap(2) in their
 * order (CPython new_mmap_object: lengths, access, the file's size, dup; then mmap: EINVAL,
 * ENOMEM, EACCES, ENODEV), from the arguments and the facts the host asked of the fd once.
 * Returns a handle, or -code; OUT[0] = the map's length, OUT[1] = its DECIDED_* bits. The
 * region reads as zeros. `fileSize` is st_size, read only for a regular file.
 */
export function mapNew(length: f64, offset: f64, flags: i32, prot: i32, access: i32, fileSize: f64, facts: i32): i32 {
  let len = arg(length, 0);
  const off = arg(offset, 0);
  if (len < 0) return -E_LENGTH_NEGATIVE;
  if (off < 0) return -E_OFFSET_NEGATIVE;
  const stored = deriveAccess(flags, prot, access);
  if (stored < 0) return stored;
  const given = (facts & FD_GIVEN) != 0;
  const valid = (facts & FD_VALID) != 0;
  if (given && valid && (facts & FD_REGULAR) != 0) {
    const size = arg(fileSize, 0);
    if (len == 0) {
      if (size == 0) return -E_EMPTY_FILE;
      if (off >= size) return -E_OFFSET_PAST_FILE;
      len = size - off;
    } else if (off > size || size - off < len) {
      return -E_LENGTH_PAST_FILE;
    }
  }
  // CPython dup()s the fd here: a bad one is EBADF before anything mmap(2) checks.
  if (given && !valid) return -E_EBADF;
  // MAP_ANONYMOUS ignores the fd, and /dev/zero gives anonymous memory.
  const file = given && (flags & MAP_ANONYMOUS) == 0 && (facts & FD_DEV_ZERO) == 0;
  // What mmap(2) refuses, in Linux's order (checked against CPython on this kernel): the
  // offset, MAP_HUGETLB for a file, a zero length, no room (here: more than one memory holds),
  // the map type. MAP_FIXED* have no address to go to here: EINVAL (CPython maps at 0 as root).
  if (off % <i64>PAGE != 0) return -E_EINVAL;
  if (file && (flags & MAP_HUGETLB) != 0) return -E_EINVAL;
  if (len == 0) return -E_EINVAL;
  if (len >= <i64>u32.MAX_VALUE) return -E_ENOMEM;
  let type = flags & MAP_TYPE;
  if (stored == ACCESS_COPY) type = MAP_PRIVATE;
  else if (access != ACCESS_DEFAULT) type = MAP_SHARED;
  if (type == 0 || (type == MAP_TYPE && !file)) return -E_EINVAL;
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) return -E_EINVAL;
  // Anonymous huge pages: none are reserved on a default Linux, so the kernel has no memory.
  if ((flags & MAP_HUGETLB) != 0) return -E_ENOMEM;
  // What mmap(2) checks of the file: readable, writable for a shared writable map, mappable.
  const readable = (facts & FD_READABLE) != 0;
  const fdWritable = (facts & FD_WRITABLE) != 0;
  if (file) {
    if (!readable) return -(E_OS + EACCES);
    if (type != MAP_PRIVATE && stored != ACCESS_READ && !fdWritable) return -(E_OS + EACCES);
    if ((facts & FD_REGULAR) == 0) return -(E_OS + ENODEV);
  }
  let index: i32;
  if (freeSlot >= 0) index = freeSlot;
  else if (tableUsed < MAX_MAPS) index = tableUsed;
  else return -E_ENOMEM;
  const data = regionAlloc(<u64>len);
  if (data == 0) return -E_ENOMEM;
  // A private map of a file whose pages the host copies keeps a bitmap of the pages it owns.
  let owned: usize = 0;
  if (type == MAP_PRIVATE && file && (facts & WANT_EXTERNAL) == 0) {
    owned = regionAlloc(ownedBytes(regionBytes(<u64>len)));
    if (owned == 0) { regionFree(data, regionBytes(<u64>len)); return -E_ENOMEM; }
  }
  if (index == freeSlot) freeSlot = <i32>record(index).pos == 0 ? -1 : <i32>record(index).pos - 1;
  else tableUsed++;
  const m = record(index);
  m.data = <u32>data;
  m.capacity = <u32>regionBytes(<u64>len);
  m.length = <u32>len;
  m.pos = 0;
  m.access = <u8>stored;
  m.bits = (type == MAP_PRIVATE ? 0 : SHARED)
    | (file ? FILE : 0)
    | (file && (facts & WANT_EXTERNAL) != 0 ? EXTERNAL : 0)
    | ((prot & (PROT_READ | PROT_WRITE)) == 0 ? PROT_NONE_BIT : 0)
    | (readable && fdWritable ? FD_WRITABLE_BIT : 0)
    | ((prot & PROT_READ) == 0 ? NO_READ : 0);
  m.limit = (m.bits & PROT_NONE_BIT) != 0 ? 0 : NO_LIMIT;
  m.spareData = 0;
  m.spareCapacity = 0;
  m.dirtyLo = u32.MAX_VALUE;
  m.dirtyHi = 0;
  m.owned = <u32>owned;
  m.ownedSize = owned == 0 ? 0 : <u32>regionBytes(ownedBytes(regionBytes(<u64>len)));
  // MAP_POPULATE write-faults a writable private map's pages at once (mm/gup.c
  // populate_vma_page_range breaks COW for VM_WRITE without VM_SHARED).
  if (owned != 0 && (flags & MAP_POPULATE) != 0 && stored != ACCESS_READ) own(m, 0, <i64>m.capacity, true);
  m.changes = 0;
  openMaps++;
  out(0, <f64>len);
  out(1, <f64>((m.bits & (SHARED | FILE | EXTERNAL | FD_WRITABLE_BIT))
    | (stored != ACCESS_READ ? DECIDED_WRITABLE : 0)
    | ((flags & MAP_POPULATE) != 0 ? DECIDED_POPULATE : 0)));
  return (<i32>m.gen << INDEX_BITS) | index;
}

/** Zeroes a region's bytes and frees it, unless the host already put fresh pages there. */
function release(m: MapRecord, data: usize, capacity: u64, zeroed: bool): void {
  if (!zeroed && (m.bits & EXTERNAL) == 0) memory.fill(data, 0, <usize>capacity);
  regionFree(data, capacity);
}

/**
 * Closes a map and frees its region. For an external map the host must first have put fresh
 * zero pages over the region, and passes `zeroed` = 1 (as it may for any map it zeroed itself).
 */
export function mapClose(handle: i32, zeroed: i32): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  release(m, m.data, m.capacity, zeroed != 0);
  if (m.spareData != 0) regionFree(m.spareData, m.spareCapacity);
  freeOwned(m);
  const index = handle & ((1 << INDEX_BITS) - 1);
  m.data = 0;
  openMaps--;
  // A slot whose generations are spent is retired, not reused: a handle that a host still
  // holds (a call in flight when its map closed) must never name another map.
  m.gen++;
  if (<i32>m.gen > GEN_MAX) return 0;
  m.pos = freeSlot + 1;
  freeSlot = index;
  return 0;
}

export function openCount(): i32 { return openMaps; }

/** The address of a map's bytes, or -code. OUT[0] = its region's capacity. */
export function mapData(handle: i32): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  out(0, m.capacity);
  return m.data;
}

export function mapLength(handle: i32): f64 {
  const m = lookup(handle);
  return m === null ? -E_CLOSED : <f64>m.length;
}

export function mapAccess(handle: i32): i32 {
  const m = lookup(handle);
  return m === null ? -E_CLOSED : <i32>m.access;
}

/** 0 when the map may be modified, else -code (for the host's "writable before the key" order). */
export function mapWritable(handle: i32): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  return writable(m) ? 0 : -E_READONLY;
}

/**
 * Takes the span of bytes written since the last call: returns its start, or -1 when nothing
 * was written, with OUT[0] = its end (clamped to the length). The span is empty afterwards.
 */
export function mapTakeDirty(handle: i32): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const lo = m.dirtyLo;
  const hi = min(m.dirtyHi, m.length);
  m.dirtyLo = u32.MAX_VALUE;
  m.dirtyHi = 0;
  if (lo >= hi) return -1;
  out(0, hi);
  return lo;
}

/** Puts the cursor back where it was before the last call that moved it. */
export function mapUndoPos(handle: i32): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  m.pos = m.prevPos;
  return 0;
}

/** Where the bytes the core refuses to touch start (see MapRecord.limit); Infinity: none. */
export function mapLimit(handle: i32): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  return m.limit == NO_LIMIT ? Infinity : <f64>m.limit;
}

/** Marks bytes at or past `limit` as untouchable (EFAULT): the file behind them is gone. */
export function mapSetLimit(handle: i32, limit: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const l = arg(limit, NO_LIMIT);
  m.limit = (m.bits & PROT_NONE_BIT) != 0 ? 0 : <u32>min(max(l, 0), <i64>NO_LIMIT);
  // The file lost the pages past the limit, and a private map's copies of them with it.
  const from = (<i64>m.limit + <i64>PAGE - 1) / <i64>PAGE * <i64>PAGE;
  if (m.owned != 0 && from < <i64>m.capacity) own(m, from, <i64>m.capacity, false);
  return 0;
}

// ---- the scratch region ----

/** A reusable area of at least `length` bytes for host input; its address, or 0 when out of memory. */
export function scratch(length: f64): f64 {
  const len = arg(length, 0);
  if (len < 0 || len >= <i64>u32.MAX_VALUE) return 0;
  if (<u64>len > scratchCapacity || scratchAddress == 0) {
    const grown = max<u64>(<u64>len, scratchCapacity * 2);
    if (scratchAddress != 0) {
      memory.fill(scratchAddress, 0, <usize>scratchCapacity);
      regionFree(scratchAddress, scratchCapacity);
      scratchAddress = 0;
      scratchCapacity = 0;
    }
    const address = regionAlloc(grown);
    if (address == 0) return 0;
    scratchAddress = address;
    scratchCapacity = regionBytes(grown);
  }
  scratchLength = len;
  return <f64>scratchAddress;
}

// ---- reading ----

/** read(n): the count read; OUT[0] = the bytes' address. n < 0 or NaN reads to the end. */
export function read(handle: i32, n: f64): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const pos = <i64>m.pos;
  const remaining = pos < <i64>m.length ? <i64>m.length - pos : 0;
  let count = arg(n, -1);
  if (count < 0 || count > remaining) count = remaining;
  if (!touchable(m, pos, pos + count)) return -E_EFAULT;
  out(0, <f64>(<u64>m.data + <u64>pos));
  m.prevPos = <u32>pos;
  m.pos = <u32>(pos + count);
  return <f64>count;
}

/** read_byte(): the byte, or -code. */
export function readByte(handle: i32): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const pos = m.pos;
  if (pos >= m.length) return -E_READ_BYTE_RANGE;
  if (pos >= m.limit) return -E_EFAULT;
  m.prevPos = pos;
  m.pos = pos + 1;
  return <i32>load<u8>(<usize>m.data + pos);
}

/** readline(): the line's length; OUT[0] = its address. */
export function readline(handle: i32): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const pos = <i64>m.pos;
  const size = <i64>m.length;
  out(0, <f64>(<u64>m.data + <u64>pos));
  if (pos >= size) return 0;
  // Like CPython's memchr, look only as far as the newline: bytes past the limit are touched
  // (EFAULT) only when there is none before it.
  const end = min(size, <i64>m.limit);
  if (pos >= end) return -E_EFAULT;
  const start = <usize>m.data + <usize>pos;
  const newline = memory.data<u8>([10]);
  const found = findBytes(start, <usize>(end - pos), newline, 1);
  if (found < 0 && end < size) return -E_EFAULT;
  const count: i64 = found < 0 ? size - pos : <i64>found + 1;
  m.prevPos = <u32>pos;
  m.pos = <u32>(pos + count);
  return <f64>count;
}

// ---- writing ----

/** write(data): the count written, or -code. The data is at [source, source + length). */
export function write(handle: i32, source: usize, length: f64): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const len = arg(length, -1);
  if (!isInput(source, len)) return -E_BAD_BUFFER;
  if (!writable(m)) return -E_READONLY;
  const pos = <i64>m.pos;
  const size = <i64>m.length;
  if (pos > size || size - pos < len) return -E_DATA_RANGE;
  if (!touchable(m, pos, pos + len)) return -E_EFAULT;
  memory.copy(<usize>m.data + <usize>pos, source, <usize>len);
  dirty(m, pos, pos + len);
  m.prevPos = <u32>pos;
  m.pos = <u32>(pos + len);
  return <f64>len;
}

/** write_byte(b): 0, or -code. The host has checked that b is in 0..255. */
export function writeByte(handle: i32, byte: i32): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (!writable(m)) return -E_READONLY;
  const pos = m.pos;
  if (pos >= m.length) return -E_WRITE_BYTE_RANGE;
  if (pos >= m.limit) return -E_EFAULT;
  store<u8>(<usize>m.data + pos, <u8>byte);
  dirty(m, pos, pos + 1);
  m.prevPos = pos;
  m.pos = pos + 1;
  return 0;
}

// ---- the cursor ----

/** seek(dist, whence): the new position, or -code. */
export function seek(handle: i32, dist: f64, whence: i32): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const d = arg(dist, 0);
  const size = <i64>m.length;
  let where: i64;
  // CPython mmap_seek_method: the overflow checks make huge distances "out of range".
  if (whence == 0) where = d;
  else if (whence == 1) {
    if (d > SSIZE_MAX - <i64>m.pos) return -E_SEEK_RANGE;
    where = <i64>m.pos + d;
  } else if (whence == 2) {
    if (d > SSIZE_MAX - size) return -E_SEEK_RANGE;
    where = size + d;
  } else return -E_SEEK_TYPE;
  if (where > size || where < 0) return -E_SEEK_RANGE;
  m.pos = <u32>where;
  return <f64>where;
}

export function tell(handle: i32): f64 {
  const m = lookup(handle);
  return m === null ? -E_CLOSED : <f64>m.pos;
}

// ---- searching ----

/** CPython mmap_gfind's clamping of one bound: negative counts from the end, then into [0, size]. */
@inline function clampBound(x: i64, size: i64): i64 {
  if (x < 0) {
    x += size;
    if (x < 0) x = 0;
  } else if (x > size) {
    x = size;
  }
  return x;
}

/**
 * find/rfind(sub, start, end): the absolute index, -1 when absent, or -code (never -1).
 * CPython mmap_gfind: start defaults to pos, end to the size; both are clamped.
 */
export function find(handle: i32, needle: usize, needleLength: f64, start: f64, end: f64, reverse: i32): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const n = arg(needleLength, -1);
  if (!isInput(needle, n)) return -E_BAD_BUFFER;
  const size = <i64>m.length;
  const from = clampBound(arg(start, <i64>m.pos), size);
  const to = clampBound(arg(end, size), size);
  if (to < from) return -1;
  if (n == 0) return <f64>(reverse != 0 ? to : from);
  if (n > to - from) return -1;
  const hay = <usize>m.data + <usize>from;
  if (!touchable(m, from, to)) {
    // A forward search finds a match before the bytes past the limit without touching them
    // (as CPython's does); anything else would touch them.
    const end = min(to, <i64>m.limit);
    if (reverse == 0 && end - from >= n) {
      const early = findBytes(hay, <usize>(end - from), needle, <usize>n);
      if (early >= 0) return <f64>(from + early);
    }
    return -E_EFAULT;
  }
  const found = reverse != 0
    ? rfindBytes(hay, <usize>(to - from), needle, <usize>n)
    : findBytes(hay, <usize>(to - from), needle, <usize>n);
  // A native map learns that its file shrank only when a touch faults, and pages the file lost
  // are the map's last ones: reading the window's last byte makes every search that reaches
  // them fault, whichever bytes the algorithm happened to read (README: only a forward search
  // that matches before them answers). Stored, so that the read is never optimised away.
  if ((m.bits & EXTERNAL) != 0 && (reverse != 0 || found < 0)) out(3, <f64>load<u8>(hay + <usize>(to - from - 1)));
  return found < 0 ? -1 : <f64>(from + <i64>found);
}

/** Whether `into` is an area of the scratch region for `capacity` f64, 8-aligned, past the input at [needle, needle + n). */
@inline function isOutput(into: usize, capacity: i64, needle: usize, n: i64): bool {
  return (into & 7) == 0 && <u64>into >= <u64>needle + <u64>n
    && <u64>capacity <= (<u64>scratchAddress + <u64>scratchLength - <u64>into) >> 3;
}

/**
 * count/findAll(sub, start, end): the number of non-overlapping occurrences of the needle in the
 * window find() searches (the same clamping), at most `capacity` (NaN: no limit), or -code. With
 * `into` (an area of the scratch region past the needle; 0 to count only), their absolute indices
 * are stored there as f64. OUT[0] = where the next occurrence may start (the end of the last one
 * counted, or the window's start), so that the host can continue a window in slices.
 * An empty needle occurs at every index of the window and at its end, as bytes.count(b'') counts.
 */
export function findAll(handle: i32, needle: usize, needleLength: f64, start: f64, end: f64, into: usize, capacity: f64): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const n = arg(needleLength, -1);
  if (!isInput(needle, n)) return -E_BAD_BUFFER;
  const most = arg(capacity, <i64>u32.MAX_VALUE);
  if (most < 0 || (into != 0 && !isOutput(into, most, needle, n))) return -E_BAD_BUFFER;
  const cap = <u32>min(most, <i64>u32.MAX_VALUE);
  const size = <i64>m.length;
  const from = clampBound(arg(start, <i64>m.pos), size);
  const to = clampBound(arg(end, size), size);
  out(0, <f64>from);
  if (to < from) return 0;
  if (n == 0) {
    const count = <u32>min(to - from + 1, <i64>cap);
    for (let k: u32 = 0; into != 0 && k < count; k++) store<f64>(into + (<usize>k << 3), <f64>(from + <i64>k));
    out(0, <f64>(from + <i64>count));
    return <f64>count;
  }
  if (n > to - from) return 0;
  if (!touchable(m, from, to)) return -E_EFAULT;
  const count = scanAll(<usize>m.data + <usize>from, <usize>(to - from), needle, <usize>n, into, cap, <f64>from);
  if (count > 0) out(0, <f64>(from + <i64>scanStop));
  return <f64>count;
}

/**
 * The next block of whole lines from the cursor, for the host's lines(): its length (0 at the
 * end), or -code. The block ends after the last newline in the `most` bytes from the cursor, or
 * after the first newline past them when there is none (a long line), or at the map's end.
 * The cursor does not move. OUT[0] = the block's address, OUT[1] = 1 when all its bytes are
 * ASCII, OUT[2] = the map's change count (see mapAdvance).
 */
export function linesBlock(handle: i32, most: f64): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const pos = <i64>m.pos;
  const size = <i64>m.length;
  const start = <usize>m.data + <usize>pos;
  out(0, <f64>start);
  out(1, 1);
  out(2, <f64>m.changes);
  if (pos >= size) return 0;
  // As readline(): bytes past the limit are touched (EFAULT) only when no newline comes before.
  const end = min(size, <i64>m.limit);
  if (pos >= end) return -E_EFAULT;
  const newline = memory.data<u8>([10]);
  const rest = end - pos;
  const window = max(arg(most, 1), 1);
  let count: i64;
  if (rest <= window) {
    if (end == size) {
      count = rest; // the rest of the map, its last line with or without a newline
    } else {
      const last = rfindBytes(start, <usize>rest, newline, 1);
      if (last < 0) return -E_EFAULT;
      count = last + 1;
    }
  } else {
    const last = rfindBytes(start, <usize>window, newline, 1);
    if (last >= 0) {
      count = last + 1;
    } else {
      const found = findBytes(start + <usize>window, <usize>(rest - window), newline, 1);
      if (found < 0 && end < size) return -E_EFAULT;
      count = found < 0 ? rest : window + found + 1;
    }
  }
  out(1, isAscii(start, <usize>count) ? 1 : 0);
  return <f64>count;
}

/**
 * Moves the cursor from `from` to `to` when it is still at `from` and the map has not changed
 * since the host read its change count `changes` (lines() yielding a line it read ahead):
 * 1, else 0 (the host reads again from the cursor), or -code.
 */
export function mapAdvance(handle: i32, from: f64, to: f64, changes: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (<f64>m.pos != from || <f64>m.changes != changes || !(to >= from && to <= <f64>m.length)) return 0;
  m.prevPos = m.pos;
  m.pos = <u32>to;
  return 1;
}

// ---- items and slices ----

/** m[i]: the byte, or -code. Negative i counts from the end. */
export function getItem(handle: i32, index: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const size = <i64>m.length;
  let i = arg(index, SSIZE_MAX);
  if (i < 0) i += size;
  if (i < 0 || i >= size) return -E_INDEX_RANGE;
  if (!touchable(m, i, i + 1)) return -E_EFAULT;
  return <i32>load<u8>(<usize>m.data + <usize>i);
}

/**
 * m[i] = v: 0, or -code. The host converts the key; `value` is the value as a number, NaN when
 * it is not an integer (TypeError) and ±Infinity when it does not fit in 64 bits.
 */
export function setItem(handle: i32, index: f64, value: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (!writable(m)) return -E_READONLY;
  const size = <i64>m.length;
  let i = arg(index, SSIZE_MAX);
  if (i < 0) i += size;
  if (i < 0 || i >= size) return -E_INDEX_RANGE;
  if (isNaN(value)) return -E_ITEM_VALUE_TYPE;
  if (!isFinite(value)) return -E_ITEM_VALUE_FIT;
  if (!(value >= 0 && value <= 255)) return -E_ITEM_VALUE_RANGE;
  if (!touchable(m, i, i + 1)) return -E_EFAULT;
  store<u8>(<usize>m.data + <usize>i, <u8>value);
  dirty(m, i, i + 1);
  return 0;
}

/**
 * Python's slice.indices (PySlice_Unpack + PySlice_AdjustIndices) for a sequence of `size`:
 * OUT[1] = start, OUT[2] = step; returns the slice's length, or -E_STEP_ZERO.
 */
function sliceIndices(size: i64, startArg: f64, stopArg: f64, stepArg: f64): i64 {
  let step = arg(stepArg, 1);
  if (step == 0) return -E_STEP_ZERO;
  if (step < -SSIZE_MAX) step = -SSIZE_MAX;
  let start = arg(startArg, step < 0 ? SSIZE_MAX : 0);
  let stop = arg(stopArg, step < 0 ? i64.MIN_VALUE : SSIZE_MAX);
  if (start < 0) {
    start += size;
    if (start < 0) start = step < 0 ? -1 : 0;
  } else if (start >= size) {
    start = step < 0 ? size - 1 : size;
  }
  if (stop < 0) {
    stop += size;
    if (stop < 0) stop = step < 0 ? -1 : 0;
  } else if (stop >= size) {
    stop = step < 0 ? size - 1 : size;
  }
  let count: i64 = 0;
  if (step < 0) {
    if (stop < start) count = (start - stop - 1) / -step + 1;
  } else if (start < stop) {
    count = (stop - start - 1) / step + 1;
  }
  out(1, <f64>start);
  out(2, <f64>step);
  return count;
}

/** The range [lo, hi) a slice of `count` items from `start` by `step` touches. OUT[3] = lo. */
@inline function sliceSpan(start: i64, step: i64, count: i64): i64 {
  const lastIndex = start + (count - 1) * step;
  const lo = step > 0 ? start : lastIndex;
  const hi = (step > 0 ? lastIndex : start) + 1;
  out(3, <f64>lo);
  return hi;
}

/** m[start:stop:step]: the slice's length; OUT[0] = the address of its bytes (gathered into scratch when step != 1). */
export function getSlice(handle: i32, start: f64, stop: f64, step: f64): f64 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const count = sliceIndices(<i64>m.length, start, stop, step);
  if (count < 0) return <f64>count;
  const first = <i64>load<f64>(OUT, 8);
  const by = <i64>load<f64>(OUT, 16);
  if (count == 0) { out(0, <f64>m.data); return 0; }
  const hi = sliceSpan(first, by, count);
  if (!touchable(m, <i64>load<f64>(OUT, 24), hi)) return -E_EFAULT;
  if (by == 1) { out(0, <f64>(<u64>m.data + <u64>first)); return <f64>count; }
  const into = <usize>scratch(<f64>count);
  if (into == 0) return -E_ENOMEM;
  scratchLength = 0; // the gathered bytes are output: no later call may take them as input
  let from = <usize>m.data + <usize>first;
  for (let k: i64 = 0; k < count; k++) {
    store<u8>(into + <usize>k, load<u8>(from));
    from += <usize>by;
  }
  out(0, <f64>into);
  return <f64>count;
}

/** m[start:stop:step] = data: 0, or -code. The data is at [source, source + length). */
export function setSlice(handle: i32, start: f64, stop: f64, step: f64, source: usize, length: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (!writable(m)) return -E_READONLY;
  const count = sliceIndices(<i64>m.length, start, stop, step);
  if (count < 0) return <i32>count;
  const len = arg(length, -1);
  if (!isInput(source, len)) return -E_BAD_BUFFER;
  if (len != count) return -E_SLICE_SIZE;
  if (count == 0) return 0;
  const first = <i64>load<f64>(OUT, 8);
  const by = <i64>load<f64>(OUT, 16);
  const hi = sliceSpan(first, by, count);
  const lo = <i64>load<f64>(OUT, 24);
  if (!touchable(m, lo, hi)) return -E_EFAULT;
  // A step longer than a page writes only the pages its elements fall in.
  const sparse = m.owned != 0 && (by > <i64>PAGE || by < -<i64>PAGE);
  if (sparse) dirtySpan(m, lo, hi);
  else dirty(m, lo, hi);
  if (by == 1) { memory.copy(<usize>m.data + <usize>first, source, <usize>count); return 0; }
  let at = first;
  for (let k: i64 = 0; k < count; k++) {
    store<u8>(<usize>m.data + <usize>at, load<u8>(source + <usize>k));
    if (sparse) own(m, at, at + 1, true);
    at += by;
  }
  return 0;
}

/** move(dest, src, count): 0, or -code. Overlapping ranges are handled (memmove). */
export function move(handle: i32, dest: f64, src: f64, count: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (!writable(m)) return -E_READONLY;
  const d = arg(dest, -1);
  const s = arg(src, -1);
  const c = arg(count, -1);
  const size = <i64>m.length;
  if (d < 0 || s < 0 || c < 0 || size - d < c || size - s < c) return -E_MOVE_RANGE;
  if (!touchable(m, d, d + c) || !touchable(m, s, s + c)) return -E_EFAULT;
  memory.copy(<usize>m.data + <usize>d, <usize>m.data + <usize>s, <usize>c);
  dirty(m, d, d + c);
  return 0;
}

// ---- flush, madvise, resize: checks here, the OS work in the host ----

/**
 * flush(offset, size): 1 when the host must publish [OUT[0], OUT[0] + OUT[1]) (msync, or the copy
 * backing's write-back), 0 when there is nothing to do (READ and COPY maps make no system
 * call), or -code.
 */
export function flush(handle: i32, offset: f64, size: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const len = <i64>m.length;
  const off = arg(offset, 0);
  const n = arg(size, len);
  if (n < 0 || off < 0 || len - off < n) return -E_FLUSH_RANGE;
  if (<i32>m.access == ACCESS_READ || <i32>m.access == ACCESS_COPY) return 0;
  // msync needs a page-aligned address; the map's data is page-aligned, as in CPython.
  if (off % <i64>PAGE != 0) return -E_EINVAL;
  out(0, <f64>off);
  out(1, <f64>n);
  return 1;
}

// madvise advice values of Linux (asm-generic/mman-common.h).
const MADV_DONTNEED: i32 = 4;
const MADV_FREE: i32 = 8;
const MADV_REMOVE: i32 = 9;
const MADV_WIPEONFORK: i32 = 18;
const MADV_POPULATE_READ: i32 = 22;
const MADV_POPULATE_WRITE: i32 = 23;
const MADV_DONTNEED_LOCKED: i32 = 24;
const EACCES: i32 = 13;
const ENODEV: i32 = 19;
const MADV_HWPOISON: i32 = 100;
const MADV_GUARD_REMOVE: i32 = 103;
const EPERM: i32 = 1;

/** What a successful madvise did to the bytes (its result, for the host). */
export const ADVICE_ONLY: i32 = 0;      // contents unchanged
export const ADVICE_ZEROED: i32 = 1;    // the range now reads as zeros (done here, unless external)
export const ADVICE_RELOAD: i32 = 2;    // a private file map's range reverts to the file's bytes (the host rereads it)

/**
 * madvise(option, start, length): an ADVICE_* value, with OUT[0] = start and OUT[1] = the clamped
 * length, or -code. Checks as CPython's mmap_madvise_method, then as Linux's madvise(2) would.
 */
export function madvise(handle: i32, option: i32, start: f64, length: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const size = <i64>m.length;
  const s = arg(start, 0);
  let n = arg(length, size);
  if (s < 0 || s >= size) return -E_MADVISE_START;
  if (n < 0) return -E_MADVISE_LENGTH;
  if (SSIZE_MAX - s < n) return -E_MADVISE_OVERFLOW;
  if (s + n > size) n = size - s;
  if (s % <i64>PAGE != 0) return -E_EINVAL;
  out(0, <f64>s);
  out(1, <f64>n);
  const shared = (m.bits & SHARED) != 0;
  const file = (m.bits & FILE) != 0;
  // Refused outright: MADV_HWPOISON and MADV_SOFT_OFFLINE poison pages (CPython as root does
  // it), MADV_GUARD_INSTALL/REMOVE (Linux 6.13) make touching them a SIGSEGV.
  if (option >= MADV_HWPOISON && option <= MADV_GUARD_REMOVE) return -(E_OS + EPERM);
  // As Linux 6.x answers (checked with CPython on this kernel): 24 is MADV_DONTNEED_LOCKED.
  if (!((option >= 0 && option <= 4) || (option >= 8 && option <= 24))) return -E_EINVAL;
  // Linux returns before looking at the mapping when the length is 0.
  if (n == 0) return ADVICE_ONLY;
  if ((option == MADV_FREE || option == MADV_WIPEONFORK) && (shared || file)) return -E_EINVAL;
  // Populating faults the pages in as a read or a write would: the protection must allow it.
  if (option == MADV_POPULATE_READ && (m.bits & NO_READ) != 0) return -E_EINVAL;
  if (option == MADV_POPULATE_WRITE && !writable(m)) return -E_EINVAL;
  // Populating pages past the file's end faults (SIGBUS): Linux answers EFAULT.
  if ((option == MADV_POPULATE_READ || option == MADV_POPULATE_WRITE) && !touchable(m, s, s + n)) return -E_EFAULT;
  if (option == MADV_REMOVE) {
    if (!shared) return file ? -(E_OS + EACCES) : -E_EINVAL;
    if (file && (m.bits & FD_WRITABLE_BIT) == 0) return -(E_OS + EACCES);
  }
  const dropsPages = option == MADV_DONTNEED || option == MADV_DONTNEED_LOCKED;
  const zeroes = (dropsPages && !shared && !file) || option == MADV_REMOVE;
  if (zeroes) {
    // Whole pages only, as the kernel drops whole pages (the length is rounded up).
    const end = min(<i64>regionBytes(<u64>(s + n)), <i64>m.capacity);
    if ((m.bits & EXTERNAL) == 0) memory.fill(<usize>m.data + <usize>s, 0, <usize>(end - s));
    dirty(m, s, end);
    return ADVICE_ZEROED;
  }
  const pagesEnd = min(<i64>regionBytes(<u64>(s + n)), <i64>m.capacity);
  if (dropsPages && !shared && file) {
    // The map's own copies of those whole pages are dropped: they show the file again.
    if (m.owned != 0) own(m, s, pagesEnd, false);
    m.changes++;
    return ADVICE_RELOAD;
  }
  // Populating for writing write-faults the pages: a private map copies them.
  if (option == MADV_POPULATE_WRITE && m.owned != 0) own(m, s, pagesEnd, true);
  return ADVICE_ONLY;
}

/**
 * resize(newsize), first half: CPython's checks, then room for the new size (in place, or a
 * spare region whose address is OUT[0]; 0 there means in place). Changes no byte and no length:
 * the host then changes the file, and calls resizeCommit (or resizeAbort if that failed).
 */
export function resizePrepare(handle: i32, newSize: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (<i32>m.access != ACCESS_DEFAULT && <i32>m.access != ACCESS_WRITE) return -E_NOT_RESIZEABLE;
  const n = arg(newSize, -1);
  if (n < 0) return -E_NEWSIZE_RANGE;
  // mremap(2) to 0 bytes is EINVAL (CPython: the file is truncated first, see resizeTruncated).
  if (n == 0) return -E_EINVAL;
  if (n >= <i64>u32.MAX_VALUE) return -E_ENOMEM;
  if (m.spareData != 0) { regionFree(m.spareData, m.spareCapacity); m.spareData = 0; m.spareCapacity = 0; }
  if (!ensureOwned(m, regionBytes(<u64>n))) return -E_ENOMEM;
  out(0, 0);
  if (<u64>n <= <u64>m.capacity) return 0;
  if (regionExtend(m.data, m.capacity, <u64>n)) {
    m.capacity = <u32>regionBytes(<u64>n);
    return 0;
  }
  const spare = regionAlloc(<u64>n);
  if (spare == 0) return -E_ENOMEM;
  m.spareData = <u32>spare;
  m.spareCapacity = <u32>regionBytes(<u64>n);
  out(0, <f64>spare);
  return 0;
}

/** Gives back a spare region reserved by resizePrepare when the host's file change failed. */
export function resizeAbort(handle: i32): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  if (m.spareData != 0) regionFree(m.spareData, m.spareCapacity);
  m.spareData = 0;
  m.spareCapacity = 0;
  return 0;
}

/**
 * resize(newsize), second half: moves to the spare region if there is one (copying the bytes,
 * unless external: the host has mapped the file there and put zero pages over the old region),
 * sets the length, and frees whole pages past it (an external map's host zeroed them first).
 * The bytes of the last page past the new length are kept, as mremap keeps them.
 * Returns 0; OUT[0] = the map's address.
 */
export function resizeCommit(handle: i32, newSize: f64): i32 {
  const m = lookup(handle);
  if (m === null) return -E_CLOSED;
  const n = arg(newSize, -1);
  if (n <= 0 || <u64>n > <u64>max(m.capacity, m.spareCapacity)) return -E_NEWSIZE_RANGE;
  const external = (m.bits & EXTERNAL) != 0;
  const old = <i64>m.length;
  if (m.spareData != 0) {
    if (!external) memory.copy(m.spareData, m.data, <usize>min(m.capacity, m.spareCapacity));
    release(m, m.data, m.capacity, external);
    m.data = m.spareData;
    m.capacity = m.spareCapacity;
    m.spareData = 0;
    m.spareCapacity = 0;
  }
  const keep = regionBytes(<u64>n);
  // A shared anonymous map lives in a shmem object (Linux shmem_zero_setup): the pages a shrink
  // unmaps stay in it, and growing maps them again with their bytes. Its region keeps them.
  const shmem = (m.bits & (SHARED | FILE)) == SHARED;
  // The map owns no page past the new end: mremap unmaps them, and truncation drops even a
  // private map's copies (mm/truncate.c truncate_pagecache).
  if (m.owned != 0 && keep < <u64>m.capacity) own(m, <i64>keep, <i64>m.capacity, false);
  if (keep < <u64>m.capacity && !shmem) {
    if (!external) memory.fill(<usize>m.data + <usize>keep, 0, <usize>(<u64>m.capacity - keep));
    regionShrink(m.data, m.capacity, keep);
    m.capacity = <u32>keep;
  }
  m.length = <u32>n;
  m.changes++;
  if ((m.bits & PROT_NONE_BIT) == 0) m.limit = NO_LIMIT;
  out(0, <f64>m.data);
  // What the host must read from the file (through mapFollow): a copied map's new bytes; and a
  // private one's pages it does not own, from the page holding the lower end, which truncation
  // and growth changed in the file (zeros past its end).
  let from: i64 = 0;
  let to: i64 = 0;
  if ((m.bits & (FILE | EXTERNAL)) == FILE) {
    if (m.owned != 0) { from = min(old, n) / <i64>PAGE * <i64>PAGE; to = <i64>keep; }
    else if (n > old) { from = old; to = n; }
  }
  out(1, <f64>from);
  out(2, <f64>to);
  return 0;
}
