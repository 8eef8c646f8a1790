// wasm-mmap for AssemblyScript guest programs: CPython 3.11's mmap object over WASI (docs/guests.md).
// The semantics are the core's (mmap.ts); this file is a host of it, like src/: it does the
// WASI I/O (wasi.ts) of the copy backing's rules (src/backing.ts CopyBacking):
//   - a file map reads the file's bytes at open;
//   - a shared writable map writes the bytes it changed back at flush() and close(), never past
//     the file's current end; MAP_PRIVATE and ACCESS_COPY maps never write back;
//   - resize() changes the file (fd_filestat_set_size), size() asks it (fd_filestat_get).
// Errors: AssemblyScript has no catchable exceptions, so a failed call returns a value that no
// success returns (a number below -1, null, false) and lastError() says what Python would raise.
// Numbers are f64 holding integers, as the core takes them; NaN is "not given" (Python's None).

import {
  mapNew, mapClose, mapData, mapLength, mapAccess, mapWritable, mapSetLimit, mapTakeDirty,
  scratch, read as coreRead, readByte as coreReadByte, readline as coreReadline, write as coreWrite,
  writeByte as coreWriteByte, seek as coreSeek, tell as coreTell, find as coreFind, getItem as coreGetItem,
  setItem as coreSetItem, getSlice as coreGetSlice, setSlice as coreSetSlice, move as coreMove,
  flush as coreFlush, madvise as coreMadvise, resizePrepare, resizeAbort, resizeCommit, OUT,
  ACCESS_DEFAULT, ACCESS_READ, ADVICE_RELOAD, ADVICE_ZEROED, FD_GIVEN, FD_VALID, FD_REGULAR, FD_READABLE,
  FD_WRITABLE, SHARED, FILE, DECIDED_WRITABLE, DECIDED_POPULATE,
} from './mmap';
import { E_OS, E_EINVAL, E_ENOMEM } from './errors';
import { openFile, fileSize, isRegular, readAt, writeAt, setSize, dataSync, closeFile } from './wasi';
import { MMapError, Kind, osKind, osMessage } from './pyerrors';

export { MMapError, Kind } from './pyerrors';
export { ACCESS_DEFAULT, ACCESS_READ, ACCESS_WRITE, ACCESS_COPY } from './mmap';

export const PAGESIZE: i32 = 4096;
export const MAP_SHARED: i32 = 1;
export const MAP_PRIVATE: i32 = 2;
export const MAP_ANONYMOUS: i32 = 32;
export const MAP_POPULATE: i32 = 32768;
export const PROT_READ: i32 = 1;
export const PROT_WRITE: i32 = 2;

const EBADF: i32 = 9;
const ACCESS_NAMES: string[] = ['ACCESS_DEFAULT', 'ACCESS_READ', 'ACCESS_WRITE', 'ACCESS_COPY'];

let error: MMapError | null = null;

/** What the last failed call would have raised in Python (null after a success). */
export function lastError(): MMapError | null { return error; }

/** Records the error of a core code (or E_OS + errno) and gives back its failure value. */
function fail(code: i32): f64 {
  error = MMapError.fromCode(code);
  return -<f64>max(code, 2);
}

@inline function out(i: i32): f64 { return load<f64>(OUT + (<usize>i << 3)); }
@inline function pageCeil(n: u64): u64 { return (n + <u64>PAGESIZE - 1) & ~(<u64>PAGESIZE - 1); }

/** Copies bytes into the core's scratch area (where it takes input); 0 when out of memory. */
function copyIn(bytes: Uint8Array): usize {
  const at = <usize>scratch(<f64>bytes.length);
  if (at != 0) memory.copy(at, bytes.dataStart, <usize>bytes.length);
  return at;
}

/** The core's bytes at OUT[0], `count` of them, as a new array (CPython returns bytes: a copy). */
function copyOut(count: f64): Uint8Array {
  const bytes = new Uint8Array(<i32>count);
  memory.copy(bytes.dataStart, <usize>out(0), <usize>count);
  return bytes;
}

/** A map of a file under the guest's preopened directories, or of anonymous memory. */
export class MMap {
  private handle: i32 = -1;
  private fd: i32 = -1;
  /** The bytes come from the file (and a shared writable map's go back to it). */
  private file: bool = false;
  private offset: f64 = 0;
  private shared: bool = false;
  private writable: bool = false;
  private populate: bool = false;
  // A private map's span of written bytes, ever (see ownsPageOf).
  private writtenLo: f64 = Infinity;
  private writtenHi: f64 = -Infinity;

  /**
   * mmap.mmap(open(path), length, flags, prot, access, offset): opens `path` read-only for
   * ACCESS_READ (or `prot` without PROT_WRITE), else read-write, as API.md's MMap.open.
   * Returns null on failure (lastError(): FileNotFoundError etc. with the path, or the constructor's error).
   */
  static open(path: string, length: f64 = 0, flags: i32 = MAP_SHARED, prot: i32 = PROT_READ | PROT_WRITE,
    access: i32 = ACCESS_DEFAULT, offset: f64 = 0): MMap | null {
    const write = !(access == ACCESS_READ || (access == ACCESS_DEFAULT && (prot & PROT_WRITE) == 0));
    const fd = openFile(path, write);
    if (fd < 0) {
      // Python's open(): "[Errno 2] No such file or directory: 'path'".
      error = new MMapError(osKind(-fd), -fd, osMessage(-fd) + ": '" + path + "'");
      return null;
    }
    const m = new MMap();
    if (m.construct(fd, write, length, flags, prot, access, offset)) return m;
    closeFile(fd);
    return null;
  }

  /** mmap.mmap(-1, length, flags, prot, access, offset); null on failure (see lastError()). */
  static anonymous(length: f64, flags: i32 = MAP_SHARED, prot: i32 = PROT_READ | PROT_WRITE,
    access: i32 = ACCESS_DEFAULT, offset: f64 = 0): MMap | null {
    const m = new MMap();
    return m.construct(-1, true, length, flags, prot, access, offset) ? m : null;
  }

  /**
   * CPython's constructor: the core's mapNew makes every check (CPython's and mmap(2)'s) from
   * the arguments and the fd's facts; then the copy backing reads the file. The one place that
   * constructs; the map owns `fd` on success.
   */
  private construct(fd: i32, fdWritable: bool, length: f64, flags: i32, prot: i32, access: i32, offset: f64): bool {
    const size = fd < 0 ? -1 : fileSize(fd);
    // WASI's rights stand for the open mode: path_open asked for reading, and writing if fdWritable.
    const facts = fd < 0 ? 0 : FD_GIVEN | (size < 0 ? 0 : FD_VALID | (isRegular ? FD_REGULAR : 0))
      | FD_READABLE | (fdWritable ? FD_WRITABLE : 0);
    const handle = mapNew(length, offset, flags, prot, access, size < 0 ? 0 : <f64>size, facts);
    if (handle < 0) { fail(-handle); return false; }
    const resolved = out(0);
    const decided = <i32>out(1);
    const file = (decided & FILE) != 0;
    if (file) {
      // The whole last page, as a mapping holds it: a private map shows those bytes if it grows.
      const e = readAt(fd, <usize>mapData(handle), pageCeil(<u64>resolved), <u64>offset);
      if (e < 0) { mapClose(handle, 0); fail(E_OS - e); return false; }
    }
    this.handle = handle;
    // MAP_ANONYMOUS with a file: the memory is not the file's, but size() and resize() still ask
    // and truncate it (as CPython), so the map keeps the fd.
    this.fd = fd;
    this.file = file;
    this.offset = offset;
    this.shared = (decided & SHARED) != 0;
    this.writable = (decided & DECIDED_WRITABLE) != 0;
    this.populate = (decided & DECIDED_POPULATE) != 0;
    error = null;
    return true;
  }

  /** Numbers from the core: below -1 is an error code (find's -1 is "not found"). */
  private ok(result: f64): f64 {
    if (result < -1) return fail(<i32>-result);
    error = null;
    return result;
  }

  private done(result: f64): bool { return this.ok(result) >= 0; }

  private bytes(count: f64): Uint8Array | null {
    return this.ok(count) < 0 ? null : copyOut(count);
  }

  /** The map's region's address (resize may move it). */
  private data(): usize { return <usize>mapData(this.handle); }

  get closed(): bool { return this.handle < 0; }

  /** len(m). */
  get length(): f64 { return this.ok(mapLength(this.handle)); }

  /**
   * close(): writes a shared writable file map's changes back, closes its fd, frees its memory.
   * Idempotent. False when the write-back failed (the map is closed all the same).
   */
  close(): bool {
    if (this.handle < 0) { error = null; return true; }
    // No sync: CPython's close() only unmaps, leaving dirty pages to the kernel's writeback.
    const written = this.writeBack();
    if (this.fd >= 0) closeFile(this.fd);
    mapClose(this.handle, 0);
    this.handle = -1;
    this.fd = -1;
    return written == 0 ? this.done(0) : this.done(-(E_OS + written));
  }

  find(sub: Uint8Array, start: f64 = NaN, end: f64 = NaN): f64 { return this.search(sub, start, end, 0); }
  rfind(sub: Uint8Array, start: f64 = NaN, end: f64 = NaN): f64 { return this.search(sub, start, end, 1); }

  private search(sub: Uint8Array, start: f64, end: f64, reverse: i32): f64 {
    const at = copyIn(sub);
    if (at == 0) return fail(E_ENOMEM);
    return this.ok(coreFind(this.handle, at, sub.length, start, end, reverse));
  }

  /** flush(offset, size): publishes the map's changes to the file and syncs it. */
  flush(offset: f64 = NaN, size: f64 = NaN): bool {
    const r = coreFlush(this.handle, offset, size);
    if (r != 1) return this.done(r);
    const n = out(1);
    let e = this.writeBack();
    // msync(MS_SYNC) fsyncs a shared map's file even when nothing was dirty, but not for 0 bytes.
    if (e == 0 && this.file && this.shared && n > 0) e = -dataSync(this.fd);
    return this.done(e == 0 ? 0 : -(E_OS + e));
  }

  /**
   * Writes back every byte written since the last write-back (which covers any range flush()
   * asks for) and no other, never past the file's current end. Returns 0 or an errno.
   */
  private writeBack(): i32 {
    const from = mapTakeDirty(this.handle);
    if (!this.file || from < 0) return 0;
    const to = out(0);
    if (!this.shared) { this.noteWritten(from, to); return 0; }
    if (!this.writable) return 0;
    const size = fileSize(this.fd);
    if (size < 0) return <i32>-size;
    const end = min(to, <f64>size - this.offset);
    if (end <= from) return 0;
    return -writeAt(this.fd, this.data() + <usize>from, <u64>(end - from), <u64>(this.offset + from));
  }

  private noteWritten(from: f64, to: f64): void {
    this.writtenLo = min(this.writtenLo, from);
    this.writtenHi = max(this.writtenHi, to);
  }

  /**
   * Whether a private map owns the page holding byte `at`: Linux gives a private map its own copy
   * of a page when it first writes it (or at once with MAP_POPULATE); until then it follows the file.
   */
  private ownsPageOf(at: f64): bool {
    if (this.shared) return false;
    if (this.populate) return true;
    const from = mapTakeDirty(this.handle);
    if (from >= 0) this.noteWritten(from, out(0));
    const page = at - at % <f64>PAGESIZE;
    return this.writtenLo < page + <f64>PAGESIZE && this.writtenHi > page;
  }

  madvise(option: i32, start: f64 = NaN, length: f64 = NaN): bool {
    const effect = coreMadvise(this.handle, option, start, length);
    if (effect < 0 || !this.file) return this.done(effect);
    const s = out(0);
    const end = <f64>pageCeil(<u64>(s + out(1)));
    let e = 0;
    // Whole pages, as the kernel drops them (the length is rounded up).
    if (effect == ADVICE_RELOAD) e = this.readFile(s, end);
    // MADV_REMOVE on a shared map of a writable fd punches a hole in the file at once.
    else if (effect == ADVICE_ZEROED) e = this.writeZeros(s, end);
    return this.done(e == 0 ? 0 : -(E_OS + e));
  }

  /** Reads the file's bytes for map range [from, to) into the map (up to the file's end); 0 or an errno. */
  private readFile(from: f64, to: f64): i32 {
    if (to <= from) return 0;
    return -readAt(this.fd, this.data() + <usize>from, <u64>(to - from), <u64>(this.offset + from));
  }

  /** Writes zeros over the file's range for map range [from, to), not past the file's end. */
  private writeZeros(from: f64, to: f64): i32 {
    const size = fileSize(this.fd);
    if (size < 0) return <i32>-size;
    const end = min(to, <f64>size - this.offset);
    if (end <= from) return 0;
    const zeros = new Uint8Array(<i32>(end - from));
    return -writeAt(this.fd, zeros.dataStart, <u64>(end - from), <u64>(this.offset + from));
  }

  move(dest: f64, src: f64, count: f64): bool { return this.done(coreMove(this.handle, dest, src, count)); }

  /** read(n): NaN or negative reads to the end. */
  read(n: f64 = NaN): Uint8Array | null { return this.bytes(coreRead(this.handle, n)); }

  readByte(): i32 { return <i32>this.ok(coreReadByte(this.handle)); }

  readline(): Uint8Array | null { return this.bytes(coreReadline(this.handle)); }

  /** resize(newsize): changes the map's length and the file's (truncate first, as CPython). */
  resize(newSize: f64): bool {
    const r = resizePrepare(this.handle, newSize);
    if (r == -E_EINVAL && newSize == 0) return this.resizeToZero();
    if (r < 0) return this.done(r);
    if (this.fd < 0) return this.done(resizeCommit(this.handle, newSize));
    const old = mapLength(this.handle);
    const e = setSize(this.fd, <u64>(this.offset + newSize));
    if (e < 0) { resizeAbort(this.handle); return this.done(-(E_OS - e)); }
    resizeCommit(this.handle, newSize);
    if (!this.file) return this.done(0);
    // New bytes come from the file, but for the rest of a last page that a private map owns.
    let from = old;
    if (newSize > old && this.ownsPageOf(old - 1)) from = min(<f64>pageCeil(<u64>old), newSize);
    const read = newSize > old ? this.readFile(from, newSize) : 0;
    return this.done(read == 0 ? 0 : -(E_OS + read));
  }

  /**
   * resize(0): CPython truncates the file to the map's offset, then Linux's mremap refuses 0
   * bytes (EINVAL). The map then lies past the file's end: touching it is EFAULT (where CPython
   * dies), and what it wrote is gone with the file's pages.
   */
  private resizeToZero(): bool {
    if (this.fd >= 0) {
      const e = setSize(this.fd, <u64>this.offset);
      if (e < 0) return this.done(-(E_OS - e));
    }
    if (this.file) {
      mapSetLimit(this.handle, 0);
      mapTakeDirty(this.handle);
      memory.fill(this.data(), 0, <usize>mapLength(this.handle));
    }
    return this.done(-E_EINVAL);
  }

  /** seek(pos, whence): the new position (as CPython 3.13). */
  seek(pos: f64, whence: i32 = 0): f64 { return this.ok(coreSeek(this.handle, pos, whence)); }

  seekable(): bool { return true; }

  /** size(): the file's size (fstat); OSError EBADF for an anonymous map, as CPython 3.11. */
  size(): f64 {
    const closed = mapLength(this.handle);
    if (closed < 0) return this.ok(closed);
    if (this.fd < 0) return fail(E_OS + EBADF);
    const size = fileSize(this.fd);
    return size < 0 ? fail(E_OS - <i32>size) : this.ok(<f64>size);
  }

  tell(): f64 { return this.ok(coreTell(this.handle)); }

  /** write(data): the count written. */
  write(data: Uint8Array): f64 {
    const at = copyIn(data);
    if (at == 0) return fail(E_ENOMEM);
    return this.ok(coreWrite(this.handle, at, data.length));
  }

  /** write_byte(b), b in 0..255. */
  writeByte(byte: u8): bool { return this.done(coreWriteByte(this.handle, byte)); }

  /** m[i]. */
  getItem(index: f64): i32 { return <i32>this.ok(coreGetItem(this.handle, index)); }

  /** m[i] = value; a value outside 0..255 is CPython's ValueError. */
  setItem(index: f64, value: f64): bool { return this.done(coreSetItem(this.handle, index, value)); }

  /** m[start:stop:step]; NaN is None. */
  getSlice(start: f64 = NaN, stop: f64 = NaN, step: f64 = NaN): Uint8Array | null {
    return this.bytes(coreGetSlice(this.handle, start, stop, step));
  }

  /** m[start:stop:step] = data; NaN is None. */
  setSlice(start: f64, stop: f64, data: Uint8Array, step: f64 = NaN): bool {
    // CPython checks writability before it converts the key.
    const writable = mapWritable(this.handle);
    if (writable < 0) return this.done(writable);
    const at = copyIn(data);
    if (at == 0) return this.done(-E_ENOMEM);
    return this.done(coreSetSlice(this.handle, start, stop, step, at, data.length));
  }

  /** repr(m). */
  toString(): string {
    if (this.handle < 0) return '<mmap.mmap closed=True>';
    return '<mmap.mmap closed=False, access=' + ACCESS_NAMES[mapAccess(this.handle)]
      + ', length=' + (<i64>mapLength(this.handle)).toString()
      + ', pos=' + (<i64>coreTell(this.handle)).toString()
      + ', offset=' + (<i64>this.offset).toString() + '>';
  }
}
