/**
 * bench/experiments: what an experiment record costs beside what it stands on, in one run. A
 * project with 32 sealed member runs (2 variants × 16 seeds, each with a 20-epoch history), then,
 * each a fresh child process of the built bin, round-robin:
 *   - `dl-lab aggregate NAME` (a new NAME each time, same 32 members): verify every member, the
 *     statistics (10,000-resample bootstraps per variant and result), two figures, provenance, publish;
 *   - `dl-lab verify NAME` of such a record: the record, every member, every statistic recomputed;
 *   - baseline: `dl-lab verify` of the 32 member runs alone (the member checks both include).
 *
 *   npx tsx bench/experiments/run.ts [--repeat 5]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringifyJson } from '../../core/json-file.js';
import { Rng } from '../../core/training/prng.js';
import { summarize, type Summary } from '../lib/stats.js';

const REPEAT = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 5;
const CLI = fileURLToPath(new URL('../../dist/bin/dl-lab.js', import.meta.url));
const VARIANTS = ['narrow', 'wide'];
const SEEDS = Array.from({ length: 16 }, (_, i) => i);
const TAGS = VARIANTS.flatMap((variant) => SEEDS.map((seed) => ({ tag: `members-${variant}-s${seed}`, variant, seed })));

const root = mkdtempSync(join(tmpdir(), 'dl-lab-bench-experiments-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const cli = (args: string[]): number => {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`dl-lab ${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
  return performance.now() - started;
};

execFileSync(process.execPath, [CLI, '--name', 'bench-experiments', '--yes', '--skip-git', '--framework', 'none'], { cwd: root, stdio: 'ignore' });
const rng = new Rng(7);
mkdirSync(join(root, 'tmp'), { recursive: true });
for (const { tag, variant } of TAGS) {
  const accuracy = (variant === 'wide' ? 0.93 : 0.9) + 0.01 * rng.normal();
  const history = Array.from({ length: 20 }, (_, e) => ({ epoch: e + 1, val_accuracy: accuracy - 0.3 / (e + 1), val_loss: 1 - accuracy + 0.3 / (e + 1) }));
  const definition = (d: string, unit: string, higher: boolean) => ({ definition: d, unit, higher_is_better: higher });
  writeFileSync(join(root, 'tmp', `${tag}.json`), stringifyJson({
    metrics: { val_accuracy: accuracy, val_loss: 1 - accuracy },
    metric_definitions: { val_accuracy: definition('Validation accuracy', 'fraction', true), val_loss: definition('Validation loss', 'nats', false) },
    primary_metric: 'val_accuracy',
    results: { val_accuracy: accuracy, val_loss: 1 - accuracy },
    history,
  }));
  cli(['run', tag, '--metrics', `tmp/${tag}.json`]);
}
/** One plan per aggregation (a record is never rewritten), all naming the same 32 members. */
const plan = (name: string): void => {
  mkdirSync(join(root, 'artifacts/experiments', name), { recursive: true });
  writeFileSync(join(root, 'artifacts/experiments', name, 'plan.json'), stringifyJson({
    name, created_at: new Date().toISOString(), command: null, base_config: { path: null, sha256: '0'.repeat(64) },
    seeds: SEEDS, grid: [], variants: VARIANTS.map((v) => ({ name: v, overrides: {} })), trials: TAGS,
  }));
};

const samples = { aggregate: [] as number[], verifyRecord: [] as number[], verifyMembers: [] as number[] };
for (let round = -1; round < REPEAT; round++) {
  const name = `exp${round + 1}`;
  plan(name);
  const aggregate = cli(['aggregate', name]);
  const verifyRecord = cli(['verify', name]);
  const verifyMembers = cli(['verify', ...TAGS.map((t) => t.tag)]);
  if (round < 0) continue; // warm-up: fills the code cache
  samples.aggregate.push(aggregate);
  samples.verifyRecord.push(verifyRecord);
  samples.verifyMembers.push(verifyMembers);
}
const line = (label: string, s: Summary, base: Summary): string => `| ${label} | ${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)} | ${(s.median / base.median).toFixed(2)}× |`;
const base = summarize(samples.verifyMembers);
console.log(`32 members (2 variants × 16 seeds, 20-epoch histories), ${REPEAT} rounds (+1 warm-up); ms min / median / max; ratio of medians to the baseline\n`);
console.log('| command | ms | vs baseline |\n| --- | --- | ---: |');
console.log(line('baseline: `dl-lab verify` of the 32 member runs', base, base));
console.log(line('`dl-lab aggregate NAME` (writes the record)', summarize(samples.aggregate), base));
console.log(line('`dl-lab verify NAME` (record, members, statistics recomputed)', summarize(samples.verifyRecord), base));
