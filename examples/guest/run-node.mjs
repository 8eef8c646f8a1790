// Runs the example guest under Node's node:wasi with one preopened directory.
//   node examples/guest/run-node.mjs <dir> <path inside dir> <needle> <replacement>
// The guest sees <dir> as /data and nothing else of the host's files.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [dir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: ['guest', ...args], preopens: { '/data': dir }, returnOnExit: true });
const wasm = await WebAssembly.compile(await readFile(new URL('../../build/guest-example.wasm', import.meta.url)));
const instance = await WebAssembly.instantiate(wasm, wasi.getImportObject());
process.exitCode = wasi.start(instance);
