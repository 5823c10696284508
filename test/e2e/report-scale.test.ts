import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { requirePart } from '../helpers/requirement.js';
import { ACCURACY, LOSS } from '../helpers/runs.js';
import { writeSyntheticRuns, type SyntheticRun } from '../helpers/synthetic-runs.js';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'];

const LRS = [0.1, 0.01, 0.001];
const accuracyOf = (i: number): number => 0.8 + (i % 97) / 500;

/** A run of group `M<g>` with a known accuracy and learning rate (the history gives it curves). */
const plainRun = (i: number): SyntheticRun => ({
  tag: `M${Math.floor(i / 30)}-run${i % 30}`,
  createdAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
  metrics: {
    metrics: { test_accuracy: accuracyOf(i), val_loss: 1 - accuracyOf(i) },
    metric_definitions: { test_accuracy: ACCURACY, val_loss: LOSS },
    primary_metric: 'test_accuracy',
    results: { test_accuracy: accuracyOf(i) },
    history: [1, 2, 3].map((epoch) => ({ epoch, val_loss: 1 / epoch, val_accuracy: 0.5 + epoch / 10 })),
  },
  hyperparameters: { seed: i % 5, training: { lr: LRS[i % 3], epochs: 10 } },
});

/** An experiment as `dl-lab sweep` lays it out (trials `<NAME>-<variant>-s<seed>`); `dl-lab aggregate` then writes its record `<NAME>/`. */
const EXPERIMENT = 'lr-sweep';
const VARIANTS = { 'lr0.1': 0.1, 'lr0.01': 0.01 } as const;
const SEEDS = [0, 1, 2, 3, 4];
const trialAccuracy = (variant: string, seed: number): number => (variant === 'lr0.1' ? 0.9 : 0.93) + seed / 1000;
const trials = (): SyntheticRun[] =>
  Object.entries(VARIANTS).flatMap(([variant, lr]) =>
    SEEDS.map((seed) => ({
      ...plainRun(0),
      tag: `${EXPERIMENT}-${variant}-s${seed}`,
      createdAt: new Date(Date.UTC(2026, 9, 1, 0, seed)),
      metrics: { ...plainRun(0).metrics!, metrics: { test_accuracy: trialAccuracy(variant, seed), val_loss: 0.2 }, results: { test_accuracy: trialAccuracy(variant, seed) } },
      hyperparameters: { seed, training: { lr, epochs: 10 } },
      manifestExtra: { experiment: { name: EXPERIMENT, variant, seed, overrides: { 'training.lr': lr }, exit_status: null } },
    })),
  );
const PLAIN = 989;
const TOTAL = PLAIN + 10 + 1;

describe('the report with 1,000 runs in headless Chromium', function () {
  this.timeout(300_000);
  let root: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const visibleTags = (): Promise<string[]> =>
    page.$$eval('#runs-table tbody tr.run', (rows) => rows.filter((row) => !(row as unknown as { hidden: boolean }).hidden).map((row) => row.getAttribute('data-tag') ?? ''));
  const filter = async (text: string) => {
    await page.fill('#filter', text);
    // The page applies the filter on the next turn of its event loop (later for > 2,000 runs).
    await page.waitForTimeout(50);
  };

  before(async function () {
    requirePart(this, existsSync(CHROMIUM), `${CHROMIUM} not found (apt-get install chromium)`);
    root = tempDir();
    writeFileSync(join(root, '.yo-rc.json'), JSON.stringify({ 'generator-dl-lab': { name: 'scale' } }));
    await writeSyntheticRuns(root, [...Array.from({ length: PLAIN }, (_, i) => plainRun(i)), ...trials()]);
    const aggregated = runCli(['aggregate', EXPERIMENT], { cwd: root });
    assert.equal(aggregated.status, 0, aggregated.stderr);
    const report = runCli(['report'], { cwd: root });
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, new RegExp(`\\(${TOTAL} runs, all verified\\)`));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(pathToFileURL(join(root, 'artifacts/report.html')).href, { waitUntil: 'load' });
  });
  after(async () => {
    await browser?.close();
    cleanupTempDirs();
  });

  it('loads without errors: every run a row, details not inlined, first paint measured', async () => {
    assert.deepEqual(problems, []);
    assert.equal((await visibleTags()).length, TOTAL);
    assert.equal(await page.locator('article.run').count(), 0, 'no run details until one is opened');
    const bytes = statSync(join(root, 'artifacts/report.html')).size;
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    console.log(`      ${TOTAL} runs: page ${(bytes / 1e6).toFixed(2)} MB, first contentful paint ${paint === null ? 'n/a' : `${paint.toFixed(0)} ms`}`);
    assert.ok(bytes < 4e6, `a light page (${bytes} bytes)`);
    assert.equal(await page.textContent('#filter-count'), `${TOTAL} runs`);
  });

  it('groups: by experiment (record and members) and by tag prefix; a group folds', async () => {
    const groups = await page.$$eval('#runs-table tr.group', (rows) => rows.map((row) => row.getAttribute('data-group')));
    assert.equal(groups.length, Math.ceil(PLAIN / 30) + 1);
    assert.ok(groups.includes(EXPERIMENT) && groups.includes('M0') && groups.includes('M32'));
    const members = await page.$$eval(`#runs-table tr.run[data-group="${EXPERIMENT}"]`, (rows) => rows.map((row) => row.getAttribute('data-tag')));
    assert.equal(members.length, 11, 'the record and its 10 trials');
    assert.ok(members.includes(EXPERIMENT) && members.includes(`${EXPERIMENT}-lr0.01-s4`));
    assert.deepEqual(await page.$$eval('#runs-table thead th', (cells) => cells.map((cell) => cell.textContent)), [
      'tag', 'date', 'commit', 'dirty', 'primary metric', 'value', 'hp.seed', 'hp.training.lr', 'status', 'verify',
    ], 'the hyperparameters that vary get columns; epochs (always 10) does not');

    await page.click('#runs-table tr.group[data-group="M3"] button.toggle');
    assert.equal((await visibleTags()).length, TOTAL - 30);
    await page.click('#runs-table tr.group[data-group="M3"] button.toggle');
    assert.equal((await visibleTags()).length, TOTAL);
    assert.deepEqual(problems, []);
  });

  it('filters: --where terms and words, with the count of what is shown', async () => {
    await filter('test_accuracy>=0.98 hp.training.lr=0.1');
    const expected = Array.from({ length: PLAIN }, (_, i) => i).filter((i) => accuracyOf(i) >= 0.98 && LRS[i % 3] === 0.1).map((i) => plainRun(i).tag);
    assert.ok(expected.length > 5);
    assert.deepEqual((await visibleTags()).sort(), expected.sort());
    assert.equal(await page.textContent('#filter-count'), `${expected.length} of ${TOTAL} runs`);

    await filter('M7-');
    assert.deepEqual((await visibleTags()).sort(), Array.from({ length: 30 }, (_, i) => `M7-run${i}`).sort());
    await filter('tag~^lr-sweep-lr0\\.01');
    assert.equal((await visibleTags()).length, 5);
    await filter('tag~(');
    assert.match(await page.textContent('#filter-error') ?? '', /^filter: Invalid regular expression/);
    await filter('test_accuracy=>0.9');
    assert.equal(await page.textContent('#filter-error'), 'filter: test_accuracy=>0.9: => is not an operator: OP is one of >= <= != !~ = > < ~');
    await filter('');
    assert.equal((await visibleTags()).length, TOTAL);
    assert.deepEqual(problems, []);
  });

  it("an experiment's variants show mean ± 95 % CI; one click lists the members, another opens one", async () => {
    const chips = await page.$$eval(`#runs-table tr.group[data-group="${EXPERIMENT}"] button.variant`, (buttons) => buttons.map((b) => b.textContent));
    // Half the Student t 95 % CI of 5 seeds 0.001 apart: t(0.975, 4) · 0.00158 / √5 = 0.00196324, rounded where the mean is (6 decimals).
    assert.deepEqual(chips, ['lr0.01: 0.932 ± 0.001963 (n = 5)', 'lr0.1: 0.902 ± 0.001963 (n = 5)']);
    await page.click(`#runs-table tr.group[data-group="${EXPERIMENT}"] button.variant >> text=lr0.01`);
    assert.deepEqual((await visibleTags()).sort(), SEEDS.map((seed) => `${EXPERIMENT}-lr0.01-s${seed}`));
    await page.click(`#runs-table tr[data-tag="${EXPERIMENT}-lr0.01-s2"] a`);
    await page.waitForSelector(`#run-${EXPERIMENT}-lr0\\.01-s2`);
    assert.match(await page.textContent('#run-details') ?? '', /experimentlr-sweep, variant lr0\.01, seed 2/);

    await filter('');
    await page.click(`#runs-table tr[data-tag="${EXPERIMENT}"] a`);
    await page.waitForSelector('#run-details table.experiment');
    const rows = await page.$$eval('#run-details table.experiment tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
    const row = rows.find((cells) => cells[0] === 'lr0.1')!;
    assert.deepEqual(row.slice(0, 4), ['lr0.1', '5', '0.902', '[0.900037, 0.903963]']);
    assert.equal(row[4], SEEDS.map((seed) => `${EXPERIMENT}-lr0.1-s${seed}`).join(', '));
    await page.click(`#run-details table.experiment a >> text=${EXPERIMENT}-lr0.1-s3`);
    await page.waitForSelector(`#run-${EXPERIMENT}-lr0\\.1-s3`);
    assert.deepEqual(problems, []);
  });
});
