import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { scaffoldProject } from '../helpers/project.js';
import { captureOutput, metricsFile, sealMetricsRun, tamperRunFile } from '../helpers/runs.js';
import { requirePart } from '../helpers/requirement.js';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it), driven by playwright-core. */
const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'];
const TAGS = ['demo-seed0', 'demo-seed1', 'linear', 'm1-external', 'm2-tampered'];

describe('artifacts/report.html in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  let root: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];

  const tableTags = (): Promise<string[]> => page.$$eval('#runs-table tbody tr.run', (rows) => rows.map((row) => row.getAttribute('data-tag') ?? ''));
  /** Details are drawn when a run is opened (its tag clicked), not inlined for every run. */
  const openRun = async (tag: string) => {
    await page.click(`#runs-table tr[data-tag="${tag}"] a`);
    await page.waitForSelector(`#run-${tag}`);
  };
  const clickHeader = (label: string) => page.click(`#runs-table thead th button:text-is("${label}")`);

  before(async function () {
    requirePart(this, existsSync(CHROMIUM), `${CHROMIUM} not found (apt-get install chromium)`);
    root = await scaffoldProject({ name: 'moons' });
    await captureOutput(async () => {
      await runGenerator('demo', { cwd: root, options: { seed: 0, quiet: true } });
      await runGenerator('demo', { cwd: root, options: { seed: 1, quiet: true } });
      await runGenerator('demo', { cwd: root, options: { seed: 0, hidden: 0, tag: 'linear', quiet: true } });
    });
    await sealMetricsRun(root, 'm1-external', metricsFile(0.9, 0.3, { history: [{ epoch: 1, val_loss: 0.6, val_accuracy: 0.7 }, { epoch: 2, val_loss: 0.3, val_accuracy: 0.9 }] }));
    await sealMetricsRun(root, 'm2-tampered', metricsFile(0.8, 0.4));
    tamperRunFile(root, 'm2-tampered', 'summary.json', (text) => text.replace('"val_accuracy": 0.8', '"val_accuracy": 0.99'));
    const report = runCli(['report'], { cwd: root }); // the built bin, as a user runs it
    assert.equal(report.status, 0, report.stderr);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(join(root, 'artifacts/report.html')).href, { waitUntil: 'load' });
  });
  after(async () => {
    await browser?.close();
    cleanupTempDirs();
  });

  it('the file references nothing outside itself', () => {
    const html = readFileSync(join(root, 'artifacts/report.html'), 'utf8');
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    assert.deepEqual(requests, [pathToFileURL(join(root, 'artifacts/report.html')).href], 'the only request is the page itself');
  });

  it('loads without console errors or page errors and shows every run, with its verify status', async () => {
    assert.deepEqual(problems, []);
    assert.equal(await page.title(), 'moons: dl-lab runs');
    assert.deepEqual([...(await tableTags())].sort(), [...TAGS].sort());
    let withCurves = 0;
    for (const tag of TAGS) {
      await openRun(tag);
      assert.ok(await page.isVisible(`#run-${tag}`), `details of ${tag}`);
      if ((await page.locator(`#run-${tag} figure.curves svg`).count()) > 0) withCurves++;
    }
    assert.match(await page.textContent('#runs-table tr[data-tag="m2-tampered"]') ?? '', /verify FAILED/);
    assert.match(await page.textContent('#runs-table tr[data-tag="linear"]') ?? '', /verify ok/);
    assert.equal(withCurves, 4, 'curves for every run with a history');
    await openRun('demo-seed0');
    assert.deepEqual(await page.$$eval('#run-demo-seed0 figure.curves svg', (svgs) => svgs.map((svg) => svg.getAttribute('aria-label'))), ['Loss', 'Accuracy']);
    assert.equal(await page.locator('#run-demo-seed0 figure.curves svg path').count(), 4, 'train and validation series in each panel');
    assert.deepEqual(problems, []);
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    assert.deepEqual(await tableTags(), ['m2-tampered', 'm1-external', 'linear', 'demo-seed1', 'demo-seed0'], 'newest first by default');
    await clickHeader('tag');
    assert.deepEqual(await tableTags(), TAGS);
    assert.equal(await page.getAttribute('#runs-table thead th:nth-child(1)', 'aria-sort'), 'ascending');
    await clickHeader('tag');
    assert.deepEqual(await tableTags(), [...TAGS].reverse());
    assert.equal(await page.getAttribute('#runs-table thead th:nth-child(1)', 'aria-sort'), 'descending');

    await page.selectOption('#group-by', 'none'); // one order over every run, not within groups
    await clickHeader('value');
    const values = await page.$$eval('#runs-table tbody tr.run td:nth-child(6)', (cells) => cells.map((cell) => Number(cell.getAttribute('data-sort'))));
    assert.equal(values.length, TAGS.length);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), `numeric ascending: ${values.join(', ')}`);
    assert.equal(values.at(-1), 0.99, 'the tampered run shows the value it now claims');
    assert.deepEqual(problems, []);
  });

  it('compares two selected runs: deltas and verdicts, and NOT COMPARABLE for different data', async () => {
    await page.selectOption('#compare-a', 'demo-seed0');
    await page.selectOption('#compare-b', 'linear');
    assert.equal(await page.locator('#compare-view .not-comparable').count(), 0);
    const row = page.locator('#compare-view table.numbers').first().locator('tr', { hasText: 'test_accuracy' });
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0], 'test_accuracy');
    assert.match(cells[3], /^-0\.\d+$/);
    assert.equal(cells[4], 'worse');
    // duration_seconds has no direction (higher_is_better: null): a change, never better or worse.
    const duration = await page.locator('#compare-view table.numbers').first().locator('tr', { hasText: 'duration_seconds' }).locator('td').allTextContents();
    assert.equal(duration[4], 'no direction');
    const bestEpoch = await page.locator('#run-demo-seed0 table.numbers tr', { hasText: 'best_epoch' }).first().locator('td').allTextContents();
    assert.equal(bestEpoch[3], '—', 'no arrow for a metric without a direction');
    assert.match(await page.textContent('#compare-view table.kv') ?? '', /model\.hidden\s*16\s*0/);

    await page.selectOption('#compare-b', 'demo-seed1');
    assert.match(await page.textContent('#compare-view .not-comparable') ?? '', /NOT COMPARABLE.*dataset two_moons: sha256/s);
    await page.selectOption('#compare-b', 'm2-tampered');
    assert.match(await page.textContent('#compare-view .banner.fail') ?? '', /B \(m2-tampered\) FAILS VERIFICATION/);
    await page.selectOption('#compare-b', 'linear');
    assert.deepEqual(problems, []);
  });

  it('takes a screenshot of the page', async () => {
    await clickHeader('date');
    const file = join(tempDir(), 'report.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = readFileSync(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.ok(statSync(file).size > 50_000, `a real page, not a blank one (${statSync(file).size} bytes)`);
    assert.ok(png.readUInt32BE(20) > 2000, `full page height (${png.readUInt32BE(20)} px)`);
  });
});
