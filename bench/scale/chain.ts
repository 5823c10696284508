/**
 * bench/scale/chain: a chain of `--runs` resumed runs (default 16, as a Slurm job requeued again and
 * again leaves them), each `dl-lab run rNN --checkpoint … --parent rNN-1` with a checkpoint of
 * `--mib` MiB (default 32).
 *
 *   npx tsx bench/scale/chain.ts [--rounds 3] [--runs 16] [--mib 32]
 *
 * A run passes verify only if its ancestors do, so `dl-lab verify rLAST` verifies the whole chain,
 * each run once. Per round, each a fresh child process with every checkpoint in the page cache:
 * `dl-lab verify` of the project and `dl-lab report` (targets: ≤ 1.3× `dl-lab verify rLAST`, i.e.
 * each run verified once, not once per descendant), and `sha256sum` of the checkpoints (the hashing
 * any verify must do); and one more resumption, `dl-lab run R --checkpoint … --parent rLAST`,
 * beside the same run without `--parent` (target ≤ 1.3×: the parent's files are checked, not the
 * whole chain). Peak RSS ≤ 200 MB.
 */
import { randomFillSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DL_LAB, RSS_LIMIT_MB, flag, load, removeTree, Samples, scaffold, scratch, timeShell, triple, verdict, writeSmallMetrics } from './child-timing.js';

const ROUNDS = flag('rounds', 3);
const RUNS = flag('runs', 16);
const MIB = flag('mib', 32);
const work = scratch('dl-lab-bench-scale-chain-');
const loadBefore = load();
const project = scaffold(join(work, 'project'), 'scale-chain');
const tmp = writeSmallMetrics(project);

const tags = Array.from({ length: RUNS }, (_, index) => `r${String(index + 1).padStart(2, '0')}`);
for (const [index, tag] of tags.entries()) {
  writeFileSync(join(tmp, 'ckpt.pt'), randomFillSync(Buffer.alloc(MIB * 1024 * 1024)));
  const parent = index > 0 ? ` --parent ${tags[index - 1]}` : '';
  timeShell(`${DL_LAB} run ${tag} --metrics tmp/metrics.json --checkpoint tmp/ckpt.pt${parent} > /dev/null`, project);
}
const last = tags[tags.length - 1];
const checkpoints = 'artifacts/runs/*/checkpoints/*';

const samples = new Samples();
const cases: Array<[string, string]> = [
  ['verify-last', `${DL_LAB} verify ${last} > /dev/null`],
  ['verify-all', `${DL_LAB} verify > /dev/null`],
  ['report', `${DL_LAB} report > /dev/null`],
  ['sha256sum', `sha256sum ${checkpoints} > /dev/null`],
];
timeShell(`cat ${checkpoints} > /dev/null`, project);
/** One more resumption sealed (`--parent` the last run), and the same run without a parent; removed after, so verify sees the chain alone. */
const sealOne = (key: string, tag: string, extra: string): [string, () => void] => [
  key,
  () => {
    samples.add(key, timeShell(`${DL_LAB} run ${tag} --metrics tmp/metrics.json --checkpoint tmp/ckpt.pt${extra} > /dev/null`, project));
    removeTree(join(project, 'artifacts/runs', tag));
  },
];
for (let round = 0; round < ROUNDS; round++) {
  const timed: Array<[string, () => void]> = [
    ...cases.map(([key, script]): [string, () => void] => [key, () => void samples.add(key, timeShell(script, project))]),
    sealOne('run-parent', `resumed-${round}`, ` --parent ${last}`),
    sealOne('run-alone', `alone-${round}`, ''),
  ];
  for (const [, time] of round % 2 === 0 ? timed : [...timed].reverse()) time();
}

const ratio = (a: string, b: string): number => samples.pairedRatios(a, b).median;
const rows: string[][] = [
  [`\`dl-lab verify ${last}\` (the chain, each run once)`, triple(samples.summary('verify-last')), `${ratio('verify-last', 'sha256sum').toFixed(2)}× \`sha256sum\` of the ${RUNS} checkpoints (${triple(samples.summary('sha256sum'))})`, '', ''],
  ...(['verify-all', 'report'] as const).map((key) => [
    key === 'report' ? '`dl-lab report`' : '`dl-lab verify` (every run of the project)',
    triple(samples.summary(key)),
    `${ratio(key, 'verify-last').toFixed(2)}× \`dl-lab verify ${last}\``,
    '≤ 1.3×',
    verdict(ratio(key, 'verify-last') <= 1.3),
  ]),
];
rows.push([
  `\`dl-lab run R --checkpoint … --parent ${last}\` (a ${RUNS + 1}th resumption)`,
  triple(samples.summary('run-parent')),
  `${ratio('run-parent', 'run-alone').toFixed(2)}× the same run without \`--parent\` (${triple(samples.summary('run-alone'))})`,
  '≤ 1.3×',
  verdict(ratio('run-parent', 'run-alone') <= 1.3),
]);
const rssKeys = ['verify-last', 'verify-all', 'report', 'run-parent'];
const worstRss = Math.max(...rssKeys.map((key) => samples.peakRssMb(key)));
rows.push(['peak RSS (largest process)', rssKeys.map((key) => `${key} ${samples.peakRssMb(key).toFixed(0)} MB`).join(', '), '', `≤ ${RSS_LIMIT_MB} MB`, verdict(worstRss <= RSS_LIMIT_MB)]);

console.log(`\n### bench/scale/chain (${RUNS} resumed runs, ${MIB} MiB checkpoints; ${ROUNDS} rounds, min / median / max; load average ${loadBefore} before, ${load()} after)\n`);
console.log('| case | time | compared | target | |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
removeTree(work);
if (rows.some((row) => row[4].includes('FAIL'))) process.exitCode = 1;
