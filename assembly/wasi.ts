// The WASI backing's I/O: files under the guest's preopened directories, through
// wasi_snapshot_preview1 (@assemblyscript/wasi-shim's raw bindings; the shim has no file API).
// No semantics here: assembly/guest.ts decides what to read and write, the core (mmap.ts) why.
// Every failure is a negated Linux errno (what CPython on Linux reports), never a trap.

import {
  fd_close, fd_datasync, fd_filestat_get, fd_filestat_set_size, fd_prestat_get,
  fd_prestat_dir_name, fd_pread, fd_pwrite, path_open, errno, filestat, filetype, iovec, prestat, rights,
} from '@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1';
import { linuxErrno } from './pyerrors';

const ENOENT: i32 = 2;
const PREOPENTYPE_DIR: u8 = 0;
const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
const READ_RIGHTS: u64 = rights.FD_READ | rights.FD_SEEK | rights.FD_TELL | rights.FD_FILESTAT_GET
  | rights.FD_DATASYNC | rights.FD_SYNC;
const WRITE_RIGHTS: u64 = rights.FD_WRITE | rights.FD_FILESTAT_SET_SIZE;

// Out-parameters of the calls below (a filestat is 64 bytes; an iovec and a count fit after it).
const STAT: usize = memory.data(64, 8);
const IOV: usize = memory.data(16, 8);
const COUNT: usize = memory.data(8, 8);

@inline function fail(e: errno): i32 { return -linuxErrno(e); }

/** A preopened directory's name as WASI gives it, without "./" before and "/" after ("." is ""). */
function preopenName(fd: u32): string | null {
  if (fd_prestat_get(fd, changetype<prestat>(STAT)) != errno.SUCCESS) return null;
  if (load<u8>(STAT) != PREOPENTYPE_DIR) return '';
  const length = load<u32>(STAT, 4);
  const buffer = new ArrayBuffer(<i32>length);
  if (fd_prestat_dir_name(fd, changetype<usize>(buffer), length) != errno.SUCCESS) return '';
  let name = String.UTF8.decode(buffer, true);
  while (name.startsWith('./')) name = name.substring(2);
  if (name == '.') name = '';
  while (name.length > 1 && name.endsWith('/')) name = name.substring(0, name.length - 1);
  return name;
}

/**
 * Opens `path` under the preopened directory whose name is its longest leading part (as
 * wasi-libc resolves paths: "." takes relative paths, "/" absolute ones). Returns the fd, or
 * -errno: ENOENT when no preopen covers the path; whatever the runtime refuses (a path that
 * leaves its directory is refused there: WASI's NOTCAPABLE or EPERM).
 */
export function openFile(path: string, write: bool): i32 {
  let p = path;
  while (p.startsWith('./')) p = p.substring(2);
  let best: i32 = -1;
  let bestLength: i32 = -1;
  for (let fd: u32 = 3; ; fd++) {
    const name = preopenName(fd);
    if (name === null) break; // the first fd that is not a preopen ends them (EBADF)
    if (name.length <= bestLength) continue;
    const covers = name.length == 0 ? !p.startsWith('/')
      : name == '/' ? p.startsWith('/')
      : p == name || p.startsWith(name + '/');
    if (covers) { best = <i32>fd; bestLength = name.length; }
  }
  if (best < 0) return -ENOENT;
  let rest = tailAfter(p, bestLength);
  if (rest.length == 0) rest = '.';
  const encoded = String.UTF8.encode(rest);
  const e = path_open(<u32>best, LOOKUP_SYMLINK_FOLLOW, changetype<usize>(encoded), encoded.byteLength,
    0, write ? READ_RIGHTS | WRITE_RIGHTS : READ_RIGHTS, 0, 0, COUNT);
  if (e != errno.SUCCESS) return fail(e);
  return <i32>load<u32>(COUNT);
}

/** The path after a preopen's name of `length` characters, without leading slashes. */
function tailAfter(p: string, length: i32): string {
  let rest = p.substring(length);
  while (rest.startsWith('/')) rest = rest.substring(1);
  return rest;
}

/** fstat: the file's size, or -errno; `isRegular` tells its type after a success. */
export function fileSize(fd: i32): i64 {
  const e = fd_filestat_get(<u32>fd, changetype<filestat>(STAT));
  if (e != errno.SUCCESS) return fail(e);
  isRegular = changetype<filestat>(STAT).filetype == filetype.REGULAR_FILE;
  return <i64>changetype<filestat>(STAT).size;
}
export let isRegular = false;

/** Reads the file's bytes at [offset, offset + length) into memory at `to`, up to its end; 0 or -errno. */
export function readAt(fd: i32, to: usize, length: u64, offset: u64): i32 {
  let done: u64 = 0;
  while (done < length) {
    const chunk = min(length - done, <u64>1 << 30);
    store<usize>(IOV, to + <usize>done, offsetof<iovec>('buf'));
    store<usize>(IOV, <usize>chunk, offsetof<iovec>('buf_len'));
    const e = fd_pread(<u32>fd, IOV, 1, offset + done, COUNT);
    if (e != errno.SUCCESS) return fail(e);
    const n = load<u32>(COUNT);
    if (n == 0) break;
    done += n;
  }
  return 0;
}

/** Writes memory [from, from + length) to the file at `offset`; 0 or -errno. */
export function writeAt(fd: i32, from: usize, length: u64, offset: u64): i32 {
  let done: u64 = 0;
  while (done < length) {
    const chunk = min(length - done, <u64>1 << 30);
    store<usize>(IOV, from + <usize>done, offsetof<iovec>('buf'));
    store<usize>(IOV, <usize>chunk, offsetof<iovec>('buf_len'));
    const e = fd_pwrite(<u32>fd, IOV, 1, offset + done, COUNT);
    if (e != errno.SUCCESS) return fail(e);
    done += load<u32>(COUNT);
  }
  return 0;
}

/** ftruncate; 0 or -errno. */
export function setSize(fd: i32, size: u64): i32 {
  const e = fd_filestat_set_size(<u32>fd, size);
  return e == errno.SUCCESS ? 0 : fail(e);
}

/** fdatasync; 0 or -errno. */
export function dataSync(fd: i32): i32 {
  const e = fd_datasync(<u32>fd);
  return e == errno.SUCCESS ? 0 : fail(e);
}

export function closeFile(fd: i32): void {
  fd_close(<u32>fd);
}

