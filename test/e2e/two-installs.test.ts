import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Two installs of the same version (same launcher bytes) share the user's code cache folder. A
 * stack trace from one must name that install's own launcher.cjs, never the other's.
 */
describe('two installs of the built package, one code cache', function () {
  this.timeout(120_000);
  after(cleanupTempDirs);

  /** A copy of the built package; its node_modules links every dependency except those left out. */
  const install = (root: string, leaveOut: string[] = []): string => {
    for (const part of ['dist', 'schemas', 'package.json']) cpSync(join(REPO, part), join(root, part), { recursive: true });
    mkdirSync(join(root, 'node_modules'));
    for (const name of readdirSync(join(REPO, 'node_modules'))) {
      if (!leaveOut.includes(name) && name !== 'generator-dl-lab') symlinkSync(join(REPO, 'node_modules', name), join(root, 'node_modules', name));
    }
    return join(root, 'dist/bin/dl-lab.js');
  };

  it('an internal error names the launcher.cjs that actually ran', () => {
    const dir = tempDir();
    const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') };
    const first = install(join(dir, 'first'));
    // A broken second install (a native dependency missing) fails inside the bundle: an internal error.
    const second = install(join(dir, 'second'), ['@resvg']);
    const demo = (bin: string, out: string) =>
      spawnSync(process.execPath, [bin, 'demo', '--seed', '0', '--quiet', '--out-dir', join(dir, out)], { cwd: dir, env, encoding: 'utf8' });

    assert.equal(demo(first, 'run-first').status, 0);
    assert.equal(readdirSync(join(dir, 'cache/dl-lab/code-cache')).length, 1, 'the first install filled the cache');
    const failed = demo(second, 'run-second');
    assert.equal(failed.status, 70, failed.stderr);
    assert.match(failed.stderr, /internal error \(please report it\): Error: Cannot find module '@resvg\/resvg-js'/);
    const frames = failed.stderr.split('\n').filter((line) => line.includes('launcher.cjs:'));
    assert.ok(frames.length > 0, failed.stderr);
    for (const frame of frames) assert.ok(frame.includes(join(dir, 'second/dist/bin/launcher.cjs')), frame);
  });
});
