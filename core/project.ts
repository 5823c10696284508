import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';
import { readJsonValue } from './json-file.js';
import { dlLabCommand } from './invocation.js';

export const GENERATOR_NAME = 'generator-dl-lab';
export const YO_RC = '.yo-rc.json';
export const RUNS_DIR = 'artifacts/runs';
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Answers stored by `dl-lab` (app) in `.yo-rc.json` under "generator-dl-lab". */
export interface ProjectSettings { name: string; framework?: string; [key: string]: unknown }

export interface Project { root: string; settings: ProjectSettings }

export const validateTag = (tag: unknown, field = 'TAG'): string => {
  if (typeof tag !== 'string' || tag.length === 0) {
    throw new UserError(`${field} is required: a run tag such as M0-baseline`, { field });
  }
  if (!TAG_PATTERN.test(tag)) {
    throw new UserError(
      `invalid ${field} ${JSON.stringify(tag)}: a tag is 1-128 characters of A-Z a-z 0-9 . _ - and starts with a letter or digit`,
      { field },
    );
  }
  return tag;
};

/** Read `.yo-rc.json`; a corrupt one is an error naming the file, never silently ignored. */
export const readProjectSettings = (root: string): ProjectSettings => {
  const file = join(root, YO_RC);
  const value = readJsonValue<Record<string, unknown>>(file);
  const settings = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[GENERATOR_NAME] : undefined;
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new UserError(`${file}: missing object "${GENERATOR_NAME}" (is this a dl-lab project?)`, { file, field: `/${GENERATOR_NAME}` });
  }
  const name = (settings as Record<string, unknown>).name;
  if (typeof name !== 'string') {
    throw new UserError(`${file}: "${GENERATOR_NAME}.name" must be a string`, { file, field: `/${GENERATOR_NAME}/name` });
  }
  return settings as ProjectSettings;
};

/** A `.yo-rc.json` in `dir`, if any, must be JSON (Yeoman reads it before any of our code runs). */
export const assertYoRcReadable = (dir: string): void => {
  const file = join(dir, YO_RC);
  if (existsSync(file)) readJsonValue(file);
};

/** The nearest directory at or above `start` holding a `.yo-rc.json`, or undefined. */
export const findProjectRoot = (start: string): string | undefined => {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, YO_RC))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
};

export const requireProject = (start: string): Project => {
  const root = findProjectRoot(start);
  if (!root) {
    throw new UserError(
      `no dl-lab project at or above ${resolve(start)} (no ${YO_RC} found); create one with \`${dlLabCommand(undefined, '--name <project>')}\``,
      { file: YO_RC },
    );
  }
  return { root, settings: readProjectSettings(root) };
};

/** POSIX form of `path` relative to `root`, or undefined when it lies outside it. */
export const relativeInside = (root: string, path: string): string | undefined => {
  const rel = relative(root, resolve(path));
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
};
