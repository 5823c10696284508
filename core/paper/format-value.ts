import type { MetricDefinition } from '../contract/generated/summary.js';

/**
 * How a result is written in a paper. The rule (README "Cite results", paper USAGE):
 * - `display_digits: 0` marks an integer count (e.g. an epoch): the value is rounded to an integer,
 *   whatever `--digits` says (zero significant digits means nothing else);
 * - otherwise the value keeps `--digits` significant digits if given, else the metric's
 *   `display_digits`, else DEFAULT_SIGNIFICANT_DIGITS;
 * - significant digits never round into the integer part: 12345 at 3 digits stays 12345, not 12300;
 * - rounding is half away from zero on the value's shortest decimal form (0.145 -> 0.15), plain
 *   decimal notation, no exponent, no unit (the unit goes beside it, in a comment or its own macro).
 */
export const DEFAULT_SIGNIFICANT_DIGITS = 3;
export const MAX_SIGNIFICANT_DIGITS = 12;

export interface FormattedValue {
  /** Plain decimal text: `-0.123`, `35`, `0.948`. */
  text: string;
  /** Digits after the decimal point in `text`. */
  decimals: number;
  /** 'integer' (display_digits 0) or the number of significant digits used. */
  rule: 'integer' | number;
}

/** The shortest decimal form of a finite number without exponent: 1e-7 -> "0.0000001". */
export const plainDecimal = (value: number): string => {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(Math.abs(value));
  const sign = value < 0 ? '-' : '';
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return sign + text;
  const digits = match[1] + (match[2] ?? '');
  const point = match[1].length + Number(match[3]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
};

/** Add one unit in the last place of a string of decimal digits ("0999" -> "1000"). */
const incrementDigits = (digits: string): string => {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === '9') out[i] = '0';
    else {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
  }
  return `1${out.join('')}`;
};

/** `value` rounded to `decimals` places, half away from zero on its shortest decimal form. */
export const roundToDecimals = (value: number, decimals: number): string => {
  const plain = plainDecimal(value);
  const negative = plain.startsWith('-');
  const [intPart, fracPart = ''] = (negative ? plain.slice(1) : plain).split('.');
  let digits = intPart + fracPart.padEnd(decimals, '0').slice(0, decimals);
  if (fracPart.length > decimals && fracPart[decimals] >= '5') digits = incrementDigits(digits);
  const intLength = digits.length - decimals;
  const body = decimals > 0 ? `${digits.slice(0, intLength) || '0'}.${digits.slice(intLength)}` : digits;
  const normalized = body.replace(/^0+(?=\d)/, '');
  return negative && /[1-9]/.test(normalized) ? `-${normalized}` : normalized;
};

/** Decimal exponent of the leading digit of a decimal string: "0.0123" -> -2, "45.6" -> 1. */
const leadingExponent = (plain: string): number => {
  const [intPart, fracPart = ''] = plain.replace(/^-/, '').split('.');
  const intTrimmed = intPart.replace(/^0+/, '');
  if (intTrimmed.length > 0) return intTrimmed.length - 1;
  const firstNonZero = fracPart.search(/[1-9]/);
  return firstNonZero < 0 ? 0 : -(firstNonZero + 1);
};

/** `value` with `significant` significant digits (at least its integer digits). */
export const formatSignificant = (value: number, significant: number): { text: string; decimals: number } => {
  if (!Number.isInteger(significant) || significant < 1) throw new RangeError(`significant digits must be a positive integer, got ${significant}`);
  const exponent = value === 0 ? 0 : leadingExponent(plainDecimal(value));
  let decimals = Math.max(0, significant - 1 - exponent);
  let text = roundToDecimals(value, decimals);
  // 0.9996 at 3 digits rounds to "1.000": one digit too many after the carry.
  if (value !== 0 && leadingExponent(text) > exponent && decimals > 0) {
    decimals = Math.max(0, significant - 1 - leadingExponent(text));
    text = roundToDecimals(value, decimals);
  }
  return { text, decimals };
};

/** Format one result by its metric's definition (see the rule above); `digits` is `--digits`. */
export const formatResultValue = (value: number, definition: Pick<MetricDefinition, 'display_digits'> | undefined, digits?: number): FormattedValue => {
  if (definition?.display_digits === 0) return { text: roundToDecimals(value, 0), decimals: 0, rule: 'integer' };
  const significant = digits ?? definition?.display_digits ?? DEFAULT_SIGNIFICANT_DIGITS;
  return { ...formatSignificant(value, significant), rule: significant };
};

const TEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '^': '\\textasciicircum{}',
  _: '\\_',
  '%': '\\%',
  '~': '\\textasciitilde{}',
};

/** Text safe inside a LaTeX argument: specials escaped, control characters (newlines too) as spaces. */
export const escapeTex = (text: string): string =>
  text.replace(/[\\{}$&#^_%~]/g, (c) => TEX_SPECIALS[c]).replace(/[\u0000-\u001f\u007f]/g, ' ');

/** A formatted value as LaTeX: a leading minus is a math minus, not a hyphen. */
export const texNumber = (text: string): string => (text.startsWith('-') ? `\\ensuremath{-}${text.slice(1)}` : text);

/** Text safe on one line of a TeX comment or inside a Markdown table cell. */
export const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');

/** Text safe inside a Markdown table cell. */
export const escapeMarkdownCell = (text: string): string => oneLine(text).replace(/([|\\`*_[\]<>])/g, '\\$1');
