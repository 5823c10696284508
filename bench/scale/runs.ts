/**
 * bench/scale/runs: the views of many runs. Builds its own projects of synthetic sealed runs
 * (test/helpers/synthetic-runs.ts: real manifests with this machine's environment, metrics,
 * hyperparameters, a 10-epoch history each), then times, as fresh child processes round-robin:
 *
 *   - `dl-lab runs --where … --where … --sort … --limit 20` over 10,000 runs   (target ≤ 1 s)
 *       baseline: `cat` of the files it may read (every summary.json and manifest.json)
 *   - `dl-lab report` over 10,000 runs                                         (target ≤ 10 s)
 *       baseline: `dl-lab verify` of the same runs (the report verifies every run)
 *   - the report page with 1,000 runs in headless Chromium: first contentful paint (target ≤ 3 s)
 *   - peak RSS of each command (GNU time %M)                                   (target ≤ 200 MB)
 *
 *   npx tsx bench/scale/runs.ts [--runs 10000] [--rounds 5] [--quick]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { captureEnvironment } from '../../core/provenance/environment.js';
import { CLI } from '../../test/helpers/cli.js';
import { ACCURACY, LOSS } from '../../test/helpers/runs.js';
import { writeSyntheticRuns, type SyntheticRun } from '../../test/helpers/synthetic-runs.js';
import { summarize, type Summary } from '../lib/stats.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const QUICK = argv.includes('--quick');
const RUNS = option('--runs', QUICK ? 2_000 : 10_000);
const ROUNDS = option('--rounds', QUICK ? 2 : 5);
const PAGE_RUNS = 1_000;
const CHROMIUM = '/usr/bin/chromium';
const TIME = '/usr/bin/time';

const LRS = [0.1, 0.01, 0.001, 0.3];
const accuracy = (i: number): number => 0.8 + (i % 97) / 500;
const syntheticRun = (i: number): SyntheticRun => ({
  tag: `E${Math.floor(i / 100)}-v${i % 4}-s${i % 25}`,
  createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  metrics: {
    metrics: { test_accuracy: accuracy(i), val_loss: 1 - accuracy(i) },
    metric_definitions: { test_accuracy: ACCURACY, val_loss: LOSS },
    primary_metric: 'test_accuracy',
    results: { test_accuracy: accuracy(i) },
    history: Array.from({ length: 10 }, (_, e) => ({ epoch: e + 1, train_loss: 1 / (e + 2), val_loss: 1.1 / (e + 2), val_accuracy: 0.5 + e / 25 })),
  },
  hyperparameters: { seed: i % 25, model: { hidden: 16 * (1 + (i % 3)) }, training: { lr: LRS[i % 4], epochs: 10 } },
});

const makeProject = async (count: number, environment: Awaited<ReturnType<typeof captureEnvironment>>): Promise<string> => {
  const root = mkdtempSync(join(tmpdir(), `dl-lab-bench-scale-runs-${count}-`));
  writeFileSync(join(root, '.yo-rc.json'), JSON.stringify({ 'generator-dl-lab': { name: 'bench' } }));
  await writeSyntheticRuns(root, Array.from({ length: count }, (_, i) => syntheticRun(i)), environment);
  return root;
};

interface Timed { ms: number; rssMb: number | undefined }

/** A command as a fresh child process, timed from spawn to exit, its peak RSS from GNU time when there is one. */
const timed = (command: string, args: string[], cwd: string): Timed => {
  const useTime = existsSync(TIME);
  const start = performance.now();
  const result = useTime
    ? spawnSync(TIME, ['-f', '%M', command, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const kb = useTime ? Number(result.stderr.trim().split('\n').pop()) : NaN;
  return { ms, rssMb: Number.isFinite(kb) ? kb / 1024 : undefined };
};

const env = await captureEnvironment();
const started = performance.now();
process.stderr.write(`building ${RUNS.toLocaleString('en')} runs…\n`);
const big = await makeProject(RUNS, env);
process.stderr.write(`built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

const QUERY = ['runs', '--where', 'test_accuracy>=0.9', '--where', 'hp.training.lr=0.1', '--sort', '-test_accuracy', '--limit', '20'];
const cases: Array<{ key: string; label: string; run: () => Timed }> = [
  { key: 'runs', label: `\`dl-lab ${QUERY.join(' ').replace(/(test_accuracy>=0\.9)/, "'$1'")}\``, run: () => timed(process.execPath, [CLI, ...QUERY], big) },
  { key: 'cat', label: '`cat` of every summary.json and manifest.json', run: () => timed('bash', ['-c', 'find artifacts/runs \\( -name summary.json -o -name manifest.json \\) -print0 | xargs -0 cat > /dev/null'], big) },
  { key: 'node', label: '`node -e 0`', run: () => timed(process.execPath, ['-e', '0'], big) },
  { key: 'report', label: '`dl-lab report`', run: () => timed(process.execPath, [CLI, 'report'], big) },
  { key: 'verify', label: '`dl-lab verify`', run: () => timed(process.execPath, [CLI, 'verify'], big) },
];
const samples = new Map<string, Timed[]>(cases.map((c) => [c.key, []]));
const loadBefore = loadavg();
for (let round = -1; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? cases : [...cases].reverse();
  for (const c of order) {
    // Report and verify cost seconds each: fewer rounds of them.
    if (round >= 0 && (c.key === 'report' || c.key === 'verify') && round >= Math.max(2, Math.ceil(ROUNDS / 2))) continue;
    const sample = c.run();
    if (round >= 0) samples.get(c.key)!.push(sample);
  }
  process.stderr.write(`\rround ${round + 1}/${ROUNDS}${round < 0 ? ' (warm-up)' : ''}   `);
}
process.stderr.write('\n');
const reportBytes = statSync(join(big, 'artifacts/report.html')).size;
rmSync(big, { recursive: true, force: true });

// ---- first paint with 1,000 runs ------------------------------------------------------------------
let paint: { fcp: Summary; load: Summary; bytes: number } | string;
if (!existsSync(CHROMIUM)) paint = `not measured: ${CHROMIUM} not found`;
else {
  const small = await makeProject(PAGE_RUNS, env);
  timed(process.execPath, [CLI, 'report'], small);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  const fcp: number[] = [];
  const load: number[] = [];
  const url = pathToFileURL(join(small, 'artifacts/report.html')).href;
  for (let round = -1; round < ROUNDS; round++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url, { waitUntil: 'load' });
    // A string: evaluated in the page (this file is compiled without the DOM's types).
    const timing = (await page.evaluate(
      "({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, load: performance.getEntriesByType('navigation')[0].loadEventEnd })",
    )) as { fcp: number; load: number };
    if (round >= 0) {
      fcp.push(timing.fcp);
      load.push(timing.load);
    }
    await page.close();
  }
  await browser.close();
  paint = { fcp: summarize(fcp), load: summarize(load), bytes: statSync(join(small, 'artifacts/report.html')).size };
  rmSync(small, { recursive: true, force: true });
}

// ---- report ---------------------------------------------------------------------------------------
const ms = (key: string): Summary => summarize(samples.get(key)!.map((s) => s.ms));
const rss = (key: string): number | undefined => {
  const values = samples.get(key)!.flatMap((s) => (s.rssMb === undefined ? [] : [s.rssMb]));
  return values.length ? Math.max(...values) : undefined;
};
const triple = (s: Summary): string => [s.min, s.median, s.max].map((n) => n.toFixed(0)).join(' / ');
const verdict = (ok: boolean): string => (ok ? '**PASS**' : '**FAIL**');
const label = (key: string): string => cases.find((c) => c.key === key)!.label;

console.log(`bench/scale/runs: ${RUNS.toLocaleString('en')} runs, ${ROUNDS} rounds (+1 warm-up; report and verify ${Math.min(ROUNDS, Math.max(2, Math.ceil(ROUNDS / 2)))}), load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadavg().map((l) => l.toFixed(1)).join(' ')} after\n`);
console.log('| measure | ms (min / median / max) | baseline, same rounds | ratio | peak RSS | target | |');
console.log('| --- | --- | --- | ---: | ---: | --- | --- |');
const row = (key: string, baseline: string, limitMs: number): void => {
  const ratio = ms(key).median / ms(baseline).median;
  const peak = rss(key);
  const ok = ms(key).median <= limitMs && (peak === undefined || peak <= 200);
  console.log(`| ${label(key)} over ${RUNS.toLocaleString('en')} runs | ${triple(ms(key))} | ${label(baseline)}: ${triple(ms(baseline))} | ${ratio.toFixed(2)}× | ${peak === undefined ? 'n/a' : `${peak.toFixed(0)} MB`} | ≤ ${limitMs / 1000} s, ≤ 200 MB | ${verdict(ok)} |`);
};
row('runs', 'cat', 1_000);
row('report', 'verify', 10_000);
if (typeof paint === 'string') console.log(`| report page, ${PAGE_RUNS.toLocaleString('en')} runs, first contentful paint | ${paint} | | | | ≤ 3 s | |`);
else {
  console.log(`| report page, ${PAGE_RUNS.toLocaleString('en')} runs (${(paint.bytes / 1e6).toFixed(2)} MB), first contentful paint in Chromium | ${triple(paint.fcp)} | load event: ${triple(paint.load)} | | | ≤ 3 s | ${verdict(paint.fcp.median <= 3_000)} |`);
}
console.log(`\n- start-up floor: ${label('node')} ${triple(ms('node'))} ms; ${RUNS.toLocaleString('en')}-run report page: ${(reportBytes / 1e6).toFixed(1)} MB`);
console.log(`- peak RSS: verify ${rss('verify')?.toFixed(0) ?? 'n/a'} MB`);
