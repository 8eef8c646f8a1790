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
  /** The file's path, for an error of {@link MMap.open} (Python's `filename`; Node's fs errors' `path`). */
  readonly path?: string;

  /**
   * @param errno Linux's errno.
   * @param text The text after `[Errno N] `; strerror's by default.
   * @param path The file's path: the message ends with `: 'path'`, as Python's `str(e)` does.
   */
  constructor(errno: number, text?: string, path?: string) {
    const known = errnoInfo(errno);
    const about = path === undefined ? '' : `: ${pythonRepr(path)}`;
    super(`[Errno ${errno}] ${text ?? known?.[1] ?? `Unknown error ${errno}`}${about}`);
    this.errno = errno;
    this.code = known?.[0] ?? `E${errno}`;
    this.name = known?.[2] ?? 'OSError';
    if (path !== undefined) this.path = path;
  }

  /**
   * The OSError for a system error of Node's `fs` (negative errno) or of the native helper
   * (positive), keeping only its errno: their messages are not Python's (`EMFILE: too many open
   * files, open '…'`, or the helper's, already `[Errno 24] …`).
   */
  static from(error: unknown, path?: string): OSError | unknown {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.errno !== 'number') return error;
    return new OSError(Math.abs(e.errno), undefined, path);
  }
}

/**
 * Python's repr() of a str, as OSError's message shows a filename: single quotes unless the
 * text has one and no double quote; backslashes, the quote and control characters escaped.
 */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) body += `\\${ch}`;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0xad) body += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c < 0xe000) body += `\\u${c.toString(16)}`;
    else body += ch;
  }
  return quote + body + quote;
}

/** Runs an fs call, turning Node's system error into Python's OSError. */
export function os<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw OSError.from(error);
  }
}
