// Runs bench/cpython_bench.py in a python3 child, the request on stdin and JSON back on stdout.
import { spawnSync } from 'node:child_process';

const script = new URL('./cpython_bench.py', import.meta.url).pathname;

/** Runs one mode of the CPython script; returns its result and the interpreter's version. */
export function runCPython<T>(mode: 'main' | 'scaling' | 'maps', spec: unknown): { python: string; result: T } {
  const run = spawnSync('python3', [script], {
    input: JSON.stringify({ mode, spec }),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    throw new Error(`python3 ${script} (${mode}) exited with ${run.status ?? run.signal}:\n${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}
