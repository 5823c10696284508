import { accessSync, constants, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/**
 * The interpreter a pyenv shim would run, found without running the shim.
 *
 * Starting `python3` through a pyenv shim costs ~50 ms before Python even starts (bash, then
 * `pyenv exec`, `pyenv which`, `pyenv version-name`: a dozen processes), which was a quarter of
 * `dl-lab run`. pyenv's choice is simple in the common case, so we make it ourselves, and only
 * there: the first version named by `PYENV_VERSION`, else by the nearest `.python-version` above
 * the working directory, else by `$PYENV_ROOT/version`, has `bin/<program>`. Anything else
 * ("system", a version that is not installed, a prefix like `3.11` that pyenv would resolve, an
 * unreadable file) returns undefined and the caller runs the shim as before. What this returns is
 * what `pyenv which <program>` prints: test/unit/pyenv.test.ts checks that against real pyenv.
 */
export const resolvePyenvShim = (program: string, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string | undefined => {
  const shim = findOnPath(program, env);
  const root = shim === undefined ? undefined : pyenvRootOfShim(shim);
  if (root === undefined) return undefined;
  const version = selectedVersions(root, env, cwd)?.[0];
  // pyenv-version-file-read refuses names with a slash or `..` (path traversal); "system" means
  // the PATH without the shims, which pyenv finds better than we would.
  if (version === undefined || version === 'system' || version === '..' || version.includes('/')) return undefined;
  const interpreter = join(root, 'versions', version, 'bin', program);
  return isExecutableFile(interpreter) ? interpreter : undefined;
};

/** First executable `program` in env.PATH, like execvp; undefined when none or PATH is relative. */
const findOnPath = (program: string, env: NodeJS.ProcessEnv): string | undefined => {
  if (program.includes('/') || !env.PATH) return undefined;
  for (const dir of env.PATH.split(':')) {
    if (!isAbsolute(dir)) return undefined; // '' or a relative entry: leave the search to the spawn
    const candidate = join(dir, program);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
};

const isExecutableFile = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * PYENV_ROOT of a pyenv-generated shim (`pyenv rehash` writes the root into each shim), or
 * undefined when the file is not one. The shim exports that root to pyenv, so it wins over ours.
 */
const pyenvRootOfShim = (path: string): string | undefined => {
  let text: string;
  try {
    if (statSync(path).size > 4096) return undefined; // shims are ~400 bytes; not a script of ours to read
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const root = /^export PYENV_ROOT="([^"$`\\]+)"$/m.exec(text)?.[1];
  if (root === undefined || dirname(path) !== join(root, 'shims')) return undefined;
  return text.includes(`exec "${root}/libexec/pyenv" exec "$program" "$@"`) ? root : undefined;
};

/** The version names pyenv would try, in order (pyenv-version-name), or undefined if unreadable. */
const selectedVersions = (root: string, env: NodeJS.ProcessEnv, cwd: string): string[] | undefined => {
  if (env.PYENV_VERSION) return env.PYENV_VERSION.split(':').filter(Boolean);
  if (env.PYENV_DIR) return undefined; // rare; pyenv searches it, then $PWD: left to pyenv
  return readVersionFile(nearestVersionFile(shellWorkingDirectory(env, cwd)) ?? join(root, 'version'));
};

/** bash's $PWD: the inherited PWD when it names the working directory (a path through a symlink). */
const shellWorkingDirectory = (env: NodeJS.ProcessEnv, cwd: string): string => {
  try {
    if (env.PWD && isAbsolute(env.PWD) && realpathSync(env.PWD) === realpathSync(cwd)) return env.PWD;
  } catch {
    // a PWD that no longer exists: bash falls back to the real directory too
  }
  return cwd;
};

/** pyenv-version-file: `.python-version` in dir or the nearest parent that has one. */
const nearestVersionFile = (dir: string): string | undefined => {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, '.python-version');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // none here: look one level up
    }
    if (dirname(current) === current) return undefined;
  }
};

/**
 * pyenv-version-file-read: the first word of every line that is neither empty nor a comment.
 * undefined for a missing or empty file (pyenv then says "system"); lines of over 1,024
 * characters, which pyenv reads in pieces, are not ours to interpret either.
 */
const readVersionFile = (file: string): string[] | undefined => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  if (lines.some((line) => line.length >= 1024)) return undefined;
  const versions = lines.map((line) => line.trim().split(/\s+/)[0]).filter((word) => word !== '' && !word.startsWith('#'));
  return versions.length > 0 ? versions : undefined;
};
