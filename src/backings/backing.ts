// Where a map's bytes come from and go to. The core does the semantics over its region, and
// decides every rule; a backing only does the OS's side: it fills the region, publishes it to
// the file, follows resize() and madvise() on the file's side, and releases the region.
//   anonymous.ts  zero pages of the core's memory, nothing else.
//   copy.ts       the file's bytes read into the region, written back by flush() and close().
//   native.ts     the file's pages mapped by the OS over the region (MAP_FIXED).
// Invariants of every backing:
// - it calls the core only through its typed methods (src/abi.ts), and re-reads the region's
//   address after anything that may move it (resize);
// - a failure leaves the map as the core has it (the core changed nothing, or is told to undo).
import { closeSync, ftruncateSync } from 'node:fs';
import { Core, EINVAL } from '../abi.js';
import { PAGESIZE } from '../constants.js';
import { OSError, os } from '../errors.js';
import { type NativeHelper, native as loadedHelper } from '../native.js';

export type BackingName = 'native' | 'copy' | 'anonymous';

/** Rounds up to whole pages. */
export const pageCeil = (n: number) => Math.ceil(n / PAGESIZE) * PAGESIZE;

/** Regions this big are 2 MiB-aligned: huge pages. */
export const HUGE_PAGE = 2 << 20;

/** What a backing needs to know of the map's file and mapping (map_new's decision). */
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
  protected data(): number { return this.core.region(this.handle).address; }

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
   * Takes a fault the SIGBUS handler absorbed in this map (src/faults.ts): the pages it lost
   * become holes the core is kept off, and the cursor is undone if the call moved it.
   */
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
    this.core.setLimit(this.handle, 0);
    this.core.takeDirty(this.handle);
  }

  /** ftruncate to the map's new end (CPython's resize does it first); a failure gives back what resize_prepare reserved. */
  protected truncateFile(newSize: number): void {
    try {
      os(() => ftruncateSync(this.fd, this.offset + newSize));
    } catch (error) {
      this.core.resizeAbort(this.handle);
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

/**
 * Puts fresh zero pages over a big region through the helper (cheaper than filling it, and it
 * gives the memory back); returns false when the core must fill it itself.
 */
export function zeroRegion(core: Core, handle: number, native?: NativeHelper): boolean {
  const { address, capacity } = core.region(handle);
  if (native === undefined || capacity < 1 << 16) return false;
  native.unmap(core.buffer(), address, capacity);
  return true;
}
