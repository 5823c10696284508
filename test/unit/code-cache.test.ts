import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDir } from '../../bin/code-cache.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

/** The built module (`npm test` builds first): each call runs in a fresh process, as the bin does. */
const CODE_CACHE = fileURLToPath(new URL('../../dist/bin/code-cache.js', import.meta.url));

/** Runs `script` through runWithCodeCache in a child node; returns what it reported and printed. */
const runCached = (script: string, cacheDir: string, nodeFlags: string[] = []): { cache: string; stdout: string; status: number | null } => {
  const driver = `import(${JSON.stringify(CODE_CACHE)}).then((m) => { const r = m.runWithCodeCache(${JSON.stringify(script)}, 'test', ${JSON.stringify(cacheDir)}); process.stderr.write(r.cache); });`;
  const result = spawnSync(process.execPath, [...nodeFlags, '-e', driver], { encoding: 'utf8' });
  assert.equal(result.error, undefined);
  return { cache: result.stderr.trim(), stdout: result.stdout, status: result.status };
};

describe('code cache: running the launcher bundle from cached V8 code', () => {
  after(cleanupTempDirs);

  it('lives in $XDG_CACHE_HOME (else ~/.cache)/dl-lab/code-cache, and nowhere with NODE_DISABLE_COMPILE_CACHE', () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/dl-lab/code-cache');
    assert.equal(codeCacheDir({}), join(homedir(), '.cache', 'dl-lab', 'code-cache'));
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', NODE_DISABLE_COMPILE_CACHE: '1' }), undefined);
  });

  it('compiles and caches on the first run, uses the cache next, and recompiles when V8 refuses it (other flags)', () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = join(dir, 'script.cjs');
    writeFileSync(script, "const { basename } = require('node:path'); console.log(basename(__filename), typeof module.exports);\n");

    const first = runCached(script, cacheDir);
    assert.deepEqual(first, { cache: 'missing', stdout: 'script.cjs object\n', status: 0 });
    const [file, ...others] = readdirSync(cacheDir);
    assert.deepEqual(others, []);
    const written = readFileSync(join(cacheDir, file!));

    assert.deepEqual(runCached(script, cacheDir), { cache: 'used', stdout: 'script.cjs object\n', status: 0 });
    // A V8 flag that changes code generation makes the cached code unusable: compiled again, and the file replaced.
    assert.deepEqual(runCached(script, cacheDir, ['--no-opt']), { cache: 'rejected', stdout: 'script.cjs object\n', status: 0 });
    assert.ok(!readFileSync(join(cacheDir, file!)).equals(written), 'rewritten for these flags');
  });

  it('keys the cache by the exact source: an edited script never runs old code', () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = join(dir, 'script.cjs');
    writeFileSync(script, 'console.log("one");\n');
    assert.equal(runCached(script, cacheDir).stdout, 'one\n');
    writeFileSync(script, 'console.log("two");\n'); // same length, so V8's own check would not tell them apart
    const edited = runCached(script, cacheDir);
    assert.deepEqual(edited, { cache: 'missing', stdout: 'two\n', status: 0 });
    assert.equal(readdirSync(cacheDir).length, 2);
  });

  it('keys the cache by the real path too: two copies of the same bytes each name their own file in a stack trace', () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const [one, two] = ['one', 'two'].map((name) => join(dir, name, 'script.cjs'));
    for (const script of [one!, two!]) {
      mkdirSync(join(script, '..'));
      writeFileSync(script, 'console.log(new Error("where").stack.split("\\n")[1].trim());\n');
    }
    assert.deepEqual(runCached(one!, cacheDir), { cache: 'missing', stdout: `at Object.<anonymous> (${one}:1:75)\n`, status: 0 });
    assert.deepEqual(runCached(two!, cacheDir), { cache: 'missing', stdout: `at Object.<anonymous> (${two}:1:75)\n`, status: 0 }, 'not the first copy\'s cache');
    assert.deepEqual(runCached(two!, cacheDir), { cache: 'used', stdout: `at Object.<anonymous> (${two}:1:75)\n`, status: 0 });
    assert.equal(readdirSync(cacheDir).length, 2);
  });

  it('caches nothing when the process ends with a non-zero status', () => {
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = join(dir, 'script.cjs');
    writeFileSync(script, 'process.exitCode = 3;\n');
    assert.deepEqual(runCached(script, cacheDir), { cache: 'missing', stdout: '', status: 3 });
    assert.equal(existsSync(cacheDir) ? readdirSync(cacheDir).length : 0, 0);
  });

  it("ignores a cache file that belongs to another user, and replaces it with the user's own", function () {
    if (process.getuid?.() !== 0) this.skip(); // needs root to give a file away
    const dir = tempDir();
    const cacheDir = join(dir, 'cache');
    const script = join(dir, 'script.cjs');
    writeFileSync(script, 'console.log(1);\n');
    runCached(script, cacheDir);
    const [file] = readdirSync(cacheDir);
    chownSync(join(cacheDir, file!), 1000, 1000);
    assert.equal(runCached(script, cacheDir).cache, 'missing');
    assert.equal(statSync(join(cacheDir, file!)).uid, 0);
  });
});
