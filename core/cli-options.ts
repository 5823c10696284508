import { basename } from 'node:path';
import { UserError } from './errors.js';

type NumberKind = 'integer' | 'positive' | 'non-negative-integer' | 'positive-integer';
const EXPECTED: Record<NumberKind, string> = {
  integer: 'an integer from 0 to 4294967295',
  positive: 'a positive number',
  'non-negative-integer': 'a non-negative integer',
  'positive-integer': 'a positive integer',
};
const fits = (number: number, kind: NumberKind): boolean =>
  kind === 'integer' ? Number.isSafeInteger(number) && number >= 0 && number <= 0xffffffff
  : kind === 'non-negative-integer' ? Number.isSafeInteger(number) && number >= 0
  : kind === 'positive-integer' ? Number.isSafeInteger(number) && number > 0
  : Number.isFinite(number) && number > 0;

/** A numeric command-line option, checked: a value outside its kind is refused by name, never rounded or clamped. */
export const numberOption = (name: string, value: unknown, kind: NumberKind): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'number' ? value : Number.NaN;
  if (!fits(number, kind)) throw new UserError(`--${name} must be ${EXPECTED[kind]}, got ${JSON.stringify(value)}`, { field: `--${name}` });
  return number;
};

/** A decimal number as a person writes it (`3`, `-1`, `0.05`, `1e-3`); not `0x10`, `''`, `Infinity`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** A command-line token that is a (negative) number, not an option: `-3`, `-0.5`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Yeoman's `type` for a number option (it calls the type on the raw text). `Number` itself would
 * turn `''` into 0 and `0x10` into 16, a value the user never wrote; this converts only decimal
 * text and leaves anything else as it was, for `numberOption` to refuse by name and value.
 * Named `Number` so `--help` still says "Type: Number".
 */
export const decimalNumber: (value: string) => unknown = Object.defineProperty(
  (value: string): unknown => (typeof value === 'string' && DECIMAL.test(value) ? Number(value) : value),
  'name',
  { value: 'Number' },
);

/** What the command-line check needs to know of a declared option. */
export interface DeclaredOption {
  name: string;
  alias?: string;
  /** false for a Boolean flag; true for an option that takes a value (`--tag X`). */
  takesValue: boolean;
  /** Its value may start with '-' (`--sort -test_accuracy`: descending); it is then never taken for an option. */
  dashedValue?: boolean;
}

/**
 * Checks the value of every value-taking option before the option parser (minimist) sees them,
 * because it guesses: `--tag -rf` becomes tag '' plus flags r and f, `--seed --quiet` seed 0,
 * `--hidden -3` hidden 0. A missing value, or one that looks like an option, is refused naming the
 * option; a negative number is passed on as `--hidden=-3`, so its own check refuses it by value.
 * Returns the arguments to parse.
 */
export const checkOptionValues = (args: readonly string[], declared: readonly DeclaredOption[]): string[] => {
  const byFlag = new Map<string, DeclaredOption>();
  for (const option of declared) {
    byFlag.set(`--${option.name}`, option);
    if (option.alias) byFlag.set(option.alias.length === 1 ? `-${option.alias}` : `--${option.alias}`, option);
  }
  const checked: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--') return [...checked, ...args.slice(index)];
    const equals = arg.indexOf('=');
    const flag = arg.startsWith('-') && equals > 0 ? arg.slice(0, equals) : arg;
    const option = byFlag.get(flag);
    if (!option?.takesValue) {
      checked.push(arg);
      continue;
    }
    const field = `--${option.name}`;
    if (equals > 0) {
      if (equals === arg.length - 1) throw new UserError(`${field} needs a value`, { field });
      checked.push(arg);
      continue;
    }
    const value = args[index + 1];
    if (value === undefined) throw new UserError(`${field} needs a value`, { field });
    if (value.startsWith('-') && !NEGATIVE_NUMBER.test(value) && !(option.dashedValue && /^-[^-]/.test(value))) {
      throw new UserError(`${field} needs a value, got ${JSON.stringify(value)}, which looks like an option`, { field });
    }
    checked.push(`${field}=${value}`);
    index += 1;
  }
  return checked;
};

/**
 * Options the command does not have (`dl-lab run M1 -rf`): refused by name, not silently ignored.
 * Called once every option is declared. A negative number is an argument, not an option.
 */
export const assertKnownOptions = (args: readonly string[], declared: readonly DeclaredOption[], helpCommand: string): void => {
  const flags = new Set(declared.flatMap((option) => [`--${option.name}`, ...(option.takesValue ? [] : [`--no-${option.name}`]), ...(option.alias ? [`-${option.alias}`] : [])]));
  const end = args.indexOf('--');
  const unknown = (end === -1 ? args : args.slice(0, end)).filter((arg) => arg.startsWith('-') && !NEGATIVE_NUMBER.test(arg) && !flags.has(arg.split('=')[0]));
  if (unknown.length > 0) {
    const [first] = unknown;
    throw new UserError(`unknown option ${JSON.stringify(first)}${unknown.length > 1 ? ` (and ${unknown.length - 1} more)` : ''}; see ${helpCommand}`, { field: first });
  }
};

/** An option's name as typed on a command line: `skipInstall` is `skip-install` (Yeoman hands generators camelCase names). */
export const dashedOptionName = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/**
 * The same check for options that arrive parsed, as names and values: yo parses the command line
 * itself and hands the generator `{ metric: 'm.json' }` (camelCase, plus a dashed copy), never the
 * words typed, so `assertKnownOptions` of the words alone let a misspelt option through. Each name
 * becomes the flag the user typed (`--no-…` for false, `-x` for one letter); `others` are names the
 * launcher and Yeoman use themselves (dashed), which are not the command's to refuse.
 */
export const assertKnownOptionNames = (
  options: Readonly<Record<string, unknown>>,
  declared: readonly DeclaredOption[],
  others: ReadonlySet<string>,
  helpCommand: string,
): void => {
  const flags = Object.entries(options).flatMap(([name, value]) => {
    const dashed = dashedOptionName(name);
    if (value === undefined || others.has(dashed)) return [];
    return [dashed.length === 1 ? `-${dashed}` : value === false ? `--no-${dashed}` : `--${dashed}`];
  });
  assertKnownOptions([...new Set(flags)], declared, helpCommand);
};

/** A required positional argument that was not given: name it, and any option-like word that took its place. */
export const missingArgumentError = (name: string, args: readonly string[], declared: readonly DeclaredOption[]): UserError => {
  const known = new Set(declared.flatMap((option) => [`--${option.name}`, `--no-${option.name}`, option.alias && `-${option.alias}`]));
  const strays = args.filter((arg) => arg.startsWith('-') && arg !== '--' && !known.has(arg.split('=')[0]));
  const stray = strays.length > 0 ? ` (${strays.map((arg) => JSON.stringify(arg)).join(', ')} is not an option of this command; a ${name.toUpperCase()} cannot start with "-")` : '';
  return new UserError(`${name.toUpperCase()} is required${stray}`, { field: name.toUpperCase() });
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
