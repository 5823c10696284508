import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../../core/experiments/statistics.js';
import { schemaViolations } from '../../core/contract/validate.js';
import { cleanupTempDirs, snapshotTree } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { captureOutput } from '../helpers/runs.js';
import { sealTrial, writePlan } from '../helpers/experiments.js';

const read = (root: string, tag: string, file: string) => JSON.parse(readFileSync(join(runDirOf(root, tag), file), 'utf8'));

describe('dl-lab aggregate (aggregate generator)', () => {
  let root: string;
  const aggregate = (name: string) => captureOutput(() => runGenerator('aggregate', { cwd: root, args: [name] }));
  const A = [0.91, 0.93, 0.95];
  const B = [0.85, 0.86];

  before(async () => {
    root = await scaffoldProject();
    writePlan(root, 'abl', { narrow: { 'model.hidden': 8 }, wide: { 'model.hidden': 32 } }, [0, 1, 2]);
    for (const [seed, accuracy] of A.entries()) await sealTrial(root, 'abl', { variant: 'wide', seed, accuracy });
    for (const [seed, accuracy] of B.entries()) await sealTrial(root, 'abl', { variant: 'narrow', seed, accuracy });
    // abl-narrow-s2 is never run: a missing member.
  });
  after(cleanupTempDirs);

  it('writes a sealed record that passes verify: members (missing included), statistics, flat results with definitions, uncertainty, figures first', async () => {
    const { stdout } = await aggregate('abl');
    assert.match(stdout, /^wrote experiment record abl -> artifacts\/runs\/abl\/ \(version 1, seal [0-9a-f]{12}\)$/m);
    assert.match(stdout, /^members: 5 completed of 6 \(1 missing\)$/m);
    assert.match(stdout, /^ {2}missing: abl-narrow-s2$/m);
    // One command a line, named as this user started dl-lab (yeoman-test runs it as yo does).
    assert.match(stdout, /^next: yo dl-lab:verify abl\nnext: yo dl-lab:paper abl --spread ci95\nnext: yo dl-lab:compare abl:narrow abl:wide$/m);
    assert.equal((await verifyTag(root, 'abl')).ok, true);

    const experiment = read(root, 'abl', 'experiment.json');
    assert.deepEqual(schemaViolations('experiment', experiment, 'experiment.json'), []);
    assert.equal(experiment.version, 1);
    assert.equal(experiment.primary_metric, 'val_accuracy');
    assert.deepEqual(experiment.members.map((m: { tag: string; status: string }) => `${m.tag}:${m.status}`), [
      'abl-narrow-s0:completed', 'abl-narrow-s1:completed', 'abl-narrow-s2:missing', 'abl-wide-s0:completed', 'abl-wide-s1:completed', 'abl-wide-s2:completed',
    ]);
    const seal = read(root, 'abl-wide-s1', 'manifest.json').seal.digest;
    assert.equal(experiment.members[4].seal, seal);
    assert.deepEqual(experiment.variants, { narrow: { overrides: { 'model.hidden': 8 } }, wide: { overrides: { 'model.hidden': 32 } } });
    assert.deepEqual(experiment.statistics.wide.val_accuracy, summarize(A));
    assert.deepEqual(experiment.statistics.narrow.val_accuracy, summarize(B));

    const analysis = read(root, 'abl', 'analysis.json');
    const summary = read(root, 'abl', 'summary.json');
    assert.equal(analysis.results['wide.val_accuracy.mean'], summarize(A).mean);
    assert.equal(analysis.results['wide.val_accuracy.ci95_high'], summarize(A).ci95![1]);
    assert.equal(analysis.results['narrow.val_accuracy.n'], 2);
    for (const key of Object.keys(analysis.results)) assert.ok(summary.metric_definitions[key], key);
    assert.match(summary.metric_definitions['wide.val_accuracy.std'].definition, /^Sample standard deviation \(ddof 1\) over the completed seeds of variant 'wide' of 'val_accuracy': Top-1 accuracy/);
    assert.equal(summary.primary_metric, 'narrow.val_accuracy.mean');
    assert.deepEqual(analysis.uncertainty.t_quantiles.map((q: { df: number }) => q.df), [1, 2]);
    assert.equal(analysis.uncertainty.bootstrap.resamples, 10000);
    assert.deepEqual(analysis.uncertainty, experiment.uncertainty);
    assert.equal(analysis.history.length, 3);
    assert.equal(analysis.history[2]['wide.val_accuracy.mean'], summarize(A).mean);

    const outputs = read(root, 'abl', 'manifest.json').outputs.map((o: { path: string }) => o.path);
    assert.deepEqual(outputs.slice(0, 4), [
      'artifacts/runs/abl/figures/narrow_training_curves.pdf', 'artifacts/runs/abl/figures/narrow_training_curves.png',
      'artifacts/runs/abl/figures/wide_training_curves.pdf', 'artifacts/runs/abl/figures/wide_training_curves.png',
    ]);
    assert.equal(readFileSync(join(runDirOf(root, 'abl'), 'figures/wide_training_curves.png')).subarray(1, 4).toString(), 'PNG');
  });

  it('aggregating again with nothing new writes nothing; after the missing trial ran, it writes version 2 and never edits version 1', async () => {
    const before = snapshotTree(root);
    const again = await aggregate('abl');
    assert.match(again.stdout, /^experiment record abl is up to date \(version 1: same plan, same member runs\); nothing written$/m);
    assert.deepEqual(snapshotTree(root), before);

    await sealTrial(root, 'abl', { variant: 'narrow', seed: 2, accuracy: 0.87 });
    const v1 = readFileSync(join(runDirOf(root, 'abl'), 'experiment.json'));
    const { stdout } = await aggregate('abl');
    assert.match(stdout, /^wrote experiment record abl\.v2 -> artifacts\/runs\/abl\.v2\/ \(version 2, /m);
    const v2 = read(root, 'abl.v2', 'experiment.json');
    assert.equal(v2.previous_version, 'abl');
    assert.deepEqual(v2.statistics.narrow.val_accuracy, summarize([...B, 0.87]));
    assert.deepEqual(readFileSync(join(runDirOf(root, 'abl'), 'experiment.json')), v1);
    assert.equal((await verifyTag(root, 'abl.v2')).ok, true);
  });

  it('refuses an unknown experiment and a tampered member, writing nothing', async () => {
    // The command each message suggests is the user's (yeoman-test runs generators as yo does).
    await assert.rejects(aggregate('nope'), /no experiment named nope: artifacts\/experiments\/nope\/plan\.json does not exist and no run's manifest names it \(run: yo dl-lab:sweep nope\)$/);
    writePlan(root, 'tamper', { base: {} }, [0, 1]);
    await sealTrial(root, 'tamper', { variant: 'base', seed: 0, accuracy: 0.9 });
    await sealTrial(root, 'tamper', { variant: 'base', seed: 1, accuracy: 0.8 });
    const { tamperRunFile } = await import('../helpers/runs.js');
    tamperRunFile(root, 'tamper-base-s1', 'analysis.json', (text) => text.replace('0.8', '0.99'));
    const before = snapshotTree(root);
    await assert.rejects(aggregate('tamper'), /member run artifacts\/runs\/tamper-base-s1 fails verification; an experiment never summarizes a tampered run \(yo dl-lab:verify tamper-base-s1\)$/m);
    assert.deepEqual(snapshotTree(root), before);
  });
});
