import { UserError } from '../errors.js';
import type { ExperimentConfig } from '../config.js';

/** A config value an override may set: anything JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A dotted path into the config: `training.lr`, `model.hidden` (segments are JSON object keys). */
export const DOTTED_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The config with each `{dotted.path: value}` set, as a new object (the input is left as it is).
 * Missing objects on the way are created; a path that runs through a number, string or array is
 * refused (it would silently drop that value), naming the option and the path.
 */
export const applyOverrides = (config: ExperimentConfig, overrides: Record<string, JsonValue>, field = '--grid'): ExperimentConfig => {
  const result = structuredClone(config) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    const segments = path.split('.');
    let node = result;
    for (const [index, segment] of segments.slice(0, -1).entries()) {
      const next = node[segment];
      if (next === undefined) node[segment] = {};
      else if (!isObject(next)) {
        const at = segments.slice(0, index + 1).join('.');
        throw new UserError(`${field} ${path}: the config's ${at} is ${JSON.stringify(next)}, not an object, so ${path} cannot be set`, { field });
      }
      node = node[segment] as Record<string, unknown>;
    }
    node[segments.at(-1)!] = value;
  }
  return result as ExperimentConfig;
};
