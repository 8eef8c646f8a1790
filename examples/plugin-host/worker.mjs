// One plugin run (host.mjs): node:wasi with the host's directory preopened as /data, nothing else.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { parentPort, workerData } from 'node:worker_threads';

// node:wasi's ExperimentalWarning on every run says nothing a host's user needs.
process.removeAllListeners('warning');
const { wasm, dir, args, stdout } = workerData;
const wasi = new WASI({
  version: 'preview1', args: ['plugin', ...args], env: {}, preopens: { '/data': dir }, stdout, returnOnExit: true,
});
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(wasm)), wasi.getImportObject());
parentPort.postMessage('started');
parentPort.postMessage(wasi.start(instance));
