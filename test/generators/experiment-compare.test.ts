import assert from 'node:assert/strict';
import { compareVariants } from '../../core/experiments/compare-variants.js';
import { welchDifference } from '../../core/experiments/statistics.js';
import { SharedVerifications } from '../../core/verify/shared-verifications.js';
import { verifyRun } from '../../core/verify/verify-run.js';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { scaffoldProject } from '../helpers/project.js';
import { ACCURACY, LOSS, captureOutput } from '../helpers/runs.js';
import { sealTrial, writePlan } from '../helpers/experiments.js';

/** compare of experiment variants: difference of means, Welch's CI and p-value, bootstrap CI; the gate fails on a significant worsening only. */
describe('dl-lab compare on experiment variants (NAME:variant)', () => {
  let root: string;
  const BASE = [0.9, 0.91, 0.92, 0.905];
  const WORSE = [0.8, 0.81, 0.82, 0.815];
  const SIMILAR = [0.905, 0.9, 0.915, 0.91];
  const compare = (args: string[], options: Record<string, unknown> = {}) => captureOutput(() => runGenerator('compare', { cwd: root, args, options }));

  before(async () => {
    root = await scaffoldProject();
    writePlan(root, 'abl', { base: {}, similar: {}, worse: {} }, [0, 1, 2, 3]);
    for (const [variant, values] of [['base', BASE], ['worse', WORSE], ['similar', SIMILAR]] as const) {
      for (const [seed, accuracy] of values.entries()) await sealTrial(root, 'abl', { variant, seed, accuracy });
    }
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: ['abl'] }));
    writePlan(root, 'rerun', { base: {} }, [0, 1]);
    for (const [seed, accuracy] of [0.9, 0.92].entries()) await sealTrial(root, 'rerun', { variant: 'base', seed, accuracy });
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: ['rerun'] }));
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  after(cleanupTempDirs);

  it('a significant worsening: difference, Welch CI and p-value, bootstrap CI; --fail-on-regression exits 2', async () => {
    const welch = welchDifference(BASE, WORSE);
    const { stdout } = await compare(['abl:base', 'abl:worse'], { 'fail-on-regression': true });
    assert.equal(process.exitCode, 2);
    assert.match(stdout, /^A: abl:base {2}\(artifacts\/runs\/abl; verify ok; 4 of 4 members completed; primary metric val_accuracy\)$/m);
    const row = stdout.split('\n').find((line) => line.startsWith('  val_accuracy *'))!;
    assert.ok(row.includes(`${Number(welch.difference.toPrecision(6))}`), row);
    assert.ok(row.includes(`[${Number(welch.ci95![0].toPrecision(6))}, ${Number(welch.ci95![1].toPrecision(6))}]`), row);
    assert.ok(row.includes(welch.p_value!.toPrecision(3)), row);
    assert.ok(row.includes(`[${Number(welch.bootstrap_ci95![0].toPrecision(6))}, ${Number(welch.bootstrap_ci95![1].toPrecision(6))}]`), row);
    assert.match(row, /worse$/);
    assert.match(stdout, /^regression gate \(val_accuracy, alpha 0\.05\): REGRESSION: B is significantly worse at alpha 0\.05: mean\(B\) − mean\(A\) = -0\.09750, 95% CI \[/m);

    const json = await compare(['abl:base', 'abl:worse'], { json: true, 'fail-on-regression': true });
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.results[0].p_value, welch.p_value);
    assert.deepEqual(parsed.results[0].ci95, welch.ci95);
    assert.equal(parsed.exit_code, 2);
  });

  it('two variants of one experiment: its record and members verified once, not once per side', async () => {
    const shared = new SharedVerifications(verifyRun);
    const comparison = await compareVariants(root, 'abl:base', 'abl:worse', 0.05, shared);
    assert.equal(shared.verifications, 13, 'the record and its 12 members (26 when each side verified them)');
    assert.deepEqual([comparison.a.verified, comparison.b.verified], [true, true]);
    assert.equal(comparison.results[0].difference, welchDifference(BASE, WORSE).difference);
  });

  it('no significant difference, or a significant improvement, passes the gate (exit 0)', async () => {
    const similar = await compare(['abl:base', 'abl:similar'], { 'fail-on-regression': true });
    assert.equal(process.exitCode, undefined);
    assert.match(similar.stdout, /^regression gate \(val_accuracy, alpha 0\.05\): PASS: no significant difference at alpha 0\.05: /m);
    const better = await compare(['abl:worse', 'abl:base'], { 'fail-on-regression': true, alpha: '0.01' });
    assert.equal(process.exitCode, undefined);
    assert.match(better.stdout, /^regression gate \(val_accuracy, alpha 0\.01\): PASS: B is significantly better: /m);
  });

  it('a primary metric with no direction (higher_is_better: null): a significant change is neither better nor worse, and the gate cannot decide (exit 3)', async () => {
    // Epochs to the best checkpoint: fewer is not better, more is not worse; B's are clearly more.
    const EPOCHS = { short: [10, 11, 12, 10.5], long: [20, 21, 22, 20.5] };
    const EPOCHS_TO_BEST = { definition: 'Epoch (from 1) of the selected checkpoint', unit: 'epoch', higher_is_better: null };
    writePlan(root, 'patience', { short: {}, long: {} }, [0, 1, 2, 3]);
    for (const [variant, values] of Object.entries(EPOCHS)) {
      for (const [seed, epochs] of values.entries()) {
        const changes = { metrics: { val_accuracy: 0.9, val_loss: 0.1, epochs_to_best: epochs }, metric_definitions: { val_accuracy: ACCURACY, val_loss: LOSS, epochs_to_best: EPOCHS_TO_BEST }, primary_metric: 'epochs_to_best', results: { epochs_to_best: epochs } };
        await sealTrial(root, 'patience', { variant, seed, changes });
      }
    }
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: ['patience'] }));
    for (const [a, b] of [['short', 'long'], ['long', 'short']]) {
      const welch = welchDifference(EPOCHS[a as keyof typeof EPOCHS], EPOCHS[b as keyof typeof EPOCHS]);
      assert.ok(welch.p_value! < 0.05, `a significant difference (p ${welch.p_value})`);
      const { stdout } = await compare([`patience:${a}`, `patience:${b}`], { 'fail-on-regression': true });
      assert.equal(process.exitCode, 3, `${a} -> ${b}`);
      assert.match(stdout.split('\n').find((line) => line.startsWith('  epochs_to_best *'))!, / {2}significant, no direction$/);
      assert.match(stdout, /^regression gate \(epochs_to_best, alpha 0\.05\): CANNOT DECIDE: primary metric epochs_to_best has no direction \(higher_is_better: null\): B cannot be better or worse by it$/m);
      const parsed = JSON.parse((await compare([`patience:${a}`, `patience:${b}`], { json: true, 'fail-on-regression': true })).stdout);
      assert.deepEqual([parsed.results[0].verdict, parsed.gate.status, parsed.exit_code], ['significant, no direction', 'undecidable', 3]);
      process.exitCode = undefined;
    }
  });

  it('two experiments: a record with one variant needs no :variant', async () => {
    const { stdout } = await compare(['abl:base', 'rerun']);
    assert.match(stdout, /^B: rerun:base {2}\(artifacts\/runs\/rerun; verify ok; 2 of 2 members completed; primary metric val_accuracy\)$/m);
  });

  it('refuses what it cannot mean: an unknown variant, a record with several variants and none named, --tolerance, --alpha with runs or out of range', async () => {
    await assert.rejects(compare(['abl:base', 'abl:nope']), /B: experiment abl has no variant nope \(abl:base, abl:similar, abl:worse\)/);
    await assert.rejects(compare(['abl', 'rerun']), /A: experiment abl has 3 variants; name one/);
    await assert.rejects(compare(['abl:base', 'abl:worse'], { tolerance: '0.01' }), /--tolerance compares two runs; experiment variants gate on significance \(--alpha\)/);
    await assert.rejects(compare(['abl:base', 'abl:worse'], { alpha: '1.5' }), /--alpha must be a number between 0 and 1 \(e\.g\. 0\.05\), got "1\.5"/);
    await assert.rejects(compare(['abl-base-s0', 'abl-base-s1'], { alpha: '0.05' }), /--alpha compares experiment variants \(NAME:variant\); two runs gate on --tolerance/);
  });
});
