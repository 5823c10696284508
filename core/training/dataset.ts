/**
 * Synthetic, seeded binary-classification data and its canonical byte form.
 *
 * The splits hold the RAW generated features. Standardization (with train-split statistics) is
 * part of the model, not of the data: `train` computes it and stores it in the checkpoint, so a
 * checkpoint applies to raw inputs and the dataset hash does not depend on training choices.
 */
import { Rng, RngStream } from './prng.js';
import { validateDataSpec } from './config.js';

export interface DataSpec {
  generator: 'two_moons';
  n_train: number;
  n_val: number;
  n_test: number;
  /** Standard deviation of the isotropic Gaussian noise added to every point. */
  noise: number;
}

/** `n` rows of `d` features, row-major in `x` (x[i*d + k]); labels are 0 or 1. */
export interface Split {
  x: Float64Array;
  y: Uint8Array;
  n: number;
  d: number;
}

export interface DatasetSplits {
  train: Split;
  val: Split;
  test: Split;
}

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

const SPLIT_STREAMS: Record<SplitName, number> = {
  train: RngStream.trainData,
  val: RngStream.valData,
  test: RngStream.testData,
};

/**
 * Two interleaved half circles ("moons"), as in scikit-learn's make_moons but with random angles:
 * row i has label i mod 2 (so classes are balanced to within one sample); (c, s) = (cos t, sin t)
 * for an angle t uniform in [0, π]; class 0 is (c, s), class 1 is (1 − c, 0.5 − s); and each
 * coordinate gets noise·normal() added (x first, then y). Each split draws from its own stream of
 * `seed`, so the validation and test data do not change when only n_train changes.
 */
export function generateDataset(spec: DataSpec, seed: number): DatasetSplits {
  validateDataSpec(spec, seed);
  const sizes: Record<SplitName, number> = { train: spec.n_train, val: spec.n_val, test: spec.n_test };
  const splits = {} as DatasetSplits;
  for (const name of SPLIT_NAMES) {
    splits[name] = twoMoons(sizes[name], spec.noise, new Rng(seed, SPLIT_STREAMS[name]));
  }
  return splits;
}

function twoMoons(n: number, noise: number, rng: Rng): Split {
  const x = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i & 1;
    // (cos t, sin t) as a uniformly random direction in the upper half plane: a point drawn
    // uniformly from the half disk, by rejection (u = 2·uniform() − 1, then v = uniform(); keep
    // 0 < u² + v² <= 1), then normalized. Unlike Math.cos/sin, this is the same on every engine.
    let u: number;
    let v: number;
    let r2: number;
    do {
      u = 2 * rng.uniform() - 1;
      v = rng.uniform();
      r2 = u * u + v * v;
    } while (r2 > 1 || r2 === 0);
    const r = Math.sqrt(r2);
    const c = u / r;
    const s = v / r;
    x[2 * i] = (label === 0 ? c : 1 - c) + noise * rng.normal();
    x[2 * i + 1] = (label === 0 ? s : 0.5 - s) + noise * rng.normal();
    y[i] = label;
  }
  return { x, y, n, d: 2 };
}

/** ASCII "DLDS": marks the canonical dataset byte layout below. */
const CANONICAL_MAGIC = [0x44, 0x4c, 0x44, 0x53];
const CANONICAL_VERSION = 1;
/** Typed arrays use host byte order; on little-endian hosts (all Node targets in practice) the features copy as-is. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * The canonical bytes of a dataset, whose sha256 identifies the data of a run. Layout (all
 * integers uint32 little-endian, no padding):
 *   "DLDS" | version (=1) | d
 *   then for each split in the order train, val, test:
 *     n | n·d float64 little-endian features, row-major | n uint8 labels
 * Every split must have the same `d`.
 */
export function canonicalBytes(dataset: DatasetSplits): Uint8Array {
  const d = dataset.train.d;
  let size = 12;
  for (const name of SPLIT_NAMES) {
    const split = dataset[name];
    if (split.d !== d) throw new RangeError(`split ${name} has d=${split.d}, train has d=${d}`);
    size += 4 + split.n * d * 8 + split.n;
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(CANONICAL_MAGIC, 0);
  view.setUint32(4, CANONICAL_VERSION, true);
  view.setUint32(8, d, true);
  let offset = 12;
  for (const name of SPLIT_NAMES) {
    const { x, y, n } = dataset[name];
    view.setUint32(offset, n, true);
    offset += 4;
    if (LITTLE_ENDIAN_HOST) {
      bytes.set(new Uint8Array(x.buffer, x.byteOffset, n * d * 8), offset);
      offset += n * d * 8;
    } else {
      for (let i = 0; i < n * d; i++, offset += 8) view.setFloat64(offset, x[i], true);
    }
    bytes.set(y.subarray(0, n), offset);
    offset += n;
  }
  return bytes;
}
