// Python's exception classes, as wasm-mmap raises them. Python's TypeError is JS's TypeError.
import { errnoInfo } from './errno.js';

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
    const known = errnoInfo(errno);
    super(`[Errno ${errno}] ${text ?? known?.[1] ?? `Unknown error ${errno}`}`);
    this.errno = errno;
    this.code = known?.[0] ?? `E${errno}`;
    this.name = known?.[2] ?? 'OSError';
  }

  /**
   * The OSError for a system error of Node's `fs` (negative errno) or of the native helper
   * (positive), keeping only its errno: their messages are not Python's (`EMFILE: too many open
   * files, open '…'`, or the helper's, already `[Errno 24] …`).
   */
  static from(error: unknown): OSError | unknown {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.errno !== 'number') return error;
    return new OSError(Math.abs(e.errno));
  }
}

/** Runs an fs call, turning Node's system error into Python's OSError. */
export function os<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw OSError.from(error);
  }
}
