// Where a map's bytes come from and go to. The core does the semantics over its region; a
// backing fills the region, publishes it to the file, follows resize() and madvise() on the
// file's side, and releases the region when the map closes.
//   anonymous: zero pages of the core's memory, nothing else.
//   copy:      the file's bytes are read into the region; flush()/close() write a shared writable
//              map's bytes back (pwrite), never past the file's current end; flush() then
//              fdatasync()s, as durable as CPython's msync(MS_SYNC).
//   native:    the helper maps the file's pages over the region (MAP_FIXED), so the core works
//              on the page cache itself; flush() is msync, madvise() is the real one.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import { ADVICE_RELOAD, ADVICE_ZEROED, Core, EINVAL, check } from './abi.js';
import { OSError, os } from './errors.js';
import { type NativeHelper, native as loadedHelper } from './native.js';
import { MADV_HUGEPAGE, PAGESIZE } from './constants.js';

export type BackingName = 'native' | 'copy' | 'anonymous';

/** Rounds up to whole pages. */
const pageCeil = (n: number) => Math.ceil(n / PAGESIZE) * PAGESIZE;
const EFAULT = 14;
const HUGE_PAGE = 2 << 20;
/** Linux 5.14's advice (not among CPython 3.11's constants): write-faults the pages. */
const MADV_POPULATE_WRITE = 23;

/** What a backing needs to know of the map's file and mapping. */
export interface MapFile {
  /** The map's own duplicate of the caller's fd, or -1. */
  fd: number;
  offset: number;
  /** MAP_SHARED (writes reach the file), not MAP_PRIVATE or ACCESS_COPY. */
  shared: boolean;
  /** The map may be written (its stored access is not ACCESS_READ). */
  writable: boolean;
  /** The fd is open for writing, so that ftruncate can work. */
  fdWritable: boolean;
  /** MAP_POPULATE was asked for. */
  populate: boolean;
}

/** One open map: the core that holds it, its handle, and the file behind it if any. */
export abstract class Backing {
  abstract readonly name: BackingName;

  readonly fd: number;
  readonly offset: number;

  constructor(readonly core: Core, readonly handle: number, protected readonly file: MapFile,
    /** The native helper where it may serve this core; the copy and anonymous backings use it to zero and advise. */
    protected readonly native?: NativeHelper) {
    this.fd = file.fd;
    this.offset = file.offset;
  }

  /** The region's address (re-read: resize may move it). */
  protected data(): number { return this.core.x.map_data(this.handle); }

  /** Fills a new map's region. */
  abstract attach(length: number): void;

  /** flush(): makes [offset, offset + size) of the map reach the file. */
  abstract publish(offset: number, size: number): void;

  /** madvise() after the core's checks; `effect` is what the core says happens to the bytes. */
  abstract advise(option: number, start: number, length: number, effect: number): void;

  /**
   * resize() after CPython's checks: the core's resize_prepare succeeded, reserving `spare`
   * (a new region's address, or 0 when the map grows or shrinks in place).
   */
  abstract resize(newSize: number, spare: number): void;

  /** Releases the map; returns whether its region already reads as zeros. */
  abstract detach(): boolean;

  /**
   * After the core answered EFAULT: whether pages past the file's end are back (the file grew
   * again) and mapped, so that the call may be tried once more. Only the native backing sees
   * the file change under it.
   */
  refresh(): boolean { return false; }

  /**
   * After a call that may have written bytes; `step` is a slice assignment's step. Only the
   * copy backing's private maps keep track (which pages they own).
   */
  wrote(step?: number): void {}

  /** Handles what faultPending() saw: the map learns the file's new end, and the call is EFAULT. */
  absorbFault(undoPos: boolean): void {}

  /** resize(0): Linux's mremap refuses it (EINVAL) after CPython truncated the file to `offset`. */
  resizeToZero(): never {
    if (this.fd !== -1) {
      os(() => ftruncateSync(this.fd, this.offset));
      this.fileLost();
    }
    throw new OSError(EINVAL);
  }

  /**
   * resize(0) truncated the file to where the map starts: the map now lies wholly past the
   * file's end, where CPython dies on a touch, and what it wrote is gone with the file's pages.
   */
  protected fileLost(): void {
    this.core.x.map_set_limit(this.handle, 0);
    this.core.x.map_take_dirty(this.handle);
  }

  /** ftruncate to the map's new end (CPython's resize does it first); a failure gives back what resize_prepare reserved. */
  protected truncateFile(newSize: number): void {
    try {
      os(() => ftruncateSync(this.fd, this.offset + newSize));
    } catch (error) {
      this.core.x.resize_abort(this.handle);
      throw error;
    }
  }

  /** Closes the map's own fd. */
  protected closeFd(): void {
    if (this.fd !== -1) closeFd(this.fd);
  }
}

/**
 * Closes an fd that the constructor's duplicate() made: through the helper where it made it
 * (Node warns of a closeSync in a worker of an fd it did not open, and the helper closes the
 * fds it made that are still open when their thread exits).
 */
export function closeFd(fd: number): void {
  const helper = loadedHelper;
  if (helper !== undefined) os(() => helper.close(fd));
  else closeSync(fd);
}

/** Zero-filled memory of the core. */
export class AnonymousBacking extends Backing {
  readonly name = 'anonymous';

  /**
   * A shared anonymous map lives in a shmem object (Linux shmem_zero_setup): the pages a
   * shrinking resize unmaps stay in it, and growing maps them again with their bytes (CPython
   * shows them). Those pages' bytes, from the first shrink on; null until then, and for a
   * private map, whose pages are freed. Past its first size CPython's object ends (SIGBUS);
   * here it grows with the map (README), as if it had been made big enough.
   */
  private object: Uint8Array | null = null;

  attach(): void {}
  publish(): void {}
  advise(): void {}
  resize(newSize: number): void {
    const old = this.core.x.map_length(this.handle);
    // MAP_ANONYMOUS with a file's fd: CPython truncates the file all the same.
    if (this.fd !== -1) this.truncateFile(newSize);
    const [keep, had] = [pageCeil(newSize), pageCeil(old)];
    if (this.file.shared && keep < had) {
      if (this.object === null || this.object.length < had) {
        const grown = new Uint8Array(had);
        if (this.object !== null) grown.set(this.object);
        this.object = grown;
      }
      this.object.set(this.core.view().subarray(this.data() + keep, this.data() + had), keep);
    }
    check(this.core.x.resize_commit(this.handle, newSize));
    if (had < keep && this.object !== null) {
      this.core.view().set(this.object.subarray(had, Math.min(keep, this.object.length)), this.data() + had);
    }
  }
  /** The memory is not the file's: it stays as it is. */
  protected fileLost(): void {}
  detach(): boolean {
    this.closeFd();
    return zeroRegion(this.core, this.handle, this.native);
  }
}

/**
 * Puts fresh zero pages over a big region through the helper (cheaper than filling it, and it
 * gives the memory back); returns false when the core must fill it itself.
 */
function zeroRegion(core: Core, handle: number, native?: NativeHelper): boolean {
  const data = core.x.map_data(handle);
  const capacity = core.out(0);
  if (native === undefined || capacity < 1 << 16) return false;
  native.unmap(core.x.memory.buffer, data, capacity);
  return true;
}

/** The file's bytes copied into the region, written back by flush() and close(). */
export class CopyBacking extends Backing {
  readonly name = 'copy';

  /** Whether flush() and close() write back: a shared map that can be written. */
  private get writesBack(): boolean { return this.file.shared && this.file.writable; }

  /**
   * A private map's pages that it owns, one byte per page (1: owned): Linux gives a MAP_PRIVATE
   * map its own copy of a page when it first writes it (or at open, with MAP_POPULATE), and that
   * copy keeps its bytes whatever happens to the file; a page it does not own shows the file as
   * it is now, zeros past its end. Null for a shared map, whose pages always follow the file.
   */
  private owned: Uint8Array | null = null;

  attach(length: number): void {
    // Huge pages make the first touch of a big region 3× cheaper (Linux gives them on request
    // only, by default); big regions are 2 MiB-aligned for this.
    if (this.native !== undefined && length >= HUGE_PAGE) {
      try {
        this.native.madvise(this.core.x.memory.buffer, this.data(), this.core.out(0), MADV_HUGEPAGE);
      } catch {
        // Advice only: a kernel without transparent huge pages says EINVAL.
      }
    }
    // The whole last page, as a mapping holds it: a private map shows those bytes if it grows.
    this.readFile(0, pageCeil(length));
    if (!this.file.shared) {
      this.owned = new Uint8Array(pageCeil(length) / PAGESIZE);
      // MAP_POPULATE write-faults a writable private map's pages at once (mm/gup.c
      // populate_vma_page_range breaks COW for VM_WRITE without VM_SHARED).
      if (this.file.populate && this.file.writable) this.owned.fill(1);
    }
  }

  /** Reads the file's bytes for map range [from, to) into the region (zeros stay past the file's end). */
  private readFile(from: number, to: number): number {
    const data = this.data();
    const view = this.core.view();
    let done = from;
    while (done < to) {
      const chunk = Math.min(to - done, 1 << 30);
      const n = os(() => readSync(this.fd, view, data + done, chunk, this.offset + done));
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** Shows the file as it is now in the pages of [from, to) the map does not own, zeros past its end. */
  private followFile(from: number, to: number): void {
    const owned = this.owned!;
    for (let page = from / PAGESIZE; page < to / PAGESIZE;) {
      if (owned[page] === 1) { page++; continue; }
      let end = page + 1;
      while (end < to / PAGESIZE && owned[end] !== 1) end++;
      const read = this.readFile(page * PAGESIZE, end * PAGESIZE);
      const data = this.data();
      this.core.view().fill(0, data + read, data + end * PAGESIZE);
      page = end;
    }
  }

  /**
   * A private map owns every page the last call wrote: the core's dirty span, taken after each
   * writing call, so that the span never joins two writes with the pages between them. A slice
   * step longer than a page writes only the pages its elements fall in.
   */
  wrote(step = 1): void {
    if (this.owned === null) return;
    const from = this.core.x.map_take_dirty(this.handle);
    if (from < 0) return;
    const to = this.core.out(0);
    const stride = Math.abs(step);
    if (stride > PAGESIZE) {
      for (let i = from; i < to; i += stride) this.owned[Math.floor(i / PAGESIZE)] = 1;
    } else {
      this.owned.fill(1, Math.floor(from / PAGESIZE), pageCeil(to) / PAGESIZE);
    }
  }

  /**
   * flush(): writes back, then waits for the file's data to reach the disk, as CPython's
   * msync(MS_SYNC) does (Linux's msync fsyncs the range of a shared map's file even with no
   * page dirty, so a shared map syncs even when it wrote nothing; but not for an empty range).
   */
  publish(offset: number, size: number): void {
    this.writeBack();
    if (this.file.shared && size > 0) os(() => fdatasyncSync(this.fd));
  }

  /**
   * Writes back every byte written since the last publish (which covers the range flush() asks
   * for, as docs/spec/API.md allows), and no other: bytes the map did not change may have been
   * changed in the file by another writer since the map read them. A private map writes
   * nothing back, and its flush() leaves its pages as they are.
   */
  private writeBack(): void {
    if (!this.writesBack) return;
    const from = this.core.x.map_take_dirty(this.handle);
    if (from < 0) return;
    // Never past the file's current end: a real mapping cannot extend the file either.
    const fileSize = os(() => fstatSync(this.fd)).size;
    const end = Math.min(this.core.out(0), fileSize - this.offset);
    const data = this.data();
    const view = this.core.view();
    let done = from;
    while (done < end) {
      const chunk = Math.min(end - done, 1 << 30);
      done += os(() => writeSync(this.fd, view, data + done, chunk, this.offset + done));
    }
  }

  advise(option: number, start: number, length: number, effect: number): void {
    // MADV_DONTNEED on a private file map drops its own copies of whole pages (the kernel
    // rounds the length up): they show the file again.
    if (effect === ADVICE_RELOAD) {
      const end = pageCeil(start + length);
      this.owned?.fill(0, start / PAGESIZE, end / PAGESIZE);
      if (this.owned !== null) this.followFile(start, end);
      else this.readFile(start, end);
    }
    // MADV_POPULATE_WRITE write-faults the pages: a private map copies them.
    if (option === MADV_POPULATE_WRITE && length > 0) this.owned?.fill(1, start / PAGESIZE, pageCeil(start + length) / PAGESIZE);
    // For a file map the core answers ZEROED only to MADV_REMOVE on a shared map of a writable
    // fd, which punches a hole in the file at once, whole pages (read-only maps included).
    if (effect === ADVICE_ZEROED) this.writeZeros(start, pageCeil(start + length));
  }

  /** Writes zeros over the file's range for map range [from, to), not past the file's end. */
  private writeZeros(from: number, to: number): void {
    const fileSize = os(() => fstatSync(this.fd)).size;
    const end = Math.min(to, fileSize - this.offset);
    if (end > from) os(() => writeSync(this.fd, new Uint8Array(end - from), 0, end - from, this.offset + from));
  }

  resize(newSize: number): void {
    const old = this.core.x.map_length(this.handle);
    this.truncateFile(newSize);
    check(this.core.x.resize_commit(this.handle, newSize));
    if (this.owned === null) {
      // A shared map's new bytes come from the file.
      if (newSize > old) this.readFile(old, newSize);
      return;
    }
    // Pages past the new end are gone (mremap unmaps them; truncation drops even a private
    // map's copies, mm/truncate.c truncate_pagecache); pages it grows into are new. Of the pages
    // it does not own, the file changed only from the page holding the lower of the two ends.
    const pages = pageCeil(newSize) / PAGESIZE;
    const owned = new Uint8Array(pages);
    owned.set(this.owned.subarray(0, pages));
    this.owned = owned;
    this.followFile(Math.floor(Math.min(old, newSize) / PAGESIZE) * PAGESIZE, pages * PAGESIZE);
  }

  protected fileLost(): void {
    super.fileLost();
    // Truncating the file to the map's start dropped every page, the private copies too: the
    // map reads zeros once the file covers it again, as the file's new pages do.
    this.owned?.fill(0);
    const data = this.data();
    this.core.view().fill(0, data, data + this.core.x.map_length(this.handle));
  }

  detach(): boolean {
    try {
      // No sync: CPython's close() only unmaps, leaving dirty pages to the kernel's writeback;
      // the pwrite puts the bytes in the same page cache, with the same guarantee.
      this.writeBack();
    } finally {
      this.closeFd();
    }
    return zeroRegion(this.core, this.handle, this.native);
  }
}

/** Lets the helper absorb SIGBUS in a core's memory (its whole 8 GiB reservation), counted in the core's own record. */
export function watchFaults(core: Core, native: NativeHelper): void {
  const record = native.watch(core.x.memory.buffer, 2 ** 33);
  core.faults = new Int32Array(record, 0, 4);
  core.faultPages = new Uint8Array(record, 16);
}

/** The file's pages mapped by the OS over the region. */
export class NativeBacking extends Backing {
  readonly name = 'native';
  /**
   * Map bytes from here on lie in pages past the file's end (another process truncated it, or
   * resize(0) did): the core refuses to touch them (EFAULT) until the file covers them again.
   * Every hole lies past it.
   */
  private limit = Infinity;
  /**
   * Holes: the map's pages (numbered from its start) where the SIGBUS handler put a zero page
   * and the file is not mapped again yet. A hole may be anywhere, not only past the file's
   * current end: the file may have grown back before the host looked.
   */
  private readonly holes = new Set<number>();

  private get helper(): NativeHelper { return this.native!; }

  private get buffer(): ArrayBuffer { return this.core.x.memory.buffer; }

  /** Makes a read-only map's pages read-only again after the memory grew (V8 unprotects them). */
  private readonly reprotect = () => {
    const data = this.data();
    os(() => this.helper.protect(this.buffer, data, this.core.out(0), false));
  };

  attach(length: number): void {
    // MAP_POPULATE: a private map copies its pages when it opens (not on resize, as mremap).
    this.mapFile(this.data(), 0, length, this.file.populate);
    if (!this.file.writable) this.core.afterGrow.add(this.reprotect);
  }

  /**
   * Maps file range [offset + from, offset + to) at map position `from` of the region at `data`.
   * A read-only map of a read-only fd is MAP_PRIVATE: it reads the same page cache (pages never
   * written follow the file), but V8's memory.grow mprotects the whole memory read-write, and on
   * a shared mapping of a read-only fd that fails with EACCES, which V8 treats as fatal. Of a
   * read-write fd it stays shared, so that MADV_REMOVE acts as on CPython's map.
   */
  private mapFile(data: number, from: number, to: number, populate = false): void {
    if (to <= from) return;
    const { writable, shared, fdWritable } = this.file;
    os(() => this.helper.map(this.buffer, data + from, to - from, this.fd, this.offset + from,
      writable, shared && (writable || fdWritable), populate));
  }

  publish(offset: number, size: number): void {
    os(() => this.helper.msync(this.buffer, this.data() + offset, size));
  }

  /** The bytes of the map the file covers now: its pages up to the one holding the file's end. */
  private coveredBytes(): number {
    return pageCeil(Math.max(0, os(() => fstatSync(this.fd)).size - this.offset));
  }

  /** Sets how far the core may touch; Infinity: all of the map. */
  private setLimit(limit: number): void {
    this.limit = limit >= this.core.x.map_length(this.handle) ? Infinity : limit;
    this.core.x.map_set_limit(this.handle, this.limit === Infinity ? NaN : this.limit);
  }

  refresh(): boolean {
    if (this.limit === Infinity) return false;
    const before = this.limit;
    this.refill();
    return this.limit > before;
  }

  absorbFault(undoPos: boolean): void {
    const core = this.core;
    if (!core.faultPending()) return;
    core.faultsHandled = core.faults[0];
    // Only this call ran since the last check, so the faults were in this map: its file shrank.
    this.takeHoles();
    if (undoPos) core.x.map_undo_pos(this.handle);
    this.refill();
    throw new OSError(EFAULT);
  }

  /**
   * Moves the pages of this map that the handler marked in the core's record into `holes`, and
   * keeps the core off them from now on: a touch of a hole would read zeros, or write where
   * the file never sees it, without a fault.
   */
  private takeHoles(): void {
    const bits = this.core.faultPages;
    const first = this.data() / PAGESIZE;
    const end = first + this.core.out(0) / PAGESIZE;
    let lowest = Infinity;
    for (let byte = Math.floor(first / 8); byte < Math.ceil(end / 8); byte++) {
      if (bits[byte] === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        const page = byte * 8 + bit;
        if ((bits[byte] & (1 << bit)) === 0 || page < first || page >= end) continue;
        bits[byte] &= ~(1 << bit);
        this.holes.add(page - first);
        lowest = Math.min(lowest, page - first);
      }
    }
    if (lowest * PAGESIZE < this.limit) this.setLimit(lowest * PAGESIZE);
  }

  /** Maps the file again over every hole it covers now; the core may then touch up to the file's end. */
  private refill(): void {
    const covered = this.coveredBytes();
    const data = this.data();
    for (const page of this.holes) {
      if (page * PAGESIZE >= covered) continue;
      this.mapFile(data, page * PAGESIZE, (page + 1) * PAGESIZE);
      this.holes.delete(page);
    }
    this.setLimit(covered);
  }

  /** After resize() made the file cover the map's first `end` bytes: the file again over the holes there; the rest are gone with the tail. */
  private mapHolesBelow(end: number): void {
    const data = this.data();
    for (const page of this.holes) {
      if (page * PAGESIZE < end) this.mapFile(data, page * PAGESIZE, (page + 1) * PAGESIZE);
    }
    this.holes.clear();
    this.limit = Infinity;
  }

  protected fileLost(): void {
    super.fileLost();
    this.limit = 0;
  }

  advise(option: number, start: number, length: number): void {
    os(() => this.helper.madvise(this.buffer, this.data() + start, length, option));
  }

  resize(newSize: number, spare: number): void {
    const x = this.core.x;
    const old = x.map_length(this.handle);
    const data = x.map_data(this.handle);
    const capacity = this.core.out(0);
    if (newSize < old) {
      // ftruncate would fail on a read-only fd (EINVAL, as CPython reports it): say so before
      // the tail is unmapped, not after.
      if (!this.file.fdWritable) {
        x.resize_abort(this.handle);
        throw new OSError(EINVAL);
      }
      // Zero pages over the whole pages past the new end first, so that no page past the file's
      // end stays mapped for a moment (a touch there is SIGBUS).
      const keep = pageCeil(newSize);
      if (keep < capacity) this.helper.unmap(this.buffer, data + keep, capacity - keep);
      this.truncateFile(newSize);
      check(x.resize_commit(this.handle, newSize));
      this.mapHolesBelow(newSize);
      return;
    }
    this.truncateFile(newSize);
    if (spare !== 0) {
      // Move the pages (a private map keeps its writes), then map the file's new tail.
      const mapped = pageCeil(old);
      os(() => this.helper.move(this.buffer, data, mapped, spare));
      this.mapFile(spare, mapped, newSize);
    } else {
      this.mapFile(data, pageCeil(old), newSize);
    }
    check(x.resize_commit(this.handle, newSize));
    // The file covers the whole map again: map it where zero pages stood.
    this.mapHolesBelow(newSize);
  }

  detach(): boolean {
    this.core.afterGrow.delete(this.reprotect);
    const data = this.data();
    const capacity = this.core.out(0);
    this.helper.unmap(this.buffer, data, capacity);
    this.closeFd();
    return true;
  }
}
