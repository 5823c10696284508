import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { scaffoldProject } from '../helpers/project.js';
import { captureOutput, metricsFile, sealMetricsRun, tamperRunFile } from '../helpers/runs.js';
import { sealTrial, writePlan } from '../helpers/experiments.js';

/** The JSON the page embeds for its compare view. */
const embeddedData = (html: string): { project: string; runs: Array<Record<string, any>> } => {
  const match = /<script type="application\/json" id="dl-lab-data">([^<]*)<\/script>/.exec(html);
  assert.ok(match, 'embedded data');
  return JSON.parse(match[1]);
};

describe('dl-lab report (report generator)', () => {
  let root: string;
  const reportPath = () => join(root, 'artifacts/report.html');
  const report = (options: Record<string, unknown> = {}) => captureOutput(() => runGenerator('report', { cwd: root, options }));

  before(async () => {
    root = await scaffoldProject({ name: 'moons' });
  });
  after(cleanupTempDirs);

  it('with no runs yet, writes a page that says how to make one', async () => {
    const { stdout } = await report();
    assert.match(stdout, /^wrote .*artifacts\/report\.html \(0 runs, all verified\)$/m);
    assert.match(readFileSync(reportPath(), 'utf8'), /No runs yet: <code>dl-lab demo --seed 0<\/code>/);
  });

  it('writes one self-contained page: every run, its verify status, curves as inline data, no URL to fetch', async () => {
    await captureOutput(async () => {
      await runGenerator('demo', { cwd: root, options: { seed: 0, epochs: 5, quiet: true } });
      await runGenerator('demo', { cwd: root, options: { seed: 0, epochs: 5, hidden: 0, tag: 'linear', quiet: true } });
    });
    await sealMetricsRun(root, 'M1-hostile', { ...metricsFile(0.9, 0.3), notes: '</script><script>alert(1)</script> & <b>bold</b>' } as never);
    await sealMetricsRun(root, 'M2-tampered', metricsFile(0.8, 0.3));
    tamperRunFile(root, 'M2-tampered', 'summary.json', (text) => text.replace('"val_accuracy": 0.8', '"val_accuracy": 0.99'));
    const { stdout } = await report();
    assert.match(stdout, /\(4 runs, 1 FAILING verification\)/);
    const html = readFileSync(reportPath(), 'utf8');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i, 'no external src/href');
    assert.doesNotMatch(html, /url\(\s*["']?(?:https?:)?\/\//i, 'no external CSS url()');
    assert.doesNotMatch(html, /<link\b|<script\b[^>]*\bsrc=|<img\b|@import/i, 'nothing loaded from elsewhere');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    // Curves travel as data (drawn when a run is opened): the two demo runs have them, the metrics runs have no history.
    assert.deepEqual(embeddedData(html).runs.filter((run) => run.curves).map((run) => run.tag).sort(), ['demo-seed0', 'linear']);
    assert.deepEqual(embeddedData(html).runs.find((run) => run.tag === 'demo-seed0')!.curves.panels.map((panel: { title: string }) => panel.title), ['Loss', 'Accuracy']);
    assert.doesNotMatch(html, /<\/script><script>alert/, 'user text cannot end the script element or inject markup');
    // The note travels in the page's data (shown as text when the run is opened): every < escaped there.
    assert.ok(html.includes('\\u003c/script>\\u003cscript>alert(1)\\u003c/script> & \\u003cb>bold\\u003c/b>'), 'note escaped in the embedded JSON');

    const data = embeddedData(html);
    assert.equal(data.project, 'moons');
    assert.deepEqual(data.runs.map((run) => run.tag).sort(), ['M1-hostile', 'M2-tampered', 'demo-seed0', 'linear']);
    const tampered = data.runs.find((run) => run.tag === 'M2-tampered')!;
    assert.equal(tampered.verify.ok, false);
    assert.ok(tampered.verify.problems.some((p: string) => /^artifacts\/runs\/M2-tampered\/summary\.json: sha256 .* differs from the recorded/.test(p)), tampered.verify.problems.join('\n'));
    assert.match(html, /<tr class="run" data-tag="M2-tampered" data-group="M2">.*verify FAILED \(\d\)/);
    const demo = data.runs.find((run) => run.tag === 'demo-seed0')!;
    assert.equal(demo.primary_metric, 'test_accuracy');
    assert.equal(typeof demo.primary_value, 'number');
    assert.equal(demo.dirty, false);
    assert.match(demo.commit, /^[0-9a-f]{40}$/);
    assert.equal(data.runs.find((run) => run.tag === 'M1-hostile')!.note, '</script><script>alert(1)</script> & <b>bold</b>');
  });

  it('regenerating replaces the previous report atomically (no temp file left behind)', async () => {
    const before = readFileSync(reportPath(), 'utf8');
    await sealMetricsRun(root, 'M3-new', metricsFile(0.95, 0.2));
    await report();
    const after = readFileSync(reportPath(), 'utf8');
    assert.notEqual(after, before);
    assert.deepEqual(embeddedData(after).runs.map((run) => run.tag).includes('M3-new'), true);
    assert.deepEqual(readdirSync(join(root, 'artifacts')).filter((name) => name !== 'runs'), ['report.html']);
  });

  it('never replaces an artifacts/report.html it did not write, unless --force', async () => {
    writeFileSync(reportPath(), '<h1>my own notes</h1>\n');
    await assert.rejects(report(), /artifacts\/report\.html exists and was not written by dl-lab report; move it away or pass --force to replace it/);
    assert.equal(readFileSync(reportPath(), 'utf8'), '<h1>my own notes</h1>\n');
    await report({ force: true });
    assert.match(readFileSync(reportPath(), 'utf8'), /<meta name="generator" content="generator-dl-lab report">/);
  });

  it("an experiment's variant reads mean ± half its 95 % CI, the half-width rounded where the mean is", async () => {
    writePlan(root, 'lr', { 'lr0.01': { 'training.lr': 0.01 } }, [0, 1, 2, 3, 4]);
    for (const seed of [0, 1, 2, 3, 4]) await sealTrial(root, 'lr', { variant: 'lr0.01', seed, accuracy: 0.93 + seed / 1000 });
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: ['lr'] }));
    await report();
    // Half the Student t 95 % CI of 5 seeds 0.001 apart is 0.00196324…; the mean 0.932 is kept to 6 significant digits (0.932000), so is the half-width.
    assert.match(readFileSync(reportPath(), 'utf8'), /data-filter="experiment=lr variant=lr0\.01" title="[^"]*">lr0\.01: 0\.932 ± 0\.001963 <small>\(n = 5\)<\/small><\/button>/);
  });
});
