import assert from 'node:assert/strict';
import { compareExitCode, compareRuns, verdictOf, type Comparison, type MetricRow } from '../../core/compare/compare-runs.js';
import { comparisonLines, notComparableBanner, verificationWarnings } from '../../core/compare/compare-lines.js';
import { flatten } from '../../core/compare/differences.js';
import { loadRun, requireDocs, type LoadedRun } from '../../core/compare/run-record.js';
import { parseTolerance, type Tolerance } from '../../core/compare/tolerance.js';
import { formatNumber, formatSpread } from '../../core/compare/text-table.js';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';
import { LOSS, metricsFile, sealMetricsRun, tamperRunFile } from '../helpers/runs.js';

const EXACT: Tolerance = { kind: 'absolute', value: 0 };
const row = (rows: readonly MetricRow[], key: string): MetricRow => {
  const found = rows.find((r) => r.key === key);
  assert.ok(found, `row ${key}`);
  return found;
};

describe('compare (core/compare): two sealed runs side by side', () => {
  let root: string;
  const run = (tag: string): Promise<LoadedRun> => loadRun(root, runDirOf(root, tag));
  const compare = async (a: string, b: string, tolerance = EXACT): Promise<Comparison> => compareRuns(await run(a), await run(b), tolerance);

  before(async () => {
    root = await scaffoldProject();
    await sealMetricsRun(root, 'base', metricsFile(0.9, 0.3));
    await sealMetricsRun(root, 'mixed', metricsFile(0.85, 0.25)); // accuracy worse, loss better
    await sealMetricsRun(root, 'same', metricsFile(0.9, 0.3));
    await sealMetricsRun(root, 'extra', { ...metricsFile(0.9, 0.3), metrics: { val_accuracy: 0.9, val_loss: 0.3, f1: 0.7 }, metric_definitions: { ...metricsFile(0, 0).metric_definitions, f1: { definition: 'Macro F1', unit: 'fraction', higher_is_better: true } } });
    await sealMetricsRun(root, 'bits', { ...metricsFile(0.9, 0.2), metric_definitions: { val_accuracy: metricsFile(0, 0).metric_definitions.val_accuracy, val_loss: { ...LOSS, unit: 'bits' } } });
    await sealMetricsRun(root, 'by-loss', { ...metricsFile(0.9, 0.3), primary_metric: 'val_loss' });
    await sealMetricsRun(root, 'by-loss-worse', { ...metricsFile(0.95, 0.35), primary_metric: 'val_loss' });
    await sealMetricsRun(root, 'by-loss-better', { ...metricsFile(0.8, 0.25), primary_metric: 'val_loss' });
    await sealMetricsRun(root, 'tampered', metricsFile(0.9, 0.3));
    tamperRunFile(root, 'tampered', 'summary.json', (text) => text.replace('"val_accuracy": 0.9', '"val_accuracy": 0.99'));
    for (const [tag, options] of [['demo-a', { seed: 0 }], ['demo-linear', { seed: 0, hidden: 0 }], ['demo-other-data', { seed: 1 }]] as const) {
      await runGenerator('demo', { cwd: root, options: { ...options, tag, epochs: 5, quiet: true } });
    }
  });
  after(cleanupTempDirs);

  it('judges every number by its own direction: higher accuracy and lower loss are better', async () => {
    const c = await compare('base', 'mixed');
    assert.equal(c.comparable, true);
    assert.deepEqual(c.not_comparable_reasons, []);
    const accuracy = row(c.metrics, 'val_accuracy');
    assert.deepEqual([accuracy.a, accuracy.b, accuracy.verdict, accuracy.higher_is_better, accuracy.primary], [0.9, 0.85, 'worse', true, true]);
    assert.equal(accuracy.delta, 0.85 - 0.9);
    const loss = row(c.metrics, 'val_loss');
    assert.deepEqual([loss.a, loss.b, loss.verdict, loss.higher_is_better, loss.primary], [0.3, 0.25, 'better', false, false]);
    assert.equal(loss.delta, 0.25 - 0.3);
    assert.equal(row(c.results, 'val_accuracy').verdict, 'worse');
    // And the other way round: A and B swapped, verdicts swap.
    const back = await compare('mixed', 'base');
    assert.deepEqual([row(back.metrics, 'val_accuracy').verdict, row(back.metrics, 'val_loss').verdict], ['better', 'worse']);
    assert.equal(verdictOf(1, 1, true), 'equal');
    assert.equal(verdictOf(1, 2, false), 'worse');
  });

  it('reports equal numbers as equal and keys present in one run only', async () => {
    const c = await compare('base', 'same');
    assert.deepEqual(c.metrics.map((r) => r.verdict), ['equal', 'equal']);
    assert.deepEqual(c.metrics.map((r) => r.delta), [0, 0]);
    const extra = await compare('base', 'extra');
    assert.deepEqual(row(extra.metrics, 'f1'), { key: 'f1', a: null, b: 0.7, delta: null, verdict: 'only in B', higher_is_better: true, unit: 'fraction', primary: false });
    assert.equal((await compare('extra', 'base')).metrics.find((r) => r.key === 'f1')?.verdict, 'only in A');
    assert.equal(extra.comparable, true, 'a metric one run lacks does not make the runs incomparable');
  });

  it('lists what else differs: config, code, environment (same project and machine here: only the run itself)', async () => {
    const c = await compare('base', 'same');
    assert.deepEqual(c.differences.filter((d) => d.section !== 'code'), []);
    const demo = await compare('demo-a', 'demo-linear');
    assert.deepEqual(
      demo.differences.filter((d) => d.section === 'hyperparameters'),
      [{ section: 'hyperparameters', key: 'model.hidden', a: 16, b: 0 }],
    );
    assert.deepEqual(demo.differences.filter((d) => d.section === 'config').map((d) => [d.key, d.a, d.b]), [['overrides.hidden', undefined, 0]]);
    assert.deepEqual(flatten({ a: { b: 1, c: [1, 2] }, d: null }), { 'a.b': 1, 'a.c': [1, 2], d: null });
  });

  it('flags runs on different data (dataset sha256 by name) as NOT COMPARABLE', async () => {
    const same = await compare('demo-a', 'demo-linear');
    assert.equal(same.comparable, true, 'same seed, same generated data');
    const c = await compare('demo-a', 'demo-other-data');
    assert.equal(c.comparable, false);
    assert.equal(c.not_comparable_reasons.length, 1);
    assert.match(c.not_comparable_reasons[0], /^dataset two_moons: sha256 [0-9a-f]{12}… \(A\) differs from [0-9a-f]{12}… \(B\)$/);
    assert.deepEqual(c.differences.filter((d) => d.section === 'data').map((d) => d.key), ['two_moons']);
    assert.match(notComparableBanner(c)[0], /^⚠ NOT COMPARABLE/);
    // A run that records no data against one that does: "used by A only".
    assert.deepEqual((await compare('demo-a', 'base')).not_comparable_reasons.filter((r) => r.startsWith('dataset')), ['dataset two_moons is used by A only']);
  });

  it('flags a metric defined differently (unit, direction or text) and another primary metric as NOT COMPARABLE', async () => {
    const c = await compare('base', 'bits');
    assert.equal(c.comparable, false);
    assert.deepEqual(c.not_comparable_reasons, ["metric val_loss is defined differently: unit 'nats' vs 'bits'"]);
    assert.equal(row(c.metrics, 'val_loss').verdict, 'not comparable');
    assert.equal(row(c.metrics, 'val_loss').higher_is_better, null);
    assert.equal(row(c.metrics, 'val_accuracy').verdict, 'equal', 'the other metrics are still judged');
    const primary = await compare('base', 'by-loss');
    assert.deepEqual(primary.not_comparable_reasons, ['primary metric differs: A ranks by val_accuracy, B by val_loss']);
    assert.equal(primary.gate.status, 'undecidable');
    assert.match(primary.gate.reason, /not comparable \(primary metric differs/);
  });

  it('regression gate: B worse than A beyond the tolerance, absolute or relative, in the metric\'s direction', async () => {
    const at = async (a: string, b: string, given: string) => (await compare(a, b, parseTolerance(given, 'absolute', EXACT))).gate;
    assert.equal((await at('base', 'mixed', '0')).status, 'regression');
    assert.equal((await at('base', 'mixed', '0.04')).status, 'regression');
    assert.equal((await at('base', 'mixed', '0.05')).status, 'pass', '0.9 − 0.85 is 0.05000000000000004 in floats: at the tolerance, not beyond');
    assert.equal((await at('base', 'mixed', '5%')).status, 'regression', '5% of 0.9 is 0.045');
    assert.equal((await at('base', 'mixed', '6%')).status, 'pass');
    const regression = await at('base', 'mixed', '0.01');
    assert.equal(regression.metric, 'val_accuracy');
    assert.ok(Math.abs(regression.worse_by! - 0.05) < 1e-12);
    assert.equal(regression.allowed, 0.01);
    assert.match(regression.reason, /B's val_accuracy 0\.85 is worse than A's 0\.9 by 0\.05 \(higher is better\), more than the allowed 0\.01/);
    // Lower is better: a higher loss is the regression, a lower one passes.
    assert.equal((await at('by-loss', 'by-loss-worse', '0')).status, 'regression');
    assert.equal((await at('by-loss', 'by-loss-better', '0')).status, 'pass');
    assert.equal((await at('by-loss', 'by-loss-worse', '0.05')).status, 'pass');
    assert.equal((await at('base', 'same', '0')).status, 'pass');
  });

  it('exit codes: 0 without the gate; with it 0 pass, 2 regression, 3 undecidable', async () => {
    const regression = await compare('base', 'mixed');
    assert.equal(compareExitCode(regression, false), 0);
    assert.equal(compareExitCode(regression, true), 2);
    assert.equal(compareExitCode(await compare('base', 'same'), true), 0);
    assert.equal(compareExitCode(await compare('base', 'bits'), true), 3);
    assert.equal(compareExitCode(await compare('base', 'bits'), false), 0);
  });

  it('never calls a metric without a direction (higher_is_better: null) better or worse, and cannot gate on one', async () => {
    // The demo's best_epoch and duration_seconds have no direction: a later epoch or a longer run is only different.
    const demo = await compare('demo-a', 'demo-linear');
    for (const key of ['best_epoch', 'duration_seconds']) {
      const metric = row(demo.metrics, key);
      assert.equal(metric.higher_is_better, null, key);
      assert.ok(['equal', 'no direction'].includes(metric.verdict), `${key}: ${metric.verdict}`);
    }
    assert.equal(row(demo.metrics, 'duration_seconds').verdict, 'no direction');
    assert.equal(verdictOf(37, 39, null), 'no direction');
    assert.equal(verdictOf(37, 37, null), 'equal');
    const epochs = { definition: 'Epochs trained', unit: 'epoch', higher_is_better: null };
    await sealMetricsRun(root, 'by-epochs', { ...metricsFile(0.9, 0.3), metrics: { epochs: 37 }, metric_definitions: { epochs }, primary_metric: 'epochs', results: {} });
    await sealMetricsRun(root, 'by-epochs-more', { ...metricsFile(0.9, 0.3), metrics: { epochs: 39 }, metric_definitions: { epochs }, primary_metric: 'epochs', results: {} });
    const c = await compare('by-epochs', 'by-epochs-more');
    assert.equal(c.comparable, true);
    assert.deepEqual([row(c.metrics, 'epochs').verdict, c.gate.status], ['no direction', 'undecidable']);
    assert.equal(c.gate.reason, 'primary metric epochs has no direction (higher_is_better: null): B cannot be better or worse by it');
    assert.equal(compareExitCode(c, true), 3);
    const lines = comparisonLines(c, true);
    assert.ok(lines.includes('  epochs *  37  39  +2     no direction'), lines.join('\n'));
  });

  it('shows a run that fails verification loudly, and its gate cannot decide', async () => {
    const tampered = await run('tampered');
    assert.equal(tampered.verification.ok, false);
    const c = compareRuns(await run('base'), tampered, EXACT);
    assert.equal(c.b.verified, false);
    assert.equal(row(c.metrics, 'val_accuracy').b, 0.99, 'the numbers are still shown');
    assert.equal(c.gate.status, 'undecidable');
    assert.match(c.gate.reason, /tampered fails verification/);
    assert.match(verificationWarnings(c)[0], /^⚠ B \(tampered\) FAILS VERIFICATION/);
    assert.ok(comparisonLines(c, true).some((line) => /regression gate \(val_accuracy, tolerance absolute 0\): CANNOT DECIDE/.test(line)));
  });

  it('refuses a run whose files cannot be read at all, naming the problem', async () => {
    await sealMetricsRun(root, 'broken', metricsFile(0.9, 0.3));
    tamperRunFile(root, 'broken', 'summary.json', () => '{ not json');
    const broken = await run('broken');
    assert.equal(broken.docs, undefined);
    assert.throws(() => requireDocs(broken, 'B'), /B: run broken \(artifacts\/runs\/broken\) cannot be read\n  - artifacts\/runs\/broken\/summary\.json: not valid JSON/);
  });

  it('renders a readable table: metric | A | B | delta | verdict, primary marked', async () => {
    const lines = comparisonLines(await compare('base', 'mixed'), true);
    assert.equal(lines[0], 'A: base  (artifacts/runs/base; verify ok; primary metric val_accuracy)');
    const header = lines.findIndex((line) => line.startsWith('metrics '));
    assert.deepEqual(lines.slice(header + 1, header + 4), [
      '  key             A    B     delta  B vs A',
      '  val_accuracy *  0.9  0.85  -0.05  worse',
      '  val_loss        0.3  0.25  -0.05  better',
    ]);
    assert.match(lines.at(-1)!, /^regression gate \(val_accuracy, tolerance absolute 0\): REGRESSION: /);
  });

  it('parses --tolerance: a bare number as the command says, a percentage always relative', () => {
    assert.deepEqual(parseTolerance('0.01', 'absolute', EXACT), { kind: 'absolute', value: 0.01 });
    assert.deepEqual(parseTolerance(0.01, 'absolute', EXACT), { kind: 'absolute', value: 0.01 });
    assert.deepEqual(parseTolerance('5%', 'absolute', EXACT), { kind: 'relative', value: 0.05 });
    assert.deepEqual(parseTolerance('1e-9', 'relative', EXACT), { kind: 'relative', value: 1e-9 });
    assert.deepEqual(parseTolerance(undefined, 'absolute', EXACT), EXACT);
    for (const bad of ['abc', '-1', '5%%', 'Infinity', '0x10']) {
      assert.throws(() => parseTolerance(bad, 'absolute', EXACT), /--tolerance must be a number >= 0/, bad);
    }
  });
});

describe('formatSpread (core/compare/text-table): the s of `mean ± s`, rounded where formatNumber rounds the mean', () => {
  it('ends at the digit the mean ends at (its 6th significant digit), never finer than 6 significant digits of its own', () => {
    const pairs = [[0.9320000000000002, 0.0019632400000003], [0.5, 0.0196], [35, 0.31234567], [123456.7, 0.00004], [0.001, 2.3456789], [-12.5, 0.123456789]] as const;
    assert.deepEqual(pairs.map(([mean, spread]) => `${formatNumber(mean)} ± ${formatSpread(spread, mean)}`), [
      '0.932 ± 0.001963', '0.5 ± 0.0196', '35 ± 0.3123', '123457 ± 0', '0.001 ± 2.34568', '-12.5 ± 0.1235',
    ]);
  });

  it('a mean of 0 (no digit to follow) or a spread of 0: the spread as formatNumber prints it', () => {
    assert.deepEqual([formatSpread(0.00123456789, 0), formatSpread(0, 0.9)], ['0.00123457', '0']);
  });
});
