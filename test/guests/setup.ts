// What the guest tests need of the machine: python3's wasmtime (PyPI `wasmtime` 50.0.1, pinned
// in examples/requirements.txt), installed for the user once if missing and PyPI answers.
// Tests that need it are reported as skipped, with the reason, when it is still absent.
// Guests do not depend on the backing: they run on the copy run and are skipped on the native one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';

const REQUIREMENTS = fileURLToPath(new URL('../../examples/requirements.txt', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';

function importsWasmtime(): boolean {
  return spawnSync(PYTHON, ['-c', 'import wasmtime.component'], { encoding: 'utf8' }).status === 0;
}

function findWasmtime(): string | undefined {
  if (importsWasmtime()) return undefined;
  const pip = spawnSync(PYTHON, ['-m', 'pip', 'install', '--user', '--quiet', '-r', REQUIREMENTS],
    { encoding: 'utf8', timeout: 180_000 });
  if (importsWasmtime()) return undefined;
  return `python3 cannot import wasmtime, and pip could not install it (${pip.stderr.trim().split('\n').pop()})`;
}

/** This run is the one that runs guest tests (the copy run, or a run with no backing named). */
export const guestRun = process.env.WASM_MMAP_BACKING !== 'native';
/** Why wasmtime-py tests cannot run, or undefined when they can. */
export const noWasmtime = guestRun ? findWasmtime() : 'not on the native run';
if (guestRun && noWasmtime !== undefined) console.log(`# wasmtime-py tests skipped: ${noWasmtime}`);

/** A test that runs on the guest run. */
export const guestTest = guestRun ? test : test.skip;
/** A test that runs on the guest run when python3 has wasmtime. */
export const wasmtimeTest = noWasmtime === undefined ? test : test.skip;
export { PYTHON };
