import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvenanceCapture } from '../../core/commands/provenance.js';
import { executeRecord, planRecord } from '../../core/commands/record.js';
import { sha256Hex } from '../../core/hash.js';
import { cleanupTempDirs, readJson, snapshotTree } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { git } from '../helpers/git.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { captureOutput } from '../helpers/runs.js';

const validMetrics = {
  metrics: { val_accuracy: 0.9125, val_loss: 0.2731, epochs_trained: 12 },
  metric_definitions: {
    val_accuracy: { definition: 'Top-1 accuracy on the validation split', unit: 'fraction', higher_is_better: true, display_digits: 3 },
    val_loss: { definition: 'Mean cross-entropy on the validation split', unit: 'nats', higher_is_better: false },
    epochs_trained: { definition: 'Epochs run', unit: 'epoch', higher_is_better: false },
  },
  primary_metric: 'val_accuracy',
  results: { val_accuracy: 0.9125 },
  best_checkpoint: { path: 'best.pt', selected_by: 'val_loss', epoch: 9, metric_value: 0.2731 },
  history: [{ epoch: 1, val_loss: 0.61, val_accuracy: 0.72 }, { epoch: 2, val_loss: 0.4, val_accuracy: 0.85 }],
};

describe('dl-lab run (run generator)', () => {
  let root: string;
  before(async () => {
    root = await scaffoldProject();
  });
  after(cleanupTempDirs);

  it('without --metrics writes a valid, clearly marked wiring run recording the real commit', async () => {
    const { stdout } = await captureOutput(() => runGenerator('run', { cwd: root, args: ['M0-wiring'] }));
    const dir = runDirOf(root, 'M0-wiring');
    const manifest = readJson(join(dir, 'manifest.json'));
    const summary = readJson(join(dir, 'summary.json'));
    // Printed under yo: the note names the command the user has, and there is no line to cite from.
    assert.deepEqual(stdout.split('\n').slice(1), [
      'results: placeholder_metric=0',
      'note: Wiring run written by `yo dl-lab:run` without --metrics: every number is a placeholder, not a measurement. Do not cite it.',
      'next: yo dl-lab:run <TAG> --metrics <your metrics.json>',
      'next: yo dl-lab:demo --seed 1',
      '',
    ]);
    // Recorded: files dl-lab writes say `dl-lab …`, whichever launcher sealed the run.
    assert.equal(manifest.note, 'Wiring run written by `dl-lab run` without --metrics: every number is a placeholder, not a measurement. Do not cite it.');
    assert.equal(manifest.code.git.commit, git(root, 'rev-parse', 'HEAD'));
    assert.equal(manifest.code.git.dirty, false);
    assert.equal(manifest.demo, true);
    assert.match(manifest.note, /placeholder/);
    assert.equal(summary.demo, true);
    assert.equal(manifest.seed, 0);
    assert.equal(manifest.config.path, 'configs/default.json');
    assert.equal(manifest.config.sha256, sha256Hex(readFileSync(join(root, 'configs/default.json'))));
    assert.equal(manifest.paths_are_relative_to, 'project_root');
    assert.deepEqual(
      manifest.outputs.map((o: { path: string }) => o.path),
      ['summary.json', 'analysis.json', 'checkpoints/best.json'].map((f) => `artifacts/runs/M0-wiring/${f}`),
    );
    const verification = await verifyTag(root, 'M0-wiring');
    assert.deepEqual(verification.problems, []);
  });

  it('works from a subfolder of the project (the root is found by walking up to .yo-rc.json)', async () => {
    await runGenerator('run', { cwd: join(root, 'knowledge_base', 'data'), args: ['from-subdir'] });
    assert.ok(existsSync(join(runDirOf(root, 'from-subdir'), 'manifest.json')));
  });

  it('with --metrics carries the numbers, definitions, history and a copied, hashed checkpoint', async () => {
    const work = join(root, 'tmp'); // git-ignored by the scaffold, so the tree stays clean
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'metrics.json'), JSON.stringify(validMetrics));
    writeFileSync(join(work, 'best.pt'), Buffer.from([1, 2, 3, 4, 5]));
    await runGenerator('run', { cwd: root, args: ['M1-baseline'], options: { metrics: 'tmp/metrics.json' } });
    const dir = runDirOf(root, 'M1-baseline');
    const summary = readJson(join(dir, 'summary.json'));
    const analysis = readJson(join(dir, 'analysis.json'));
    const record = readJson(join(dir, 'checkpoints/best.json'));
    assert.equal(summary.demo, false);
    assert.deepEqual(summary.metrics, validMetrics.metrics);
    assert.deepEqual(summary.metric_definitions, validMetrics.metric_definitions);
    assert.equal(summary.primary_metric, 'val_accuracy');
    assert.deepEqual(summary.best_checkpoint, { path: 'artifacts/runs/M1-baseline/checkpoints/best.pt', selected_by: 'val_loss', epoch: 9, metric_value: 0.2731 });
    assert.deepEqual(analysis.results, { val_accuracy: 0.9125 });
    assert.deepEqual(analysis.history, validMetrics.history);
    assert.deepEqual(readFileSync(join(dir, 'checkpoints/best.pt')), Buffer.from([1, 2, 3, 4, 5]));
    assert.equal(record.format, 'external-file');
    assert.equal(record.sha256, sha256Hex(Buffer.from([1, 2, 3, 4, 5])));
    assert.equal(readJson(join(dir, 'manifest.json')).code.git.dirty, false, 'git-ignored tmp/ does not dirty the tree');
    const outputs = readJson(join(dir, 'manifest.json')).outputs.map((o: { path: string }) => o.path);
    assert.deepEqual(outputs.slice(0, 2), ['figures/training_curves.pdf', 'figures/training_curves.png'].map((f) => `artifacts/runs/M1-baseline/${f}`), 'the history becomes the first figure');
    assert.deepEqual(readFileSync(join(dir, 'figures/training_curves.png')).subarray(1, 4), Buffer.from('PNG'));
    assert.deepEqual((await verifyTag(root, 'M1-baseline')).problems, []);
  });

  it('--move-checkpoint moves the file into the run (hashed once) and a failed run gives it back untouched', async () => {
    const work = join(root, 'tmp', 'move');
    mkdirSync(work, { recursive: true });
    const bytes = Buffer.from(Array.from({ length: 9 * 1024 * 1024 + 7 }, (_, i) => (i * 31 + (i >> 11)) % 256));
    writeFileSync(join(work, 'best.pt'), bytes, { mode: 0o640 });
    // A run that fails after the checkpoint is in its staging folder: its tag is taken meanwhile.
    const plan = await planRecord({ cwd: root, tag: 'M2-taken', checkpoint: 'tmp/move/best.pt', moveCheckpoint: true, command: ['dl-lab', 'run', 'M2-taken'] });
    mkdirSync(plan.target.targetDir);
    await assert.rejects(executeRecord(plan, startProvenanceCapture(root)), /already exists|published by another process/);
    assert.deepEqual(readFileSync(join(work, 'best.pt')), bytes);
    assert.equal(statSync(join(work, 'best.pt')).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(root, 'artifacts', 'runs')).filter((name) => name.startsWith('.staging-')), []);

    await runGenerator('run', { cwd: root, args: ['M2-moved'], options: { checkpoint: 'tmp/move/best.pt', 'move-checkpoint': true } });
    const dir = runDirOf(root, 'M2-moved');
    assert.equal(existsSync(join(work, 'best.pt')), false, 'moved, not copied');
    assert.deepEqual(readFileSync(join(dir, 'checkpoints/best.pt')), bytes);
    assert.equal(readJson(join(dir, 'checkpoints/best.json')).sha256, sha256Hex(bytes));
    assert.deepEqual((await verifyTag(root, 'M2-moved')).problems, []);
  });

  it('copies a checkpoint larger than one read buffer in one hashing pass, byte for byte', async () => {
    const work = join(root, 'tmp', 'copy');
    mkdirSync(work, { recursive: true });
    const bytes = Buffer.from(Array.from({ length: 13 * 1024 * 1024 + 3 }, (_, i) => (i * 7 + (i >> 13)) % 256));
    writeFileSync(join(work, 'best.ckpt'), bytes);
    await runGenerator('run', { cwd: root, args: ['M3-copied'], options: { checkpoint: 'tmp/copy/best.ckpt' } });
    const dir = runDirOf(root, 'M3-copied');
    assert.deepEqual(readFileSync(join(work, 'best.ckpt')), bytes, 'the original stays');
    assert.deepEqual(readFileSync(join(dir, 'checkpoints/best.ckpt')), bytes);
    assert.equal(readJson(join(dir, 'checkpoints/best.json')).sha256, sha256Hex(bytes));
    assert.deepEqual((await verifyTag(root, 'M3-copied')).problems, []);
  });

  it('tells how the checkpoint\'s read goes, copied or moved, from 0 to its size', async () => {
    const work = join(root, 'tmp', 'progress');
    mkdirSync(work, { recursive: true });
    const size = 9 * 1024 * 1024 + 5; // three 4 MiB reads
    for (const [tag, moveCheckpoint] of [['M4-copied', false], ['M4-moved', true]] as const) {
      writeFileSync(join(work, 'best.pt'), Buffer.alloc(size, 3));
      const seen: { files: number; bytes: number; totalFiles: number; totalBytes: number }[] = [];
      const plan = await planRecord({ cwd: root, tag, checkpoint: 'tmp/progress/best.pt', moveCheckpoint, command: ['dl-lab', 'run', tag] });
      await executeRecord(plan, startProvenanceCapture(root), { onCheckpointProgress: (progress) => seen.push(progress) });
      assert.deepEqual(
        seen.map(({ files, bytes }) => [files, bytes]),
        [[0, 0], [0, 4 * 1024 * 1024], [0, 8 * 1024 * 1024], [1, size]],
        tag,
      );
      assert.ok(seen.every((progress) => progress.totalFiles === 1 && progress.totalBytes === size));
    }
  });

  const refusals: Array<{ what: string; args: string[]; options?: Record<string, unknown>; setup?: (root: string) => void; error: RegExp }> = [
    { what: 'a tag with a slash', args: ['a/b'], error: /invalid TAG "a\/b"/ },
    { what: 'a tag of ..', args: ['..'], error: /invalid TAG "\.\."/ },
    { what: 'a tag with a space', args: ['my run'], error: /invalid TAG "my run"/ },
    { what: 'an existing tag', args: ['M0-wiring'], error: /already exists: a published run is never overwritten/ },
    {
      what: 'a config without seed',
      args: ['no-seed'],
      options: { config: 'configs/noseed.json' },
      setup: (r) => writeFileSync(join(r, 'configs/noseed.json'), '{"lr": 0.1}'),
      error: /configs\/noseed\.json: \/seed: missing required field 'seed'/,
    },
    {
      what: 'a config with a float seed',
      args: ['float-seed'],
      options: { config: 'configs/float.json' },
      setup: (r) => writeFileSync(join(r, 'configs/float.json'), '{"seed": 0.5}'),
      error: /configs\/float\.json: \/seed: must be integer/,
    },
    {
      what: 'a metrics file with an undefined result key',
      args: ['bad-metrics'],
      options: { metrics: 'configs/m.json' },
      setup: (r) => writeFileSync(join(r, 'configs/m.json'), JSON.stringify({ ...validMetrics, best_checkpoint: undefined, results: { test_f1: 0.5 } })),
      error: /configs\/m\.json: \/results\/test_f1: 'test_f1' has no entry in metric_definitions/,
    },
    {
      what: 'a metrics file missing metric_definitions',
      args: ['bad-metrics2'],
      options: { metrics: 'configs/m2.json' },
      setup: (r) => writeFileSync(join(r, 'configs/m2.json'), JSON.stringify({ metrics: { a: 1 }, primary_metric: 'a', results: {} })),
      error: /configs\/m2\.json: \/metric_definitions: missing required field 'metric_definitions'/,
    },
    {
      what: '--move-checkpoint without a checkpoint',
      args: ['move-nothing'],
      options: { 'move-checkpoint': true },
      error: /--move-checkpoint needs a checkpoint/,
    },
    {
      what: 'a checkpoint that does not exist',
      args: ['no-ckpt'],
      options: { checkpoint: 'nope.pt' },
      error: /checkpoint nope\.pt: cannot read \(ENOENT\)/,
    },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.what} with a clear error and writes nothing`, async () => {
      refusal.setup?.(root);
      const before = snapshotTree(root);
      await assert.rejects(runGenerator('run', { cwd: root, args: refusal.args, options: refusal.options }), refusal.error);
      assert.deepEqual(snapshotTree(root), before);
    });
  }
});
