import { basename } from 'node:path';
import { UserError } from './errors.js';

/** A numeric command-line option, checked: yeoman parses `--seed abc` to NaN, which we refuse by name. */
export const numberOption = (name: string, value: unknown, kind: 'integer' | 'positive' | 'non-negative-integer'): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  const ok =
    kind === 'integer' ? Number.isSafeInteger(number) && number >= 0 && number <= 0xffffffff
    : kind === 'non-negative-integer' ? Number.isSafeInteger(number) && number >= 0
    : Number.isFinite(number) && number > 0;
  if (!ok) {
    const expected = kind === 'positive' ? 'a positive number' : kind === 'integer' ? 'an integer from 0 to 4294967295' : 'a non-negative integer';
    throw new UserError(`--${name} must be ${expected}, got ${JSON.stringify(value)}`, { field: `--${name}` });
  }
  return number;
};

/** A string option that, when given, must not be empty (e.g. `--config ''`). */
export const stringOption = (name: string, value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new UserError(`--${name} needs a value`, { field: `--${name}` });
  return value;
};

/** The argv recorded in a manifest: the launcher's name (dl-lab, yo) and its arguments. */
export const recordedCommand = (argv: readonly string[] = process.argv): string[] => [
  basename(argv[1] ?? 'dl-lab').replace(/\.(c|m)?js$/, ''),
  ...argv.slice(2),
];

/**
 * A generator option by its dashed name: `dl-lab`/minimist stores `--out-dir` as 'out-dir', while
 * yo and yeoman-test pass camelCase ('outDir'); accept both.
 */
export const optionValue = (options: Record<string, unknown>, name: string): unknown =>
  options[name] ?? options[name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())];

/** The closing summary goes to stdout (Yeoman's own log goes to stderr), so it can be piped. */
export const printSummary = (lines: readonly string[]): void => {
  process.stdout.write(`${lines.join('\n')}\n`);
};
