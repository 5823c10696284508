import assert from 'node:assert/strict';
import { loadRun, requireDocs, type RunDocs } from '../../core/compare/run-record.js';
import { checkReproduction, numberStatus, reproductionFailed, type ReproCheck } from '../../core/reproduce/reproduce-check.js';
import { checkConfig, kindOf } from '../../core/reproduce/reproduce-plan.js';
import { statisticChecks } from '../../core/reproduce/reproduce-experiment.js';
import type { SummaryStatistics } from '../../core/contract/generated/experiment.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';
import { captureOutput, metricsFile, sealMetricsRun } from '../helpers/runs.js';

const RELATIVE = { kind: 'relative', value: 1e-9 } as const;
const status = (checks: readonly ReproCheck[], kind: ReproCheck['kind'], name: string): ReproCheck['status'] => {
  const check = checks.find((c) => c.kind === kind && c.name === name);
  assert.ok(check, `${kind} ${name}`);
  return check.status;
};

describe('reproduce checks (core/reproduce): what came back, per output, dataset, history column, metric and result', () => {
  let root: string;
  let source: RunDocs;
  const clone = (): RunDocs => structuredClone(source);
  /** A demo run's history: short, so verify gave it as rows. */
  const rowsOf = (docs: RunDocs): Array<Record<string, number>> => docs.analysis.history as Array<Record<string, number>>;

  before(async () => {
    root = await scaffoldProject();
    await captureOutput(() => runGenerator('demo', { cwd: root, options: { seed: 0, epochs: 6, quiet: true } }));
    await sealMetricsRun(root, 'external', metricsFile(0.9, 0.3));
    await captureOutput(() => runGenerator('run', { cwd: root, args: ['wiring'] }));
    source = requireDocs(await loadRun(root, runDirOf(root, 'demo-seed0')), 'TAG');
  });
  after(cleanupTempDirs);

  it('an identical run is identical everywhere, except what its definition calls not reproducible', () => {
    const checks = checkReproduction(source, clone(), RELATIVE);
    const other = checks.filter((c) => c.status !== 'identical');
    assert.deepEqual(other.map((c) => [c.kind, c.name, c.status]), [['metric', 'duration_seconds', 'not reproducible by definition']]);
    assert.deepEqual(checks.filter((c) => c.kind === 'output').map((c) => c.name), ['figures/training_curves.pdf', 'figures/training_curves.png', 'checkpoints/best.json']);
    assert.deepEqual(checks.filter((c) => c.kind === 'history').map((c) => c.name), ['train_loss (6 epochs)', 'val_loss (6 epochs)', 'train_accuracy (6 epochs)', 'val_accuracy (6 epochs)']);
    assert.equal(status(checks, 'data', 'two_moons'), 'identical');
    assert.equal(reproductionFailed(checks), false);
  });

  it('numbers: bitwise identical, within the relative tolerance, or diverged', () => {
    assert.equal(numberStatus(0.5, 0.5, RELATIVE), 'identical');
    assert.equal(numberStatus(0.5, 0.5 * (1 + 1e-12), RELATIVE), 'within tolerance');
    assert.equal(numberStatus(0.5, 0.5 * (1 + 1e-6), RELATIVE), 'diverged');
    const copy = clone();
    copy.analysis.results.test_accuracy *= 1 + 1e-12;
    copy.summary.metrics.test_loss *= 1 + 1e-3;
    rowsOf(copy)[3].val_loss *= 1 + 1e-4;
    const checks = checkReproduction(source, copy, RELATIVE);
    assert.equal(status(checks, 'result', 'test_accuracy'), 'within tolerance');
    assert.equal(status(checks, 'metric', 'test_loss'), 'diverged');
    assert.equal(status(checks, 'history', 'val_loss (6 epochs)'), 'diverged');
    assert.match(checks.find((c) => c.name === 'val_loss (6 epochs)')!.detail!, /largest relative difference 0\.0000999\d* at epoch 4/);
    assert.equal(reproductionFailed(checks), true);
    assert.equal(reproductionFailed(checkReproduction(source, copy, { kind: 'relative', value: 1e-2 })), false, 'a looser --tolerance accepts them');
  });

  it('outputs and data are compared by sha256 only: one different byte diverges, a missing output is missing', () => {
    const copy = clone();
    const checkpoint = copy.manifest.outputs.find((o) => o.role === 'checkpoint-record')!;
    checkpoint.sha256 = '0'.repeat(64);
    copy.manifest.outputs = copy.manifest.outputs.filter((o) => o.role !== 'figure' || !o.path.endsWith('.png'));
    (copy.manifest.data[0] as { sha256: string }).sha256 = 'f'.repeat(64);
    const checks = checkReproduction(source, copy, { kind: 'relative', value: 1 });
    assert.equal(status(checks, 'output', 'checkpoints/best.json'), 'diverged');
    assert.equal(status(checks, 'output', 'figures/training_curves.png'), 'missing');
    assert.equal(status(checks, 'data', 'two_moons'), 'diverged');
    assert.equal(reproductionFailed(checks), true);
  });

  it('a history of another length diverges', () => {
    const copy = clone();
    rowsOf(copy).pop();
    const checks = checkReproduction(source, copy, RELATIVE);
    assert.equal(status(checks, 'history', 'val_loss (6 epochs)'), 'diverged');
  });

  it('tells a demo run from training outside dl-lab and from a wiring run', async () => {
    assert.equal(kindOf(source), 'demo');
    assert.equal(kindOf(requireDocs(await loadRun(root, runDirOf(root, 'external')), 'TAG')), 'external');
    assert.equal(kindOf(requireDocs(await loadRun(root, runDirOf(root, 'wiring')), 'TAG')), 'wiring');
  });

  it('checks the recorded config file against its current bytes', async () => {
    const config = source.manifest.config;
    assert.equal((await checkConfig(root, config)).status, 'unchanged');
    writeFileSync(join(root, 'configs/default.json'), '{"seed": 0, "changed": true}\n');
    const changed = await checkConfig(root, config);
    assert.equal(changed.status, 'changed');
    assert.notEqual(changed.current_sha256, changed.recorded_sha256);
    assert.equal((await checkConfig(root, { ...config, path: 'configs/gone.json' })).status, 'missing');
    assert.equal((await checkConfig(root, { ...config, path: null })).status, 'built-in defaults');
    // No known folder the path is relative to (an --out-dir run reproduced outside any project).
    assert.deepEqual(await checkConfig(undefined, config), { path: config.path, recorded_sha256: config.sha256, current_sha256: null, status: 'not checked' });
  });
});

describe('statisticChecks (core/reproduce/reproduce-experiment.ts): an experiment record\'s statistics against their recomputation', () => {
  const stats = (mean: number, std: number | null): SummaryStatistics => ({
    n: 2, mean, std, sem: std === null ? null : std / Math.SQRT2, ci95: std === null ? null : [mean - std, mean + std], median: mean, min: mean, max: mean, bootstrap_ci95: null,
  });
  const definitions = { acc: { definition: 'test accuracy', unit: 'fraction', higher_is_better: true }, secs: { definition: 'wall-clock seconds; not reproducible by definition', unit: 's', higher_is_better: false } };

  it('identical, within tolerance, diverged, missing and not reproducible by definition, per <variant>.<key>.<stat>', () => {
    const recorded = { base: { acc: stats(0.9, 0.01), secs: stats(3, 1), gone: stats(1, null) } };
    const again = { base: { acc: { ...stats(0.9, 0.01), mean: 0.9 * (1 + 1e-12), max: 0.95 }, secs: stats(4, 2) } };
    const checks = statisticChecks(recorded, again, definitions, RELATIVE);
    const byName = new Map(checks.map((check) => [check.name, check]));
    assert.equal(checks.length, 3 * 11);
    assert.equal(byName.get('base.acc.n')?.status, 'identical');
    assert.equal(byName.get('base.acc.mean')?.status, 'within tolerance');
    assert.deepEqual(byName.get('base.acc.max'), { kind: 'statistic', name: 'base.acc.max', status: 'diverged', source: 0.9, reproduced: 0.95 });
    assert.equal(byName.get('base.acc.bootstrap_ci95_low')?.status, 'identical', 'null against null');
    assert.equal(byName.get('base.secs.mean')?.status, 'not reproducible by definition');
    assert.equal(byName.get('base.gone.mean')?.status, 'missing');
    assert.equal(reproductionFailed(checks), true);
    assert.equal(reproductionFailed(statisticChecks(recorded, recorded, definitions, RELATIVE)), false);
  });
});
