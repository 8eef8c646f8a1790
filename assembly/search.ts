// Byte-string search over linear memory: the engine under find(), rfind() and readline().
// The SIMD versions (a first/last-byte filter with a candidate check; a plain byte scan for
// one-byte needles) are used when the module is built with SIMD; the scalar versions are the
// reference, built into the scalar module and tested against the same exhaustive model.

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
        const e0 = i8x16.eq(v128.load(hay + i), f);
        const e1 = i8x16.eq(v128.load(hay + i, 16), f);
        const e2 = i8x16.eq(v128.load(hay + i, 32), f);
        const e3 = i8x16.eq(v128.load(hay + i, 48), f);
        if (v128.any_true(v128.or(v128.or(e0, e1), v128.or(e2, e3)))) {
          const m = <u64>i8x16.bitmask(e0) | (<u64>i8x16.bitmask(e1) << 16)
            | (<u64>i8x16.bitmask(e2) << 32) | (<u64>i8x16.bitmask(e3) << 48);
          return <i64>(i + <usize>ctz(m));
        }
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
      // Each block tests 16 candidate positions i..i+15, reading up to i + 15 + tail <= hayLen - 1.
      while (i + 32 <= last + 1) {
        const a = v128.and(i8x16.eq(v128.load(hay + i), f), i8x16.eq(v128.load(hay + i + tail), l));
        const b = v128.and(i8x16.eq(v128.load(hay + i, 16), f), i8x16.eq(v128.load(hay + i + tail, 16), l));
        if (v128.any_true(v128.or(a, b))) {
          let m = <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
          while (m != 0) {
            const j = i + <usize>ctz(m);
            if (bytesEqual(hay + j + 1, needle + 1, needleLen - 2)) return <i64>j;
            m &= m - 1;
          }
        }
        i += 32;
      }
      while (i + 16 <= last + 1) {
        let m = <u32>i8x16.bitmask(v128.and(i8x16.eq(v128.load(hay + i), f), i8x16.eq(v128.load(hay + i + tail), l)));
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
      const a = v128.and(i8x16.eq(v128.load(hay + i), f), i8x16.eq(v128.load(hay + i + tail), l));
      const b = v128.and(i8x16.eq(v128.load(hay + i, 16), f), i8x16.eq(v128.load(hay + i + tail, 16), l));
      if (v128.any_true(v128.or(a, b))) {
        let m = <u32>i8x16.bitmask(a) | (<u32>i8x16.bitmask(b) << 16);
        while (m != 0) {
          const j = 31 - clz(m);
          if (bytesEqual(hay + i + j + 1, needle + 1, inner)) return <i64>(i + j);
          m &= ~(1 << j);
        }
      }
      end = i;
    }
    while (end >= 16) {
      const i = end - 16;
      let m = <u32>i8x16.bitmask(v128.and(i8x16.eq(v128.load(hay + i), f), i8x16.eq(v128.load(hay + i + tail), l)));
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
