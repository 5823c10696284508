import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Whether npx (`npm exec`) started this process to run `command`, and from which npm project.
 * npm gives the process it runs `npm_command=exec`, the command line it was asked for in
 * `npm_lifecycle_script` (its first word single-quoted: `'dl-lab'`; with `-c`, the line as given)
 * and its local prefix in `npm_config_local_prefix`. The command must be `command` itself: every
 * process below it inherits these variables (tests under `npx mocha` start the bin), and only one
 * started as `npx <command>` was found by npx. With `-p <package>`, `npx <command>` alone may
 * not find the same package again, so that start counts as none.
 *
 * Returns that prefix, or undefined when npx did not start `command`.
 */
export const npxPrefixOf = (command: string, env: NodeJS.ProcessEnv): string | undefined => {
  if (env.npm_command !== 'exec' || env.npm_config_package || !env.npm_config_local_prefix) return undefined;
  const first = /^\s*(?:'((?:[^']|'\\'')*)'|(\S+))/.exec(env.npm_lifecycle_script ?? '');
  const word = first?.[1]?.replaceAll(`'\\''`, "'") ?? first?.[2];
  return word === command ? env.npm_config_local_prefix : undefined;
};

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/**
 * The local prefix npm (@npmcli/config) takes for a command typed in `dir`: the nearest folder at
 * or above it with a package.json or a node_modules folder, else `dir`. npx looks for a command's
 * bin from there (the prefix's own package.json, then node_modules/.bin in it and each folder
 * above), so two folders with the same prefix resolve `npx <command>` alike.
 */
export const npmLocalPrefix = (dir: string): string => {
  for (let p = resolve(dir); ; p = dirname(p)) {
    if (isFile(resolve(p, 'package.json')) || isDirectory(resolve(p, 'node_modules'))) return p;
    if (dirname(p) === p) return resolve(dir);
  }
};

/** One folder named two ways (a symlink, a relative path) is the same prefix. */
export const samePrefix = (a: string, b: string): boolean => {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  return real(a) === real(b);
};
