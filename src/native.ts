// Loads the optional native helper (host/mmap_helper.c, built by `npm install`) and decides
// where it may be used. Without it wasm-mmap uses the copy backing, so loading never throws.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The native helper's exports. Stateless: the caller owns the table of regions. Every call
 * re-reads the buffer's data pointer, so pass the current `memory.buffer` (a grow detaches old
 * ones; a detached buffer is a `TypeError`). Ranges must lie inside the buffer (`RangeError`).
 * A failed syscall throws an `Error` with `errno`, `code` (e.g. `'EACCES'`), `syscall` and the
 * message `[Errno N] <strerror>`; a bad fd, negative ones included, is the kernel's EBADF.
 */
export interface NativeHelper {
  /**
   * mmap(MAP_FIXED) `length` bytes of `fd` from `fileOffset` over
   * `buffer[offset, offset + length)`. `offset` and `fileOffset` are page-aligned and
   * `length > 0`; the last page is mapped whole. The caller checks the file's size: a touch of
   * a page wholly past its end is a SIGBUS, which only {@link watch} makes survivable.
   * `shared` is MAP_SHARED, else MAP_PRIVATE; never ask for a shared read-only mapping of a
   * read-only fd: memory.grow mprotects the whole memory read-write, and V8 aborts the process
   * when that fails. `populate` adds MAP_POPULATE (a private map then copies its pages at once).
   */
  map(buffer: ArrayBuffer | Uint8Array, offset: number, length: number, fd: number,
    fileOffset: number, writable: boolean, shared: boolean, populate?: boolean): void;
  /** Puts fresh private zero pages over a page-aligned range; the file keeps its bytes. */
  unmap(buffer: ArrayBuffer | Uint8Array, offset: number, length: number): void;
  /**
   * mprotect a page-aligned range. Every memory.grow, from JS or from wasm, leaves the whole
   * memory read-write, read-only mappings included: call this after a grow to restore PROT_READ.
   */
  protect(buffer: ArrayBuffer | Uint8Array, offset: number, length: number, writable: boolean): void;
  /** msync(MS_SYNC); an unaligned `offset` is the kernel's EINVAL, as in CPython's flush(). */
  msync(buffer: ArrayBuffer | Uint8Array, offset: number, length: number): void;
  /**
   * Moves the mapping of a page-aligned range to another one (mremap MREMAP_FIXED), a private
   * map's written pages included, and puts zero pages over the old range.
   */
  move(buffer: ArrayBuffer | Uint8Array, offset: number, length: number, toOffset: number): void;
  /** The real madvise(2), with Linux's advice numbers; alignment is left to the kernel (EINVAL). */
  madvise(buffer: ArrayBuffer | Uint8Array, offset: number, length: number, advice: number): void;
  /** fcntl(F_DUPFD_CLOEXEC): a private copy of `fd`, so the map outlives the caller's fd. */
  dup(fd: number): number;
  /**
   * Takes SIGBUS (a touch of a mapped page past the end of a file that shrank) inside
   * `[address(buffer), + reserved)`, until this thread's env goes away: a zero page goes over the
   * faulting page and the fault is recorded in the returned record instead of the process
   * dying. The record: int32 [0] the count of faults, [1] and [2] the last address's low and high
   * 32 bits, then from byte 16 one bit per page of the range, set for each page that got a zero
   * page (the caller clears it). One record per call: each memory has its own. The first call
   * installs the handler for the process. `RangeError` when 16,384 memories are watched at once.
   */
  watch(buffer: ArrayBuffer | Uint8Array, reserved: number): ArrayBuffer;
  /** close(2) of an fd that {@link dup} made; a thread's fds that are still open are closed when it exits. */
  close(fd: number): void;
  /**
   * fstat(2): `out[0]` = st_size, `out[1]` = st_mode, `out[2]` = st_rdev, and `out[3]` the
   * access mode and append flag, fcntl(F_GETFL) & (O_ACCMODE | O_APPEND) (`fs.constants.O_RDONLY`,
   * `O_WRONLY` or `O_RDWR`, with `O_APPEND` or not).
   * Cheaper than fs.fstatSync.
   */
  fstat(fd: number, out: Float64Array): void;
  /** The buffer's data pointer, to place big regions 2 MiB- or 1 GiB-aligned in the address space. */
  address(buffer: ArrayBuffer | Uint8Array): number;
  /** sysconf(_SC_PAGESIZE): the unit of `offset`, `fileOffset` and mapped lengths. */
  readonly pageSize: number;
}

const helperPath = '../build/mmap_helper.node';

function load(): { helper?: NativeHelper; error?: string } {
  if (process.platform !== 'linux') {
    return { error: `the native helper supports Linux only (this is ${process.platform})` };
  }
  try {
    // src/ and dist/ both sit one level below the package root, next to build/.
    return { helper: createRequire(import.meta.url)(helperPath) as NativeHelper };
  } catch (cause) {
    return {
      error: `could not load build/mmap_helper.node: ${(cause as Error).message.split('\n')[0]}\n`
        + 'Possible solutions:\n'
        + '- Run `npm rebuild wasm-mmap` to build it (it needs a C compiler, `cc`).\n'
        + '- Allow install scripts for wasm-mmap (npm --ignore-scripts, pnpm and yarn skip them).\n'
        + '- Install a C compiler (Debian/Ubuntu: apt-get install gcc), then rebuild.\n'
        + 'Meanwhile wasm-mmap uses the copy backing.',
    };
  }
}

const loaded = load();

/** The native helper, or `undefined` where it is not built or cannot load ({@link nativeError}). */
export const native: NativeHelper | undefined = loaded.helper;

/** Why {@link native} is `undefined`, with possible solutions; `undefined` when it loaded. */
export const nativeError: string | undefined = loaded.error;

// A wasm32 access reaches at most base + 4 GiB index + 4 GiB static offset. V8's trap handler
// reserves that whole span (plus a 2 GiB guard below the base) up front, so such a memory grows in
// place to 4 GiB and out-of-bounds accesses trap. Without the trap handler V8 reserves at most the
// declared maximum and, under address-space pressure, less: then grow may move the memory.
const guardedSpan = 2 ** 33;

/**
 * Whether file pages mapped into `memory` stay where they are: its base address can never move
 * (a move would silently leave the mapping behind, later writes going to a stale copy).
 * True only where V8's trap handler has reserved 8 GiB past the base, read from /proc/self/maps:
 * the mappings from the base must be contiguous to base + 8 GiB and, past the memory's current
 * size, be nothing but reserved address space (`---p`, anonymous). Under
 * `--disable-wasm-trap-handler`, on 32-bit builds and elsewhere this is false.
 * @param memory The WebAssembly memory that will hold the mappings.
 * @returns `true` if the native backing may map into `memory`.
 * @example
 * const backing = native && baseIsStable(memory) ? 'native' : 'copy';
 */
export function baseIsStable(memory: WebAssembly.Memory): boolean {
  if (native === undefined || (process.arch !== 'x64' && process.arch !== 'arm64')) return false;
  // A Uint8Array, because Node 20's Node-API refuses a SharedArrayBuffer itself.
  const view = new Uint8Array(memory.buffer);
  if (view.byteLength === 0) return false;
  const base = native.address(view);
  const committedEnd = base + view.byteLength;
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'latin1');
  } catch {
    return false;
  }
  // Lines are sorted by address: "start-end perms offset dev inode [path]".
  let reached = -1;
  for (const line of maps.split('\n')) {
    const [range, perms, , , inode] = line.split(/\s+/, 5);
    const dash = range.indexOf('-');
    if (dash < 0) continue;
    const start = parseInt(range.slice(0, dash), 16);
    const end = parseInt(range.slice(dash + 1), 16);
    if (reached < 0) {
      if (start <= base && base < end) reached = end;
      continue;
    }
    if (reached >= base + guardedSpan || start !== reached) break;
    if (start >= committedEnd && (perms !== '---p' || inode !== '0')) break;
    reached = end;
  }
  return reached >= base + guardedSpan;
}
