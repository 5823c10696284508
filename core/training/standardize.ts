/**
 * Per-feature standardization, z = (x − mean) / std, with mean and std fitted on the train split
 * only (so no information from val/test leaks into training) and stored in the checkpoint.
 */
import type { Split } from './dataset.js';

export interface Standardization {
  mean: number[];
  /** Population standard deviation (divides by n); 1 for a constant feature, to avoid 0/0. */
  std: number[];
}

/** Two passes (mean, then squared deviations) in row order, so the result is exactly reproducible. */
export function fitStandardization(split: Split): Standardization {
  const { x, n, d } = split;
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < d; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i * d + k];
    const m = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const dev = x[i * d + k] - m;
      squares += dev * dev;
    }
    const s = Math.sqrt(squares / n);
    mean.push(m);
    std.push(s > 0 && Number.isFinite(s) ? s : 1);
  }
  return { mean, std };
}

/** A standardized copy; labels are shared with the input, which is never modified. */
export function standardizeSplit(split: Split, stats: Standardization): Split {
  const { x, n, d } = split;
  const out = new Float64Array(n * d);
  for (let k = 0; k < d; k++) {
    const mean = stats.mean[k];
    const std = stats.std[k];
    for (let index = k; index < n * d; index += d) out[index] = (x[index] - mean) / std;
  }
  return { x: out, y: split.y, n, d };
}
