// The main table's operations on this library's MMap, for one backing. Maps are read-only
// (ACCESS_READ), as in the CPython child, so closing never writes anything back.
import { closeSync, openSync } from 'node:fs';
import { ACCESS_READ, MMap } from '../src/index.ts';
import type { OpId, Results, Spec } from './ops.ts';
import { time } from './timing.ts';

type Backing = 'native' | 'copy';

/** Opens `path` read-only and maps it whole; the map keeps its own fd. */
export function mapFile(path: string, backing: Backing, length = 0): MMap {
  const fd = openSync(path, 'r');
  try {
    return new MMap(fd, length, { access: ACCESS_READ, backing });
  } finally {
    closeSync(fd);
  }
}

/** `count` open + close pairs of `fd`'s whole file. */
export function openClose(fd: number, backing: Backing, count: number): number {
  for (let i = 0; i < count; i++) new MMap(fd, 0, { access: ACCESS_READ, backing }).close();
  return count;
}

/**
 * Runs `ops` (those of the main table that apply to a backing) on `backing`.
 * @param positions The read(64) and getSlice positions, the same numbers CPython reads.
 */
export function runMMap(spec: Spec, backing: Backing, ops: OpId[],
  positions: { read64: Uint32Array; slice4k: Uint32Array }): Results {
  const results: Results = {};
  const want = new Set(ops);
  const needle1 = Buffer.from(spec.needle1, 'latin1');
  const needle8 = Buffer.from(spec.needle8, 'latin1');
  const m = mapFile(spec.text, backing);
  try {
    if (want.has('find1')) results.find1 = time(spec.plans.find1, spec.size, () => m.find(needle1, 0), { expect: -1 });
    if (want.has('find8')) results.find8 = time(spec.plans.find8, spec.size, () => m.find(needle8, 0), { expect: -1 });
    if (want.has('rfind8')) results.rfind8 = time(spec.plans.rfind8, spec.size, () => m.rfind(needle8, 0), { expect: -1 });
    if (want.has('readline')) {
      results.readline = time(spec.plans.readline, spec.lines, () => {
        m.seek(0);
        let lines = 0;
        while (m.readline().length !== 0) lines++;
        return lines;
      }, { expect: spec.lines });
    }
    if (want.has('count')) {
      // A string needle, as users write it: encoded into the core's scratch area, no array.
      results.count = time(spec.plans.count, spec.size, () => m.count(spec.needleDense, 0), { expect: spec.denseHits });
    }
    if (want.has('findAll')) {
      results.findAll = time(spec.plans.findAll, spec.size, () => m.findAll(spec.needleDense, 0).length, { expect: spec.denseHits });
    }
    if (want.has('lines')) {
      results.lines = time(spec.plans.lines, spec.lines, () => {
        m.seek(0);
        let lines = 0;
        for (const line of m.lines()) if (typeof line === 'string') lines++;
        return lines;
      }, { expect: spec.lines });
    }
    if (want.has('readByte')) {
      results.readByte = time(spec.plans.readByte, spec.readByteCount, () => {
        m.seek(0);
        let sum = 0;
        for (let i = 0; i < spec.readByteCount; i++) sum += m.readByte();
        return sum;
      }, { expect: spec.readByteSum });
    }
    if (want.has('read64')) {
      const at = positions.read64;
      results.read64 = time(spec.plans.read64, at.length, () => {
        let bytes = 0;
        for (let i = 0; i < at.length; i++) {
          m.seek(at[i]);
          bytes += m.read(64).length;
        }
        return bytes;
      }, { expect: at.length * 64 });
    }
    if (want.has('slice4k')) {
      const at = positions.slice4k;
      results.slice4k = time(spec.plans.slice4k, at.length, () => {
        let bytes = 0;
        for (let i = 0; i < at.length; i++) bytes += m.getSlice(at[i], at[i] + 4096).length;
        return bytes;
      }, { expect: at.length * 4096 });
    }
  } finally {
    m.close();
  }
  for (const [id, path] of [['open4k', spec.smallFile], ['open1g', spec.sparseFile]] as const) {
    if (!want.has(id)) continue;
    const fd = openSync(path, 'r');
    try {
      results[id] = time(spec.plans[id], spec.openIterations, () => openClose(fd, backing, spec.openIterations));
    } finally {
      closeSync(fd);
    }
  }
  if (want.has('copyOpen')) {
    const fd = openSync(spec.text, 'r');
    try {
      results.copyOpen = time(spec.plans.copyOpen, spec.size,
        () => new MMap(fd, 0, { access: ACCESS_READ, backing: 'copy' }), { after: (map) => map.close() });
    } finally {
      closeSync(fd);
    }
  }
  return results;
}
