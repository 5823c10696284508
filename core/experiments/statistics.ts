/**
 * Statistics of an experiment: what a reviewer asks of "results over several seeds". The Student t
 * distribution comes from @stdlib (CDF and quantile; checked against SciPy in
 * test/unit/experiment-statistics.test.ts), never from hand-written special functions.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantileOf from '@stdlib/stats-base-dists-t-quantile';
import type { Interval, SummaryStatistics } from '../contract/generated/experiment.js';
import { Rng } from '../training/prng.js';

export const CONFIDENCE_LEVEL = 0.95;
/** The upper quantile a two-sided 95 % interval uses. */
export const T_PROBABILITY = 1 - (1 - CONFIDENCE_LEVEL) / 2;
/** std is the sample standard deviation. */
export const DDOF = 1;

/**
 * The bootstrap, fixed so a record recomputes to the same bytes: percentile intervals from
 * `resamples` resamples with replacement, indices drawn by `Rng(seed, stream)` (xoshiro128**
 * seeded by splitmix64, core/training/prng.ts) with Lemire's unbiased `below(n)`; a fresh
 * generator per statistic, so one statistic's interval does not depend on which others exist.
 */
export const BOOTSTRAP = {
  method: 'percentile (quantiles 0.025 and 0.975 of the resampled statistic, linear interpolation as numpy.quantile)',
  resamples: 10000,
  seed: 0,
  prng: 'xoshiro128** seeded by splitmix64 (dl-lab core/training/prng.ts, seed 0, stream 0), indices by Lemire\'s unbiased bounded draw',
} as const;

export const mean = (xs: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i];
  return sum / xs.length;
};

/** Sample standard deviation (ddof 1), two-pass as numpy; undefined below two values. */
export const sampleStd = (xs: ArrayLike<number>): number | null => {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let squares = 0;
  for (let i = 0; i < xs.length; i++) squares += (xs[i] - m) ** 2;
  return Math.sqrt(squares / (xs.length - DDOF));
};

/** Student t quantile: P(T_df <= value) = probability. */
export const tQuantile = (probability: number, df: number): number => tQuantileOf(probability, df);

/** Quantile with linear interpolation between order statistics (numpy's default, "type 7"). */
export const quantileSorted = (sorted: ArrayLike<number>, p: number): number => {
  const h = (sorted.length - 1) * p;
  const low = Math.floor(h);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
};

export const median = (xs: readonly number[]): number => quantileSorted([...xs].sort((a, b) => a - b), 0.5);

/** The Student t interval of the mean: mean ∓ t(0.975, n−1)·sem. */
export const studentCi = (m: number, sem: number, df: number): Interval => {
  const half = tQuantile(T_PROBABILITY, df) * sem;
  return [m - half, m + half];
};

/** Percentile interval of a resampled statistic (BOOTSTRAP says how). */
const percentileInterval = (draws: Float64Array): Interval => {
  draws.sort();
  const lowP = (1 - CONFIDENCE_LEVEL) / 2;
  return [quantileSorted(draws, lowP), quantileSorted(draws, 1 - lowP)];
};

/** Mean of one resample with replacement of `xs`. */
const resampledMean = (xs: readonly number[], rng: Rng): number => {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[rng.below(xs.length)];
  return sum / xs.length;
};

/** Bootstrap 95 % interval of the mean; undefined below two values. */
export const bootstrapMeanCi = (xs: readonly number[], resamples: number = BOOTSTRAP.resamples, seed: number = BOOTSTRAP.seed): Interval | null => {
  if (xs.length < 2) return null;
  const rng = new Rng(seed);
  const draws = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) draws[r] = resampledMean(xs, rng);
  return percentileInterval(draws);
};

/** Bootstrap 95 % interval of mean(b) − mean(a), resampling each group on its own. */
export const bootstrapDifferenceCi = (a: readonly number[], b: readonly number[], resamples: number = BOOTSTRAP.resamples, seed: number = BOOTSTRAP.seed): Interval | null => {
  if (a.length < 2 || b.length < 2) return null;
  const rng = new Rng(seed);
  const draws = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const meanA = resampledMean(a, rng);
    draws[r] = resampledMean(b, rng) - meanA;
  }
  return percentileInterval(draws);
};

/** Every statistic of one result over the completed members (n >= 1). */
export const summarize = (xs: readonly number[]): SummaryStatistics => {
  if (xs.length === 0) throw new RangeError('summarize needs at least one value');
  const m = mean(xs);
  const std = sampleStd(xs);
  const sem = std === null ? null : std / Math.sqrt(xs.length);
  return {
    n: xs.length,
    mean: m,
    std,
    sem,
    ci95: sem === null ? null : studentCi(m, sem, xs.length - 1),
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    bootstrap_ci95: bootstrapMeanCi(xs),
  };
};

/** Welch's unequal-variance t-test of mean(b) − mean(a), and the difference's intervals. */
export interface Difference {
  /** mean(b) − mean(a) */
  difference: number;
  /** Welch–Satterthwaite degrees of freedom; null when both groups have zero variance. */
  df: number | null;
  t: number | null;
  /** Two-sided p-value of H0: equal means; null when it is undefined (zero variance, n < 2). */
  p_value: number | null;
  /** difference ∓ t(0.975, df)·se */
  ci95: Interval | null;
  bootstrap_ci95: Interval | null;
}

export const welchDifference = (a: readonly number[], b: readonly number[]): Difference => {
  const difference = mean(b) - mean(a);
  const stdA = sampleStd(a);
  const stdB = sampleStd(b);
  const bootstrap_ci95 = bootstrapDifferenceCi(a, b);
  if (stdA === null || stdB === null) return { difference, df: null, t: null, p_value: null, ci95: null, bootstrap_ci95 };
  const varA = stdA ** 2 / a.length;
  const varB = stdB ** 2 / b.length;
  const se = Math.sqrt(varA + varB);
  if (se === 0) return { difference, df: null, t: null, p_value: null, ci95: null, bootstrap_ci95 };
  const df = (varA + varB) ** 2 / (varA ** 2 / (a.length - 1) + varB ** 2 / (b.length - 1));
  const t = difference / se;
  const half = tQuantile(T_PROBABILITY, df) * se;
  return { difference, df, t, p_value: 2 * tCdf(-Math.abs(t), df), ci95: [difference - half, difference + half], bootstrap_ci95 };
};
