/**
 * bench/scale/checkpoint: a checkpoint of `--gib` GiB (default 2) sealed into a run.
 *
 *   npx tsx bench/scale/checkpoint.ts [--rounds 3] [--gib 2] [--dir DIR]
 *
 * Per round, each a fresh child process:
 * - `cp` of the file, then `sync`, beside `dl-lab run R --metrics m.json --checkpoint best.pt`,
 *   then `sync` (target ≤ 1.15×), warm (the file in the page cache) and cold (evicted first:
 *   `dd iflag=nocache count=0` drops that file's clean pages, without root and without emptying
 *   everyone's page cache as `echo 3 > /proc/sys/vm/drop_caches` would);
 * - `dl-lab run R … --checkpoint moved.pt --move-checkpoint` beside `openssl dgst -sha256` of
 *   a file of the same size (target ≤ 1.2×), both warm.
 * Verdicts on the median of the per-round ratios. Also timed: SHA-256 of the file alone in Node
 * (the run's floor). Peak RSS ≤ 200 MB. The scratch folder must be on one filesystem with the project (--dir).
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DL_LAB, SHA256_FILE, RSS_LIMIT_MB, flag, load, removeTree, Samples, scaffold, scratch, timeShell, triple, verdict, writeSmallMetrics } from './child-timing.js';

const ROUNDS = flag('rounds', 3);
const GIB = flag('gib', 2);
const work = scratch('dl-lab-bench-scale-checkpoint-');
const loadBefore = load();
const project = scaffold(join(work, 'project'), 'scale-checkpoint');
const tmp = writeSmallMetrics(project);

const checkpoint = join(tmp, 'best.pt');
const fd = openSync(checkpoint, 'w');
const block = Buffer.alloc(16 * 1024 * 1024);
for (let written = 0; written < GIB * 1024 ** 3; written += block.length) writeSync(fd, randomFillSync(block));
closeSync(fd);
timeShell('sync', project);

/**
 * Evict a file's pages (clean ones: after sync) so the next read comes from the disk. Per file,
 * not `echo 3 > /proc/sys/vm/drop_caches`: that would empty the page cache of everyone else on a
 * shared machine (and needs root).
 */
const evict = (path: string): void => {
  timeShell(`sync && dd if='${path}' iflag=nocache count=0 status=none`, project);
};
const warm = (path: string): void => void timeShell(`cat '${path}' > /dev/null`, project);

const samples = new Samples();
const run = (tag: string, extra = ''): string => `${DL_LAB} run ${tag} --metrics tmp/metrics.json ${extra}`;
/** SHA-256 of the checkpoint alone in Node, with the hashing a run uses: with a run's start-up, its floor. */
const hashAlone = `'${process.execPath}' --input-type=module -e "await (await import('${SHA256_FILE}')).sha256File('tmp/best.pt')"`;
for (let round = 0; round < ROUNDS; round++) {
  for (const temperature of round % 2 === 0 ? ['warm', 'cold'] : ['cold', 'warm']) {
    const prepare = temperature === 'warm' ? () => warm(checkpoint) : () => evict(checkpoint);
    const timeCp = (): void => {
      prepare();
      samples.add(`cp-${temperature}`, timeShell(`cp tmp/best.pt tmp/copy.pt && sync`, project));
      timeShell('rm tmp/copy.pt && sync', project);
    };
    const timeRun = (): void => {
      prepare();
      samples.add(`run-${temperature}`, timeShell(`${run(`copy-${temperature}-${round}`, '--checkpoint tmp/best.pt')} > /dev/null && sync`, project));
      removeTree(join(project, 'artifacts/runs', `copy-${temperature}-${round}`));
      timeShell('sync', project);
    };
    // Which goes first alternates too: the one after a 2 GiB delete + sync may meet the disk still busy.
    for (const timed of round % 2 === 0 ? [timeCp, timeRun] : [timeRun, timeCp]) timed();
  }
  warm(checkpoint);
  samples.add('hash-alone', timeShell(hashAlone, project));
  // --move-checkpoint: a fresh file each round (the move takes it), written and synced untimed.
  timeShell(`cp tmp/best.pt tmp/moved.pt && sync && cat tmp/moved.pt > /dev/null`, project);
  samples.add('openssl', timeShell('openssl dgst -sha256 tmp/moved.pt > /dev/null', project));
  samples.add('move', timeShell(`${run(`moved-${round}`, '--checkpoint tmp/moved.pt --move-checkpoint')} > /dev/null`, project));
  removeTree(join(project, 'artifacts/runs', `moved-${round}`));
}

/** The verdict's ratio: per round (see pairedRatios), their median; the range beside it. */
const paired = (a: string, b: string): { median: number; text: string } => {
  const r = samples.pairedRatios(a, b);
  return { median: r.median, text: `${r.median.toFixed(2)}× (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)}×; medians ${(samples.median(a) / samples.median(b)).toFixed(2)}×)` };
};
const rows: string[][] = [];
for (const temperature of ['warm', 'cold']) {
  const ratio = paired(`run-${temperature}`, `cp-${temperature}`);
  rows.push([
    `\`run --checkpoint\` (${GIB} GiB) + sync, ${temperature}`,
    triple(samples.summary(`run-${temperature}`)),
    `${ratio.text} \`cp\` + sync (${triple(samples.summary(`cp-${temperature}`))})`,
    '≤ 1.15×',
    verdict(ratio.median <= 1.15),
  ]);
}
const move = paired('move', 'openssl');
rows.push([
  `\`run --checkpoint … --move-checkpoint\` (${GIB} GiB), warm`,
  triple(samples.summary('move')),
  `${move.text} \`openssl dgst -sha256\` (${triple(samples.summary('openssl'))})`,
  '≤ 1.2×',
  verdict(move.median <= 1.2),
]);
// Above 1.15 here, the target is out of reach whatever the run does: a run must hash the whole file.
rows.push([`SHA-256 of the file alone in Node (warm; a run's floor is this plus its start-up)`, triple(samples.summary('hash-alone')), `${paired('hash-alone', 'cp-warm').text} \`cp\` + sync, warm`, '', '']);
const rssKeys = ['run-warm', 'run-cold', 'move'];
const worstRss = Math.max(...rssKeys.map((key) => samples.peakRssMb(key)));
rows.push(['peak RSS (largest process)', rssKeys.map((key) => `${key} ${samples.peakRssMb(key).toFixed(0)} MB`).join(', '), '', `≤ ${RSS_LIMIT_MB} MB`, verdict(worstRss <= RSS_LIMIT_MB)]);

console.log(`\n### bench/scale/checkpoint (${ROUNDS} rounds, min / median / max; load average ${loadBefore} before, ${load()} after)\n`);
console.log('| case | time | compared | target | |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
for (const [label, a, b] of [['warm', 'run-warm', 'cp-warm'], ['cold', 'run-cold', 'cp-cold'], ['move', 'move', 'openssl'], ['hash alone', 'hash-alone', 'cp-warm']]) {
  console.log(`${label === 'warm' ? '\n' : ''}- per-round ratios, ${label}: ${samples.pairedRatios(a, b).rounds.map((r) => r.toFixed(2)).join(', ')}`);
}
console.log("\n- cold: the source file's pages dropped with `dd iflag=nocache count=0` after `sync` (per file; the global drop_caches is not used)");
removeTree(work);
if (rows.some((row) => row[4].includes('FAIL'))) process.exitCode = 1;

