import { UserError } from '../errors.js';
import type { ExperimentConfig } from '../config.js';
import { suggestKey } from '../did-you-mean.js';

/** A config value an override may set: anything JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A dotted path into the config: `training.lr`, `model.hidden` (segments are JSON object keys). */
export const DOTTED_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every key of the config as a dotted path, objects and what is in them (`training`, `training.lr`, …). */
const dottedPaths = (node: Record<string, unknown>, prefix = ''): string[] =>
  Object.entries(node).flatMap(([key, value]) => [`${prefix}${key}`, ...(isObject(value) ? dottedPaths(value, `${prefix}${key}.`) : [])]);

/**
 * The config with each `{dotted.path: value}` set, as a new object (the input is left as it is).
 * Only keys the config already has can be set: a path it does not have is refused, naming the
 * option, the path and the closest key it has, since a typo (`training.lrr`) would otherwise
 * become a key nothing reads, and every trial would silently run the base value. A genuinely new
 * key goes into the config file first (`configName` names it). A path that runs through a number,
 * string or array is refused too (it would silently drop that value).
 */
export const applyOverrides = (config: ExperimentConfig, overrides: Record<string, JsonValue>, field = '--grid', configName = 'the base config'): ExperimentConfig => {
  const result = structuredClone(config) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    const segments = path.split('.');
    let node = result;
    for (const [index, segment] of segments.entries()) {
      if (!Object.hasOwn(node, segment)) {
        // Among keys as deep as the path: `model.dropout` is not a misspelt `model`.
        const suggestion = suggestKey(path, dottedPaths(config as Record<string, unknown>).filter((key) => key.split('.').length === segments.length));
        throw new UserError(
          `${field} ${path}: ${configName} has no key ${path}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; to vary a new key, add it to ${configName} first`,
          { field },
        );
      }
      if (index === segments.length - 1) break;
      const next = node[segment];
      if (!isObject(next)) {
        const at = segments.slice(0, index + 1).join('.');
        throw new UserError(`${field} ${path}: the config's ${at} is ${JSON.stringify(next)}, not an object, so ${path} cannot be set`, { field });
      }
      node = next;
    }
    node[segments.at(-1)!] = value;
  }
  return result as ExperimentConfig;
};
