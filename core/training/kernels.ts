/**
 * The per-sample loops of training and evaluation: the whole cost of a run. They are plain
 * functions over typed arrays (monomorphic, no allocation, no closures), one pair per
 * architecture so that no loop tests the architecture per sample.
 *
 * Loss per sample, in the form that never overflows: max(z, 0) − z·y + log(1 + exp(−|z|)).
 * The `measure*` kernels add up the log terms as the log of their product, one log per 512
 * samples instead of one log1p per sample, because exp and log dominate evaluation (this made it
 * a third faster). Every factor lies in (1, 2], so a chunk's product stays below 2^512, and the
 * result differs from Σ log1p by rounding only (~1e-16 per sample, like the summation itself).
 * Gradient: dL/dz = σ(z) − y, with σ also computed from exp(−|z|).
 * exp, tanh and log come from fdlibm.ts rather than Math, so results do not depend on the engine.
 * Weight layouts are those of mlp.ts.
 */
import { expNonPositive, log, tanh } from './fdlibm.js';

/** Take the log of the running product every 512 samples (i & 511 === 511). */
const LOG_PRODUCT_CHUNK_MASK = 511;

export interface LossAccuracy {
  loss: number;
  accuracy: number;
}

/** Logistic regression, z = b + w·x: adds Σ dL/dw into `gw` and returns Σ dL/db over order[start..end). */
export function accumulateLogistic(
  x: Float64Array,
  y: Uint8Array,
  order: Uint32Array,
  start: number,
  end: number,
  d: number,
  w: Float64Array,
  b: number,
  gw: Float64Array,
): number {
  let gb = 0;
  for (let p = start; p < end; p++) {
    const row = order[p];
    const base = row * d;
    let z = b;
    for (let k = 0; k < d; k++) z += x[base + k] * w[k];
    const e = expNonPositive(-Math.abs(z));
    const g = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[row];
    gb += g;
    for (let k = 0; k < d; k++) gw[k] += g * x[base + k];
  }
  return gb;
}

export function measureLogistic(x: Float64Array, y: Uint8Array, n: number, d: number, w: Float64Array, b: number): LossAccuracy {
  let lossSum = 0;
  let logProduct = 1;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let z = b;
    for (let k = 0; k < d; k++) z += x[base + k] * w[k];
    const label = y[i];
    lossSum += (z > 0 ? z : 0) - z * label;
    logProduct *= 1 + expNonPositive(-Math.abs(z));
    if ((i & LOG_PRODUCT_CHUNK_MASK) === LOG_PRODUCT_CHUNK_MASK) {
      lossSum += log(logProduct);
      logProduct = 1;
    }
    if ((z > 0 ? 1 : 0) === label) correct++;
  }
  lossSum += log(logProduct);
  return { loss: lossSum / n, accuracy: correct / n };
}

/**
 * One tanh hidden layer: adds the gradients of W1, b1, W2 into gw1, gb1, gw2 and returns Σ dL/db2
 * over order[start..end). `act` is scratch space for the H hidden activations.
 */
export function accumulateHidden(
  x: Float64Array,
  y: Uint8Array,
  order: Uint32Array,
  start: number,
  end: number,
  d: number,
  h: number,
  w1: Float64Array,
  b1: Float64Array,
  w2: Float64Array,
  b2: number,
  act: Float64Array,
  gw1: Float64Array,
  gb1: Float64Array,
  gw2: Float64Array,
): number {
  let gb2 = 0;
  for (let p = start; p < end; p++) {
    const row = order[p];
    const base = row * d;
    let z = b2;
    for (let j = 0; j < h; j++) {
      let a = b1[j];
      for (let k = 0; k < d; k++) a += x[base + k] * w1[k * h + j];
      const t = tanh(a);
      act[j] = t;
      z += t * w2[j];
    }
    const e = expNonPositive(-Math.abs(z));
    const g = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[row];
    gb2 += g;
    for (let j = 0; j < h; j++) {
      const t = act[j];
      gw2[j] += g * t;
      const da = g * w2[j] * (1 - t * t);
      gb1[j] += da;
      for (let k = 0; k < d; k++) gw1[k * h + j] += da * x[base + k];
    }
  }
  return gb2;
}

export function measureHidden(
  x: Float64Array,
  y: Uint8Array,
  n: number,
  d: number,
  h: number,
  w1: Float64Array,
  b1: Float64Array,
  w2: Float64Array,
  b2: number,
): LossAccuracy {
  let lossSum = 0;
  let logProduct = 1;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let z = b2;
    for (let j = 0; j < h; j++) {
      let a = b1[j];
      for (let k = 0; k < d; k++) a += x[base + k] * w1[k * h + j];
      z += tanh(a) * w2[j];
    }
    const label = y[i];
    lossSum += (z > 0 ? z : 0) - z * label;
    logProduct *= 1 + expNonPositive(-Math.abs(z));
    if ((i & LOG_PRODUCT_CHUNK_MASK) === LOG_PRODUCT_CHUNK_MASK) {
      lossSum += log(logProduct);
      logProduct = 1;
    }
    if ((z > 0 ? 1 : 0) === label) correct++;
  }
  lossSum += log(logProduct);
  return { loss: lossSum / n, accuracy: correct / n };
}
