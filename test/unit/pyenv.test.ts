// resolvePyenvShim decides, without running the shim, which interpreter a pyenv shim runs. These
// tests build a real pyenv root in a temp folder (shims in pyenv's own format, version folders
// holding a real python3) and, when pyenv is installed, ask the real `pyenv which python3` the
// same question in the same situation: every answer we give must be pyenv's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capturePython } from '../../core/provenance/python.js';
import { resolvePyenvShim } from '../../core/provenance/pyenv.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

after(cleanupTempDirs);

const realPython = realpathSync(spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim());
const pyenvRoot = ((): string | undefined => {
  const root = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  return root.status === 0 && existsSync(join(root.stdout.trim(), 'libexec', 'pyenv')) ? root.stdout.trim() : undefined;
})();

/** The shim `pyenv rehash` writes (pyenv 2.x), with this root baked in. */
const shimText = (root: string): string =>
  `#!/usr/bin/env bash\nset -e\n[ -n "$PYENV_DEBUG" ] && set -x\n\nprogram="\${0##*/}"\n\nexport PYENV_ROOT="${root}"\n` +
  `SHIM_PATH=\${0%/*}\nif [[ $SHIM_PATH != "${root}/shims" ]]; then\n  export _PYENV_SHIM_PATH="$SHIM_PATH"\nfi\n` +
  `exec "${root}/libexec/pyenv" exec "$program" "$@"\n`;

interface FakePyenv { root: string; env: NodeJS.ProcessEnv; project: string }

/** Versions 3.99.1 and 3.50.0 have python3; 3.98.0 has none; 3.97.2's is not executable. */
const fakePyenv = (): FakePyenv => {
  const root = tempDir('dl-lab-pyenv-root-');
  mkdirSync(join(root, 'shims'));
  writeFileSync(join(root, 'shims', 'python3'), shimText(root), { mode: 0o755 });
  if (pyenvRoot) symlinkSync(join(pyenvRoot, 'libexec'), join(root, 'libexec'));
  for (const version of ['3.99.1', '3.50.0']) {
    mkdirSync(join(root, 'versions', version, 'bin'), { recursive: true });
    symlinkSync(realPython, join(root, 'versions', version, 'bin', 'python3'));
  }
  mkdirSync(join(root, 'versions', '3.98.0', 'bin'), { recursive: true });
  mkdirSync(join(root, 'versions', '3.97.2', 'bin'), { recursive: true });
  writeFileSync(join(root, 'versions', '3.97.2', 'bin', 'python3'), '#!/bin/sh\n', { mode: 0o644 });
  writeFileSync(join(root, 'version'), '3.99.1\n');
  const project = join(tempDir('dl-lab-pyenv-project-'), 'outer', 'inner');
  mkdirSync(project, { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: `${join(root, 'shims')}:/usr/local/bin:/usr/bin:/bin`, HOME: process.env.HOME };
  return { root, env, project };
};

/** What real pyenv answers, or undefined when it finds no python3 (or pyenv is not installed). */
const pyenvWhich = (fake: FakePyenv, env: NodeJS.ProcessEnv, cwd: string): string | undefined => {
  if (!pyenvRoot) return undefined;
  const result = spawnSync(join(fake.root, 'libexec', 'pyenv'), ['which', 'python3'], { cwd, env: { ...env, PYENV_ROOT: fake.root }, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

describe('pyenv shims: the interpreter, found without running the shim', () => {
  it('follows PYENV_VERSION, then the nearest .python-version, then $PYENV_ROOT/version, as `pyenv which` does', function () {
    const fake = fakePyenv();
    const interpreter = (version: string): string => join(fake.root, 'versions', version, 'bin', 'python3');
    const cases: Array<{ name: string; setup?: () => void; env?: NodeJS.ProcessEnv; cwd?: string; expected: string | undefined }> = [
      { name: 'global version file', expected: interpreter('3.99.1') },
      { name: 'PYENV_VERSION wins over the files', env: { PYENV_VERSION: '3.50.0' }, expected: interpreter('3.50.0') },
      { name: 'first of several in PYENV_VERSION', env: { PYENV_VERSION: '3.50.0:3.99.1' }, expected: interpreter('3.50.0') },
      {
        name: '.python-version two levels up, comments and blank lines skipped, first word of a line',
        setup: () => writeFileSync(join(fake.project, '..', '..', '.python-version'), '# pinned for the paper\n\n  3.50.0 trailing words\r\n3.99.1\n'),
        expected: interpreter('3.50.0'),
      },
      {
        name: 'the nearest .python-version wins',
        setup: () => writeFileSync(join(fake.project, '.python-version'), '3.99.1\n'),
        expected: interpreter('3.99.1'),
      },
      // The cases below are pyenv's to decide: we return undefined and the shim runs as before.
      { name: '"system"', env: { PYENV_VERSION: 'system' }, expected: undefined },
      { name: 'a version without python3', env: { PYENV_VERSION: '3.98.0:3.99.1' }, expected: undefined },
      { name: 'a python3 that is not executable', env: { PYENV_VERSION: '3.97.2' }, expected: undefined },
      { name: 'a prefix pyenv would resolve to the latest', env: { PYENV_VERSION: '3.99' }, expected: undefined },
      { name: 'a version that is not installed', env: { PYENV_VERSION: '3.1.4' }, expected: undefined },
      { name: 'PYENV_DIR set', env: { PYENV_DIR: fake.root }, expected: undefined },
      { name: 'a path-traversing name', env: { PYENV_VERSION: '../../usr' }, expected: undefined },
      { name: 'an empty version file', setup: () => writeFileSync(join(fake.project, '.python-version'), '\n# nothing\n'), expected: undefined },
    ];
    for (const { name, setup, env = {}, cwd = fake.project, expected } of cases) {
      setup?.();
      const fullEnv = { ...fake.env, ...env };
      assert.equal(resolvePyenvShim('python3', fullEnv, cwd), expected, name);
      // Where we answer, real pyenv answers the same (it may still answer where we leave it to it).
      if (expected !== undefined && pyenvRoot) assert.equal(pyenvWhich(fake, fullEnv, cwd), expected, `${name}: pyenv which`);
    }
    if (!pyenvRoot) this.skip(); // the values above held; the comparison with real pyenv needs pyenv
  });

  it('leaves anything that is not a pyenv shim alone', () => {
    const fake = fakePyenv();
    assert.equal(resolvePyenvShim('python3', { PATH: '/usr/bin:/bin' }, fake.project), undefined, 'a plain python3');
    assert.equal(resolvePyenvShim('python3', { PATH: `relative/dir:${join(fake.root, 'shims')}` }, fake.project), undefined, 'relative PATH entry first');
    assert.equal(resolvePyenvShim(join(fake.root, 'shims', 'python3'), fake.env, fake.project), undefined, 'a path, not a name');
    // A script in a shims folder that does not exec pyenv, or names another root, is not a shim.
    writeFileSync(join(fake.root, 'shims', 'python3'), '#!/bin/sh\nexec /usr/bin/python3 "$@"\n');
    assert.equal(resolvePyenvShim('python3', fake.env, fake.project), undefined, 'not a pyenv shim');
    writeFileSync(join(fake.root, 'shims', 'python3'), shimText('/elsewhere/.pyenv'));
    chmodSync(join(fake.root, 'shims', 'python3'), 0o755);
    assert.equal(resolvePyenvShim('python3', fake.env, fake.project), undefined, 'a shim of another root');
  });

  it('records the same python through the shim and through the interpreter it picks', async function () {
    if (!pyenvRoot) this.skip(); // running the shim needs pyenv itself
    this.timeout(30_000);
    const fake = fakePyenv();
    const previous = process.cwd();
    process.chdir(fake.project);
    try {
      const direct = await capturePython({ env: fake.env });
      const throughShim = await capturePython({ executable: join(fake.root, 'shims', 'python3'), env: fake.env });
      assert.equal(direct.available, true, JSON.stringify(direct));
      assert.deepEqual(direct, throughShim);
    } finally {
      process.chdir(previous);
    }
  });
});
