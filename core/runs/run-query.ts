import { UserError } from '../errors.js';
import { resolveField, type FieldValue, type RunField } from './run-fields.js';

/** `--where` operators, longest first so `>=` is not read as `>`. `~` / `!~`: a JavaScript regular expression matches / does not. */
const OPERATORS = ['>=', '<=', '!=', '!~', '=', '>', '<', '~'] as const;
type Operator = (typeof OPERATORS)[number];

export interface Condition { text: string; field: RunField; test: (value: FieldValue) => boolean }
export interface SortKey { field: RunField; descending: boolean }

const WHERE = /^\s*([^\s<>=!~]+)\s*(>=|<=|!=|!~|==?|>|<|~)\s*(.*?)\s*$/s;
/** Dates in manifests are ISO 8601, which orders as text. */
const ISO_DATE = /^\d{4}-\d\d(-\d\d([T ][\d:.]+(Z|[+-]\d\d:?\d\d)?)?)?$/;

/** A number as the user wrote it, or undefined when the text is not a finite decimal number. */
const asNumber = (text: string): number | undefined => {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
};

/** How a field value reads as text for `=` on strings and for `~`: strings as they are, anything else as JSON. */
const asText = (value: FieldValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** Numbers compare as numbers, text as text (ISO dates order as text); a number against text, or a missing value, never matches. */
const ordered = (operator: '>=' | '<=' | '>' | '<', wanted: string): ((value: FieldValue) => boolean) => {
  const number = asNumber(wanted);
  const holds = (order: number): boolean => (operator === '>=' ? order >= 0 : operator === '<=' ? order <= 0 : operator === '>' ? order > 0 : order < 0);
  return (value) =>
    number !== undefined
      ? typeof value === 'number' && holds(value - number)
      : typeof value === 'string' && holds(value < wanted ? -1 : value > wanted ? 1 : 0);
};

/** `=`: numerically when the user wrote a number (0.1 = 1e-1), else the value's text (true, null, a tag). */
const equals = (wanted: string): ((value: FieldValue) => boolean) => {
  const number = asNumber(wanted);
  return (value) => value !== undefined && (typeof value === 'number' && number !== undefined ? value === number : asText(value) === wanted);
};

const regex = (wanted: string, text: string): RegExp => {
  try {
    return new RegExp(wanted);
  } catch (error) {
    throw new UserError(`--where ${JSON.stringify(text)}: ${(error as Error).message}`, { field: '--where' });
  }
};

const tester = (operator: Operator, wanted: string, text: string): ((value: FieldValue) => boolean) => {
  switch (operator) {
    case '=':
      return equals(wanted);
    case '!=': {
      const equal = equals(wanted);
      return (value) => value !== undefined && !equal(value);
    }
    case '~': {
      const pattern = regex(wanted, text);
      return (value) => value !== undefined && pattern.test(asText(value));
    }
    case '!~': {
      const pattern = regex(wanted, text);
      return (value) => value !== undefined && !pattern.test(asText(value));
    }
    default:
      return ordered(operator, wanted);
  }
};

/** One `--where FIELD OP VALUE` (e.g. `test_accuracy>=0.9`, `hp.training.lr=0.1`, `tag~^M2`). A run without the field never matches. */
export const parseCondition = (text: string): Condition => {
  const match = WHERE.exec(text);
  if (!match) {
    throw new UserError(`--where ${JSON.stringify(text)}: expected FIELD OP VALUE with OP one of ${OPERATORS.join(' ')} (e.g. test_accuracy>=0.9, hp.training.lr=0.1, tag~^M2)`, { field: '--where' });
  }
  const [, name, operator, wanted] = match;
  if (wanted === '') throw new UserError(`--where ${JSON.stringify(text)}: no value after ${operator}`, { field: '--where' });
  // `test_accuracy=>0.9` would otherwise be `=` with the text ">0.9": no run ever matches, and a typo
  // looks like an empty answer. Text that really starts with such a character is matched with `~`.
  if (['=', '==', '!='].includes(operator) && /^[<>=!~]/.test(wanted)) {
    const typed = operator + /^[<>=!~]+/.exec(wanted)![0];
    throw new UserError(
      `--where ${JSON.stringify(text)}: ${typed} is not an operator: OP is one of ${OPERATORS.join(' ')} (for a value starting with < > = ! or ~, use ~, e.g. note~^!)`,
      { field: '--where' },
    );
  }
  if (['>=', '<=', '>', '<'].includes(operator) && asNumber(wanted) === undefined && !ISO_DATE.test(wanted)) {
    throw new UserError(`--where ${JSON.stringify(text)}: ${operator} needs a number or a date (YYYY-MM-DD…), got ${JSON.stringify(wanted)}`, { field: '--where' });
  }
  return { text, field: resolveField(name, `--where ${JSON.stringify(text)}`), test: tester((operator === '==' ? '=' : operator) as Operator, wanted, text) };
};

/** `--sort -test_accuracy,tag`: comma-separated keys, `-` for descending. */
export const parseSort = (text: string): SortKey[] =>
  listOption(text, '--sort').map((item) => {
    const descending = item.startsWith('-');
    const name = descending || item.startsWith('+') ? item.slice(1) : item;
    return { field: resolveField(name, `--sort ${JSON.stringify(text)}`), descending };
  });

export const parseColumns = (text: string): RunField[] => listOption(text, '--columns').map((name) => resolveField(name, `--columns ${JSON.stringify(text)}`));

const listOption = (text: string, option: string): string[] => {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === '' || item === '-' || item === '+')) {
    throw new UserError(`${option} ${JSON.stringify(text)}: an empty name in the comma-separated list`, { field: option });
  }
  return items;
};

/** Missing values last whichever the direction; numbers before text; text in natural order (run-2 before run-10). */
const compareValues = (a: FieldValue, b: FieldValue, descending: boolean): number => {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  let order: number;
  if (typeof a === 'number' && typeof b === 'number') order = a - b;
  else if (typeof a === 'number') return -1;
  else if (typeof b === 'number') return 1;
  else order = asText(a).localeCompare(asText(b), 'en', { numeric: true });
  return descending ? -order : order;
};

/** Order of two runs by their sort-key values (read once per run), then by tag (so the order never depends on the file system's). */
export const compareBySortKeys = (keys: readonly SortKey[]) =>
  (x: { tag: string; values: readonly FieldValue[] }, y: { tag: string; values: readonly FieldValue[] }): number => {
    for (let i = 0; i < keys.length; i++) {
      const order = compareValues(x.values[i], y.values[i], keys[i].descending);
      if (order !== 0) return order;
    }
    return x.tag.localeCompare(y.tag, 'en', { numeric: true });
  };
