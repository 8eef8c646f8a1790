// The second table: how find (8-byte, absent) and open + close scale with the map's size, and
// how memory grows with the number of open anonymous maps.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { MMap } from '../src/index.ts';
import type { Plan, Timing } from './timing.ts';
import { time } from './timing.ts';
import { mapFile, openClose } from './wasm_mmap.ts';

export interface ScalingSpec {
  text: string;
  needle8: string;
  plan: Plan;
  /** find over a map of the text file's first `size` bytes, `calls` times a run. */
  find: { size: number; calls: number }[];
  /** open + close of the file at `path`: `iterations` pairs a run (`copyIterations` on the copy backing). */
  open: { size: number; path: string; iterations: number; copyIterations: number }[];
}

/** Timings keyed by size (as a string, like the JSON of the CPython side). */
export interface ScalingResults {
  find: Record<string, Timing>;
  open: Record<string, Timing>;
}

/** find and open + close at each size on one backing; 'buffer' searches Buffer.subarray(0, size) and opens nothing. */
export function runScaling(spec: ScalingSpec, impl: 'native' | 'copy' | 'buffer'): ScalingResults {
  const needle = Buffer.from(spec.needle8, 'latin1');
  const results: ScalingResults = { find: {}, open: {} };
  const whole = impl === 'buffer' ? readFileSync(spec.text) : undefined;
  for (const { size, calls } of spec.find) {
    const search = (find: () => number) => time(spec.plan, size * calls, () => {
      let found = 0;
      for (let i = 0; i < calls; i++) found += find();
      return found;
    }, { expect: -calls });
    if (impl === 'buffer') {
      const bytes = whole!.subarray(0, size);
      results.find[size] = search(() => bytes.indexOf(needle));
    } else {
      const m = mapFile(spec.text, impl, size);
      try {
        results.find[size] = search(() => m.find(needle, 0));
      } finally {
        m.close();
      }
    }
  }
  if (impl === 'buffer') return results;
  for (const { size, path, iterations, copyIterations } of spec.open) {
    const count = impl === 'copy' ? copyIterations : iterations;
    const fd = openSync(path, 'r');
    try {
      results.open[size] = time(spec.plan, count, () => openClose(fd, impl, count));
    } finally {
      closeSync(fd);
    }
  }
  return results;
}

export interface MapsSpec {
  counts: number[];
  mapSize: number;
}

/** One row of the memory table: after `count` maps are open. */
export interface MemoryRow {
  count: number;
  rss: number;
  mappings: number;
  secondsPerOpen?: number;
}

export function memoryStatus(): { rss: number; mappings: number } {
  const status = readFileSync('/proc/self/status', 'latin1');
  const rss = Number(/VmRSS:\s*(\d+)/.exec(status)![1]) * 1024;
  const maps = readFileSync('/proc/self/maps', 'latin1');
  let mappings = 0;
  for (let i = maps.indexOf('\n'); i >= 0; i = maps.indexOf('\n', i + 1)) mappings++;
  return { rss, mappings };
}

/** RSS and mapping count as anonymous maps of `mapSize` bytes pile up, one byte written in each (as the CPython side). */
export function runOpenMaps(spec: MapsSpec): MemoryRow[] {
  const rows: MemoryRow[] = [{ count: 0, ...memoryStatus() }];
  const maps: MMap[] = [];
  for (const target of spec.counts) {
    const opened = maps.length;
    const start = process.hrtime.bigint();
    while (maps.length < target) {
      const m = new MMap(-1, spec.mapSize);
      m.setItem(0, 1);
      maps.push(m);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rows.push({ count: target, secondsPerOpen: seconds / Math.max(1, target - opened), ...memoryStatus() });
  }
  for (const m of maps) m.close();
  return rows;
}
