// Builds build/mmap_helper.node from host/mmap_helper.c (the Node-API binding) and host/pages.c
// (the plain C it shares with the Python host), offline: the system C compiler and the
// Node-API headers of the npm package node-api-headers (node-gyp would download Node's headers).
// Run by `npm install`. It never fails the install: without the helper wasm-mmap uses the copy
// backing, so any failure is one line of explanation (saying what the maps will use) and exit code 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fallback = 'wasm-mmap will use the copy backing';

function build() {
  // Mapping into a wasm memory relies on Linux mmap(MAP_FIXED) semantics; elsewhere say nothing.
  if (process.platform !== 'linux') return;
  let include;
  try {
    include = createRequire(import.meta.url)('node-api-headers').include_dir;
  } catch {
    return `the npm package node-api-headers is missing`;
  }
  const compiler = process.env.CC || 'cc';
  mkdirSync(`${root}build`, { recursive: true });
  // Node-API symbols stay undefined in the .node and bind to the node binary when it loads.
  const args = ['-O2', '-shared', '-fPIC', '-Wall', '-Wextra', '-I', include,
    `${root}host/mmap_helper.c`, `${root}host/pages.c`, '-o', `${root}build/mmap_helper.node`];
  const run = spawnSync(compiler, args, { encoding: 'utf8' });
  if (run.error) return `no C compiler (${compiler}: ${run.error.code ?? run.error.message})`;
  if (run.status !== 0) {
    const first = (run.stderr || run.stdout).split('\n').find((line) => line.includes('error'));
    return `${compiler} failed${first ? `: ${first.trim()}` : ` (exit ${run.status})`}`;
  }
}

/**
 * What the maps will use after a failed build: a helper shipped prebuilt in the package (or left
 * by an earlier build) still serves if it loads here, and then saying "copy backing" would be false.
 */
function outcome() {
  const helper = `${root}build/mmap_helper.node`;
  if (!existsSync(helper)) return fallback;
  try {
    createRequire(import.meta.url)(helper);
    return 'the prebuilt build/mmap_helper.node loads, so wasm-mmap will use it (the native backing)';
  } catch (error) {
    return `the prebuilt build/mmap_helper.node does not load (${error.message.split('\n')[0]}); ${fallback}`;
  }
}

let why;
try {
  why = build();
} catch (error) {
  why = error.message;
}
if (why) console.log(`wasm-mmap: native helper not built: ${why}; ${outcome()}.`);
