import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyRun } from '../../core/verify/verify-run.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { git } from '../helpers/git.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';

const DEMO_METRICS = ['train_loss_best', 'val_loss_best', 'train_accuracy_best', 'val_accuracy_best', 'best_epoch', 'test_accuracy', 'duration_seconds'];

describe('dl-lab demo (demo generator)', () => {
  let root: string;
  before(async () => {
    root = await scaffoldProject();
    await runGenerator('demo', { cwd: root, options: { seed: 0, quiet: true } });
    await runGenerator('demo', { cwd: root, options: { seed: 0, tag: 'seed0-again', quiet: true } });
    await runGenerator('demo', { cwd: root, options: { seed: 1, quiet: true } });
  });
  after(cleanupTempDirs);

  const read = (tag: string, file: string) => readFileSync(join(runDirOf(root, tag), file));

  it('writes a complete run that satisfies the contract (default tag demo-seed<N>)', async () => {
    assert.deepEqual((await verifyTag(root, 'demo-seed0')).problems, []);
    const summary = readJson(join(runDirOf(root, 'demo-seed0'), 'summary.json'));
    for (const key of DEMO_METRICS) {
      assert.equal(typeof summary.metrics[key], 'number', key);
      assert.ok(summary.metric_definitions[key], `definition of ${key}`);
    }
    assert.equal(summary.primary_metric, 'test_accuracy');
    assert.deepEqual(Object.keys(summary.best_checkpoint).sort(), ['epoch', 'metric_value', 'path', 'selected_by']);
    assert.equal(summary.best_checkpoint.selected_by, 'val_loss_best');
    assert.equal(summary.best_checkpoint.path, 'artifacts/runs/demo-seed0/checkpoints/best.json');
    assert.equal(summary.best_checkpoint.metric_value, summary.metrics.val_loss_best);
    const analysis = readJson(join(runDirOf(root, 'demo-seed0'), 'analysis.json'));
    assert.equal(analysis.history.length, 40);
    assert.equal(analysis.results.test_accuracy, summary.metrics.test_accuracy);
    const bestLoss = Math.min(...analysis.history.map((h: { val_loss: number }) => h.val_loss));
    assert.equal(summary.metrics.val_loss_best, bestLoss);
    assert.equal(analysis.history[summary.metrics.best_epoch - 1].val_loss, bestLoss);
  });

  it('reaches val_accuracy_best >= 0.9 with the default settings', () => {
    const { metrics } = readJson(join(runDirOf(root, 'demo-seed0'), 'summary.json'));
    assert.ok(metrics.val_accuracy_best >= 0.9, `val_accuracy_best ${metrics.val_accuracy_best}`);
  });

  it('is deterministic: same seed gives byte-identical checkpoint, history and results', () => {
    assert.deepEqual(read('seed0-again', 'checkpoints/best.json'), read('demo-seed0', 'checkpoints/best.json'));
    const a = readJson(join(runDirOf(root, 'demo-seed0'), 'analysis.json'));
    const b = readJson(join(runDirOf(root, 'seed0-again'), 'analysis.json'));
    assert.equal(JSON.stringify(b.history), JSON.stringify(a.history));
    assert.equal(JSON.stringify(b.results), JSON.stringify(a.results));
  });

  it('differs for another seed', () => {
    assert.notDeepEqual(read('demo-seed1', 'checkpoints/best.json'), read('demo-seed0', 'checkpoints/best.json'));
    const m0 = readJson(join(runDirOf(root, 'demo-seed0'), 'manifest.json'));
    const m1 = readJson(join(runDirOf(root, 'demo-seed1'), 'manifest.json'));
    assert.notEqual(m1.data[0].sha256, m0.data[0].sha256, 'generated data differs');
    assert.equal(m1.seed, 1);
  });

  it('records the generated dataset, the config and the real commit in the manifest', () => {
    const manifest = readJson(join(runDirOf(root, 'demo-seed0'), 'manifest.json'));
    assert.equal(manifest.code.git.commit, git(root, 'rev-parse', 'HEAD'));
    assert.equal(manifest.code.git.dirty, false, 'its own outputs under artifacts/ do not dirty the tree');
    assert.equal(manifest.data.length, 1);
    assert.equal(manifest.data[0].provenance.kind, 'generated');
    assert.equal(manifest.data[0].provenance.seed, 0);
    assert.equal(manifest.config.path, 'configs/default.json');
    assert.equal(manifest.hyperparameters.training.epochs, 40);
  });

  it('--out-dir writes a self-contained run anywhere, outside any project', async () => {
    const out = join(tempDir(), 'dl_run');
    await runGenerator('demo', { cwd: tempDir(), options: { seed: 0, outDir: out, quiet: true } });
    const manifest = readJson(join(out, 'manifest.json'));
    assert.equal(manifest.run_dir, '.');
    assert.deepEqual(manifest.outputs.map((o: { path: string }) => o.path), [
      'figures/training_curves.pdf', 'figures/training_curves.png', 'summary.json', 'analysis.json', 'checkpoints/best.json',
    ], 'figures first: a paper tool takes the first .pdf/.png output');
    assert.deepEqual((await verifyRun(out, out)).problems, []);
    assert.deepEqual(readFileSync(join(out, 'checkpoints/best.json')), read('demo-seed0', 'checkpoints/best.json'), 'same seed, same bytes anywhere');
  });

  it('--epochs/--lr/--hidden override the config and are recorded', async () => {
    await runGenerator('demo', { cwd: root, options: { seed: 2, epochs: 5, lr: 0.1, hidden: 8, tag: 'small', quiet: true } });
    const manifest = readJson(join(runDirOf(root, 'small'), 'manifest.json'));
    assert.deepEqual(manifest.config.overrides, { seed: 2, epochs: 5, lr: 0.1, hidden: 8 });
    assert.equal(manifest.hyperparameters.model.hidden, 8);
    assert.equal(readJson(join(runDirOf(root, 'small'), 'analysis.json')).history.length, 5);
    assert.equal(readJson(join(runDirOf(root, 'small'), 'checkpoints/best.json')).architecture.hidden, 8);
  });

  it('refuses a non-integer seed', async () => {
    await assert.rejects(runGenerator('demo', { cwd: root, options: { seed: 1.5, quiet: true } }), /--seed must be an integer/);
  });
});
