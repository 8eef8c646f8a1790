// The copy backing: the file's bytes are read into the region; flush() and close() write a
// shared writable map's bytes back (pwrite), never past the file's current end; flush() then
// fdatasync()s, as durable as CPython's msync(MS_SYNC).
// Invariants: the region holds the file's bytes as of the last read, plus the map's writes;
// only bytes the map wrote (the core's dirty span) are ever written back, so another writer's
// bytes are never overwritten with stale ones; which pages a private map owns, and so which
// must show the file again after resize() or madvise(), the core decides (map_follow).
import { fdatasyncSync, fstatSync, readSync, writeSync } from 'node:fs';
import { ADVICE_RELOAD, ADVICE_ZEROED } from '../abi.js';
import { MADV_HUGEPAGE } from '../constants.js';
import { os } from '../errors.js';
import { Backing, HUGE_PAGE, pageCeil, zeroRegion } from './backing.js';

/** The file's bytes copied into the region, written back by flush() and close(). */
export class CopyBacking extends Backing {
  readonly name = 'copy';

  /** Whether flush() and close() write back: a shared map that can be written. */
  private get writesBack(): boolean { return this.file.shared && this.file.writable; }

  attach(length: number): void {
    // Huge pages make the first touch of a big region 3× cheaper (Linux gives them on request
    // only, by default); big regions are 2 MiB-aligned for this.
    if (this.native !== undefined && length >= HUGE_PAGE) {
      const { address, capacity } = this.core.region(this.handle);
      try {
        this.native.madvise(this.core.buffer(), address, capacity, MADV_HUGEPAGE);
      } catch {
        // Advice only: a kernel without transparent huge pages says EINVAL.
      }
    }
    // The whole last page, as a mapping holds it: a private map shows those bytes if it grows.
    this.readFile(0, pageCeil(length));
  }

  /** Reads the file's bytes for map range [from, to) into the region; returns where the file ended. */
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

  /** Shows the file as it is now, zeros past its end, in the pages of [from, to) the core says follow it. */
  private followFile(from: number, to: number): void {
    for (let run = this.core.follow(this.handle, from, to); run !== undefined;
      run = this.core.follow(this.handle, run.end, to)) {
      const end = Math.min(run.end, to);
      const read = this.readFile(run.start, end);
      const data = this.data();
      this.core.view().fill(0, data + read, data + end);
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
   * nothing back.
   */
  private writeBack(): void {
    if (!this.writesBack) return;
    const span = this.core.takeDirty(this.handle);
    if (span === undefined) return;
    // Never past the file's current end: a real mapping cannot extend the file either.
    const fileSize = os(() => fstatSync(this.fd)).size;
    const end = Math.min(span.to, fileSize - this.offset);
    const data = this.data();
    const view = this.core.view();
    let done = span.from;
    while (done < end) {
      const chunk = Math.min(end - done, 1 << 30);
      done += os(() => writeSync(this.fd, view, data + done, chunk, this.offset + done));
    }
  }

  advise(option: number, start: number, length: number, effect: number): void {
    // MADV_DONTNEED on a private file map: the core dropped the map's own copies of the whole
    // pages (the kernel rounds the length up); they show the file again.
    if (effect === ADVICE_RELOAD) this.followFile(start, pageCeil(start + length));
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
    this.truncateFile(newSize);
    const { refillFrom, refillTo } = this.core.resizeCommit(this.handle, newSize);
    this.followFile(refillFrom, refillTo);
  }

  protected fileLost(): void {
    super.fileLost();
    // Truncating the file to the map's start dropped every page, the private copies too: the
    // map reads zeros once the file covers it again, as the file's new pages do.
    const data = this.data();
    this.core.view().fill(0, data, data + this.core.length(this.handle));
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
