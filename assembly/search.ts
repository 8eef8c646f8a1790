// Byte-string search over linear memory: the engine under find(), rfind() and readline().
// The SIMD versions (a first/last-byte filter with a candidate check, which a long forward search
// widens to three bytes where candidates prove common; a plain byte scan for one-byte needles)
// are used when the module is built with SIMD; the scalar versions are the reference, built into
// the scalar module and tested against the same exhaustive model.

/** Whether `n` bytes at `a` equal those at `b`. Precondition: both ranges are inside memory. */
@inline function bytesEqual(a: usize, b: usize, n: usize): bool {
  while (n >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8; b += 8; n -= 8;
  }
  while (n > 0) {
    if (load<u8>(a) != load<u8>(b)) return false;
    a++; b++; n--;
  }
  return true;
}

/**
 * The first/last-byte filter's trade, measured on the benchmark's text at 256 MiB: each candidate
 * costs a mispredicted branch, about 7 ns when the bytes stream from memory; a third filter byte
 * makes candidates rare but costs about 0.45 ns a 64-byte block. So a stretch of STRETCH bytes
 * with more than DENSE candidates (one a KiB, where the two costs meet) turns the rest of a
 * haystack of STREAMED bytes or more over to three bytes. Below STREAMED the bytes are likely in
 * cache, where a mispredict costs little and the third byte only slows the loop (42 against 29
 * GB/s at 1 MiB).
 */
const STRETCH: usize = 64 << 10;
const DENSE: usize = STRETCH >> 10;
const STREAMED: usize = 8 << 20;

/** Lowest index of needle in hay, or -1. Precondition: 0 < needleLen; both ranges inside memory. */
function findScalar(hay: usize, hayLen: usize, needle: usize, needleLen: usize, from: usize): i64 {
  if (needleLen > hayLen) return -1;
  const first = load<u8>(needle);
  const last = hayLen - needleLen;
  for (let i = from; i <= last; i++) {
    if (load<u8>(hay + i) == first && bytesEqual(hay + i + 1, needle + 1, needleLen - 1)) return <i64>i;
  }
  return -1;
}

/** Highest index of needle in hay, or -1. Precondition: 0 < needleLen; both ranges inside memory. */
function rfindScalar(hay: usize, hayLen: usize, needle: usize, needleLen: usize, below: usize): i64 {
  if (needleLen > hayLen) return -1;
  const first = load<u8>(needle);
  let i = min(hayLen - needleLen + 1, below);
  while (i > 0) {
    i--;
    if (load<u8>(hay + i) == first && bytesEqual(hay + i + 1, needle + 1, needleLen - 1)) return <i64>i;
  }
  return -1;
}

/** The lanes of four compares (16 bytes each, in order) as one 64-bit mask, a bit per byte. */
@inline function bits64(a: v128, b: v128, c: v128, d: v128): u64 {
  return <u64>i8x16.bitmask(a) | (<u64>i8x16.bitmask(b) << 16)
    | (<u64>i8x16.bitmask(c) << 32) | (<u64>i8x16.bitmask(d) << 48);
}

/**
 * Where the byte `f` (splatted) is among the 64 bytes at `at`: a bit per byte, 0 for none (one
 * any_true over the four blocks, bit masks only where there is a match). SIMD builds only.
 */
@inline function byteMatches64(at: usize, f: v128): u64 {
  const e0 = i8x16.eq(v128.load(at), f);
  const e1 = i8x16.eq(v128.load(at, 16), f);
  const e2 = i8x16.eq(v128.load(at, 32), f);
  const e3 = i8x16.eq(v128.load(at, 48), f);
  if (!v128.any_true(v128.or(v128.or(e0, e1), v128.or(e2, e3)))) return 0;
  return bits64(e0, e1, e2, e3);
}

/**
 * Candidates among the 32 positions at `at`: a bit per position whose byte is `f` and whose byte
 * `tail` further on is `l` (both splatted), 0 for none (tested by a bitmask, cheaper in V8 than
 * any_true, as in findBytes). SIMD builds only.
 */
@inline function pairMatches32(at: usize, tail: usize, f: v128, l: v128): u32 {
  const a = v128.and(i8x16.eq(v128.load(at), f), i8x16.eq(v128.load(at + tail), l));
  const b = v128.and(i8x16.eq(v128.load(at, 16), f), i8x16.eq(v128.load(at + tail, 16), l));
  if (i8x16.bitmask(v128.or(a, b)) == 0) return 0;
  return <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
}

/** As pairMatches32, for the 16 positions at `at`. */
@inline function pairMatches16(at: usize, tail: usize, f: v128, l: v128): u32 {
  return <u32>i8x16.bitmask(v128.and(i8x16.eq(v128.load(at), f), i8x16.eq(v128.load(at + tail), l)));
}

/** Lowest index of needle in hay, or -1. Precondition: 0 < needleLen; both ranges inside memory. */
export function findBytes(hay: usize, hayLen: usize, needle: usize, needleLen: usize): i64 {
  if (ASC_FEATURE_SIMD) {
    if (needleLen > hayLen) return -1;
    const last = hayLen - needleLen; // the last candidate position
    let i: usize = 0;
    if (needleLen == 1) {
      // memchr: one any_true over 64 bytes, bit masks only where there is a match.
      const f = i8x16.splat(load<i8>(needle));
      while (i + 64 <= hayLen) {
        const m = byteMatches64(hay + i, f);
        if (m != 0) return <i64>(i + <usize>ctz(m));
        i += 64;
      }
      while (i + 16 <= hayLen) {
        const m = i8x16.bitmask(i8x16.eq(v128.load(hay + i), f));
        if (m != 0) return <i64>(i + <usize>ctz(m));
        i += 16;
      }
    } else {
      const f = i8x16.splat(load<i8>(needle));
      const l = i8x16.splat(load<i8>(needle + needleLen - 1));
      const tail = needleLen - 1;
      // Each block tests 64 candidate positions i..i+63, reading up to i + 63 + tail <= hayLen - 1:
      // one test per 64 bytes, as the one-byte scan, keeps the loop near memory speed. The test is
      // a bitmask, not any_true: V8 makes any_true a value first (five instructions, not three),
      // and this loop, unlike the one-byte scan, has no time to spare (2-3% at 256 MiB).
      // Blocks go by stretches of STRETCH bytes, counting candidates: see DENSE.
      let dense = false;
      while (!dense && i + 64 <= last + 1) {
        const end = i + min(STRETCH, last - 62 - i); // blocks start below it: i + 64 <= last + 1
        let candidates: usize = 0;
        for (; i < end; i += 64) {
          const a = v128.and(i8x16.eq(v128.load(hay + i), f), i8x16.eq(v128.load(hay + i + tail), l));
          const b = v128.and(i8x16.eq(v128.load(hay + i, 16), f), i8x16.eq(v128.load(hay + i + tail, 16), l));
          const c = v128.and(i8x16.eq(v128.load(hay + i, 32), f), i8x16.eq(v128.load(hay + i + tail, 32), l));
          const d = v128.and(i8x16.eq(v128.load(hay + i, 48), f), i8x16.eq(v128.load(hay + i + tail, 48), l));
          if (i8x16.bitmask(v128.or(v128.or(a, b), v128.or(c, d))) != 0) {
            let m = bits64(a, b, c, d);
            while (m != 0) {
              const j = i + <usize>ctz(m);
              if (bytesEqual(hay + j + 1, needle + 1, needleLen - 2)) return <i64>j;
              candidates++;
              m &= m - 1;
            }
          }
        }
        dense = needleLen > 2 && hayLen >= STREAMED && candidates > DENSE;
      }
      if (dense) {
        // As above, with the needle's second byte tested too (needleLen > 2: a third byte).
        const s = i8x16.splat(load<i8>(needle + 1));
        for (; i + 64 <= last + 1; i += 64) {
          const a = v128.and(v128.and(i8x16.eq(v128.load(hay + i), f), i8x16.eq(v128.load(hay + i + 1), s)),
            i8x16.eq(v128.load(hay + i + tail), l));
          const b = v128.and(v128.and(i8x16.eq(v128.load(hay + i, 16), f), i8x16.eq(v128.load(hay + i + 1, 16), s)),
            i8x16.eq(v128.load(hay + i + tail, 16), l));
          const c = v128.and(v128.and(i8x16.eq(v128.load(hay + i, 32), f), i8x16.eq(v128.load(hay + i + 1, 32), s)),
            i8x16.eq(v128.load(hay + i + tail, 32), l));
          const d = v128.and(v128.and(i8x16.eq(v128.load(hay + i, 48), f), i8x16.eq(v128.load(hay + i + 1, 48), s)),
            i8x16.eq(v128.load(hay + i + tail, 48), l));
          if (i8x16.bitmask(v128.or(v128.or(a, b), v128.or(c, d))) != 0) {
            let m = bits64(a, b, c, d);
            while (m != 0) {
              const j = i + <usize>ctz(m);
              if (bytesEqual(hay + j + 2, needle + 2, needleLen - 3)) return <i64>j;
              m &= m - 1;
            }
          }
        }
      }
      // Then blocks of 32 and 16 candidates.
      while (i + 32 <= last + 1) {
        let m = pairMatches32(hay + i, tail, f, l);
        while (m != 0) {
          const j = i + <usize>ctz(m);
          if (bytesEqual(hay + j + 1, needle + 1, needleLen - 2)) return <i64>j;
          m &= m - 1;
        }
        i += 32;
      }
      while (i + 16 <= last + 1) {
        let m = pairMatches16(hay + i, tail, f, l);
        while (m != 0) {
          const j = i + <usize>ctz(m);
          if (bytesEqual(hay + j + 1, needle + 1, needleLen - 2)) return <i64>j;
          m &= m - 1;
        }
        i += 16;
      }
    }
    return findScalar(hay, hayLen, needle, needleLen, i);
  } else {
    return findScalar(hay, hayLen, needle, needleLen, 0);
  }
}

/** Highest index of needle in hay, or -1. Precondition: 0 < needleLen; both ranges inside memory. */
export function rfindBytes(hay: usize, hayLen: usize, needle: usize, needleLen: usize): i64 {
  if (ASC_FEATURE_SIMD) {
    if (needleLen > hayLen) return -1;
    // Candidates are 0..end-1; blocks of 32, then 16, are tested from the top down.
    let end: usize = hayLen - needleLen + 1;
    const f = i8x16.splat(load<i8>(needle));
    const l = i8x16.splat(load<i8>(needle + needleLen - 1));
    const tail = needleLen - 1;
    const inner = needleLen > 1 ? needleLen - 2 : 0;
    while (end >= 32) {
      const i = end - 32;
      let m = pairMatches32(hay + i, tail, f, l);
      while (m != 0) {
        const j = 31 - clz(m);
        if (bytesEqual(hay + i + j + 1, needle + 1, inner)) return <i64>(i + j);
        m &= ~(1 << j);
      }
      end = i;
    }
    while (end >= 16) {
      const i = end - 16;
      let m = pairMatches16(hay + i, tail, f, l);
      while (m != 0) {
        const j = 31 - clz(m);
        if (bytesEqual(hay + i + j + 1, needle + 1, inner)) return <i64>(i + j);
        m &= ~(1 << j);
      }
      end = i;
    }
    return rfindScalar(hay, hayLen, needle, needleLen, end);
  } else {
    return rfindScalar(hay, hayLen, needle, needleLen, <usize>-1);
  }
}

/** Where the last scanAll stopped: the end of the last occurrence it counted, relative to hay (0 when none). */
export let scanStop: usize = 0;

/** Stores one occurrence's absolute index when recording. Precondition: `into` has room for `count + 1` f64. */
@inline function record(into: usize, count: u32, base: f64, index: usize): void {
  if (into != 0) store<f64>(into + (<usize>count << 3), base + <f64>index);
}

/**
 * The scalar scan from `from`, after `count` occurrences already counted (the reference, and the
 * SIMD version's tail). Precondition: 0 < needleLen; from <= hayLen; ranges inside memory.
 */
function scanScalar(hay: usize, hayLen: usize, needle: usize, needleLen: usize, into: usize, capacity: u32,
  base: f64, from: usize, count: u32): u32 {
  const first = load<u8>(needle);
  let i = from;
  while (hayLen - i >= needleLen) {
    if (load<u8>(hay + i) == first && bytesEqual(hay + i + 1, needle + 1, needleLen - 1)) {
      if (count == capacity) return count;
      record(into, count, base, i);
      count++;
      i += needleLen;
      scanStop = i;
    } else {
      i++;
    }
  }
  return count;
}

/**
 * The non-overlapping occurrences of needle in hay, left to right (as Python's bytes.count takes
 * them): their number, at most `capacity`. When `into` is not 0, each one's `base + index` is
 * stored there as an f64. scanStop tells where a caller resumes.
 * Precondition: 0 < needleLen; both ranges, and `into` for `capacity` f64, inside memory.
 */
export function scanAll(hay: usize, hayLen: usize, needle: usize, needleLen: usize, into: usize, capacity: u32, base: f64): u32 {
  scanStop = 0;
  if (needleLen > hayLen || capacity == 0) return 0;
  if (ASC_FEATURE_SIMD) {
    let count: u32 = 0;
    let i: usize = 0;
    let next: usize = 0; // the lowest index the next occurrence may start at
    if (needleLen == 1) {
      const f = i8x16.splat(load<i8>(needle));
      while (i + 64 <= hayLen) {
        let m = byteMatches64(hay + i, f);
        if (m != 0) {
          const hits = <u32>popcnt(m);
          if (into == 0 && capacity - count >= hits) {
            // Counting only: the whole block at once.
            count += hits;
            scanStop = i + 64 - <usize>clz(m);
          } else {
            while (m != 0) {
              if (count == capacity) return count;
              const j = i + <usize>ctz(m);
              record(into, count, base, j);
              count++;
              scanStop = j + 1;
              m &= m - 1;
            }
          }
        }
        i += 64;
      }
      return scanScalar(hay, hayLen, needle, 1, into, capacity, base, i, count);
    }
    const f = i8x16.splat(load<i8>(needle));
    const l = i8x16.splat(load<i8>(needle + needleLen - 1));
    const tail = needleLen - 1;
    const last = hayLen - needleLen; // the last candidate position
    // As findBytes: each block tests 32 candidates i..i+31, reading up to i + 31 + tail <= hayLen - 1.
    while (i + 32 <= last + 1) {
      let m = pairMatches32(hay + i, tail, f, l);
      while (m != 0) {
        const j = i + <usize>ctz(m);
        if (j >= next && bytesEqual(hay + j + 1, needle + 1, needleLen - 2)) {
          if (count == capacity) return count;
          record(into, count, base, j);
          count++;
          next = j + needleLen;
          scanStop = next;
        }
        m &= m - 1;
      }
      i += 32;
    }
    return scanScalar(hay, hayLen, needle, needleLen, into, capacity, base, max(i, next), count);
  } else {
    return scanScalar(hay, hayLen, needle, needleLen, into, capacity, base, 0, 0);
  }
}

/** Whether every one of `n` bytes at `p` is below 0x80. Precondition: the range is inside memory. */
export function isAscii(p: usize, n: usize): bool {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    while (i + 64 <= n) {
      acc = v128.or(acc, v128.or(v128.or(v128.load(p + i), v128.load(p + i, 16)), v128.or(v128.load(p + i, 32), v128.load(p + i, 48))));
      i += 64;
    }
    if (i8x16.bitmask(acc) != 0) return false;
  }
  while (i < n) {
    if (load<u8>(p + i) >= 0x80) return false;
    i++;
  }
  return true;
}
