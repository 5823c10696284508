/**
 * Running a CommonJS file from V8's code cache, kept per user on disk.
 *
 * Why: compiling the launcher bundle (the launcher, Yeoman and our modules: ~1.4 MB of JavaScript)
 * was ~35 ms of every `dl-lab demo` on Node 20, which has no compile cache of its own
 * (`module.enableCompileCache()` is Node >= 22.1 and covers modules, not vm scripts). With the
 * code V8 compiled in an earlier run of the same command, it starts without compiling any of it.
 *
 * A cache file is code that will run, so it lives in the user's own cache folder (created 0700,
 * used only when the user owns it), is named after the sha256 of the exact source and its real path,
 * the Node version and the platform (V8 compares only the source's length: an edited file of the
 * same length would run old code; see cacheKey for the path), and is written by rename (never seen
 * half-written). V8 itself refuses cached code of another V8 version or other flags; then the file
 * is simply written anew. Anything that goes wrong with the cache only costs the compile: the file
 * still runs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Files kept in the cache folder at most (a few per command and dl-lab version; ~1–1.5 MB each). */
const MAX_CACHE_FILES = 48;

/**
 * `$XDG_CACHE_HOME/dl-lab/code-cache` (else `~/.cache/dl-lab/code-cache`); none when
 * NODE_DISABLE_COMPILE_CACHE is set (Node's own switch for its compile cache).
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return base ? join(base, 'dl-lab', 'code-cache') : undefined;
}

export interface CachedRun {
  /** The cache file this run looked for (undefined: no cache). */
  cacheFile: string | undefined;
  /** 'used': V8 took the cached code; 'missing' / 'rejected': compiled, and the cache is written at exit. */
  cache: 'used' | 'missing' | 'rejected' | 'off';
}

/**
 * Runs `file` (CommonJS) like `require` would, from the cached code of `variant` (e.g. the
 * command) when there is any. Cached code is written when the process exits with status 0, so it
 * holds what this command compiled, and an error path is never what gets cached.
 */
export function runWithCodeCache(file: string, variant: string, cacheDir = codeCacheDir()): CachedRun {
  const source = readFileSync(file);
  const cacheFile = cacheDir && join(cacheDir, `${cacheKey(file, source)}-${process.version}-${process.platform}-${process.arch}-${variant}.v8`);
  const cachedData = cacheFile ? readOwnFile(cacheFile) : undefined;
  // Node's CommonJS wrapper, on the source's first line so that line numbers stay those of the file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source.toString('utf8')}\n})`, {
    filename: file,
    cachedData,
  });
  const cache: CachedRun['cache'] = !cacheFile ? 'off' : !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  if (cacheFile && cache !== 'used') {
    process.once('exit', (code) => {
      if (code === 0) saveCodeCache(cacheFile, script);
    });
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, requireFrom(file), module, file, dirname(file));
  return { cacheFile, cache };
}

/**
 * The sha256 of the source and of the file's real path. The path is part of the key because V8's
 * cached code carries the file name it was compiled under: two installs of the same version (same
 * bytes) sharing one cache would print stack traces naming the other install's file.
 */
function cacheKey(file: string, source: Buffer): string {
  let path = file;
  try {
    path = realpathSync(file);
  } catch {
    // The file was just read; a path that cannot be resolved still names it.
  }
  return createHash('sha256').update(source).update('\0').update(path).digest('hex').slice(0, 32);
}

/** require() as seen from `file`, also taking the file: URLs that the bundle's lowered import() calls pass. */
function requireFrom(file: string): NodeJS.Require {
  const base = createRequire(file);
  const require = ((id: string) => base(id.startsWith('file:') ? fileURLToPath(id) : id)) as NodeJS.Require;
  return Object.assign(require, { resolve: base.resolve, cache: base.cache, extensions: base.extensions, main: base.main });
}

/** The file's bytes, if it exists and belongs to this user (on systems with user ids). */
function readOwnFile(path: string): Buffer | undefined {
  try {
    const uid = process.getuid?.();
    if (uid !== undefined && (statSync(dirname(path)).uid !== uid || statSync(path).uid !== uid)) return undefined;
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function saveCodeCache(cacheFile: string, script: Script): void {
  const dir = dirname(cacheFile);
  const temporary = join(dir, `.${process.pid}-${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const uid = process.getuid?.();
    if (uid !== undefined && statSync(dir).uid !== uid) return;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    pruneOldest(dir);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** Keeps the newest MAX_CACHE_FILES files: older dl-lab versions' and Node versions' caches go. */
function pruneOldest(dir: string): void {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.v8'))
    .map((name) => ({ path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of files.slice(MAX_CACHE_FILES)) rmSync(path, { force: true });
}
