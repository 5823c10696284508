import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringifyJson } from '../../core/json-file.js';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { assertVerifies, runDirOf, scaffoldProject } from '../helpers/project.js';

/** Steps of a per-step log whose analysis.json (~10 MB) is over the 8 MiB verify used to read whole. */
const STEPS = 100_000;

/** A metrics file of a script that logged every step: a decaying loss with one spike, and an accuracy. */
const writeMetrics = (file: string): void => {
  const history = Array.from({ length: STEPS }, (_, step) => ({
    epoch: step,
    loss: step === 40_000 ? 5 : 1 / (1 + step / 1000),
    val_loss: step % 1000 === 0 ? 1 / (1 + step / 1000) + 0.1 : undefined,
    accuracy: 0.5 + (0.4 * step) / STEPS,
  }));
  const accuracy = 0.9;
  const definitions = { accuracy: { definition: 'accuracy on the held-out split', unit: 'fraction', higher_is_better: true } };
  writeFileSync(file, JSON.stringify({ metrics: { accuracy }, primary_metric: 'accuracy', results: { accuracy }, metric_definitions: definitions, history }));
};

describe('a run logged every step (100,000 history entries), end to end (built bin)', function () {
  this.timeout(120_000);
  let root: string;
  before(async () => {
    root = await scaffoldProject();
    const metrics = join(tempDir(), 'metrics.json');
    writeMetrics(metrics);
    for (const tag of ['long-a', 'long-b']) {
      const run = runCli(['run', tag, '--metrics', metrics], { cwd: root });
      assert.equal(run.status, 0, run.stderr);
    }
  });
  after(cleanupTempDirs);

  it("is sealed with analysis.json in stringifyJson's exact bytes (written in pieces) and every entry", () => {
    const bytes = readFileSync(join(runDirOf(root, 'long-a'), 'analysis.json'));
    assert.ok(bytes.length > 8 * 1024 * 1024, `${bytes.length} bytes`);
    const analysis = JSON.parse(bytes.toString('utf8')) as { history: Array<Record<string, number>> };
    assert.equal(stringifyJson(analysis), bytes.toString('utf8'));
    assert.equal(analysis.history.length, STEPS);
    assert.equal(analysis.history[40_000]!.loss, 5);
  });

  it('verifies (analysis.json over 8 MiB is read whole, not refused as too large)', () => {
    assertVerifies(root, ['long-a', 'long-b']);
  });

  it("the report stays small: each run's curves thinned for the page, the spike kept", () => {
    const report = runCli(['report'], { cwd: root });
    assert.equal(report.status, 0, report.stderr);
    const page = join(root, 'artifacts', 'report.html');
    // Every point of both runs would be ~3 MB of curve data alone.
    assert.ok(statSync(page).size < 600_000, `${statSync(page).size} bytes`);
    const html = readFileSync(page, 'utf8');
    assert.match(html, /long-a/);
    assert.match(html, /\b40000,/, 'the spike step is among the points');
  });
});
