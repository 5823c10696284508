/**
 * What the bench/scale suites share: timing child processes (wall time from spawn to exit, peak
 * RSS of the largest process in the tree from GNU time), a scratch folder that is deleted at exit,
 * and scaffolding a dl-lab project with the built bin.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Summary } from '../lib/stats.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO, 'dist/bin/dl-lab.js');
/** The built hashing module (bench/scale/checkpoint times it alone). */
export const SHA256_FILE = join(REPO, 'dist/core/hashing/sha256-file.js');
const GNU_TIME = '/usr/bin/time';

export const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};

/** A scratch folder under $TMPDIR (or `--dir`), removed at exit, read-only run files included. */
export const scratch = (prefix: string): string => {
  const i = process.argv.indexOf('--dir');
  const dir = mkdtempSync(join(i === -1 ? tmpdir() : process.argv[i + 1], prefix));
  process.on('exit', () => removeTree(dir));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  return dir;
};

/** rm -rf that also gets through read-only folders (published runs). */
export const removeTree = (dir: string): void => {
  const writable = (path: string): void => {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats?.isDirectory()) return;
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) writable(join(path, name));
  };
  if (existsSync(dir)) writable(dir);
  rmSync(dir, { recursive: true, force: true });
};

export interface Timed { ms: number; peakRssMb: number; stdout: string }

/** `sh -c script` in `cwd`, timed; fails loudly on a non-zero exit. */
export const timeShell = (script: string, cwd: string): Timed => {
  const rssFile = join(tmpdir(), `dl-lab-rss-${process.pid}-${process.hrtime.bigint()}`);
  const started = performance.now();
  const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, 'sh', '-c', script], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`failed (exit ${result.status}): ${script}\n${result.stderr}`);
  const peakRssMb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) / 1024;
  rmSync(rssFile, { force: true });
  return { ms, peakRssMb, stdout: result.stdout };
};

/** The peak RSS every scale case must stay within. */
export const RSS_LIMIT_MB = 200;

/** The built bin, as a shell word. */
export const DL_LAB = `'${process.execPath}' '${CLI}'`;

/** A scaffolded project (git init + first commit) at `dir`. */
export const scaffold = (dir: string, name: string): string => {
  const result = spawnSync(process.execPath, [CLI, '--name', name, '--out', dir, '--framework', 'none'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scaffold failed: ${result.stderr}`);
  return dir;
};

/** `tmp/metrics.json` in `project` (tmp/ is git-ignored by the scaffold): one metric, a run's smallest metrics file. Returns tmp/. */
export const writeSmallMetrics = (project: string): string => {
  const tmp = join(project, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(
    join(tmp, 'metrics.json'),
    JSON.stringify({
      metrics: { val_loss: 0.25 },
      metric_definitions: { val_loss: { definition: 'Mean cross-entropy on the validation split', unit: 'nats', higher_is_better: false } },
      primary_metric: 'val_loss',
      results: { val_loss: 0.25 },
    }),
  );
  return tmp;
};

/** Samples per case, then min/median/max. */
export class Samples {
  private readonly times = new Map<string, number[]>();
  private readonly rss = new Map<string, number>();

  add(key: string, timed: Timed): Timed {
    this.times.set(key, [...(this.times.get(key) ?? []), timed.ms]);
    this.rss.set(key, Math.max(this.rss.get(key) ?? 0, timed.peakRssMb));
    return timed;
  }

  median(key: string): number {
    return this.summary(key).median;
  }

  summary(key: string): Summary {
    return summarize(this.times.get(key) ?? [NaN]);
  }

  /**
   * `a` over `b` round by round (samples added in pairs, one of each per round), summarized: on a
   * shared machine whose disk and CPU speed drift between rounds, the ratio within a round is
   * steadier than the ratio of two medians taken from different rounds.
   */
  pairedRatios(a: string, b: string): Summary & { rounds: number[] } {
    const [over, under] = [this.times.get(a) ?? [], this.times.get(b) ?? []];
    if (over.length !== under.length || over.length === 0) throw new Error(`pairedRatios: ${a} has ${over.length} samples, ${b} ${under.length}`);
    const rounds = over.map((ms, round) => ms / under[round]);
    return { ...summarize(rounds), rounds };
  }

  peakRssMb(key: string): number {
    return this.rss.get(key) ?? NaN;
  }
}

export const triple = (s: Summary): string => `${(s.min / 1000).toFixed(2)} / ${(s.median / 1000).toFixed(2)} / ${(s.max / 1000).toFixed(2)} s`;
export const verdict = (ok: boolean): string => (ok ? 'ok' : '**FAIL**');
export const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
