// The anonymous backing: zero-filled memory of the core, nothing else.
// Invariants: the region is the map's only copy of its bytes; a shared anonymous map keeps the
// pages a shrink unmapped (the core holds them, as Linux's shmem object does); with a file's
// fd (MAP_ANONYMOUS), the file is only truncated by resize(), as CPython does, never read.
import { Backing, zeroRegion } from './backing.js';

/** Zero-filled memory of the core. */
export class AnonymousBacking extends Backing {
  readonly name = 'anonymous';
  attach(): void {}
  publish(): void {}
  advise(): void {}
  resize(newSize: number): void {
    // MAP_ANONYMOUS with a file's fd: CPython truncates the file all the same.
    if (this.fd !== -1) this.truncateFile(newSize);
    this.core.resizeCommit(this.handle, newSize);
  }
  /** The memory is not the file's: it stays as it is. */
  protected fileLost(): void {}
  detach(): boolean {
    this.closeFd();
    return zeroRegion(this.core, this.handle, this.native);
  }
}
