// Shared helpers for the CPython-derived tests: temp files, byte/text conversion,
// error assertions, and a bridge that runs python3 (the CPython 3.11 reference) at test time.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import { OSError } from '../src/index.ts';

/** A temporary directory with helpers to create files in it; `cleanup()` removes it. */
export class TempDir {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasm-mmap-test-'));
  private count = 0;

  /** Writes `content` to a fresh file and returns its path. */
  file(content: Uint8Array | string = ''): string {
    const p = path.join(this.dir, `f${this.count++}`);
    fs.writeFileSync(p, typeof content === 'string' ? bytes(content) : content);
    return p;
  }

  /** Writes `content` to a fresh file and opens it (default O_RDWR); returns the fd. */
  open(content: Uint8Array | string, flags: string | number = 'r+'): number {
    return fs.openSync(this.file(content), flags);
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Latin-1 string → bytes, so `'\xff'` is the byte 255 (Python's b'...' literals). */
export function bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** Bytes → Latin-1 string; compares cleanly whatever the Uint8Array subclass is. */
export function text(u: Uint8Array): string {
  assert.instance(u, Uint8Array);
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('latin1');
}

export function hex(u: Uint8Array): string {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('hex');
}

/** Calls `fn`, which must throw; returns the error. `what` names the call in a failure. */
export function catchError(fn: () => unknown, what = 'the call'): any {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return e;
  }
  assert.unreachable(`expected an exception from ${what}, got ${String(result)}`);
}

/**
 * Asserts that `fn` throws an instance of `cls` named `cls.name` (the Python class name),
 * and, when given, exactly `message`.
 */
export function throwsExact(fn: () => unknown, cls: Function, message?: string): any {
  const e = catchError(fn);
  assert.instance(e, cls, `expected ${cls.name}, got ${e?.name}: ${e?.message}`);
  assert.is(e.name, cls.name);
  if (message !== undefined) assert.is(e.message, message);
  return e;
}

/** errno → [Node's code, CPython's str(e), the class CPython raises], asked of python3 once. */
let cpythonErrors: Record<number, [string, string, string]> | undefined;

/** Asserts an OSError with `errno`, its code, Python's `str(e)` (`[Errno N] strerror`) and CPython's class name. */
export function throwsOSError(fn: () => unknown, errno: number): any {
  const e = catchError(fn);
  assert.instance(e, OSError, `expected OSError, got ${e?.name}: ${e?.message}`);
  cpythonErrors ??= python(`import errno, json, os
print(json.dumps({n: [errno.errorcode.get(n, ''), str(OSError(n, os.strerror(n))), type(OSError(n, os.strerror(n))).__name__]
                  for n in range(1, 134)}))`);
  const [code, message, name] = cpythonErrors[errno];
  assert.is(e.errno, errno);
  assert.is(e.code, code);
  assert.is(e.message, message);
  assert.is(e.name, name);
  return e;
}

/**
 * Runs `code` under python3 with `input` as JSON on stdin and returns the JSON it prints.
 * This is how expected values come from CPython itself at test time.
 */
export function python<T = any>(code: string, input: unknown = null): T {
  const run = spawnSync('python3', ['-c', code], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status} ${run.signal}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** A small deterministic generator (an LCG), so that failures replay: `rnd(n)` is in [0, n). */
export function random(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** A copy of the built package (dist/ and core.wasm) in `dir`, as installed where the native helper did not build. */
export function packageWithoutHelper(dir: string): string {
  const root = new URL('..', import.meta.url).pathname;
  assert.ok(fs.existsSync(path.join(root, 'dist/index.js')), 'npm install builds dist/');
  fs.cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'build'));
  fs.copyFileSync(path.join(root, 'build/core.wasm'), path.join(dir, 'build/core.wasm'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
  return dir;
}
