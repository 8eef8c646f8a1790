// Turns the timings into tables (for the console and for docs/benchmarks.md), the targets'
// verdicts and the chart.
import { barChart, type ChartRow } from './chart.ts';
import { formatSize } from './data.ts';
import { OPS, type OpId, type Results, type Unit } from './ops.ts';
import type { MemoryRow, ScalingResults, ScalingSpec } from './scaling.ts';
import { perUnit, rate, type Timing } from './timing.ts';

export type Impl = 'cpython' | 'native' | 'copy' | 'buffer';
const IMPLS: Impl[] = ['cpython', 'native', 'copy', 'buffer'];
const NAMES: Record<Impl, string> = { cpython: 'CPython 3.11', native: 'native', copy: 'copy', buffer: 'Buffer' };

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  kernel: string;
  node: string;
  python: string;
  date: string;
  /** The 1-minute load average, which tells how busy the machine was with other work. */
  load: string;
}

export interface RunData {
  machine: Machine;
  /** The text file's size, line count, and what one run of each per-call operation does. */
  size: number;
  lines: number;
  counts: { readByte: number; read64: number; slice4k: number; openIterations: number };
  main: Record<Impl, Results>;
  scalingSpec: ScalingSpec;
  scaling: Record<Impl, ScalingResults>;
  memory: { wasm: MemoryRow[]; cpython: MemoryRow[]; mapSize: number };
  seconds: number;
  rounds: number;
  /** Timed runs behind each main-table figure (e.g. "9–15"). */
  timedRuns: string;
}

export interface Table {
  head: string[];
  rows: string[][];
}

/** The figure in the unit's terms: GB/s, lines/s, calls/s, or µs per operation. */
function figure(t: Timing, unit: Unit): number {
  if (unit === 'µs') return perUnit(t) * 1e6;
  return unit === 'GB/s' ? rate(t) / 1e9 : rate(t);
}

/** Speed relative to CPython (> 1: faster), whatever the unit. */
function speedup(t: Timing | undefined, cpython: Timing | undefined, unit: Unit): number | undefined {
  if (t === undefined || cpython === undefined) return undefined;
  const ours = figure(t, unit);
  const theirs = figure(cpython, unit);
  return unit === 'µs' ? theirs / ours : ours / theirs;
}

function formatFigure(value: number, unit: Unit): string {
  if (unit === 'GB/s') return `${value.toFixed(2)} GB/s`;
  if (unit === 'µs') return `${value.toFixed(1)} µs`;
  const scaled = value >= 1e6 ? `${(value / 1e6).toFixed(2)} M` : `${(value / 1e3).toFixed(1)} k`;
  return `${scaled} ${unit}`;
}

const ratio = (r: number | undefined) => (r === undefined ? '—' : `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`);

export function mainTable(data: RunData): Table {
  const rows = OPS.map(({ id, label, unit }) => {
    const cp = data.main.cpython[id];
    const cells = IMPLS.map((impl) => {
      const t = data.main[impl][id];
      return t === undefined ? '—' : formatFigure(figure(t, unit), unit);
    });
    const ratios = (['native', 'copy', 'buffer'] as const).map((impl) => ratio(speedup(data.main[impl][id], cp, unit)));
    return [label, ...cells, ...ratios];
  });
  return {
    head: ['operation', ...IMPLS.map((i) => NAMES[i]), 'native ×', 'copy ×', 'Buffer ×'],
    rows,
  };
}

export interface Verdict {
  target: string;
  figure: string;
  met: boolean;
}

export function verdicts(data: RunData): Verdict[] {
  const main = data.main;
  const out: Verdict[] = [];
  const unitOf = (id: OpId) => OPS.find((o) => o.id === id)!.unit;
  const speed = (id: OpId, impl: Impl = 'native') => speedup(main[impl][id], main.cpython[id], unitOf(id)) ?? NaN;
  /** `floor`: what Node alone makes of the same work (the Buffer column), where it is measured. */
  const atLeast = (id: OpId, wanted: number, text: string, floor?: string) => {
    const r = speed(id);
    const beside = floor === undefined ? '' : ` (${floor}: ${speed(id, 'buffer').toFixed(2)}×)`;
    out.push({ target: `${text} ≥ ${wanted}× CPython`, figure: `${r.toFixed(2)}×${beside}`, met: r >= wanted });
  };
  atLeast('find8', 5, 'find, 8-byte needle:');
  atLeast('find1', 0.8, 'find, 1-byte needle:');
  atLeast('rfind8', 3, 'rfind, 8-byte needle:');
  atLeast('readline', 2, 'readline() lines/s:', 'Node alone, a view per line and no copy');
  atLeast('readByte', 3, 'readByte() calls/s:');
  atLeast('read64', 2, 'read(64) at random positions, calls/s:', 'Node alone, Uint8Array.slice');
  for (const id of ['open4k', 'open1g'] as const) {
    const timeRatio = 1 / speed(id);
    const us = (impl: Impl) => figure(main[impl][id]!, 'µs').toFixed(1);
    out.push({
      target: `open + close, ${id === 'open4k' ? '4 KiB file' : '1 GiB sparse file'}: ≤ 2× CPython's time`,
      figure: `${timeRatio.toFixed(2)}× (${us('native')} µs vs ${us('cpython')} µs)`,
      met: timeRatio <= 2,
    });
  }
  const opens = data.scalingSpec.open.map(({ size }) => perUnit(data.scaling.native.open[size]) * 1e6);
  const spread = Math.max(...opens) / Math.min(...opens);
  const cpOpens = data.scalingSpec.open.map(({ size }) => perUnit(data.scaling.cpython.open[size]) * 1e6);
  out.push({
    target: 'open + close independent of file size: slowest ≤ 1.5× fastest over 4 KiB … 1 GiB',
    figure: `${spread.toFixed(2)}× (${opens.map((v) => v.toFixed(1)).join(' / ')} µs; CPython ${(Math.max(...cpOpens) / Math.min(...cpOpens)).toFixed(2)}×)`,
    met: spread <= 1.5,
  });
  const copyOpen = figure(main.copy.copyOpen!, 'GB/s');
  out.push({ target: "copy backing's open ≥ 2 GB/s", figure: `${copyOpen.toFixed(2)} GB/s`, met: copyOpen >= 2 });
  for (const [id, what] of [['find8', 'Buffer.indexOf'], ['rfind8', 'Buffer.lastIndexOf']] as const) {
    const ours = figure(main.native[id]!, 'GB/s');
    const theirs = figure(main.buffer[id]!, 'GB/s');
    out.push({
      target: `${id === 'find8' ? 'find' : 'rfind'}, 8-byte needle: ahead of ${what}`,
      figure: `${(ours / theirs).toFixed(2)}× (${ours.toFixed(2)} vs ${theirs.toFixed(2)} GB/s)`,
      met: ours > theirs,
    });
  }
  return out;
}

/** Issue 13's targets for the batch operations, against the loops they replace, in the same run. */
export function batchVerdicts(main: Record<Impl, Results>): Verdict[] {
  const out: Verdict[] = [];
  const versus = (id: OpId, impl: Impl, wanted: number, text: string) => {
    const ours = main.native[id];
    const theirs = main[impl][id];
    if (ours === undefined || theirs === undefined) return;
    const r = rate(ours) / rate(theirs);
    out.push({ target: `${text} ≥ ${wanted}×`, figure: `${r.toFixed(2)}×`, met: r >= wanted });
  };
  versus('count', 'buffer', 3, 'count(), dense hits, vs a Buffer.indexOf loop:');
  versus('count', 'cpython', 5, "count(), dense hits, vs CPython's find loop:");
  versus('findAll', 'buffer', 3, 'findAll(), dense hits, vs a Buffer.indexOf loop:');
  versus('lines', 'buffer', 2, 'lines() as strings vs node:readline over a file stream:');
  versus('lines', 'cpython', 1, "lines() as strings vs CPython's for line in iter(m.readline, b''):");
  if (main.native.find8 !== undefined && main.native.find1 !== undefined) {
    const r = rate(main.native.find8) / rate(main.native.find1);
    out.push({ target: 'find, 8-byte needle, vs the 1-byte find: ≥ 0.8×', figure: `${r.toFixed(2)}×`, met: r >= 0.8 });
  }
  return out;
}

export function verdictTable(list: Verdict[]): Table {
  return { head: ['target (native backing)', 'figure', ''], rows: list.map((v) => [v.target, v.figure, v.met ? 'met' : 'MISSED']) };
}

export function findScalingTable(data: RunData): Table {
  const rows = data.scalingSpec.find.map(({ size, calls }) => {
    const cells = (['cpython', 'native', 'buffer'] as Impl[]).map((impl) => `${(rate(data.scaling[impl].find[size]) / 1e9).toFixed(2)} GB/s`);
    const perCall = (impl: Impl) => `${(perUnit(data.scaling[impl].find[size]) * size * 1e6).toFixed(2)} µs`;
    const r = rate(data.scaling.native.find[size]) / rate(data.scaling.cpython.find[size]);
    return [formatSize(size), String(calls), ...cells, perCall('cpython'), perCall('native'), ratio(r)];
  });
  return {
    head: ['map size', 'calls a run', 'CPython 3.11', 'native', 'Buffer.indexOf', 'CPython a call', 'native a call', 'native ×'],
    rows,
  };
}

export function openScalingTable(data: RunData): Table {
  const rows = data.scalingSpec.open.map(({ size }) => {
    const us = (impl: Impl) => perUnit(data.scaling[impl].open[size]) * 1e6;
    const show = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(1)} µs`);
    return [formatSize(size), show(us('cpython')), show(us('native')), show(us('copy')),
      `${(us('native') / us('cpython')).toFixed(2)}×`];
  });
  return { head: ['file size (sparse)', 'CPython 3.11', 'native', 'copy', 'native time ÷ CPython time'], rows };
}

export function memoryTable(data: RunData): Table {
  const { wasm, cpython } = data.memory;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const rows = wasm.slice(1).map((row, i) => {
    const cp = cpython[i + 1];
    const grew = (r: MemoryRow, base: MemoryRow) => `${mib(r.rss - base.rss)}`;
    const us = (r: MemoryRow) => (r.secondsPerOpen === undefined ? '—' : `${(r.secondsPerOpen * 1e6).toFixed(1)} µs`);
    return [row.count.toLocaleString('en-US'), grew(row, wasm[0]), String(row.mappings - wasm[0].mappings), us(row),
      grew(cp, cpython[0]), String(cp.mappings - cpython[0].mappings), us(cp)];
  });
  return {
    head: ['open maps', 'wasm-mmap RSS growth', 'mappings added', 'open a map', 'CPython RSS growth', 'mappings added', 'open a map'],
    rows,
  };
}

export function toMarkdown(table: Table): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(table.head), line(table.head.map(() => '---')), ...table.rows.map(line)].join('\n');
}

export function toText(table: Table): string {
  const all = [table.head, ...table.rows];
  const widths = table.head.map((_, c) => Math.max(...all.map((r) => [...r[c]].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell + ' '.repeat(widths[c] - [...cell].length)).join('  ');
  return [line(table.head), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

export function chart(data: RunData): string {
  const targets: Partial<Record<OpId, number>> = { find8: 5, find1: 0.8, rfind8: 3, readline: 2, readByte: 3, read64: 2, open4k: 0.5, open1g: 0.5 };
  const rows: ChartRow[] = OPS.filter((op) => data.main.cpython[op.id] !== undefined).map((op) => ({
    label: op.label,
    values: (['native', 'copy', 'buffer'] as const).map((impl) => speedup(data.main[impl][op.id], data.main.cpython[op.id], op.unit)),
    target: targets[op.id],
  }));
  return barChart(`wasm-mmap vs CPython 3.11 mmap, ${formatSize(data.size)} file`, [
    { name: 'native backing', color: '#2b6cb0' },
    { name: 'copy backing', color: '#68a0d8' },
    { name: 'Node Buffer', color: '#d69e2e' },
  ], rows);
}

export function markdown(data: RunData, chartFile: string): string {
  const m = data.machine;
  const c = data.counts;
  const v = [...verdicts(data), ...batchVerdicts(data.main)];
  const met = v.filter((x) => x.met).length;
  return `# Benchmarks

Generated by \`npm run bench\` (\`bench/run.ts\`) on ${m.date}; rerun it to refresh this page.
Each figure is the best of ${data.timedRuns} timed runs (after warm-up runs), made in ${data.rounds} rounds; a round
runs each implementation in a fresh process of its own, one after the other, on the same files,
so that other load on the machine falls on all of them alike. Ratios compare figures of the same
run only: the machine is a small shared VM and absolute times vary from run to run.

**Machine**: ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, Linux ${m.kernel}; Node ${m.node}; CPython ${m.python};
load average ${m.load}.

## Against CPython 3.11's mmap

Input: a ${formatSize(data.size)} text file of random a–z words in lines of 60–100 bytes
(${data.lines.toLocaleString('en-US')} lines), in the page cache, mapped read-only (\`ACCESS_READ\`) whole.
Needles: \`#\` and \`then  it\` (two spaces), both absent, so every search scans the whole map.
\`readByte()\`: the first ${formatSize(c.readByte)}. \`seek + read(64)\`: ${c.read64.toLocaleString('en-US')} seeded random
positions, the same for every implementation; \`getSlice\` (Python \`m[p:p+4096]\`): ${c.slice4k.toLocaleString('en-US')}.
open + close: ${c.openIterations.toLocaleString('en-US')} pairs a run on an open fd.
The copy backing's open reads the whole file into the core's memory. Buffer: Node alone over the
file read into a Buffer: \`Buffer.indexOf\` / \`lastIndexOf\`; for readline, \`indexOf(10)\` and a
new \`Uint8Array\` view per line (not even a copy); for read(64), \`Uint8Array.slice\` at the same
positions. These two are the floor of any JS API that returns a new object per call. Python loops
bind methods to locals first (\`read_byte = m.read_byte\`). "×" columns: speed relative to CPython (above 1 is faster; for
open + close, CPython's time ÷ ours).

${toMarkdown(mainTable(data))}

![Speed relative to CPython per operation](${chartFile})

## Targets

${met} of ${v.length} met.

${toMarkdown(verdictTable(v))}

## Scaling with the map's size

find, 8-byte absent needle, over a map of the text file's first N bytes (several calls a run for
small maps, so a run scans at least ${formatSize(data.scalingSpec.find[0].size * data.scalingSpec.find[0].calls)}):

${toMarkdown(findScalingTable(data))}

open + close of sparse files:

${toMarkdown(openScalingTable(data))}

## Memory with many open maps

Anonymous maps of ${formatSize(data.memory.mapSize)}, one byte written in each, all open at once; growth of the
process's RSS and of its number of mappings (\`/proc/self/maps\` lines) from before the first map.
"open a map": the mean time of the opens since the row before (the first row includes loading the core).

${toMarkdown(memoryTable(data))}

The whole run took ${Math.round(data.seconds)} s.
`;
}
