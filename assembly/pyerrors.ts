// The guest's share of what src/abi.ts and src/errno.ts do for Node: each code of
// assembly/errors.ts as its Python class and CPython 3.11's verbatim message, and WASI's errno
// numbers as Linux's, which CPython on Linux reports. test/guest.test.ts checks the strerror
// texts against python3; the component's conformance tests check classes and messages.

import { E_OS } from './errors';

/** Python's exception classes, in the order of the WIT's `error-kind` (wit/mmap.wit). */
export const enum Kind {
  ValueError, TypeError, IndexError, OverflowError, BufferError, OSError,
  BlockingIOError, BrokenPipeError, ChildProcessError, ConnectionAbortedError,
  ConnectionRefusedError, ConnectionResetError, FileExistsError, FileNotFoundError,
  InterruptedError, IsADirectoryError, NotADirectoryError, PermissionError,
  ProcessLookupError, TimeoutError,
}

export const KIND_NAMES: string[] = [
  'ValueError', 'TypeError', 'IndexError', 'OverflowError', 'BufferError', 'OSError',
  'BlockingIOError', 'BrokenPipeError', 'ChildProcessError', 'ConnectionAbortedError',
  'ConnectionRefusedError', 'ConnectionResetError', 'FileExistsError', 'FileNotFoundError',
  'InterruptedError', 'IsADirectoryError', 'NotADirectoryError', 'PermissionError',
  'ProcessLookupError', 'TimeoutError',
];

// Codes 2..28 of assembly/errors.ts: class, then CPython's message (src/abi.ts has the same).
const CORE_KINDS: Kind[] = [
  Kind.ValueError, Kind.ValueError, Kind.ValueError, Kind.ValueError, Kind.ValueError,
  Kind.ValueError, Kind.ValueError, Kind.ValueError, Kind.ValueError, Kind.ValueError,
  Kind.ValueError, Kind.OverflowError, Kind.ValueError, Kind.ValueError, Kind.ValueError,
  Kind.ValueError, Kind.ValueError, Kind.ValueError, Kind.ValueError, Kind.OverflowError,
  Kind.OverflowError, Kind.TypeError, Kind.TypeError, Kind.IndexError, Kind.IndexError,
  Kind.TypeError, Kind.TypeError,
];
const CORE_MESSAGES: string[] = [
  'mmap closed or invalid', 'read byte out of range', 'write byte out of range',
  'data out of range', 'seek out of range', 'unknown seek type',
  'source, destination, or count out of range', 'flush values out of range',
  'new size out of range', 'madvise start out of bounds', 'madvise length invalid',
  'madvise length too large', 'mmap item value must be in range(0, 256)',
  'slice step cannot be zero', "mmap can't specify both access and flags, prot.",
  'mmap invalid access parameter.', 'cannot mmap an empty file',
  'mmap offset is greater than file size', 'mmap length is greater than file size',
  'memory mapped length must be positive', 'memory mapped offset must be positive',
  "mmap can't modify a readonly memory map.",
  "mmap can't resize a readonly or copy-on-write memory map.", 'mmap index out of range',
  'mmap slice assignment is wrong size', 'mmap item value must be an int',
  "cannot fit 'int' into an index-sized integer",
];

// glibc's strerror for Linux errnos 1..133 (python3: os.strerror), one a line; empty: unused.
const STRERROR = 'Operation not permitted\nNo such file or directory\nNo such process\nInterrupted system call\nInput/output error\nNo such device or address\nArgument list too long\nExec format error\nBad file descriptor\nNo child processes\nResource temporarily unavailable\nCannot allocate memory\nPermission denied\nBad address\nBlock device required\nDevice or resource busy\nFile exists\nInvalid cross-device link\nNo such device\nNot a directory\nIs a directory\nInvalid argument\nToo many open files in system\nToo many open files\nInappropriate ioctl for device\nText file busy\nFile too large\nNo space left on device\nIllegal seek\nRead-only file system\nToo many links\nBroken pipe\nNumerical argument out of domain\nNumerical result out of range\nResource deadlock avoided\nFile name too long\nNo locks available\nFunction not implemented\nDirectory not empty\nToo many levels of symbolic links\n\nNo message of desired type\nIdentifier removed\nChannel number out of range\nLevel 2 not synchronized\nLevel 3 halted\nLevel 3 reset\nLink number out of range\nProtocol driver not attached\nNo CSI structure available\nLevel 2 halted\nInvalid exchange\nInvalid request descriptor\nExchange full\nNo anode\nInvalid request code\nInvalid slot\n\nBad font file format\nDevice not a stream\nNo data available\nTimer expired\nOut of streams resources\nMachine is not on the network\nPackage not installed\nObject is remote\nLink has been severed\nAdvertise error\nSrmount error\nCommunication error on send\nProtocol error\nMultihop attempted\nRFS specific error\nBad message\nValue too large for defined data type\nName not unique on network\nFile descriptor in bad state\nRemote address changed\nCan not access a needed shared library\nAccessing a corrupted shared library\n.lib section in a.out corrupted\nAttempting to link in too many shared libraries\nCannot exec a shared library directly\nInvalid or incomplete multibyte or wide character\nInterrupted system call should be restarted\nStreams pipe error\nToo many users\nSocket operation on non-socket\nDestination address required\nMessage too long\nProtocol wrong type for socket\nProtocol not available\nProtocol not supported\nSocket type not supported\nOperation not supported\nProtocol family not supported\nAddress family not supported by protocol\nAddress already in use\nCannot assign requested address\nNetwork is down\nNetwork is unreachable\nNetwork dropped connection on reset\nSoftware caused connection abort\nConnection reset by peer\nNo buffer space available\nTransport endpoint is already connected\nTransport endpoint is not connected\nCannot send after transport endpoint shutdown\nToo many references: cannot splice\nConnection timed out\nConnection refused\nHost is down\nNo route to host\nOperation already in progress\nOperation now in progress\nStale file handle\nStructure needs cleaning\nNot a XENIX named type file\nNo XENIX semaphores available\nIs a named type file\nRemote I/O error\nDisk quota exceeded\nNo medium found\nWrong medium type\nOperation canceled\nRequired key not available\nKey has expired\nKey has been revoked\nKey was rejected by service\nOwner died\nState not recoverable\nOperation not possible due to RF-kill\nMemory page has hardware error';
let strerrors: string[] | null = null;

/** Linux's errno for each of WASI preview1's errno values 1..76 (NOTCAPABLE, WASI's own, as EPERM). */
const FROM_WASI: StaticArray<u8> = [7, 13, 98, 99, 97, 11, 114, 9, 74, 16, 125, 10, 103, 111, 104, 35, 89, 33, 122, 17, 14, 27, 113, 43, 84, 115, 4, 22, 5, 106, 21, 40, 24, 31, 90, 72, 36, 100, 102, 101, 23, 105, 19, 2, 8, 37, 67, 12, 42, 92, 28, 38, 107, 20, 39, 131, 88, 95, 25, 6, 75, 130, 1, 32, 71, 93, 91, 34, 30, 29, 3, 116, 110, 26, 18, 1];

/** Linux's errno for a WASI errno (0 stays 0). */
export function linuxErrno(wasi: u16): i32 {
  return wasi == 0 || <i32>wasi > FROM_WASI.length ? <i32>wasi : <i32>FROM_WASI[<i32>wasi - 1];
}

/** Python's class for OSError(errno): its subclass where it has one (PEP 3151). */
export function osKind(errno: i32): Kind {
  switch (errno) {
    case 1: case 13: return Kind.PermissionError;
    case 2: return Kind.FileNotFoundError;
    case 3: return Kind.ProcessLookupError;
    case 4: return Kind.InterruptedError;
    case 10: return Kind.ChildProcessError;
    case 11: case 114: case 115: return Kind.BlockingIOError;
    case 17: return Kind.FileExistsError;
    case 20: return Kind.NotADirectoryError;
    case 21: return Kind.IsADirectoryError;
    case 32: case 108: return Kind.BrokenPipeError;
    case 103: return Kind.ConnectionAbortedError;
    case 104: return Kind.ConnectionResetError;
    case 110: return Kind.TimeoutError;
    case 111: return Kind.ConnectionRefusedError;
  }
  return Kind.OSError;
}

/** str(OSError(errno, strerror)): `[Errno 9] Bad file descriptor`. */
export function osMessage(errno: i32): string {
  if (strerrors === null) strerrors = STRERROR.split('\n');
  const lines = strerrors!;
  const text = errno >= 1 && errno <= lines.length && lines[errno - 1].length > 0
    ? lines[errno - 1] : 'Unknown error ' + errno.toString();
  return '[Errno ' + errno.toString() + '] ' + text;
}

/** A failure, as Python raises it. */
export class MMapError {
  constructor(
    /** Python's class. */
    public kind: Kind,
    /** The errno of an OSError (and its subclasses), else -1. */
    public errno: i32,
    /** str(e), CPython's text. */
    public message: string,
  ) {}

  /** The class's name, as Python's type(e).__name__. */
  get name(): string { return KIND_NAMES[<i32>this.kind]; }

  toString(): string { return this.name + ': ' + this.message; }

  /** The error of a core code (assembly/errors.ts), E_OS + errno included. */
  static fromCode(code: i32): MMapError {
    if (code >= E_OS) return MMapError.os(code - E_OS);
    if (code >= 2 && code - 2 < CORE_KINDS.length) return new MMapError(CORE_KINDS[code - 2], -1, CORE_MESSAGES[code - 2]);
    return new MMapError(Kind.OSError, -1, 'wasm-mmap: unknown core error ' + code.toString() + ' (a bug)');
  }

  static os(errno: i32): MMapError {
    return new MMapError(osKind(errno), errno, osMessage(errno));
  }
}
