// One implementation's runs in a process of its own (started by bench/run.ts; the request on
// stdin, JSON on stdout). A process per implementation keeps each one's figures free of the
// others' memory, garbage and JIT feedback: V8 optimises a call site for the map classes it has
// seen, so a process that used both backings runs each slower than one that used one.
import { readFileSync } from 'node:fs';
import { runBuffer, runBufferBatch } from './node_buffer.ts';
import type { OpId, Spec } from './ops.ts';
import { runOpenMaps, runScaling, type MapsSpec, type ScalingSpec } from './scaling.ts';
import { runMMap } from './wasm_mmap.ts';

export type Impl = 'native' | 'copy' | 'buffer';

export type WorkerRequest =
  | { mode: 'main'; impl: Impl; ops: OpId[]; spec: Spec }
  | { mode: 'scaling'; impl: Impl; spec: ScalingSpec }
  | { mode: 'maps'; spec: MapsSpec };

function readPositions(path: string): Uint32Array {
  const bytes = readFileSync(path);
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function serve(request: WorkerRequest): unknown {
  switch (request.mode) {
    case 'main': {
      const { spec, impl, ops } = request;
      const positions = { read64: readPositions(spec.read64Positions), slice4k: readPositions(spec.slicePositions) };
      if (impl === 'buffer') {
        const bytes = readFileSync(spec.text);
        const results = runBuffer(spec, bytes, positions.read64);
        return runBufferBatch(spec, bytes).then((batch) => ({ ...results, ...batch }));
      }
      return runMMap(spec, impl, ops, positions);
    }
    case 'scaling':
      return runScaling(request.spec, request.impl);
    case 'maps':
      return runOpenMaps(request.spec);
  }
}

const input = readFileSync(0, 'utf8');
process.stdout.write(JSON.stringify(await serve(JSON.parse(input) as WorkerRequest)));
