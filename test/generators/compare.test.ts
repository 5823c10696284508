import assert from 'node:assert/strict';
import { cleanupTempDirs, snapshotTree } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { scaffoldProject } from '../helpers/project.js';
import { captureOutput, metricsFile, sealMetricsRun, LOSS } from '../helpers/runs.js';

describe('dl-lab compare (compare generator)', () => {
  let root: string;
  const compare = (args: string[], options: Record<string, unknown> = {}) =>
    captureOutput(() => runGenerator('compare', { cwd: root, args, options }));

  before(async () => {
    root = await scaffoldProject();
    await sealMetricsRun(root, 'M1-baseline', metricsFile(0.9, 0.3));
    await sealMetricsRun(root, 'M2-worse', metricsFile(0.88, 0.28));
    await sealMetricsRun(root, 'M3-better', metricsFile(0.93, 0.31));
    await sealMetricsRun(root, 'M4-bits', { ...metricsFile(0.95, 0.2), metric_definitions: { ...metricsFile(0, 0).metric_definitions, val_loss: { ...LOSS, unit: 'bits' } } });
  });
  afterEach(() => {
    process.exitCode = undefined; // the generator sets it for the launcher; it must not leak into mocha's own status
  });
  after(cleanupTempDirs);

  it('prints the side-by-side table and exits 0 without --fail-on-regression, writing nothing', async () => {
    const before = snapshotTree(root);
    const { stdout, stderr } = await compare(['M1-baseline', 'M2-worse']);
    assert.equal(process.exitCode, undefined);
    assert.match(stdout, /^A: M1-baseline {2}\(artifacts\/runs\/M1-baseline; verify ok; primary metric val_accuracy\)$/m);
    assert.match(stdout, /^ {2}val_accuracy \* +0\.9 +0\.88 +-0\.02 +worse$/m);
    assert.match(stdout, /^ {2}val_loss +0\.3 +0\.28 +-0\.02 +better$/m);
    assert.match(stdout, /^primary metric val_accuracy: B's val_accuracy 0\.88 is worse than A's 0\.9 by 0\.02 \(higher is better\), more than the allowed 0$/m);
    assert.doesNotMatch(stdout + stderr, /NOT COMPARABLE/);
    assert.deepEqual(snapshotTree(root), before);
  });

  it('--fail-on-regression: exit 2 when B is worse beyond the tolerance, 0 within it or when better', async () => {
    const regression = await compare(['M1-baseline', 'M2-worse'], { 'fail-on-regression': true });
    assert.equal(process.exitCode, 2);
    assert.match(regression.stdout, /regression gate \(val_accuracy, tolerance absolute 0\): REGRESSION: /);
    process.exitCode = undefined;
    await compare(['M1-baseline', 'M2-worse'], { 'fail-on-regression': true, tolerance: '0.03' });
    assert.equal(process.exitCode, undefined);
    await compare(['M1-baseline', 'M2-worse'], { 'fail-on-regression': true, tolerance: '3%' });
    assert.equal(process.exitCode, undefined, '3% of 0.9 is 0.027 > 0.02');
    const better = await compare(['M1-baseline', 'M3-better'], { 'fail-on-regression': true });
    assert.equal(process.exitCode, undefined);
    assert.match(better.stdout, /PASS: B's val_accuracy 0\.93 is better than A's 0\.9/);
  });

  it('warns NOT COMPARABLE on stdout and stderr; with the gate it exits 3 and says why', async () => {
    const { stdout, stderr } = await compare(['M1-baseline', 'M4-bits'], { 'fail-on-regression': true });
    assert.equal(process.exitCode, 3);
    for (const out of [stdout, stderr]) {
      assert.match(out, /⚠ NOT COMPARABLE: A and B differ in what their numbers measure/);
      assert.match(out, /- metric val_loss is defined differently: unit 'nats' vs 'bits'/);
    }
    assert.match(stdout, /CANNOT DECIDE: the runs are not comparable \(metric val_loss is defined differently/);
  });

  it('--json prints one JSON document with the rows, the reasons, the gate and the exit code', async () => {
    const { stdout } = await compare(['M1-baseline', 'M2-worse'], { json: true, 'fail-on-regression': true, tolerance: '0.01' });
    const report = JSON.parse(stdout);
    assert.equal(report.exit_code, 2);
    assert.equal(report.comparable, true);
    assert.equal(report.gate.status, 'regression');
    assert.deepEqual(report.gate.tolerance, { kind: 'absolute', value: 0.01 });
    assert.deepEqual(report.metrics.map((r: { key: string; verdict: string }) => [r.key, r.verdict]), [['val_accuracy', 'worse'], ['val_loss', 'better']]);
    assert.deepEqual(report.a, { tag: 'M1-baseline', run_dir: 'artifacts/runs/M1-baseline', verified: true, problems: [], primary_metric: 'val_accuracy', status: 'completed', status_reason: null });
  });

  it('refuses an unknown run or a bad tolerance with a clear error', async () => {
    await assert.rejects(compare(['M1-baseline', 'nope']), /B: no run "nope" \(no artifacts\/runs\/nope\/ in the project at .*, and no folder nope\/ holding a manifest\.json\)/);
    await assert.rejects(compare(['M1-baseline', 'M2-worse'], { tolerance: 'lots' }), /--tolerance must be a number >= 0 \(e\.g\. 0\.01\) or a percentage \(e\.g\. 5%\), got "lots"/);
  });
});
