// The operations every implementation runs, and the inputs they share. The same description
// (as JSON) drives bench/cpython_bench.py, so CPython runs exactly these operations on the
// same file, needles and positions.
import type { Plan, Timing } from './timing.ts';

export type OpId =
  | 'find1' | 'find8' | 'rfind8' | 'readline' | 'readByte' | 'read64' | 'slice4k'
  | 'open4k' | 'open1g' | 'copyOpen' | 'count' | 'findAll' | 'lines';

/** How a figure reads: a rate (higher is better) or a time per operation (lower is better). */
export type Unit = 'GB/s' | 'lines/s' | 'calls/s' | 'µs';

export interface OpInfo {
  id: OpId;
  label: string;
  unit: Unit;
}

export const OPS: OpInfo[] = [
  { id: 'find1', label: 'find, 1-byte needle, absent', unit: 'GB/s' },
  { id: 'find8', label: 'find, 8-byte needle, absent', unit: 'GB/s' },
  { id: 'rfind8', label: 'rfind, 8-byte needle, absent', unit: 'GB/s' },
  { id: 'readline', label: 'readline() loop, whole map', unit: 'lines/s' },
  { id: 'readByte', label: 'readByte() loop', unit: 'calls/s' },
  { id: 'read64', label: 'seek + read(64), random positions', unit: 'calls/s' },
  { id: 'slice4k', label: 'getSlice of 4 KiB, random positions', unit: 'calls/s' },
  { id: 'open4k', label: 'open + close, 4 KiB file', unit: 'µs' },
  { id: 'open1g', label: 'open + close, 1 GiB sparse file', unit: 'µs' },
  { id: 'copyOpen', label: 'open, copy backing, whole file', unit: 'GB/s' },
  // The batch operations, against the loops they replace: a find() loop (CPython), a
  // Buffer.indexOf loop, node:readline over a file stream, CPython's iter(m.readline, b'').
  { id: 'count', label: 'count(), dense hits (find/indexOf loop beside it)', unit: 'GB/s' },
  { id: 'findAll', label: 'findAll(), dense hits (find/indexOf loop beside it)', unit: 'GB/s' },
  { id: 'lines', label: 'lines() as strings (node:readline, iter(m.readline))', unit: 'lines/s' },
];

/** Everything one run of the main table needs; also what the CPython child is given. */
export interface Spec {
  /** The text file and its size in bytes. */
  text: string;
  size: number;
  /** How many lines readline() returns over the whole file. */
  lines: number;
  needle1: string;
  needle8: string;
  /** A needle with dense hits, and how many non-overlapping times it occurs in the text. */
  needleDense: string;
  denseHits: number;
  /** readByte() calls per run (from position 0), and the sum of the bytes they return. */
  readByteCount: number;
  readByteSum: number;
  /** Files of little-endian uint32 positions for read(64) and getSlice(p, p + 4096). */
  read64Positions: string;
  slicePositions: string;
  /** Files for open + close, and how many open + close pairs one run makes. */
  smallFile: string;
  sparseFile: string;
  openIterations: number;
  plans: Record<OpId, Plan>;
}

/** Results of one implementation: the timings of the operations it ran. */
export type Results = Partial<Record<OpId, Timing>>;
