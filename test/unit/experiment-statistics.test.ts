import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import {
  BOOTSTRAP, bootstrapDifferenceCi, bootstrapMeanCi, summarize, tQuantile, T_PROBABILITY, welchDifference,
} from '../../core/experiments/statistics.js';
import { Rng } from '../../core/training/prng.js';
import { PYTHON_ENV, pythonWith } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';

const SCIPY_PY = fileURLToPath(new URL('../helpers/scipy_statistics.py', import.meta.url));
const TOLERANCE = 1e-9;

/** |actual − expected| ≤ 1e-9·|expected| (exact for 0). */
const assertClose = (actual: number | null | undefined, expected: number, what: string): void => {
  assert.equal(typeof actual, 'number', `${what}: ${actual}`);
  const relative = Math.abs((actual as number) - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(actual === expected || relative <= TOLERANCE, `${what}: dl-lab ${actual}, SciPy ${expected} (relative ${relative})`);
};

/** Seeded normal samples: groups of every size 2…30, the second group with other sizes and 3× the spread. */
const CASES = (() => {
  const rng = new Rng(15);
  const sample = (n: number, centre: number, spread: number) => Array.from({ length: n }, () => centre + spread * rng.normal());
  const cases: Array<{ a: number[]; b: number[] }> = [];
  for (let n = 2; n <= 30; n++) cases.push({ a: sample(n, 0.9, 0.01), b: sample(2 + ((n * 7) % 29), 0.905, 0.03) });
  cases.push({ a: sample(5, 0.80, 0.002), b: sample(5, 0.95, 0.004) }); // a tiny p-value
  cases.push({ a: sample(12, 100, 20), b: sample(3, 101, 0.5) }); // large values, very unequal variances
  return cases;
})();

describe('experiment statistics (core/experiments/statistics.ts) agree with SciPy', () => {
  const python = pythonWith(['scipy', 'numpy']);

  it('t quantiles, mean, std, sem, Student CI, median and Welch tests, n = 2…30, to 1e-9 relative', function () {
    requirePart(this, python !== undefined, 'no Python with scipy (Debian: apt-get install python3-scipy)');
    const run = spawnSync(python!.command, [SCIPY_PY], { input: JSON.stringify(CASES), encoding: 'utf8', env: { ...process.env, ...PYTHON_ENV } });
    assert.equal(run.status, 0, run.stderr);
    const reference = JSON.parse(run.stdout) as Array<Record<'a' | 'b', Record<string, number & number[]>> & { welch: Record<string, number & number[]> }>;
    CASES.forEach((sample, i) => {
      for (const group of ['a', 'b'] as const) {
        const ours = summarize(sample[group]);
        const scipy = reference[i][group];
        const label = `case ${i} ${group} (n=${ours.n})`;
        assert.equal(ours.n, scipy.n);
        assertClose(tQuantile(T_PROBABILITY, ours.n - 1), scipy.t_quantile, `${label} t quantile`);
        for (const key of ['mean', 'std', 'sem', 'median', 'min', 'max'] as const) assertClose(ours[key], scipy[key], `${label} ${key}`);
        assertClose(ours.ci95?.[0], scipy.ci95[0], `${label} ci95 low`);
        assertClose(ours.ci95?.[1], scipy.ci95[1], `${label} ci95 high`);
      }
      const ours = welchDifference(sample.a, sample.b);
      const scipy = reference[i].welch;
      for (const key of ['difference', 't', 'df', 'p_value'] as const) assertClose(ours[key], scipy[key], `case ${i} Welch ${key}`);
      assertClose(ours.ci95?.[0], scipy.ci95[0], `case ${i} Welch ci95 low`);
      assertClose(ours.ci95?.[1], scipy.ci95[1], `case ${i} Welch ci95 high`);
    });
  });
});

describe('experiment statistics: edge cases and the bootstrap', () => {
  it('one value: mean, median, min and max, and null for every spread (JSON has no NaN)', () => {
    assert.deepEqual(summarize([0.9]), { n: 1, mean: 0.9, std: null, sem: null, ci95: null, median: 0.9, min: 0.9, max: 0.9, bootstrap_ci95: null });
  });

  it('equal values: zero spread, a degenerate interval, and no Welch p-value (0/0)', () => {
    const stats = summarize([0.5, 0.5, 0.5]);
    assert.deepEqual([stats.std, stats.sem, stats.ci95, stats.bootstrap_ci95], [0, 0, [0.5, 0.5], [0.5, 0.5]]);
    const difference = welchDifference([0.5, 0.5], [0.7, 0.7]);
    assert.equal(difference.p_value, null);
    assert.ok(Math.abs(difference.difference - 0.2) < 1e-15);
  });

  it('the bootstrap is deterministic (same seed, same bytes) and its interval brackets the mean inside the sample range', () => {
    const xs = [0.91, 0.93, 0.94, 0.95, 0.97];
    const first = bootstrapMeanCi(xs)!;
    assert.deepEqual(bootstrapMeanCi(xs), first);
    assert.notDeepEqual(bootstrapMeanCi(xs, BOOTSTRAP.resamples, 1), first);
    assert.ok(first[0] >= 0.91 && first[0] < 0.94 && first[1] > 0.94 && first[1] <= 0.97, String(first));
    const difference = bootstrapDifferenceCi(xs, xs.map((x) => x + 0.01))!;
    assert.ok(difference[0] < 0.01 && difference[1] > 0.01, String(difference));
  });

  it('the bootstrap percentile interval of a large normal sample is close to the Student interval', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 30 }, () => rng.normal());
    const { ci95, bootstrap_ci95 } = summarize(xs);
    const width = ci95![1] - ci95![0];
    assert.ok(Math.abs(bootstrap_ci95![0] - ci95![0]) < 0.1 * width && Math.abs(bootstrap_ci95![1] - ci95![1]) < 0.1 * width, `${ci95} vs ${bootstrap_ci95}`);
  });
});
