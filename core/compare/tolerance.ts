import { UserError } from '../errors.js';

/** How far apart two numbers may be: an absolute amount, or a fraction of the reference's magnitude. */
export type Tolerance = { kind: 'absolute' | 'relative'; value: number };

/**
 * Parse `--tolerance`: `5%` is always relative (5 % of the reference value); a bare number is
 * absolute or relative as the command documents (`compare`: absolute; `reproduce`: relative).
 */
export const parseTolerance = (given: unknown, bare: Tolerance['kind'], fallback: Tolerance, field = '--tolerance'): Tolerance => {
  if (given === undefined || given === null || given === '') return fallback;
  const text = String(given).trim();
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  if (!/^[0-9.eE+-]+%?$/.test(text) || !Number.isFinite(number) || number < 0) {
    throw new UserError(`${field} must be a number >= 0 (e.g. 0.01) or a percentage (e.g. 5%), got ${JSON.stringify(given)}`, { field });
  }
  return percent ? { kind: 'relative', value: number / 100 } : { kind: bare, value: number };
};

/** The largest allowed difference from `reference`. */
export const allowedDifference = (tolerance: Tolerance, reference: number): number =>
  tolerance.kind === 'absolute' ? tolerance.value : tolerance.value * Math.abs(reference);

export const describeTolerance = (tolerance: Tolerance): string =>
  tolerance.kind === 'absolute' ? `absolute ${tolerance.value}` : `relative ${tolerance.value} (${Number((tolerance.value * 100).toPrecision(6))}% of the reference)`;
