/**
 * Seeded pseudo-random numbers for the training core: xoshiro128** (Blackman & Vigna) on four
 * uint32 words, seeded through splitmix64 as its authors recommend. The stream itself is pure
 * 32-bit integer arithmetic (`Math.imul`, shifts) and seeding uses BigInt, so a seed yields the
 * same stream on every platform and Node version. `normal()` adds only IEEE-754 arithmetic,
 * `Math.sqrt` (correctly rounded by the standard) and the engine-independent `log` of fdlibm.ts.
 *
 * Seeding, written out so a reference implementation in another language can match it:
 *   state64 = seed + stream · 2^53          (seed in 0..2^53−1, stream in 0..2047: injective)
 *   o1, o2  = the first two outputs of splitmix64 started at state64
 *   xoshiro state (s0, s1, s2, s3) = (low32(o1), high32(o1), low32(o2), high32(o2))
 * `stream` lets one run seed draw independent streams for data, init and shuffling, so that e.g.
 * changing the hidden size does not change the generated dataset or the batch order.
 */

import { log } from './fdlibm.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_NEG_32 = 1 / TWO_POW_32;
/** Largest n for which `below` can form r·n exactly in a double (r < 2^32, r·n < 2^53). */
const LEMIRE_MAX_N = 2 ** 21;
const TWO_POW_NEG_53 = 1 / 9007199254740992;
const MAX_STREAM = 2047;

/** Independent sub-streams of one run seed. Values are part of the reproducibility contract. */
export const RngStream = {
  trainData: 1,
  valData: 2,
  testData: 3,
  init: 4,
  shuffle: 5,
} as const;

const MASK_64 = (1n << 64n) - 1n;

/** splitmix64 (Steele, Lea & Flood), reference constants; only used to seed, so BigInt speed is fine. */
function splitmix64(state: bigint, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The polar method yields two normals per draw; the second is served by the next call. */
  private spareNormal = 0;
  private hasSpareNormal = false;

  /** `seed` must be an integer in 0..2^53−1, `stream` an integer in 0..2047 (see RngStream). */
  constructor(seed: number, stream = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`Rng seed must be an integer in 0..2^53-1, got ${seed}`);
    if (!Number.isInteger(stream) || stream < 0 || stream > MAX_STREAM) throw new RangeError(`Rng stream must be an integer in 0..${MAX_STREAM}, got ${stream}`);
    const [o1, o2] = splitmix64(BigInt(seed) + (BigInt(stream) << 53n), 2) as [bigint, bigint];
    this.s0 = Number(o1 & 0xffffffffn) | 0;
    this.s1 = Number(o1 >> 32n) | 0;
    this.s2 = Number(o2 & 0xffffffffn) | 0;
    this.s3 = Number(o2 >> 32n) | 0;
    // The all-zero state is the one fixed point of xoshiro; astronomically unlikely, but cheap to rule out.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 0x9e3779b9;
  }

  /** Next uint32 of the xoshiro128** stream. */
  nextUint32(): number {
    const s1 = this.s1;
    const rotated = Math.imul(s1, 5);
    const result = Math.imul((rotated << 7) | (rotated >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (the top 27 of one draw, then the top 26 of the next). */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) * TWO_POW_NEG_53;
  }

  /**
   * Unbiased integer in [0, n) for 1 <= n <= 2^32. For n <= 2^21, Lemire's multiply-and-shift
   * ("nearly divisionless") method: floor(r·n / 2^32), rejecting r when (r·n mod 2^32) <
   * (2^32 mod n); r·n < 2^53 stays exact in a double. It avoids the two floating-point modulos
   * per draw of the plain method, which made the per-epoch shuffle ~15% of a logistic-regression
   * epoch. Larger n: plain rejection of the incomplete top range, then r mod n.
   */
  below(n: number): number {
    if (n <= LEMIRE_MAX_N) {
      let m = this.nextUint32() * n;
      let low = m - Math.floor(m * TWO_POW_NEG_32) * TWO_POW_32;
      if (low < n) {
        const threshold = TWO_POW_32 % n;
        while (low < threshold) {
          m = this.nextUint32() * n;
          low = m - Math.floor(m * TWO_POW_NEG_32) * TWO_POW_32;
        }
      }
      return Math.floor(m * TWO_POW_NEG_32);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let r = this.nextUint32();
    while (r >= limit) r = this.nextUint32();
    return r % n;
  }

  /**
   * Standard normal by the Marsaglia polar form of Box–Muller: draw u, v = 2·uniform() − 1 until
   * 0 < s = u² + v² < 1, then m = sqrt(−2·ln(s) / s); returns u·m, then v·m on the next call.
   * The polar form needs no sin/cos (which engines implement differently, see fdlibm.ts), and
   * `log` is the port in fdlibm.ts, so the stream is the same on every engine.
   */
  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * log(s)) / s);
    this.spareNormal = v * m;
    this.hasSpareNormal = true;
    return u * m;
  }

  /** In-place Fisher–Yates shuffle (Durstenfeld, from the end), drawing with `below`. */
  shuffle(values: Uint32Array): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
  }
}
