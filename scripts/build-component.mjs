// npm run build:component: assembly/component.ts -> build/mmap.component.wasm.
//   1. asc: the core, the guest library and the glue, one module importing wasi_snapshot_preview1,
//      exports renamed to their canonical names (scripts/canonical-names.mjs);
//   2. jco embed: the WIT (wit/mmap.wit, world `component`) as the module's component type;
//   3. jco new --wasi-reactor: the component, preview1 imports adapted to WASI 0.2.
// jco is pinned to 1.34.0: 1.35.0 cannot read WIT files here (shared/notes/wasmtime-and-components.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

mkdirSync(`${root}build`, { recursive: true });
run(bin('asc'), [
  'assembly/component.ts', '-o', 'build/mmap.core.wasm',
  '-O3', '--enable', 'simd', '--runtime', 'incremental',
  // No env.abort import: an abort is a bug, so a trap (assembly/errors.ts).
  '--use', 'abort=assembly/errors/abort',
  // The adapter calls _initialize before any export: the module's start code (globals) runs there.
  '--exportStart', '_initialize',
  '--transform', './scripts/canonical-names.mjs',
]);
run(bin('jco'), ['embed', 'build/mmap.core.wasm', '--wit', 'wit/mmap.wit', '--world-name', 'component', '-o', 'build/mmap.embedded.wasm']);
run(bin('jco'), ['new', 'build/mmap.embedded.wasm', '--wasi-reactor', '-o', 'build/mmap.component.wasm']);
// For Node: JS bindings over preview2-shim (build/component-js/mmap.js), as test/guests/ and
// examples/plugin-host/ load it.
run(bin('jco'), ['transpile', 'build/mmap.component.wasm', '-o', 'build/component-js', '--name', 'mmap', '--quiet']);
