// Regions: page-granular ranges of linear memory that hold maps' bytes, never touched by
// AssemblyScript's allocator (the core uses the stub runtime and allocates nothing itself).
// The native backing maps file pages over them with mmap(MAP_FIXED), so a region must be
// page-aligned and its own. Big regions are also aligned in the host's address space (base +
// address): from 2 MiB, to 2 MiB, which keeps page faults on first touch low (huge pages,
// docs/native-mapping.md); from 1 GiB, to 1 GiB, so that the region covers whole
// page-table pages of the level above: the kernel then frees them when a mapping there is
// replaced, instead of walking 512 empty entries per GiB on every mmap (open+close of a
// 1 GiB map: 11-13 µs of mmap calls 2 MiB-aligned, 6 µs 1 GiB-aligned).
//
//   0            regionsStart                                       memory.size() << 16
//   ├─ static ───┼─ 4 KiB pages ─────────────────────────────────────────────┤
//   │ map table  │ [ map A ][ free ][ map B, 2 MiB-aligned   ][ scratch ][free]
//   │ extents    │
//   │ out record │  grows with memory.grow only when no free extent fits
//
// Free space is a sorted array of extents (first page, page count), coalesced on free.
// Invariant: every free page reads as zeros (the caller zeroes a region before freeing it,
// or the host put fresh anonymous pages there), so a new anonymous map needs no fill.

export const PAGE_SHIFT: u32 = 12;
export const PAGE: u32 = 1 << PAGE_SHIFT;
/** Pages per 64 KiB WebAssembly page. */
const WASM_PAGE_PAGES: u32 = 16;
/** 2 MiB in pages: the alignment of big regions. */
const HUGE_PAGES: u32 = 512;
/** 1 GiB in pages: the alignment of giant regions. */
const GIANT_PAGES: u32 = 1 << 18;
/** The largest memory a wasm32 module can have, in pages. */
const MAX_PAGES: u64 = 1 << 20;

export const MAX_EXTENTS: i32 = (1 << 17) + 64;
// extent i: [start page u32][page count u32]
const EXTENTS: usize = memory.data(<i32>(MAX_EXTENTS << 3), 8);
let extentCount: i32 = 0;
let started: bool = false;
/** The host's base address modulo 1 GiB, in pages (0 until the host says otherwise). */
let biasPages: u32 = 0;

@inline function extStart(i: i32): u32 { return load<u32>(EXTENTS + (<usize>i << 3)); }
@inline function extSize(i: i32): u32 { return load<u32>(EXTENTS + (<usize>i << 3), 4); }
@inline function setExt(i: i32, start: u32, size: u32): void {
  store<u32>(EXTENTS + (<usize>i << 3), start);
  store<u32>(EXTENTS + (<usize>i << 3), size, 4);
}
@inline function memoryEndPage(): u32 { return <u32>memory.size() * WASM_PAGE_PAGES; }

/** Pages needed for `bytes` bytes (at least one). */
export function pagesFor(bytes: u64): u64 {
  return bytes == 0 ? 1 : (bytes + PAGE - 1) >> PAGE_SHIFT;
}

/** The address-space alignment, in pages, that a region of this many pages is worth. */
function alignmentFor(pages: u64): u32 {
  return pages >= GIANT_PAGES ? GIANT_PAGES : pages >= HUGE_PAGES ? HUGE_PAGES : 1;
}

/** The first page from `page` on that sits on an `align`-page boundary of the address space. */
function alignPage(page: u32, align: u32): u64 {
  if (align == 1) return page;
  const bias = <u64>(biasPages & (align - 1));
  return ((<u64>page + bias + align - 1) & ~(<u64>align - 1)) - bias;
}

function start(): void {
  if (started) return;
  started = true;
  if (ASC_RUNTIME != 0) { // not Runtime.Stub
    // Linked into a guest program (assembly/guest.ts) with a real runtime: its heap (TLSF)
    // claims every page from __heap_base to the memory's end at its first allocation, and later
    // only the pages it grows itself. Let it take them now; regions then use only pages this
    // allocator grows, never the heap's.
    __free(__alloc(1));
    return;
  }
  const first = <u32>((__heap_base + PAGE - 1) >> PAGE_SHIFT);
  const end = memoryEndPage();
  if (end > first) { setExt(0, first, end - first); extentCount = 1; }
}

/** Tells the allocator where the memory sits in the host's address space (modulo 1 GiB). */
export function setAddressBias(bias: u32): void {
  biasPages = (bias >> PAGE_SHIFT) & (GIANT_PAGES - 1);
}

function insertExtent(at: i32, page: u32, size: u32): bool {
  if (extentCount >= MAX_EXTENTS) return false;
  memory.copy(EXTENTS + (<usize>(at + 1) << 3), EXTENTS + (<usize>at << 3), <usize>(extentCount - at) << 3);
  setExt(at, page, size);
  extentCount++;
  return true;
}

function removeExtent(at: i32): void {
  memory.copy(EXTENTS + (<usize>at << 3), EXTENTS + (<usize>(at + 1) << 3), <usize>(extentCount - at - 1) << 3);
  extentCount--;
}

/** Takes pages [page, page + size) out of extent `i`, which must contain them. */
function carve(i: i32, page: u32, size: u32): bool {
  const s = extStart(i);
  const n = extSize(i);
  const head = page - s;
  const tail = s + n - (page + size);
  if (head == 0 && tail == 0) removeExtent(i);
  else if (head == 0) setExt(i, page + size, tail);
  else if (tail == 0) setExt(i, s, head);
  else {
    if (!insertExtent(i + 1, page + size, tail)) return false;
    setExt(i, s, head);
  }
  return true;
}

/** The least a grow adds, in pages (16 MiB): V8 answers every grow with a full collection. */
const GROW_STEP: u64 = 4096;

/** Grows the memory so that it ends at page `end` or later, as free pages. */
function growTo(end: u64): bool {
  const old = memoryEndPage();
  if (end <= <u64>old) return true;
  if (end > MAX_PAGES) return false;
  const needed = (end - old + WASM_PAGE_PAGES - 1) / WASM_PAGE_PAGES;
  // Grow by a step (or a quarter of the memory) at least, so that many small maps cost few
  // grows; pages nobody touches cost no memory. Fall back to the exact need near the limit.
  const step = max(needed, max(GROW_STEP, <u64>old / 4) / WASM_PAGE_PAGES);
  const ahead = min(step, MAX_PAGES / WASM_PAGE_PAGES - <u64>memory.size());
  if (memory.grow(<i32>ahead) < 0 && memory.grow(<i32>needed) < 0) return false;
  const now = memoryEndPage();
  if (extentCount > 0 && extStart(extentCount - 1) + extSize(extentCount - 1) == old) {
    setExt(extentCount - 1, extStart(extentCount - 1), extSize(extentCount - 1) + now - old);
    return true;
  }
  return insertExtent(extentCount, old, now - old);
}

/** Reserves a region of at least `bytes` bytes; returns its address, or 0 when memory is exhausted. */
export function regionAlloc(bytes: u64): usize {
  start();
  const pages = pagesFor(bytes);
  if (pages >= MAX_PAGES) return 0;
  const align = alignmentFor(pages);
  const address = place(pages, align);
  // A giant region that cannot be 1 GiB-aligned within the memory's limit is 2 MiB-aligned.
  return address != 0 || align != GIANT_PAGES ? address : place(pages, HUGE_PAGES);
}

/** Carves `pages` pages starting on an `align`-page boundary; 0 when they do not fit. */
function place(pages: u64, align: u32): usize {
  for (let i = 0; i < extentCount; i++) {
    const page = alignPage(extStart(i), align);
    if (page + pages <= <u64>extStart(i) + extSize(i)) {
      return carve(i, <u32>page, <u32>pages) ? <usize>page << PAGE_SHIFT : 0;
    }
  }
  // Nothing fits: grow, reusing a free tail that reaches the end of memory.
  const end = memoryEndPage();
  let from = end;
  if (extentCount > 0 && extStart(extentCount - 1) + extSize(extentCount - 1) == end) from = extStart(extentCount - 1);
  const page = alignPage(from, align);
  if (!growTo(page + pages)) return 0;
  const i = extentCount - 1;
  return carve(i, <u32>page, <u32>pages) ? <usize>page << PAGE_SHIFT : 0;
}

/** Returns a region's pages to the free list. Its bytes must already read as zeros. */
export function regionFree(address: usize, bytes: u64): void {
  let page = <u32>(address >> PAGE_SHIFT);
  let size = <u32>pagesFor(bytes);
  let at = 0;
  while (at < extentCount && extStart(at) < page) at++;
  const joinsPrev = at > 0 && extStart(at - 1) + extSize(at - 1) == page;
  const joinsNext = at < extentCount && page + size == extStart(at);
  if (joinsPrev && joinsNext) {
    setExt(at - 1, extStart(at - 1), extSize(at - 1) + size + extSize(at));
    removeExtent(at);
  } else if (joinsPrev) {
    setExt(at - 1, extStart(at - 1), extSize(at - 1) + size);
  } else if (joinsNext) {
    setExt(at, page, extSize(at) + size);
  } else if (!insertExtent(at, page, size)) {
    // The extent table is full: these pages stay reserved (leaked) rather than corrupt the table.
  }
}

/** Extends a region in place from `oldBytes` to `newBytes` when the pages after it are free. */
export function regionExtend(address: usize, oldBytes: u64, newBytes: u64): bool {
  const oldPages = pagesFor(oldBytes);
  const newPages = pagesFor(newBytes);
  if (newPages <= oldPages) return true;
  if (newPages >= MAX_PAGES) return false;
  const next = (<u64>address >> PAGE_SHIFT) + oldPages;
  const need = newPages - oldPages;
  let at = 0;
  while (at < extentCount && <u64>extStart(at) < next) at++;
  if (at == extentCount || <u64>extStart(at) != next) {
    if (next != <u64>memoryEndPage()) return false;
    if (!growTo(next + need)) return false;
    at = extentCount - 1;
  } else if (<u64>extSize(at) < need) {
    if (<u64>extStart(at) + extSize(at) != <u64>memoryEndPage()) return false;
    if (!growTo(next + need)) return false;
  }
  return carve(at, <u32>next, <u32>need);
}

/** Frees the pages of a region beyond `newBytes` (they must read as zeros already). */
export function regionShrink(address: usize, oldBytes: u64, newBytes: u64): void {
  const oldPages = pagesFor(oldBytes);
  const newPages = pagesFor(newBytes);
  if (newPages >= oldPages) return;
  regionFree(address + (<usize>newPages << PAGE_SHIFT), (oldPages - newPages) << PAGE_SHIFT);
}

/** The bytes a region of `bytes` bytes really occupies. */
export function regionBytes(bytes: u64): u64 { return pagesFor(bytes) << PAGE_SHIFT; }

/** Free pages in the memory as it is now, for tests and for the host's accounting. */
export function freePages(): u32 {
  start();
  let sum: u32 = 0;
  for (let i = 0; i < extentCount; i++) sum += extSize(i);
  return sum;
}
