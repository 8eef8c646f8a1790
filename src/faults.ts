// A file that shrank under a native map: the fault protocol's one home on the host's side.
// The helper's SIGBUS handler puts a zero page where a touch met a page past the file's end and
// marks it in the memory's record (a count, and a bit per page). After every call that touches
// bytes, MMap's one wrapper (#touch) asks the core whether its record moved (Core.faultPending);
// if so the map takes its marked pages as holes (takeFaults), the core's limit keeps it off
// them, the cursor is undone, and the core is asked once more: it knows now where the file
// ends, and its rules answer (a forward search that matched before the lost pages) or refuse
// (EFAULT). The file's limit lives in the core.
import type { Core } from './abi.js';
import { PAGESIZE } from './constants.js';
import type { NativeHelper } from './native.js';
import { errnoNumber } from './errno.js';

export const EFAULT = errnoNumber('EFAULT');

/** Lets the helper absorb SIGBUS in a core's memory (its whole 8 GiB reservation), counted in the core's own record. */
export function watchFaults(core: Core, native: NativeHelper): void {
  const record = native.watch(core.buffer(), 2 ** 33);
  core.faults = new Int32Array(record, 0, 4);
  core.faultPages = new Uint8Array(record, 16);
}

/**
 * Handles the faults the record holds: moves the marked pages of the region at
 * [address, address + capacity) into `holes` (page numbers from the region's start) and clears
 * their marks. Returns the byte offset of the lowest hole taken, or Infinity.
 */
export function takeFaults(core: Core, address: number, capacity: number, holes: Set<number>): number {
  core.faultsHandled = core.faults[0];
  const bits = core.faultPages;
  const first = address / PAGESIZE;
  const end = first + capacity / PAGESIZE;
  let lowest = Infinity;
  for (let byte = Math.floor(first / 8); byte < Math.ceil(end / 8); byte++) {
    if (bits[byte] === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      const page = byte * 8 + bit;
      if ((bits[byte] & (1 << bit)) === 0 || page < first || page >= end) continue;
      bits[byte] &= ~(1 << bit);
      holes.add(page - first);
      lowest = Math.min(lowest, (page - first) * PAGESIZE);
    }
  }
  return lowest;
}
