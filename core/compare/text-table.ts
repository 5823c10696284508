import { roundToDecimals } from '../paper/format-value.js';

/** Columns padded to their widest cell (by code points, so ⚠ and — count as one), separated by two spaces. */
export const textTable = (rows: ReadonlyArray<readonly string[]>, indent = '  '): string[] => {
  const width = (cell: string): number => [...cell].length;
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => width(row[column] ?? '')))) ?? [];
  return rows.map((row) => `${indent}${row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - width(cell)))).join('  ')}`.trimEnd());
};

/** A number as people read it: integers whole, others to 6 significant digits (the JSON output keeps every digit). */
export const formatNumber = (value: number | null | undefined, signed = false): string => {
  if (value === null || value === undefined) return '—';
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return signed && value > 0 ? `+${text}` : text;
};

/** Decimal places formatNumber keeps of a non-integer (6 significant digits); the exponent is the rounded one, as toPrecision's. */
const significantDecimals = (value: number): number => Math.max(0, 5 - Number(value.toExponential(5).split('e')[1]));

/**
 * A spread printed as `formatNumber(mean) ± s`: rounded at the decimal place the mean is rounded
 * to, so both numbers end at the same digit (0.932 ± 0.001963, not ± 0.00196324: digits finer than
 * the mean's say nothing); and, like formatNumber, to at most 6 significant digits of its own.
 */
export const formatSpread = (spread: number, mean: number): string => {
  if (mean === 0 || spread === 0 || !Number.isFinite(mean) || !Number.isFinite(spread)) return formatNumber(spread);
  return String(Number(roundToDecimals(spread, Math.min(significantDecimals(mean), significantDecimals(spread)))));
};

/** A value from a manifest (string, number, boolean, null, array) in one short line; absent is "(absent)". */
export const formatValue = (value: unknown): string =>
  value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
