// Node alone over the same bytes read into a Buffer: the searches on Buffer.indexOf /
// lastIndexOf, and the floor any JS API meets where it returns an object per call: readline as
// indexOf(10) plus a view per line (no copy at all), read(64) as Uint8Array.slice (a
// copy, as read() makes) at the same random positions.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Results, Spec } from './ops.ts';
import { time, timeAsync } from './timing.ts';

/**
 * What Node users write without wasm-mmap for count(), findAll() and lines(): Buffer.indexOf
 * loops over the file read into a Buffer, and node:readline over a file stream.
 */
export async function runBufferBatch(spec: Spec, bytes: Buffer): Promise<Results> {
  const dense = Buffer.from(spec.needleDense, 'latin1');
  const indexOfLoop = (collect?: number[]) => {
    let hits = 0;
    for (let i = bytes.indexOf(dense); i >= 0; i = bytes.indexOf(dense, i + dense.length)) {
      collect?.push(i);
      hits++;
    }
    return hits;
  };
  return {
    count: time(spec.plans.count, spec.size, () => indexOfLoop(), { expect: spec.denseHits }),
    findAll: time(spec.plans.findAll, spec.size, () => {
      const offsets: number[] = [];
      indexOfLoop(offsets);
      return offsets.length;
    }, { expect: spec.denseHits }),
    lines: await timeAsync(spec.plans.lines, spec.lines, async () => {
      let lines = 0;
      for await (const line of createInterface({ input: createReadStream(spec.text), crlfDelay: Infinity })) {
        if (typeof line === 'string') lines++;
      }
      return lines;
    }, { expect: spec.lines }),
  };
}

export function runBuffer(spec: Spec, bytes: Buffer, read64: Uint32Array): Results {
  const needle1 = Buffer.from(spec.needle1, 'latin1');
  const needle8 = Buffer.from(spec.needle8, 'latin1');
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    find1: time(spec.plans.find1, bytes.length, () => bytes.indexOf(needle1), { expect: -1 }),
    find8: time(spec.plans.find8, bytes.length, () => bytes.indexOf(needle8), { expect: -1 }),
    rfind8: time(spec.plans.rfind8, bytes.length, () => bytes.lastIndexOf(needle8), { expect: -1 }),
    readline: time(spec.plans.readline, spec.lines, () => {
      let lines = 0;
      for (let pos = 0; pos < plain.length;) {
        const newline = plain.indexOf(10, pos);
        const end = newline === -1 ? plain.length : newline + 1;
        // The cheapest typed array there is: a view straight on the buffer (subarray costs more).
        if (new Uint8Array(plain.buffer, plain.byteOffset + pos, end - pos).length !== 0) lines++;
        pos = end;
      }
      return lines;
    }, { expect: spec.lines }),
    read64: time(spec.plans.read64, read64.length, () => {
      let total = 0;
      for (let i = 0; i < read64.length; i++) total += plain.slice(read64[i], read64[i] + 64).length;
      return total;
    }, { expect: read64.length * 64 }),
  };
}
