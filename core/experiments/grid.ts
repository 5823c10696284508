import { UserError } from '../errors.js';
import { DOTTED_PATH, type JsonValue } from './overrides.js';

/** One `--grid key.path=v1,v2` axis. */
export interface GridAxis { path: string; values: JsonValue[] }

/** One point of the grid: its name (part of every trial's tag) and the overrides it applies. */
export interface Variant { name: string; overrides: Record<string, JsonValue> }

/** The variant of a sweep without `--grid`. */
export const BASE_VARIANT = 'base';
export const VARIANT_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A grid value: JSON when it parses as JSON (`0.1`, `true`, `null`, `"a,b"` quoted), else the text itself. */
const parseValue = (text: string, spec: string): JsonValue => {
  if (text.trim() === '') throw new UserError(`--grid ${JSON.stringify(spec)}: an empty value`, { field: '--grid' });
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
};

/** `key.path=v1,v2,…` (values split at commas) → an axis; every axis is checked before anything runs. */
export const parseGrid = (specs: readonly string[]): GridAxis[] => {
  const axes = specs.map((spec): GridAxis => {
    const equals = spec.indexOf('=');
    const path = equals < 0 ? spec : spec.slice(0, equals);
    if (equals < 0 || !DOTTED_PATH.test(path)) {
      throw new UserError(`--grid ${JSON.stringify(spec)}: expected key.path=value1,value2,… (a dotted path into the config, e.g. training.lr=0.1,0.05)`, { field: '--grid' });
    }
    if (path === 'seed') throw new UserError(`--grid ${JSON.stringify(spec)}: the seed is set by --seeds, not by --grid`, { field: '--grid' });
    const values = spec.slice(equals + 1).split(',').map((text) => parseValue(text, spec));
    const texts = values.map((value) => JSON.stringify(value));
    const repeated = texts.find((text, index) => texts.indexOf(text) !== index);
    if (repeated !== undefined) throw new UserError(`--grid ${JSON.stringify(spec)}: value ${repeated} is given twice`, { field: '--grid' });
    return { path, values };
  });
  const paths = axes.map((axis) => axis.path);
  const clash = paths.find((path, index) => paths.some((other, j) => j !== index && (other === path || other.startsWith(`${path}.`))));
  if (clash !== undefined) throw new UserError(`--grid: ${clash} is given twice or contains another --grid path`, { field: '--grid' });
  return axes;
};

/** How a value appears in a variant name: numbers, booleans and null as JSON; text with only [A-Za-z0-9.-] kept. */
const valueToken = (value: JsonValue): string => (typeof value === 'string' ? value.replace(/[^A-Za-z0-9.-]/g, '-') : JSON.stringify(value).replace(/[^A-Za-z0-9.-]/g, '-'));

/**
 * Every combination of the axes' values (the first axis varies slowest), each named by its
 * overrides: `<key><value>` joined by `_`, where key is the path's last segment (the whole path
 * when two axes share a last segment), e.g. `lr0.1_hidden32`. When those names are not all valid
 * (`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`) and distinct, the variants are named `v0`, `v1`, … in
 * order instead. Without axes there is one variant, `base`, with no overrides.
 */
export const gridVariants = (axes: readonly GridAxis[]): Variant[] => {
  if (axes.length === 0) return [{ name: BASE_VARIANT, overrides: {} }];
  let combos: Array<Record<string, JsonValue>> = [{}];
  for (const axis of axes) combos = combos.flatMap((combo) => axis.values.map((value) => ({ ...combo, [axis.path]: value })));
  const last = (path: string): string => path.split('.').at(-1)!;
  const label = (path: string): string => (axes.filter((axis) => last(axis.path) === last(path)).length > 1 ? path : last(path));
  const names = combos.map((overrides) => Object.entries(overrides).map(([path, value]) => `${label(path)}${valueToken(value)}`).join('_'));
  const usable = names.every((name) => VARIANT_PATTERN.test(name)) && new Set(names).size === names.length;
  return combos.map((overrides, index) => ({ name: usable ? names[index] : `v${index}`, overrides }));
};
