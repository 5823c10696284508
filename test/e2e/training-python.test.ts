// The Python a run records is the interpreter the training ran in (named by its metrics file,
// which dl_lab_log writes from sys.executable), not whichever python3 is first on PATH when
// `dl-lab run` seals it: a venv that was never activated is the common case.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runDirOf } from '../helpers/project.js';
import { PYTHON_ENV } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';

const LOGGER = fileURLToPath(new URL('../../generators/app/templates/src/package/dl_lab_log.py', import.meta.url));

const TRAIN = `
import sys
import dl_lab_log as dl
with dl.start(sys.argv[1]):
    dl.define("acc", "Top-1 accuracy on the test split.", "fraction", higher_is_better=True)
    dl.primary("acc")
    dl.log(1, acc=0.5)
    dl.result("acc", 0.5)
`;

describe('dl-lab run records the Python the training ran in', function () {
  this.timeout(120_000);
  let root: string;
  let venvPython: string;
  let venvVersion: string;

  before(function () {
    // A venv with no packages at all, never activated and not on PATH: only its own description has `packages: []`.
    const venv = join(tempDir('dl-lab-venv-'), 'venv');
    const made = spawnSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
    requirePart(this, made.status === 0, `/usr/bin/python3 -m venv --without-pip failed (${made.stderr?.trim() || made.error?.message}); Debian: apt-get install python3`);
    venvPython = join(venv, 'bin', 'python');
    venvVersion = spawnSync(venvPython, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).stdout.trim();
    root = join(tempDir('dl-lab-training-python-'), 'project');
    const app = runCli(['--name', 'training-python', '--out', root, '--yes'], { cwd: tempDir() });
    assert.equal(app.status, 0, app.stderr);
    mkdirSync(join(root, 'tmp'), { recursive: true });
    copyFileSync(LOGGER, join(root, 'tmp', 'dl_lab_log.py'));
    writeFileSync(join(root, 'tmp', 'train.py'), TRAIN);
  });
  after(cleanupTempDirs);

  const python = (tag: string) => readJson(join(runDirOf(root, tag), 'manifest.json')).environment.python;

  it('a training in an unactivated venv: the head names the venv python, and the run describes it (source "training")', () => {
    const trained = spawnSync(venvPython, ['tmp/train.py', 'tmp/venv-run/metrics.json'], { cwd: root, encoding: 'utf8', env: { ...process.env, ...PYTHON_ENV } });
    assert.equal(trained.status, 0, trained.stderr);
    assert.deepEqual(readJson(join(root, 'tmp/venv-run/metrics.json')).python, { executable: venvPython });
    const sealed = runCli(['run', 'T-venv', '--metrics', 'tmp/venv-run/metrics.json', '--quiet'], { cwd: root });
    assert.equal(sealed.status, 0, sealed.stderr);
    assert.deepEqual(python('T-venv'), { available: true, executable: venvPython, source: 'training', version: venvVersion, packages: [] });
    assert.equal(runCli(['verify', 'T-venv'], { cwd: root }).status, 0);
  });

  it('a metrics file that names no interpreter: the python3 on PATH, said so (source "path")', () => {
    writeFileSync(join(root, 'tmp/plain.json'), JSON.stringify({ metrics: { acc: 0.5 }, metric_definitions: { acc: { definition: 'Top-1 accuracy.', unit: 'fraction', higher_is_better: true } }, primary_metric: 'acc', results: { acc: 0.5 } }));
    const sealed = runCli(['run', 'T-path', '--metrics', 'tmp/plain.json', '--quiet'], { cwd: root });
    assert.equal(sealed.status, 0, sealed.stderr);
    const recorded = python('T-path');
    const onPath = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
    if (onPath.status !== 0) return assert.equal(recorded.available, false);
    assert.equal(recorded.source, 'path');
    assert.equal(recorded.executable, onPath.stdout.trim());
  });

  it('an interpreter that is not here (sealed on another machine, the venv gone): unavailable with the reason, not PATH\'s', () => {
    const head = readJson(join(root, 'tmp/venv-run/metrics.json'));
    writeFileSync(join(root, 'tmp/gone.json'), JSON.stringify({ ...head, python: { executable: '/nonexistent/venv/bin/python3' }, history_file: undefined }));
    const sealed = runCli(['run', 'T-gone', '--metrics', 'tmp/gone.json', '--quiet'], { cwd: root });
    assert.equal(sealed.status, 0, sealed.stderr);
    const recorded = python('T-gone');
    assert.equal(recorded.available, false);
    assert.match(recorded.reason, /^\/nonexistent\/venv\/bin\/python3, which tmp\/gone\.json names as the training's interpreter \(python\.executable\), could not be described: \/nonexistent\/venv\/bin\/python3 does not exist$/);
  });

  it('a metrics file naming a program that is not a Python interpreter is refused in one line, before anything is written', () => {
    const head = readJson(join(root, 'tmp/venv-run/metrics.json'));
    writeFileSync(join(root, 'tmp/shell.json'), JSON.stringify({ ...head, python: { executable: '/bin/sh' }, history_file: undefined }));
    const sealed = runCli(['run', 'T-shell', '--metrics', 'tmp/shell.json', '--quiet'], { cwd: root });
    assert.equal(sealed.status, 1);
    assert.match(sealed.stderr, /^dl-lab run: error: invalid metrics file tmp\/shell\.json: \/python\/executable: /m);
    assert.equal(sealed.stderr.trimEnd().split('\n').length, 1, sealed.stderr);
    assert.equal(existsSync(runDirOf(root, 'T-shell')), false);
  });
});
