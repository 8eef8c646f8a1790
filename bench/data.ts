// The benchmark's input files, cached in a temp directory and reused when present: a text file of
// random a–z words in lines of 60–100 bytes, sparse files, and the seeded random
// positions that every implementation reads at (the same numbers for Node and CPython).
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the inputs live between runs. Bump the suffix when the generator changes. */
export const CACHE_DIR = join(tmpdir(), 'wasm-mmap-bench-v1');

/** A needle of 8 bytes absent from the text (words are separated by single spaces), common bytes at both ends. */
export const NEEDLE_8 = 'then  it';
/** A needle with dense hits: a word starting with 'a' (about one in 180 bytes). */
export const NEEDLE_DENSE = ' a';
/** A byte absent from the text. */
export const NEEDLE_1 = '#';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Parses `256M`, `64m`, `1G`, `4K` or a plain byte count. */
export function parseSize(text: string): number {
  const match = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (match === null) throw new Error(`not a size: ${text} (try 64M, 256M or 1G)`);
  const unit = { '': 1, K: KiB, M: MiB, G: GiB }[match[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(match[1]) * unit;
}

/** `268435456` → `256 MiB`. */
export function formatSize(bytes: number): string {
  for (const [unit, name] of [[GiB, 'GiB'], [MiB, 'MiB'], [KiB, 'KiB']] as const) {
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit} ${name}`;
  }
  return `${bytes} B`;
}

/** mulberry32: a small seeded generator, the same stream on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `path` through a temporary name, so an interrupted run never leaves a short file behind. */
function writeOnce(path: string, fill: (fd: number) => void): string {
  if (existsSync(path)) return path;
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  const fd = openSync(partial, 'w');
  try {
    fill(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return path;
}

/** Fills `chunk` with lines of random words; returns how many bytes were written. `state` carries a line across chunks. */
function fillText(chunk: Uint8Array, next: () => number, state: { lineLeft: number }): number {
  let i = 0;
  while (i < chunk.length) {
    if (state.lineLeft <= 0) state.lineLeft = 60 + Math.floor(next() * 41);
    const word = 1 + Math.floor(next() * 10);
    // The word, then a space, or the newline that ends the line when the next word would not fit.
    const end = state.lineLeft - word - 1 < 3 ? 10 : 32;
    for (let k = 0; k < word && i < chunk.length; k++) chunk[i++] = 97 + Math.floor(next() * 26);
    if (i < chunk.length) chunk[i++] = end;
    state.lineLeft = end === 10 ? 0 : state.lineLeft - word - 1;
  }
  return i;
}

/** The text file of `size` bytes (cached). */
export function textFile(size: number): string {
  return writeOnce(join(CACHE_DIR, `text-${size}.txt`), (fd) => {
    const next = random(0x5eed);
    const chunk = new Uint8Array(4 * MiB);
    const state = { lineLeft: 0 };
    for (let done = 0; done < size;) {
      const n = Math.min(chunk.length, size - done);
      fillText(chunk.subarray(0, n), next, state);
      writeSync(fd, chunk, 0, n);
      done += n;
    }
  });
}

/** A sparse file of `size` bytes: a hole, no blocks on disk (cached). */
export function sparseFile(size: number): string {
  return writeOnce(join(CACHE_DIR, `sparse-${size}.bin`), (fd) => ftruncateSync(fd, size));
}

/**
 * `count` seeded positions in [0, limit], as a file of little-endian uint32 (what Python's
 * array('I') reads) and as an array. The same seed gives the same positions on every run.
 */
export function positions(count: number, limit: number, seed: number): { path: string; values: Uint32Array } {
  if (limit >= 2 ** 32) throw new Error('positions are uint32: the file must be under 4 GiB');
  const next = random(seed);
  const values = new Uint32Array(count);
  for (let i = 0; i < count; i++) values[i] = Math.floor(next() * (limit + 1));
  const path = join(CACHE_DIR, `positions-${seed}-${count}-${limit}.u32`);
  if (!existsSync(path)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(`${path}.${process.pid}.partial`, values);
    renameSync(`${path}.${process.pid}.partial`, path);
  }
  return { path, values };
}
