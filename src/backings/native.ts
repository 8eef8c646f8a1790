// The native backing: the helper maps the file's pages over the region (mmap MAP_FIXED), so the
// core works on the page cache itself; flush() is msync, madvise() is the real one.
// Invariants: every page of the region below the map's end is the file's page, or a zero page
// that the SIGBUS handler put where the file had shrunk (a hole), which the core is kept off
// (its limit, at or below the lowest hole) until the file covers it again and it is mapped
// anew; a read-only map's pages are PROT_READ whenever the core runs.
import { fstatSync } from 'node:fs';
import { EINVAL } from '../abi.js';
import { PAGESIZE } from '../constants.js';
import { OSError, os } from '../errors.js';
import { takeFaults } from '../faults.js';
import type { NativeHelper } from '../native.js';
import { Backing, pageCeil } from './backing.js';

/** The file's pages mapped by the OS over the region. */
export class NativeBacking extends Backing {
  readonly name = 'native';
  /**
   * Holes: the map's pages (numbered from its start) where the SIGBUS handler put a zero page
   * and the file is not mapped again yet. A hole may be anywhere, not only past the file's
   * current end: the file may have grown back before the host looked.
   */
  private readonly holes = new Set<number>();

  private get helper(): NativeHelper { return this.native!; }

  /** Makes a read-only map's pages read-only again after the memory grew (V8 unprotects them). */
  private readonly reprotect = () => {
    const { address, capacity } = this.core.region(this.handle);
    os(() => this.helper.protect(this.core.buffer(), address, capacity, false));
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
    os(() => this.helper.map(this.core.buffer(), data + from, to - from, this.fd, this.offset + from,
      writable, shared && (writable || fdWritable), populate));
  }

  publish(offset: number, size: number): void {
    os(() => this.helper.msync(this.core.buffer(), this.data() + offset, size));
  }

  /** The bytes of the map the file covers now: its pages up to the one holding the file's end. */
  private coveredBytes(): number {
    return pageCeil(Math.max(0, os(() => fstatSync(this.fd)).size - this.offset));
  }

  /** Lets the core touch up to `limit` (Infinity: all of the map). */
  private setLimit(limit: number): void {
    this.core.setLimit(this.handle, limit >= this.core.length(this.handle) ? Infinity : limit);
  }

  refresh(): boolean {
    const before = this.core.limit(this.handle);
    if (before === Infinity) return false;
    this.refill();
    return this.core.limit(this.handle) > before;
  }

  absorbFault(undoPos: boolean): void {
    // Only this call ran since the last check, so the faults were in this map: its file shrank.
    const { address, capacity } = this.core.region(this.handle);
    const lowest = takeFaults(this.core, address, capacity, this.holes);
    if (lowest < this.core.limit(this.handle)) this.setLimit(lowest);
    if (undoPos) this.core.undoPos(this.handle);
    this.refill();
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
  }

  advise(option: number, start: number, length: number): void {
    os(() => this.helper.madvise(this.core.buffer(), this.data() + start, length, option));
  }

  resize(newSize: number, spare: number): void {
    const old = this.core.length(this.handle);
    const { address: data, capacity } = this.core.region(this.handle);
    if (newSize < old) {
      // ftruncate would fail on a read-only fd (EINVAL, as CPython reports it): say so before
      // the tail is unmapped, not after.
      if (!this.file.fdWritable) {
        this.core.resizeAbort(this.handle);
        throw new OSError(EINVAL);
      }
      // Zero pages over the whole pages past the new end first, so that no page past the file's
      // end stays mapped for a moment (a touch there is SIGBUS).
      const keep = pageCeil(newSize);
      if (keep < capacity) this.helper.unmap(this.core.buffer(), data + keep, capacity - keep);
      this.truncateFile(newSize);
      this.core.resizeCommit(this.handle, newSize);
      this.mapHolesBelow(newSize);
      return;
    }
    this.truncateFile(newSize);
    if (spare !== 0) {
      // Move the pages (a private map keeps its writes), then map the file's new tail.
      const mapped = pageCeil(old);
      os(() => this.helper.move(this.core.buffer(), data, mapped, spare));
      this.mapFile(spare, mapped, newSize);
    } else {
      this.mapFile(data, pageCeil(old), newSize);
    }
    this.core.resizeCommit(this.handle, newSize);
    // The file covers the whole map again: map it where zero pages stood.
    this.mapHolesBelow(newSize);
  }

  detach(): boolean {
    this.core.afterGrow.delete(this.reprotect);
    const { address, capacity } = this.core.region(this.handle);
    this.helper.unmap(this.core.buffer(), address, capacity);
    this.closeFd();
    return true;
  }
}
