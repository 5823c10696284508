/**
 * bench/sweep: a 32-trial `dl-lab sweep` of the built-in demo with `--jobs 2` against its baseline
 * measured in the same run, 32 sequential `dl-lab demo` calls (target: the sweep ≤ 0.4× their time),
 * and the sweep's per-trial overhead over the training itself (`duration_seconds` of each run).
 * Rounds interleave the cases; medians are reported.
 *
 *   npm run build && npx tsx bench/sweep/run.ts [--rounds 3] [--trials 32]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Summary } from '../lib/stats.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO, 'dist/bin/dl-lab.js');
const args = process.argv.slice(2);
const option = (flag: string, fallback: number): number => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
const ROUNDS = option('--rounds', 3);
const TRIALS = option('--trials', 32);
const TARGET = 0.4;

const work = mkdtempSync(join(tmpdir(), 'dl-lab-bench-sweep-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));

const dlLab = (cwd: string, argv: string[]): number => {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...argv], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`dl-lab ${argv.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return performance.now() - started;
};

const project = join(work, 'project');
mkdirSync(project);
dlLab(project, ['--name', 'bench-sweep', '--yes', '--skip-git']);
const training = (tag: string): number => JSON.parse(readFileSync(join(project, 'artifacts/runs', tag, 'summary.json'), 'utf8')).metrics.duration_seconds * 1000;
const seeds = `0-${TRIALS - 1}`;

interface Sample { sequential: number; sweep2: number; sweep1: number; trainingMedian1: number }
const samples: Sample[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ['sequential', 'sweep2', 'sweep1'] : ['sweep1', 'sweep2', 'sequential'];
  const sample: Partial<Sample> = {};
  for (const which of order) {
    if (which === 'sequential') {
      let total = 0;
      for (let seed = 0; seed < TRIALS; seed++) total += dlLab(project, ['demo', '--seed', String(seed), '--tag', `seq${round}-s${seed}`, '--quiet']);
      sample.sequential = total;
    } else {
      const jobs = which === 'sweep2' ? 2 : 1;
      const name = `j${jobs}r${round}`;
      sample[which as 'sweep2' | 'sweep1'] = dlLab(project, ['sweep', name, '--seeds', seeds, '--jobs', String(jobs), '--quiet']);
      if (jobs === 1) sample.trainingMedian1 = summarize(Array.from({ length: TRIALS }, (_, s) => training(`${name}-base-s${s}`))).median;
    }
  }
  samples.push(sample as Sample);
  process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
}

const median = (key: keyof Sample): number => summarize(samples.map((s) => s[key])).median;
const triple = (s: Summary, scale = 1, digits = 0): string => [s.min, s.median, s.max].map((n) => (n / scale).toFixed(digits)).join(' / ');
const ratio = median('sweep2') / median('sequential');
const perTrial1 = median('sweep1') / TRIALS;
const perTrial2 = median('sweep2') / TRIALS;
const trainingMs = median('trainingMedian1');

console.log(`\n## dl-lab sweep: ${TRIALS} demo trials (min / median / max over ${ROUNDS} rounds)\n`);
console.log(`- ${cpus()[0]?.model.trim() ?? 'CPU'}, nproc ${availableParallelism()}, node ${process.version}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('\n| measure | time, s | ratio to baseline | target | |');
console.log('| --- | --- | ---: | --- | --- |');
console.log(`| baseline: ${TRIALS} sequential \`dl-lab demo --seed N --quiet\` | ${triple(summarize(samples.map((s) => s.sequential)), 1000, 2)} | 1.00× | | |`);
console.log(`| \`dl-lab sweep NAME --seeds ${seeds} --jobs 2 --quiet\` | ${triple(summarize(samples.map((s) => s.sweep2)), 1000, 2)} | ${ratio.toFixed(2)}× | ≤ ${TARGET}× | ${ratio <= TARGET ? '**PASS**' : '**FAIL**'} |`);
console.log(`| \`… --jobs 1\` | ${triple(summarize(samples.map((s) => s.sweep1)), 1000, 2)} | ${(median('sweep1') / median('sequential')).toFixed(2)}× | | |`);
console.log(`\n- per trial: ${perTrial2.toFixed(0)} ms of sweep wall time with --jobs 2, ${perTrial1.toFixed(0)} ms with --jobs 1, of which training (median \`duration_seconds\`, --jobs 1) ${trainingMs.toFixed(0)} ms: overhead over the training ${(perTrial1 - trainingMs).toFixed(0)} ms a trial (figures, hashing, validation, the atomic publish; the sweep's start-up, one provenance capture and the closing dl-lab aggregate spread over ${TRIALS} trials)`);
console.log(`- a sequential \`dl-lab demo\` costs ${(median('sequential') / TRIALS).toFixed(0)} ms a trial (Node start-up, Yeoman, its own provenance capture)`);
if (ratio > TARGET) process.exitCode = 1;
