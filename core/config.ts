import { resolve } from 'node:path';
import { assertValid } from './contract/validate.js';
import { sha256Hex } from './hash.js';
import { readJsonInput, stringifyJson } from './json-file.js';
import { relativeInside } from './project.js';

/** An experiment config: `seed` is required; the rest is recorded as given. */
export interface ExperimentConfig { seed: number; [key: string]: unknown }

export interface LoadedConfig {
  config: ExperimentConfig;
  /** How the manifest names it: relative to the project root when inside it, else as given; null for built-in defaults. */
  path: string | null;
  sha256: string;
}

export const DEFAULT_CONFIG_PATH = 'configs/default.json';

/**
 * Read and validate a config file (integer `seed` required); errors name the file and field.
 * `file` is resolved against `cwd`; inside a project it is named relative to the project root.
 */
export const loadConfig = (file: string, cwd: string, projectRoot?: string): LoadedConfig => {
  const absolute = resolve(cwd, file);
  const label = (projectRoot && relativeInside(projectRoot, absolute)) || file;
  const { value, bytes } = readJsonInput(absolute, label);
  const config = assertValid<ExperimentConfig>('config', value, label);
  return { config, path: label, sha256: sha256Hex(bytes) };
};

/** A config that exists only in memory (e.g. the demo's defaults outside a project). */
export const inMemoryConfig = (config: ExperimentConfig): LoadedConfig => {
  assertValid<ExperimentConfig>('config', config, '<built-in defaults>');
  return { config, path: null, sha256: sha256Hex(stringifyJson(config)) };
};
