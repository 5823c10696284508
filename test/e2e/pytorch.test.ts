import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMetricsInput } from '../../core/metrics-input.js';
import { pythonPackageName } from '../../core/scaffold/framework.js';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { git } from '../helpers/git.js';
import { assertVerifies, runDirOf } from '../helpers/project.js';
import { PYTHON_ENV, noPythonMessage, pythonWith, pythonsWith, runPython, type Python } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';

/** A fresh project from the built bin, as a user makes it (`--yes`: framework pytorch). */
const scaffold = (name: string): string => {
  const root = join(tempDir('dl-lab-torch-'), name);
  const app = runCli(['--name', name, '--out', root, '--yes'], { cwd: tempDir() });
  assert.equal(app.status, 0, app.stderr);
  return root;
};

/** The `key = value` lines train.py prints for every metric (repr: the exact float). */
const reportedMetrics = (stdout: string): Record<string, number> =>
  Object.fromEntries([...stdout.matchAll(/^(\w+) = (\S+)$/gm)].map(([, key, value]) => [key, Number(value)]));

const MODULES = ['torch', 'numpy', 'jsonschema'];

describe('PyTorch scaffold end to end: train.py -> dl-lab run -> Python checker -> dl-lab verify', function () {
  this.timeout(180_000); // each train.py is ~1.5 s on 2 idle cores; torchrun starts 3 interpreters
  const NAME = 'moons-torch';
  const PACKAGE = pythonPackageName(NAME);
  let python: Python | undefined;
  let root: string;

  before(function () {
    python = pythonWith(MODULES);
    requirePart(this, python !== undefined, noPythonMessage(MODULES));
    root = scaffold(NAME);
  });
  after(cleanupTempDirs);

  const train = (args: string[]) => {
    const result = runPython(python!, ['train.py', '--config', 'configs/default.json', ...args], { cwd: root });
    assert.equal(result.status, 0, result.stderr);
    return result;
  };
  /** The scaffold's Python checker, as its README says to run it. */
  const check = (interpreter: Python, project: string, runs: string[]) =>
    runPython(interpreter, ['-m', `${PACKAGE}.validate`, ...runs], { cwd: project, env: { PYTHONPATH: 'src' } });

  it('the documented one-liner trains, seals and verifies; the run holds exactly what train.py reported', () => {
    const trained = train(['--out', 'tmp/run']);
    const metrics = loadMetricsInput(join(root, 'tmp/run/metrics.json')).input; // the history read from metrics.history.jsonl
    assert.deepEqual(reportedMetrics(trained.stdout), metrics.metrics, 'printed = written');
    assert.ok(metrics.metrics.val_accuracy_best >= 0.9, `val_accuracy_best ${metrics.metrics.val_accuracy_best}`);

    const run = runCli(['run', 'M1-torch', '--metrics', 'tmp/run/metrics.json', '--checkpoint', 'tmp/run/best.pt', '--quiet'], { cwd: root });
    assert.equal(run.status, 0, run.stderr);
    const dir = runDirOf(root, 'M1-torch');
    const summary = readJson(join(dir, 'summary.json'));
    const analysis = readJson(join(dir, 'analysis.json'));
    assert.deepEqual(summary.metrics, metrics.metrics);
    assert.deepEqual(summary.metric_definitions, metrics.metric_definitions);
    assert.equal(summary.primary_metric, 'test_accuracy');
    assert.deepEqual(analysis.results, metrics.results);
    assert.deepEqual(analysis.history, metrics.history?.toJSON());
    assert.equal(analysis.history.length, readJson(join(root, 'configs/default.json')).training.epochs);
    assert.deepEqual(readFileSync(join(dir, 'checkpoints/best.pt')), readFileSync(join(root, 'tmp/run/best.pt')));
    const manifest = readJson(join(dir, 'manifest.json'));
    assert.equal(manifest.code.git.commit, git(root, 'rev-parse', 'HEAD'));
    assert.equal(manifest.code.git.dirty, false, 'tmp/ and __pycache__/ are git-ignored: training leaves the tree clean');

    // Every interpreter with jsonschema: Debian's 4.10 (RefResolver) and a pip >= 4.18 (referencing).
    for (const interpreter of pythonsWith(['jsonschema'])) {
      const checked = check(interpreter, root, ['artifacts/runs/M1-torch']);
      assert.equal(checked.status, 0, `${interpreter.executable}: ${checked.stdout}${checked.stderr}`);
      assert.match(checked.stdout, /^ok +artifacts\/runs\/M1-torch$/m);
    }
    assertVerifies(root, ['M1-torch']);
  });

  it('the same seed on the CPU gives byte-identical metrics files and checkpoints; another seed does not', () => {
    train(['--seed', '3', '--out', 'tmp/a']);
    train(['--seed', '3', '--out', 'tmp/b']);
    train(['--seed', '4', '--out', 'tmp/c']);
    const bytes = (out: string, file: string) => readFileSync(join(root, out, file));
    assert.ok(bytes('tmp/a', 'metrics.json').equals(bytes('tmp/b', 'metrics.json')), 'metrics.json differs between two runs with seed 3');
    assert.ok(bytes('tmp/a', 'metrics.history.jsonl').equals(bytes('tmp/b', 'metrics.history.jsonl')), 'the history differs between two runs with seed 3');
    assert.ok(bytes('tmp/a', 'best.pt').equals(bytes('tmp/b', 'best.pt')), 'best.pt differs between two runs with seed 3');
    assert.notDeepEqual(readJson(join(root, 'tmp/a/metrics.json')).metrics, readJson(join(root, 'tmp/c/metrics.json')).metrics);
    assert.equal(readJson(join(root, 'tmp/a/config.json')).seed, 3, '--seed is recorded in <out>/config.json');

    // Sealed with the config as trained, the manifest records the seed really used.
    const run = runCli(['run', 'seed3', '--config', 'tmp/a/config.json', '--metrics', 'tmp/a/metrics.json', '--quiet'], { cwd: root });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readJson(join(runDirOf(root, 'seed3'), 'manifest.json')).seed, 3);
  });

  it('the Python checker refuses what dl-lab verify refuses: a changed output, an added file, an edited manifest', () => {
    const copy = join(tempDir(), 'copy');
    cpSync(root, copy, { recursive: true });
    const runDir = runDirOf(copy, 'M1-torch');
    for (const file of ['analysis.json', 'manifest.json']) chmodSync(join(runDir, file), 0o644);
    chmodSync(runDir, 0o755);
    writeFileSync(join(runDir, 'analysis.json'), `${readFileSync(join(runDir, 'analysis.json'), 'utf8')} `);
    writeFileSync(join(runDir, 'notes.txt'), 'added later');
    const manifest = readJson(join(runDir, 'manifest.json'));
    manifest.seed = 7;
    writeFileSync(join(runDir, 'manifest.json'), JSON.stringify(manifest, null, 2));

    const checked = check(python!, copy, ['artifacts/runs/M1-torch']);
    assert.equal(checked.status, 1, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /artifacts\/runs\/M1-torch\/manifest\.json: \/seed: 7 differs from hyperparameters\.seed 0/);
    manifest.seed = 0;
    writeFileSync(join(runDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const rechecked = check(python!, copy, []);
    assert.equal(rechecked.status, 1);
    assert.match(rechecked.stdout, /artifacts\/runs\/M1-torch\/analysis\.json: \/: size \d+ differs from the recorded/);
    assert.match(rechecked.stdout, /artifacts\/runs\/M1-torch\/analysis\.json: \/: sha256 differs/);
    assert.match(rechecked.stdout, /artifacts\/runs\/M1-torch\/notes\.txt: \/: not listed in manifest\.json outputs/);
    assert.match(rechecked.stdout, /artifacts\/runs\/M1-torch\/SHA256SUMS: \/: does not match manifest\.json/);
    assert.match(rechecked.stdout, /^1 passed, 1 failed$/m, 'the untouched seed3 run still passes');
    assert.equal(runCli(['verify', 'M1-torch'], { cwd: copy }).status, 1, 'dl-lab verify agrees');
  });

  it('launch/slurm.sbatch as array task 5 (run by bash with Slurm\'s variables) trains seed 5 and seals seed5-<array job id>', () => {
    const env = { ...PYTHON_ENV, SLURM_SUBMIT_DIR: root, SLURM_JOB_ID: '905', SLURM_ARRAY_JOB_ID: '900', SLURM_ARRAY_TASK_ID: '5', PYTHON: python!.command, DL_LAB: `${process.execPath} ${CLI}` };
    const job = spawnSync('bash', [join(root, 'launch/slurm.sbatch')], { cwd: tempDir(), env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(job.status, 0, job.stderr);
    const manifest = readJson(join(runDirOf(root, 'seed5-900'), 'manifest.json'));
    assert.equal(manifest.seed, 5);
    assert.equal(manifest.config.path, 'tmp/slurm-900_5/config.json');
    assert.deepEqual(manifest.environment.cluster.slurm, { job_id: '905', array_job_id: '900', array_task_id: '5', submit_dir: root });
    assert.equal(manifest.environment.cluster.variables.CUBLAS_WORKSPACE_CONFIG, ':4096:8', 'the script exports it for training and the record');
    assertVerifies(root, ['seed5-900']);
  });

  it('torchrun with 2 CPU processes (DDP over gloo): only rank 0 writes, and the run seals', () => {
    // --redirects/--tee: Debian's torch 1.13 launcher cannot parse their default "0" on Python 3.11.
    const launched = runPython(python!, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', 'train.py', '--out', 'tmp/ddp'], { cwd: root });
    assert.equal(launched.status, 0, launched.stderr);
    assert.deepEqual(readdirSync(join(root, 'tmp/ddp')).sort(), ['best.pt', 'config.json', 'metrics.history.jsonl', 'metrics.json']);
    assert.equal(launched.stdout.split('\n').filter((line) => /wrote .*metrics\.json/.test(line)).length, 1, 'one writer');
    const ddp = readJson(join(root, 'tmp/ddp/metrics.json'));
    const single = readJson(join(root, 'tmp/run/metrics.json'));
    // Each global batch is split across the ranks and their gradients averaged: the same training, up to float rounding.
    assert.equal(ddp.metrics.best_epoch, single.metrics.best_epoch);
    for (const key of Object.keys(single.metrics)) assert.ok(Math.abs(ddp.metrics[key] - single.metrics[key]) < 1e-5, key);
    const run = runCli(['run', 'M2-ddp', '--metrics', 'tmp/ddp/metrics.json', '--quiet'], { cwd: root });
    assert.equal(run.status, 0, run.stderr);
    assertVerifies(root, ['M2-ddp']);
  });
});
