/**
 * bench/scale/history: a training log at research size.
 *
 *   npx tsx bench/scale/history.ts [--rounds 3] [--steps 300000]
 *
 * A script that logs every step (dl_lab_log's `log(step, …)`) leaves a metrics file whose history
 * has one entry per step: 300,000 entries of 4 numbers is ~33 MB. Timed, round-robin, each a fresh
 * child process: `dl-lab run R --metrics long.json` with that history, the same run with a
 * 1,000-entry history (an ordinary per-epoch log), the long history kept in a JSON Lines file as
 * dl_lab_log.py keeps it (`history_file`), and `node -e JSON.parse` of the long file (the floor:
 * reading it at all); then `verify` of a long run and `report` over them all (its page size);
 * then a sweep of three seeds that each log that history, `verify` of its experiment record, and
 * `report` with the records among the runs.
 * Peak RSS of each against the 200 MB of the other scale suites.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DL_LAB, RSS_LIMIT_MB, flag, load, removeTree, Samples, scaffold, scratch, timeShell, triple, verdict } from './child-timing.js';

const ROUNDS = flag('rounds', 3);
const STEPS = flag('steps', 300_000);

const work = scratch('dl-lab-bench-scale-history-');
const loadBefore = load();
const project = scaffold(join(work, 'project'), 'scale-history');

/** A metrics file of `steps` history entries: a decaying noisy loss with one spike, a validation loss, an accuracy. */
const writeMetrics = (file: string, steps: number): void => {
  let seed = 1;
  const noise = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const history = Array.from({ length: steps }, (_, step) => ({
    epoch: step,
    loss: step === Math.floor(steps * 0.4) ? 5 : 1 / (1 + step / 1000) + 0.05 * noise(),
    val_loss: 1 / (1 + step / 1000) + 0.1,
    accuracy: 0.5 + (0.4 * step) / steps,
  }));
  const accuracy = history[steps - 1].accuracy;
  writeFileSync(
    file,
    JSON.stringify({
      metrics: { accuracy },
      primary_metric: 'accuracy',
      results: { accuracy },
      metric_definitions: { accuracy: { definition: 'accuracy on the held-out split', unit: 'fraction', higher_is_better: true } },
      history,
    }),
  );
};
/** `from`'s metrics as dl_lab_log.py leaves them, at `to`: the history as JSON Lines in a file beside it, which the head names (contract 1.1). */
const writeLoggedMetrics = (from: string, to: string): void => {
  const { history, ...head } = JSON.parse(readFileSync(from, 'utf8')) as { history: object[] };
  const lines = Buffer.from(history.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  const historyFile = { path: `${basename(to, '.json')}.history.jsonl`, bytes: lines.length, sha256: createHash('sha256').update(lines).digest('hex') };
  writeFileSync(join(dirname(to), historyFile.path), lines);
  writeFileSync(to, JSON.stringify({ schema_version: '1.1', status: 'completed', ...head, history_file: historyFile }));
};
const long = join(work, 'long.json');
const short = join(work, 'short.json');
const logged = join(work, 'logged.json');
writeMetrics(long, STEPS);
writeMetrics(short, 1000);
writeLoggedMetrics(long, logged);
timeShell(`${DL_LAB} run warm --metrics '${short}'`, project);

const samples = new Samples();
for (let round = 0; round < ROUNDS; round++) {
  const cases: Array<() => void> = [
    () => samples.add('long', timeShell(`${DL_LAB} run long-${round} --metrics '${long}'`, project)),
    () => samples.add('short', timeShell(`${DL_LAB} run short-${round} --metrics '${short}'`, project)),
    () => samples.add('logged', timeShell(`${DL_LAB} run logged-${round} --metrics '${logged}'`, project)),
    () => samples.add('parse', timeShell(`'${process.execPath}' -e "JSON.parse(require('fs').readFileSync('${long}', 'utf8'))"`, project)),
  ];
  for (const run of round % 2 === 0 ? cases : [...cases].reverse()) run();
}

// Reading such runs back: `verify` of one long run, and `report` over all of them (ROUNDS long, ROUNDS short).
for (let round = 0; round < ROUNDS; round++) {
  samples.add('verify', timeShell(`${DL_LAB} verify long-${round}`, project));
  samples.add('report', timeShell(`${DL_LAB} report`, project));
}
const pageBytes = statSync(join(project, 'artifacts', 'report.html')).size;

// Seeds of such a script: a sweep of three trials, each sealing the long log, then the experiment
// record (a mean and std of every column at every step); `verify` of the record recomputes it from
// the three members; then `report` with the record among the runs.
for (let round = 0; round < ROUNDS; round++) {
  samples.add('sweep', timeShell(`${DL_LAB} sweep seeds-${round} --seeds 0-2 -- sh -c "cp '${long}' {out}/metrics.json # seed {seed}"`, project));
  samples.add('verify-record', timeShell(`${DL_LAB} verify seeds-${round}`, project));
}
const recordBytes = statSync(join(project, 'artifacts', 'runs', 'seeds-0', 'analysis.json')).size;
samples.add('report-record', timeShell(`${DL_LAB} report`, project));

const rss = (key: string): string => `${samples.peakRssMb(key).toFixed(0)} MB`;
console.log(`\n### bench/scale/history (${ROUNDS} rounds, min / median / max; load average ${loadBefore} before, ${load()} after)\n`);
console.log('| case | time | compared | peak RSS | ≤ 200 MB |');
console.log('| --- | --- | --- | --- | --- |');
console.log(`| \`run R --metrics\`, ${STEPS} history entries | ${triple(samples.summary('long'))} | ${(samples.median('long') / samples.median('short')).toFixed(1)}× the 1,000-entry run | ${rss('long')} | ${verdict(samples.peakRssMb('long') <= RSS_LIMIT_MB)} |`);
console.log(`| \`run R --metrics\`, 1,000 history entries | ${triple(samples.summary('short'))} | | ${rss('short')} | ${verdict(samples.peakRssMb('short') <= RSS_LIMIT_MB)} |`);
console.log(`| \`run R --metrics\`, the ${STEPS} entries in a JSON Lines history file | ${triple(samples.summary('logged'))} | | ${rss('logged')} | ${verdict(samples.peakRssMb('logged') <= RSS_LIMIT_MB)} |`);
console.log(`| \`JSON.parse\` of the ${STEPS}-entry file alone | ${triple(samples.summary('parse'))} | | ${rss('parse')} | |`);
console.log(`| \`verify\` of one ${STEPS}-entry run | ${triple(samples.summary('verify'))} | | ${rss('verify')} | |`);
console.log(`| \`report\` over ${ROUNDS} such runs and ${ROUNDS} short ones | ${triple(samples.summary('report'))} | page ${(pageBytes / 1e6).toFixed(2)} MB | ${rss('report')} | |`);
console.log(`| \`sweep\` of 3 seeds logging ${STEPS} entries, and its record | ${triple(samples.summary('sweep'))} | record analysis.json ${(recordBytes / 1e6).toFixed(1)} MB | ${rss('sweep')} | |`);
console.log(`| \`verify\` of that record (recomputes it from its members) | ${triple(samples.summary('verify-record'))} | | ${rss('verify-record')} | |`);
console.log(`| \`report\` with ${ROUNDS} such records among the runs (once) | ${triple(samples.summary('report-record'))} | | ${rss('report-record')} | |`);
removeTree(work);
if (['long', 'short', 'logged'].some((key) => samples.peakRssMb(key) > RSS_LIMIT_MB)) process.exitCode = 1;
