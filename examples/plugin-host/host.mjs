// A Node host for untrusted plugins that map files (plugin.ts, built to build/plugin.wasm).
// Each run gets a worker thread of its own, node:wasi with one preopened directory (the plugin
// sees it as /data), and a time limit: a plugin that traps ends its worker with the trap, one
// that never returns is terminated, and the host goes on.
// node:wasi refuses paths with `..` that leave the directory and has no other preopen, but it
// follows symbolic links wherever they point (Node documents that node:wasi is no sandbox): grant
// only directories without links out, or run plugins under Wasmtime (host.py), which refuses them.
//   node examples/plugin-host/host.mjs <dir> <timeout ms> <plugin args...>
import { mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const PLUGIN = fileURLToPath(new URL('../../build/plugin.wasm', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/**
 * Runs the plugin once.
 * @param {{ dir: string, args: string[], timeoutMs?: number, wasm?: string }} run
 * @returns {Promise<{ status: 'exit' | 'trap' | 'timeout', code?: number, error?: string, stdout: string }>}
 */
export function runPlugin({ dir, args, timeoutMs = 2000, wasm = PLUGIN }) {
  // The plugin's stdout goes to a file of the host's, read after the run.
  const outDir = mkdtempSync(join(tmpdir(), 'wasm-mmap-plugin-'));
  const outPath = join(outDir, 'stdout');
  const stdout = openSync(outPath, 'w');
  const worker = new Worker(WORKER, { workerData: { wasm, dir, args, stdout } });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      closeSync(stdout);
      resolve({ ...result, stdout: readFileSync(outPath, 'utf8') });
      rmSync(outDir, { recursive: true, force: true });
    };
    let timedOut = false;
    let timer;
    // The limit counts the plugin's own run: it starts when the worker has compiled it.
    worker.on('message', (message) => {
      if (message === 'started') {
        timer = setTimeout(() => {
          timedOut = true;
          worker.terminate();
        }, timeoutMs);
      } else {
        finish({ status: 'exit', code: message });
      }
    });
    // A trap is a WebAssembly.RuntimeError thrown in the worker: its error, not the host's.
    worker.on('error', (error) => finish({ status: 'trap', error: String(error) }));
    worker.on('exit', () => finish(timedOut ? { status: 'timeout' } : { status: 'trap', error: 'the worker ended without an answer' }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, timeout, ...args] = process.argv.slice(2);
  console.log(JSON.stringify(await runPlugin({ dir, args, timeoutMs: Number(timeout) })));
}
