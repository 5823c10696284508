/**
 * exp (of x <= 0), tanh and log as pure IEEE-754 double arithmetic, so that a training run gives the
 * same bits on every platform and every Node version.
 *
 * Why not Math.*: the ECMAScript spec leaves their precision to the engine, and V8 has started
 * replacing its fdlibm code (glibc-derived sin/cos behind V8_USE_LIBM_TRIG_FUNCTIONS, then LLVM
 * libc), so a future Node could change the last bit of Math.exp and with it every recorded loss.
 * These are line-by-line ports of the fdlibm versions in V8's src/base/ieee754.cc (which Node 20
 * uses), so today they return exactly what Math.* returns; the unit tests pin that. JavaScript
 * forbids fused multiply-add contraction and extended precision, so + − × ÷ and Math.sqrt are
 * correctly rounded everywhere and the results cannot drift.
 *
 * Where fdlibm tests the high word of a double against a constant, the ports compare |x| with the
 * double that has that high word (and a zero low word), which is equivalent; 2^k comes from a
 * table. Only `log` needs real bit access, through a DataView with explicit byte order.
 *
 * ====================================================
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *
 * Developed at SunSoft, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this
 * software is freely granted, provided that this notice
 * is preserved.
 * ====================================================
 * Modifications (V8): Copyright 2016 the V8 project authors. All rights reserved. Use of this
 * source code is governed by a BSD-style license (https://chromium.googlesource.com/v8/v8/+/main/LICENSE).
 */

const bits = new DataView(new ArrayBuffer(8));

/** The double whose high 32 bits are `high` and low 32 bits are `low`. */
function fromWords(high: number, low = 0): number {
  bits.setUint32(0, high >>> 0);
  bits.setUint32(4, low >>> 0);
  return bits.getFloat64(0);
}

/** 2^j for j in [-1074, 1023], built by exact doubling and halving. */
const POW2_OFFSET = 1074;
const POW2 = (() => {
  const table = new Float64Array(POW2_OFFSET + 1024);
  table[POW2_OFFSET] = 1;
  for (let j = 1; j <= 1023; j++) table[POW2_OFFSET + j] = table[POW2_OFFSET + j - 1] * 2;
  for (let j = -1; j >= -1074; j--) table[POW2_OFFSET + j] = table[POW2_OFFSET + j + 1] / 2;
  return table;
})();

const LN2_HI = 6.93147180369123816490e-1; // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.44269504088896338700e0; // 0x3FF71547 652B82FE
const U_THRESHOLD = -7.45133219101941108420e2; // 0xC0874910 D52D3051
const TWO_POW_MINUS_1000 = fromWords(0x01700000);

// |x| thresholds: fdlibm's high-word comparisons written as comparisons of doubles.
const ABS_GE_709_78 = fromWords(0x40862e42); // hx >= 0x40862E42
const ABS_GT_HALF_LN2 = fromWords(0x3fd62e43); // hx > 0x3FD62E42
const ABS_LT_1_5_LN2 = fromWords(0x3ff0a2b2); // hx < 0x3FF0A2B2
const ABS_LT_2_POW_MINUS_28 = fromWords(0x3e300000); // hx < 0x3E300000

const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;

/**
 * e^x for x <= 0 (or NaN), as V8's ieee754::exp (error < 1 ulp) with the branches for positive x
 * removed: the loss and σ need only exp(−|z|), and the general function is too large for V8 to
 * inline into the training loops (it measured 10–15% slower there).
 */
export function expNonPositive(x: number): number {
  const ax = -x;
  if (!(ax < ABS_GE_709_78)) {
    if (x !== x) return x + x;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  let r = x;
  if (ax >= ABS_GT_HALF_LN2) {
    if (ax < ABS_LT_1_5_LN2) {
      hi = x + LN2_HI;
      lo = -LN2_LO;
      k = -1;
    } else {
      k = (INV_LN2 * x - 0.5) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    r = hi - lo;
  } else if (ax < ABS_LT_2_POW_MINUS_28) {
    return 1 + x;
  }
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((r * c) / (c - 2) - r);
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  if (k >= -1021) return y * POW2[POW2_OFFSET + k];
  return y * POW2[POW2_OFFSET + k + 1000] * TWO_POW_MINUS_1000;
}

const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;

/**
 * Hyperbolic tangent, as V8's ieee754::tanh: x for |x| < 2^-28, ±1 for |x| >= 22, otherwise
 * −t/(t+2) with t = expm1(−2|x|) when |x| < 1, and 1 − 2/(t+2) with t = expm1(2|x|) above.
 * fdlibm's expm1 is cut down to the two argument ranges tanh needs: V8 inlines only small
 * functions, and a call that is not inlined boxes its double argument and result. (One helper
 * for both ranges measured slower than these two.)
 */
export function tanh(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < 22)) return x !== x ? x : x > 0 ? 1 : -1;
  if (ax < ABS_LT_2_POW_MINUS_28) return x;
  let z: number;
  if (ax >= 1) {
    z = 1 - 2 / (expm1From2To44(2 * ax) + 2);
  } else {
    const t = expm1FromMinus2ToMinusTiny(-2 * ax);
    z = -t / (t + 2);
  }
  return x < 0 ? -z : z;
}

/** fdlibm expm1 for x in (−2, −2^−27], where k (x = k·ln2 + r) is 0, −1, −2 or −3. */
function expm1FromMinus2ToMinusTiny(x: number): number {
  const ax = -x;
  let k = 0;
  let r = x;
  let c = 0;
  if (ax >= ABS_GT_HALF_LN2) {
    let hi: number;
    let lo: number;
    if (ax < ABS_LT_1_5_LN2) {
      hi = x + LN2_HI;
      lo = -LN2_LO;
      k = -1;
    } else {
      k = (INV_LN2 * x - 0.5) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    r = hi - lo;
    c = hi - r - lo;
  }
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - r * t));
  if (k === 0) return r - (r * e - hxs);
  e = r * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (r - e) - 0.5;
  return (1 - (e - r)) * POW2[POW2_OFFSET + k] - 1;
}

/** fdlibm expm1 for x in [2, 44), where k (x = k·ln2 + r) is 3..64. */
function expm1From2To44(x: number): number {
  const k = (INV_LN2 * x + 0.5) | 0;
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const c = hi - r - lo;
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - r * t));
  e = r * (e - c) - c;
  e -= hxs;
  const twoPowK = POW2[POW2_OFFSET + k];
  if (k > 56) return (1 - (e - r)) * twoPowK - 1;
  if (k < 20) return (1 - POW2[POW2_OFFSET - k] - (e - r)) * twoPowK;
  return (r - (e + POW2[POW2_OFFSET - k]) + 1) * twoPowK;
}

const TWO_POW_54 = 1.8014398509481984e16;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm, as V8's ieee754::log (error < 1 ulp). */
export function log(x: number): number {
  bits.setFloat64(0, x);
  let hx = bits.getInt32(0);
  const lx = bits.getUint32(4);
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO_POW_54;
    bits.setFloat64(0, x);
    hx = bits.getInt32(0);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  bits.setInt32(0, hx | (i ^ 0x3ff00000)); // normalize x or x/2
  x = bits.getFloat64(0);
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : k * LN2_HI - (R - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - (hfsq - (s * (hfsq + R) + k * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - R) : k * LN2_HI - (s * (f - R) - k * LN2_LO - f);
}
