import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runDirOf, verifyTag } from '../helpers/project.js';
import { PYTHON_ENV, noPythonMessage, pythonWith, runPython, type Python } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';

const MODULES = ['torch', 'numpy'];

describe('dl-lab sweep of the scaffolded PyTorch train.py (Debian PyTorch)', function () {
  this.timeout(240_000); // three trainings of ~1.5 s each on 2 cores, plus Python start-up
  let python: Python | undefined;
  let root: string;

  before(function () {
    python = pythonWith(MODULES);
    requirePart(this, python !== undefined, noPythonMessage(MODULES));
    root = join(tempDir('dl-lab-torch-sweep-'), 'torch-sweep');
    const app = runCli(['--name', 'torch-sweep', '--out', root, '--yes'], { cwd: tempDir() });
    assert.equal(app.status, 0, app.stderr);
  });
  after(cleanupTempDirs);

  it('3 seeds: each trial runs train.py with its own config, and its metrics and checkpoint are sealed as `dl-lab run` seals them', async () => {
    const sweep = runCli(['sweep', 'torch', '--seeds', '0-2', '--', python!.command, 'train.py', '--config', '{config}', '--out', '{out}'], { cwd: root, env: PYTHON_ENV });
    assert.equal(sweep.status, 0, sweep.stdout + sweep.stderr);
    assert.match(sweep.stdout, /3 trials completed, 0 failed, 0 interrupted this time/);
    const histories: string[] = [];
    for (const seed of [0, 1, 2]) {
      const tag = `torch-base-s${seed}`;
      assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
      const dir = runDirOf(root, tag);
      const manifest = readJson(join(dir, 'manifest.json'));
      assert.deepEqual(manifest.experiment, { name: 'torch', variant: 'base', seed, overrides: {}, exit_status: 0 });
      assert.equal(manifest.seed, seed);
      assert.ok(manifest.outputs.some((o: { path: string }) => o.path === `artifacts/runs/${tag}/checkpoints/best.pt`), 'the checkpoint train.py named is in the run');
      // The sealed numbers are the ones train.py wrote for this trial.
      const written = readJson(join(root, `artifacts/experiments/torch/out/${tag}/metrics.json`));
      assert.deepEqual(readJson(join(dir, 'analysis.json')).results, written.results);
      // train.py logs its history as it trains (metrics.history.jsonl beside the metrics file); the run holds it.
      histories.push(JSON.stringify(readJson(join(dir, 'analysis.json')).history));
    }
    assert.equal(new Set(histories).size, 3, 'each seed reached train.py: three different training histories');

    // A trial is the documented one-liner: the same config by hand gives the same numbers (train.py is deterministic).
    const again = runPython(python!, ['train.py', '--config', 'artifacts/experiments/torch/configs/torch-base-s1.json', '--out', 'tmp/again'], { cwd: root });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(readJson(join(root, 'tmp/again/metrics.json')).results, readJson(join(runDirOf(root, 'torch-base-s1'), 'analysis.json')).results);
  });
});
