import { UserError } from '../errors.js';
import { formatSignificant, roundToDecimals } from './format-value.js';

/**
 * The spread a paper quotes beside a mean, `m ± s`, for a result of an experiment record
 * (`<variant>.<key>`, whose statistics are `<variant>.<key>.<stat>` in analysis.json results).
 */
export const SPREADS = ['std', 'sem', 'ci95'] as const;
export type Spread = (typeof SPREADS)[number];
export const DEFAULT_SPREAD: Spread = 'std';

export const SPREAD_MEANING: Record<Spread, string> = {
  std: 'sample standard deviation over seeds (ddof 1)',
  sem: 'standard error of the mean (std / sqrt(n))',
  ci95: 'half-width of the Student t 95% confidence interval of the mean (t(0.975, n-1) * sem)',
};

export const parseSpread = (value: unknown): Spread => {
  if (value === undefined || value === null) return DEFAULT_SPREAD;
  if (typeof value === 'string' && (SPREADS as readonly string[]).includes(value)) return value as Spread;
  throw new UserError(`--spread must be one of ${SPREADS.join(', ')}, got ${JSON.stringify(value)}`, { field: '--spread' });
};

/** The `<variant>.<key>` bases of a run's results that have a mean: the results `m ± s` may quote. */
export const meanBases = (results: Readonly<Record<string, number>>): string[] =>
  Object.keys(results).filter((key) => key.endsWith('.mean')).map((key) => key.slice(0, -'.mean'.length));

/** The value of one spread of a base, or undefined (n < 2: no spread). */
export const spreadValue = (results: Readonly<Record<string, number>>, base: string, spread: Spread): number | undefined => {
  if (spread !== 'ci95') return results[`${base}.${spread}`];
  const low = results[`${base}.ci95_low`];
  const high = results[`${base}.ci95_high`];
  return low === undefined || high === undefined ? undefined : (high - low) / 2;
};

/**
 * `m ± s` as text: the spread to one significant digit (two when it starts with a 1, so 0.012 is
 * not rounded to 0.01), the mean to the same decimal place — the usual way to quote an error bar,
 * and what check-paper matches (each number against its statistic, to the digits written).
 */
export const formatMeanSpread = (mean: number, spread: number): { mean: string; spread: string } => {
  if (spread === 0) return { mean: formatSignificant(mean, 3).text, spread: '0' };
  const leading = formatSignificant(spread, 1).text.replace(/^[0.]+/, '')[0];
  const { text, decimals } = formatSignificant(spread, leading === '1' ? 2 : 1);
  return { mean: roundToDecimals(mean, decimals), spread: text };
};
