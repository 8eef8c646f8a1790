// `npm run bench [-- --size 64M --rounds 3]`: builds (or reuses) the input files, runs every implementation
// in a process of its own (this library's native and copy backings, Node's Buffer, CPython 3.11's
// mmap), prints the tables and writes docs/benchmarks.md with its chart, docs/benchmarks.svg.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { runCPython } from './cpython.ts';
import { GiB, KiB, MiB, NEEDLE_1, NEEDLE_8, NEEDLE_DENSE, formatSize, parseSize, positions, sparseFile, textFile } from './data.ts';
import { OPS, type OpId, type Results, type Spec } from './ops.ts';
import {
  batchVerdicts, chart, findScalingTable, markdown, mainTable, memoryTable, openScalingTable, toText, verdictTable, verdicts,
  type Impl, type RunData,
} from './report.ts';
import type { MapsSpec, MemoryRow, ScalingResults, ScalingSpec } from './scaling.ts';
import { merge, type Timing } from './timing.ts';
import type { WorkerRequest } from './worker.ts';

const workerPath = new URL('./worker.ts', import.meta.url).pathname;
const docs = new URL('../docs/', import.meta.url);

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now()) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

/** Runs bench/worker.ts in a fresh Node process with this one's flags (tsx). */
function runWorker<T>(request: WorkerRequest): T {
  const run = spawnSync(process.execPath, [...process.execArgv, workerPath], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`bench worker (${request.mode}) exited with ${run.status ?? run.signal}`);
  return JSON.parse(run.stdout) as T;
}

/** Lines as readline() returns them, the sum of the first `count` bytes, the dense needle's hits. */
function describe(path: string, count: number): { lines: number; sum: number; denseHits: number } {
  const bytes = readFileSync(path);
  let denseHits = 0;
  for (let i = bytes.indexOf(NEEDLE_DENSE); i >= 0; i = bytes.indexOf(NEEDLE_DENSE, i + NEEDLE_DENSE.length)) denseHits++;
  let lines = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) lines++;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += bytes[i];
  return { lines, sum, denseHits };
}

function machine(python: string, loadStart: number): RunData['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'latin1');
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1].trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: `${Math.round(totalmem() / GiB)} GiB`,
    kernel: release(),
    node: process.version,
    python,
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    load: `${loadStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
  };
}

/** CPython's seconds with the work each run did, in this side's Timing shape. */
function withWork(seconds: Record<string, number[]>, work: (key: string) => number): Record<string, Timing> {
  return Object.fromEntries(Object.entries(seconds).map(([key, s]) => [key, { seconds: s, work: work(key) }]));
}

function main(): void {
  const started = performance.now();
  const loadStart = loadavg()[0];
  const size = parseSize(option('--size') ?? '256M');
  const rounds = Number(option('--rounds') ?? 3);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error('--rounds must be a positive integer');
  if (size < 64 * KiB) throw new Error('--size must be at least 64K');
  log(`input: ${formatSize(size)} of text (cached in the temp dir once built)`);
  const text = textFile(size);
  const readByteCount = Math.min(size, 16 * MiB);
  const { lines, sum, denseHits } = describe(text, readByteCount);
  // --main-only: the main table and its verdicts only (no scaling, no memory, docs/ untouched).
  const mainOnly = process.argv.includes('--main-only');
  const read64 = positions(1_000_000, size - 64, 64);
  const slices = positions(200_000, size - 4096, 4096);
  // Timed runs per round; with the default 3 rounds, each figure is the best of 3× these.
  const quick = { warmup: 2, reps: 3 };
  const spec: Spec = {
    text, size, lines, needle1: NEEDLE_1, needle8: NEEDLE_8, needleDense: NEEDLE_DENSE, denseHits,
    readByteCount, readByteSum: sum,
    read64Positions: read64.path, slicePositions: slices.path,
    smallFile: sparseFile(4 * KiB), sparseFile: sparseFile(GiB), openIterations: 2000,
    plans: {
      find1: { warmup: 3, reps: 5 }, find8: { warmup: 3, reps: 5 }, rfind8: { warmup: 3, reps: 5 },
      readline: { warmup: 1, reps: 2 }, readByte: quick, read64: quick, slice4k: quick,
      open4k: { warmup: 2, reps: 5 }, open1g: { warmup: 2, reps: 5 }, copyOpen: quick,
      count: { warmup: 2, reps: 5 }, findAll: { warmup: 2, reps: 5 }, lines: { warmup: 1, reps: 3 },
    },
  };
  const work: Record<OpId, number> = {
    find1: size, find8: size, rfind8: size, readline: lines, readByte: readByteCount,
    read64: read64.values.length, slice4k: slices.values.length,
    open4k: spec.openIterations, open1g: spec.openIterations, copyOpen: size,
    count: size, findAll: size, lines,
  };
  const mapOps = OPS.map((op) => op.id).filter((id) => id !== 'copyOpen');

  // Rounds interleave the implementations, so that load from elsewhere on the machine falls on
  // all of them alike; every round is a fresh process per implementation, warmed up again.
  const main = { cpython: {}, native: {}, copy: {}, buffer: {} } as Record<Impl, Results>;
  const scaling = {} as Record<Impl, ScalingResults>;
  const scalingSpec: ScalingSpec = {
    text, needle8: NEEDLE_8, plan: { warmup: 2, reps: 3 },
    find: [4 * KiB, MiB, 64 * MiB, 256 * MiB].filter((s) => s <= size)
      .map((s) => ({ size: s, calls: Math.max(1, Math.round(64 * MiB / s)) })),
    open: [4 * KiB, MiB, 64 * MiB, GiB].map((s) => ({
      size: s, path: sparseFile(s), iterations: 1000, copyIterations: Math.min(1000, Math.max(1, Math.floor(256 * MiB / s))),
    })),
  };
  let python = '';
  for (let round = 1; round <= rounds; round++) {
    const add = (impl: Impl, results: Results) => {
      for (const [id, t] of Object.entries(results) as [OpId, Timing][]) main[impl][id] = merge(main[impl][id], t);
    };
    log(`round ${round}/${rounds}: native backing`);
    add('native', runWorker<Results>({ mode: 'main', impl: 'native', ops: mapOps, spec }));
    log(`round ${round}/${rounds}: copy backing`);
    add('copy', runWorker<Results>({ mode: 'main', impl: 'copy', ops: [...mapOps.filter((id) => id !== 'open1g'), 'copyOpen'], spec }));
    log(`round ${round}/${rounds}: Buffer`);
    add('buffer', runWorker<Results>({ mode: 'main', impl: 'buffer', ops: [], spec }));
    log(`round ${round}/${rounds}: CPython`);
    const cp = runCPython<Record<string, number[]>>('main', spec);
    python = cp.python;
    add('cpython', withWork(cp.result, (key) => work[key as OpId]));

    if (mainOnly) continue;
    const addScaling = (impl: Impl, results: ScalingResults) => {
      const into = (scaling[impl] ??= { find: {}, open: {} });
      for (const part of ['find', 'open'] as const) {
        for (const [key, t] of Object.entries(results[part])) into[part][key] = merge(into[part][key], t);
      }
    };
    for (const impl of ['native', 'copy', 'buffer'] as const) {
      log(`round ${round}/${rounds}: scaling, ${impl}`);
      addScaling(impl, runWorker<ScalingResults>({ mode: 'scaling', impl, spec: scalingSpec }));
    }
    log(`round ${round}/${rounds}: scaling, CPython`);
    const cpScaling = runCPython<{ find: Record<string, number[]>; open: Record<string, number[]> }>('scaling', scalingSpec).result;
    addScaling('cpython', {
      find: withWork(cpScaling.find, (key) => Number(key) * scalingSpec.find.find((r) => r.size === Number(key))!.calls),
      open: withWork(cpScaling.open, (key) => scalingSpec.open.find((r) => r.size === Number(key))!.iterations),
    });
  }

  if (mainOnly) {
    console.log(`\n${formatSize(size)} text file, ${lines.toLocaleString('en-US')} lines, ${denseHits.toLocaleString('en-US')} hits of ${JSON.stringify(NEEDLE_DENSE)}. × = speed relative to CPython (> 1 is faster)\n`);
    console.log(toText(mainTable({ main } as RunData)));
    console.log(`\n${toText(verdictTable(batchVerdicts(main)))}`);
    return;
  }
  const mapsSpec: MapsSpec = { counts: [1, 10, 100, 1000, 10_000, 50_000], mapSize: 4 * KiB };
  log('memory: wasm-mmap');
  const wasmMemory = runWorker<MemoryRow[]>({ mode: 'maps', spec: mapsSpec });
  log('memory: CPython');
  const cpMemory = runCPython<MemoryRow[]>('maps', mapsSpec).result;

  const data: RunData = {
    machine: machine(python, loadStart),
    size, lines,
    counts: { readByte: readByteCount, read64: read64.values.length, slice4k: slices.values.length, openIterations: spec.openIterations },
    main, scalingSpec, scaling,
    memory: { wasm: wasmMemory, cpython: cpMemory, mapSize: mapsSpec.mapSize },
    seconds: (performance.now() - started) / 1000,
    rounds,
    timedRuns: (() => {
      const reps = Object.values(spec.plans).map((p) => p.reps * rounds);
      return Math.min(...reps) === Math.max(...reps) ? String(reps[0]) : `${Math.min(...reps)}–${Math.max(...reps)}`;
    })(),
  };
  const m = data.machine;
  console.log(`\n${m.cpu}, ${m.cores} cores; Node ${m.node}; CPython ${m.python}; ${m.date}; load average ${m.load}\n`);
  console.log(`${formatSize(size)} text file, ${lines.toLocaleString('en-US')} lines. × = speed relative to CPython (> 1 is faster)\n`);
  console.log(toText(mainTable(data)));
  console.log(`\n${toText(verdictTable([...verdicts(data), ...batchVerdicts(main)]))}`);
  console.log(`\nfind (8-byte, absent) by map size\n${toText(findScalingTable(data))}`);
  console.log(`\nopen + close by file size\n${toText(openScalingTable(data))}`);
  console.log(`\nmemory by open anonymous maps\n${toText(memoryTable(data))}`);
  writeFileSync(new URL('benchmarks.svg', docs), chart(data));
  writeFileSync(new URL('benchmarks.md', docs), markdown(data, 'benchmarks.svg'));
  log(`wrote docs/benchmarks.md and docs/benchmarks.svg in ${Math.round(data.seconds)} s`);
}

main();
