// Python's exception classes, as wasm-mmap raises them. Python's TypeError is JS's TypeError.

/** Python's `ValueError`: an argument has the right type but a bad value. */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** Python's `IndexError`: an index or a slice assignment out of range. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** Python's `OverflowError`: a number too large (or negative) for what it sizes. */
export class OverflowError extends Error {
  override name = 'OverflowError';
}

/** Python's `BufferError`; exported for completeness: no member creates buffer exports. */
export class BufferError extends Error {
  override name = 'BufferError';
}

const ERRNO_NAMES: Record<number, [code: string, text: string, pythonClass: string]> = {
  1: ['EPERM', 'Operation not permitted', 'PermissionError'],
  2: ['ENOENT', 'No such file or directory', 'FileNotFoundError'],
  9: ['EBADF', 'Bad file descriptor', 'OSError'],
  12: ['ENOMEM', 'Cannot allocate memory', 'OSError'],
  13: ['EACCES', 'Permission denied', 'PermissionError'],
  14: ['EFAULT', 'Bad address', 'OSError'],
  19: ['ENODEV', 'No such device', 'OSError'],
  21: ['EISDIR', 'Is a directory', 'IsADirectoryError'],
  22: ['EINVAL', 'Invalid argument', 'OSError'],
  27: ['EFBIG', 'File too large', 'OSError'],
  28: ['ENOSPC', 'No space left on device', 'OSError'],
  95: ['ENOTSUP', 'Operation not supported', 'OSError'],
};

/**
 * Python's `OSError`, with `errno` and `code`; `message` is Python's `str(e)`, e.g.
 * `[Errno 9] Bad file descriptor`. `name` is Python's subclass where it has one
 * (`PermissionError` for EACCES), and the error is still `instanceof OSError`.
 */
export class OSError extends Error {
  override name = 'OSError';
  readonly errno: number;
  readonly code: string;

  constructor(errno: number, text?: string) {
    const known = ERRNO_NAMES[errno];
    super(`[Errno ${errno}] ${text ?? known?.[1] ?? `Unknown error ${errno}`}`);
    this.errno = errno;
    this.code = known?.[0] ?? `E${errno}`;
    this.name = known?.[2] ?? 'OSError';
  }

  /** The OSError for a Node.js system error (an `fs` call's), keeping its errno. */
  static from(error: unknown): OSError | unknown {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.errno !== 'number') return error;
    const errno = Math.abs(e.errno);
    const known = ERRNO_NAMES[errno];
    return new OSError(errno, known?.[1] ?? e.message);
  }
}
