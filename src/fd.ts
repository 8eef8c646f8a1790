// The caller's fd: its facts, asked of the OS once for map_new (fstat, and the access mode), and
// the map's own duplicate of it (CPython dup()s the fd). Rules about the facts live in the core.
import { fstatSync, openSync, readFileSync } from 'node:fs';
import { FD_DEV_ZERO, FD_GIVEN, FD_READABLE, FD_REGULAR, FD_VALID, FD_WRITABLE } from './abi.js';
import { OSError, os } from './errors.js';
import { native } from './native.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;
const DEV_ZERO = 0x105; // makedev(1, 5)
const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_APPEND = 0o2000;
const statOut = new Float64Array(4);

/** What map_new needs to know of an fd, and whether it appends (the copy backing cares). */
export interface FdFacts {
  /** FD_* bits. */
  bits: number;
  /** st_size. */
  size: number;
  /** O_APPEND is set. */
  append: boolean;
}

/** The facts of `fd` (-1: none). A failed fstat is a bad fd: the core reports EBADF in CPython's place. */
export function fdFacts(fd: number): FdFacts {
  if (fd === -1) return { bits: 0, size: 0, append: false };
  let size: number;
  let mode: number;
  let rdev: number;
  let flags: number;
  try {
    if (native !== undefined) {
      native.fstat(fd, statOut);
      [size, mode, rdev, flags] = statOut;
    } else {
      ({ size, mode, rdev } = fstatSync(fd));
      flags = statusFlags(fd);
    }
  } catch (error) {
    if (isBadFd(error)) return { bits: FD_GIVEN, size: 0, append: false };
    throw OSError.from(error);
  }
  const type = mode & S_IFMT;
  const access = flags & O_ACCMODE;
  return {
    bits: FD_GIVEN | FD_VALID | (type === S_IFREG ? FD_REGULAR : 0)
      | (type === S_IFCHR && rdev === DEV_ZERO ? FD_DEV_ZERO : 0)
      | (access === O_RDONLY || access === O_RDWR ? FD_READABLE : 0)
      | (access === O_WRONLY || access === O_RDWR ? FD_WRITABLE : 0),
    size,
    append: (flags & O_APPEND) !== 0,
  };
}

/** The fd's status flags (F_GETFL) without the helper: /proc/self/fdinfo. */
function statusFlags(fd: number): number {
  const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
  return parseInt(/flags:\s*([0-7]+)/.exec(info)![1], 8);
}

/** EBADF from the helper or Node, or no fdinfo entry: not an open fd. */
function isBadFd(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EBADF' || code === 'ENOENT';
}

/**
 * The map's own duplicate of `fd`. `writesWithFd`: the map writes the file through it (the copy
 * backing's pwrite), so it must not be O_APPEND, under which Linux's pwrite appends whatever the
 * offset; CPython's map writes in place. A dup shares the caller's O_APPEND; a reopen through
 * /proc (the same inode, even renamed or unlinked, with the same access mode) does not.
 */
export function duplicate(fd: number, facts: FdFacts, writesWithFd: boolean): number {
  if (native !== undefined && !(writesWithFd && facts.append)) return os(() => native!.dup(fd));
  const readable = (facts.bits & FD_READABLE) !== 0;
  const writable = (facts.bits & FD_WRITABLE) !== 0;
  const mode = readable && writable ? O_RDWR : writable ? O_WRONLY : O_RDONLY;
  return os(() => openSync(`/proc/self/fd/${fd}`, mode));
}
