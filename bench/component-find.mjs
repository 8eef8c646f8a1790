// find() over a 64 MiB file: the component in Node (jco transpile + preview2-shim) and in
// Wasmtime (bench/component_find.py), each against CPython's mmap; one run, the best of 5 finds.
//   node bench/component-find.mjs
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

const SIZE = 64 << 20;
const NEEDLE = new TextEncoder().encode('zyxwvuts'); // absent: every find reads all of the data
const dir = fs.mkdtempSync(join(tmpdir(), 'wasm-mmap-bench-'));
// a–z text in lines, as the project's other search benchmarks
const data = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) data[i] = i % 64 === 63 ? 10 : 97 + ((i * 7 + (i >> 6)) % 26);
fs.writeFileSync(join(dir, 'data.bin'), data);

_setPreopens({ '/data': dir });
const { mmap } = await import('../build/component-js/mmap.js');
const m = mmap.MmapObject.open('/data/data.bin', 0n, { access: 1 });
let node = Infinity;
for (let i = 0; i < 5; i++) {
  const t = process.hrtime.bigint();
  if (m.find(NEEDLE, 0n, undefined) !== -1n) throw new Error('found');
  node = Math.min(node, Number(process.hrtime.bigint() - t) / 1e9);
}
m.close();

const py = spawnSync('python3', [fileURLToPath(new URL('./component_find.py', import.meta.url)), dir], { encoding: 'utf8' });
if (py.status !== 0) throw new Error(py.stderr);
const { wasmtime_s: wasmtime, cpython_s: cpython } = JSON.parse(py.stdout);
fs.rmSync(dir, { recursive: true, force: true });
const gbs = (s) => (SIZE / s / 1e9).toFixed(2);
console.log(`find, 8-byte needle absent, 64 MiB: CPython mmap ${gbs(cpython)} GB/s`);
console.log(`  component in Node     ${gbs(node)} GB/s (${(cpython / node).toFixed(2)}× CPython's speed)`);
console.log(`  component in Wasmtime ${gbs(wasmtime)} GB/s (${(cpython / wasmtime).toFixed(2)}× CPython's speed)`);
