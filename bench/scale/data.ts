/**
 * bench/scale/data: data is not code, at research size.
 *
 *   npx tsx bench/scale/data.ts [--rounds 5] [--files 100000] [--untracked 3000] [--untracked-binary-mib 48] [--dir DIR]
 *
 * 1. `dl-lab run R --data ds` with ds = 100,000 files of 2 KiB under data/ds, registered and
 *    unchanged since `data add`, beside the same `run R` without --data and `sha256sum` of every
 *    file from scratch (find | xargs sha256sum). Targets: ≤ 0.5× sha256sum, ≤ 0.35 s over the run
 *    without --data.
 *    And the same dataset after one file was touched (its bytes unchanged, so every file is stat'ed
 *    and looked up in the hash cache): `data check`, and `run R --data ds`; then one file's bytes
 *    changed: both must exit 1 naming it (timed once).
 * 2. `dl-lab run R` with 3,000 small untracked source files, beside the same run on a clean tree.
 *    Target ≤ 1.5×; the last patch must hold all 3,000 and `git apply` on the commit in a fresh
 *    clone must give them back byte for byte.
 * 3. `dl-lab run R` with one 48 MiB untracked binary file (a checkpoint left in the tree; within
 *    the patch's 64 MiB budget): it must be in the patch, and the patch must give it back.
 * Every case: peak RSS ≤ 200 MB. Cases run round-robin, each a fresh child process; medians count.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DL_LAB, RSS_LIMIT_MB, flag, load, removeTree, Samples, scaffold, scratch, timeShell, triple, verdict } from './child-timing.js';

const ROUNDS = flag('rounds', 5);
const FILES = flag('files', 100_000);
const UNTRACKED = flag('untracked', 3000);
const BLOB_MIB = flag('untracked-binary-mib', 48);

const work = scratch('dl-lab-bench-scale-data-');
const loadBefore = load();
const samples = new Samples();
const git = (cwd: string, ...args: string[]): string => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

// ---- 1. a 100,000-file dataset ------------------------------------------------------------------
const dataProject = scaffold(join(work, 'data-project'), 'scale-data');
const dsDir = join(dataProject, 'data/ds');
const block = Buffer.alloc(2048);
for (let i = 0; i < FILES; i++) {
  if (i % 1000 === 0) mkdirSync(join(dsDir, `part-${String(i / 1000).padStart(3, '0')}`), { recursive: true });
  block.writeUInt32LE(i, 0); // every file different
  block.fill(i % 251, 4);
  writeFileSync(join(dsDir, `part-${String(Math.floor(i / 1000)).padStart(3, '0')}`, `sample-${String(i).padStart(6, '0')}.bin`), block);
}
const add = timeShell(`${DL_LAB} data add data/ds --name ds`, dataProject);
git(dataProject, 'add', 'knowledge_base');
git(dataProject, 'commit', '-qm', 'register ds');
const registryBytes = statSync(join(dataProject, 'knowledge_base/data/datasets.json')).size;
const listRef = JSON.parse(readFileSync(join(dataProject, 'knowledge_base/data/datasets.json'), 'utf8')).datasets.ds.file_list;
// One run each first (page cache, and the first --data run after files written moments ago).
timeShell(`${DL_LAB} run warm-data --data ds`, dataProject);
timeShell(`${DL_LAB} run warm-plain`, dataProject);

// ---- 2. 3,000 untracked source files, and a clean twin -------------------------------------------
const clean = scaffold(join(work, 'clean-project'), 'scale-clean');
const dirty = scaffold(join(work, 'dirty-project'), 'scale-dirty');
for (let i = 0; i < UNTRACKED; i++) {
  const dir = join(dirty, 'src/generated', `m${String(Math.floor(i / 100)).padStart(2, '0')}`);
  if (i % 100 === 0) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `op_${String(i).padStart(4, '0')}.py`), `# generated operator ${i}\ndef op_${i}(x):\n    return x * ${i} + ${i % 7}\n`);
}
timeShell(`${DL_LAB} run warm`, clean);
timeShell(`${DL_LAB} run warm`, dirty);

// ---- 3. one large untracked binary file (a checkpoint left in the tree): in the patch, within its budget
const blobProject = scaffold(join(work, 'blob-project'), 'scale-blob');
writeFileSync(join(blobProject, 'model-final.pt'), Buffer.concat([Buffer.alloc(1), randomBytes(BLOB_MIB * 1024 * 1024 - 1)]));
timeShell(`${DL_LAB} run warm`, blobProject);

// A touch with a time in the past: a file modified within the last seconds is never cached (the
// racy window), and would make the next unchanged-dataset run check every file again. Each touch
// gets a time of its own, counting down from two hours ago: a time used before could equal the one
// of the last verified state, and the check would take the fast path.
const touched = 'data/ds/part-000/sample-000000.bin';
const touchBase = Math.floor(Date.now() / 1000) - 7200;
let touches = 0;
const touchOld = (): string => `touch -d @${touchBase - ++touches} ${touched}`;

for (let round = 0; round < ROUNDS; round++) {
  const cases: Array<[string, () => void]> = [
    ['checkTouched', () => samples.add('checkTouched', timeShell(`${touchOld()} && ${DL_LAB} data check`, dataProject))],
    ['runTouched', () => samples.add('runTouched', timeShell(`${touchOld()} && ${DL_LAB} run touched-${round} --data ds`, dataProject))],
    ['runData', () => samples.add('runData', timeShell(`${DL_LAB} run data-${round} --data ds`, dataProject))],
    ['runPlain', () => samples.add('runPlain', timeShell(`${DL_LAB} run plain-${round}`, dataProject))],
    ['sha256sum', () => samples.add('sha256sum', timeShell('find data/ds -type f -print0 | xargs -0 sha256sum > /dev/null', dataProject))],
    ['runClean', () => samples.add('runClean', timeShell(`${DL_LAB} run clean-${round}`, clean))],
    ['runDirty', () => samples.add('runDirty', timeShell(`${DL_LAB} run dirty-${round}`, dirty))],
    ['runBlob', () => samples.add('runBlob', timeShell(`${DL_LAB} run blob-${round}`, blobProject))],
  ];
  for (const [, run] of round % 2 === 0 ? cases : [...cases].reverse()) run();
}

// ---- one file's bytes changed: named by data check, and the run refused --------------------------
writeFileSync(join(dataProject, touched), Buffer.alloc(2048, 7));
const refusals = ['data check', 'run changed --data ds'].map((command) => {
  const timed = timeShell(`${DL_LAB} ${command} 2> refusal.txt; test $? -eq 1`, dataProject);
  const named = readFileSync(join(dataProject, 'refusal.txt'), 'utf8').includes(`ds: changed ${touched.slice('data/ds/'.length)}`);
  return { command, timed, named };
});
const refusedRight = refusals.every(({ named }) => named) && !existsSync(join(dataProject, 'artifacts/runs/changed'));

// ---- the patch of the last dirty run: all 3,000 files, and it round-trips -----------------------
const lastDirty = join(dirty, 'artifacts/runs', `dirty-${ROUNDS - 1}`);
const manifest = JSON.parse(readFileSync(join(lastDirty, 'manifest.json'), 'utf8'));
const patch = readFileSync(join(lastDirty, 'code.patch'), 'utf8');
const filesInPatch = (patch.match(/^new file mode/gm) ?? []).length;
const clone = join(work, 'clone');
git(work, 'clone', '-q', dirty, clone);
git(clone, 'checkout', '-q', manifest.code.git.commit);
const applied = spawnSync('git', ['apply', join(lastDirty, 'code.patch')], { cwd: clone, encoding: 'utf8' });
const same = spawnSync('diff', ['-r', join(dirty, 'src/generated'), join(clone, 'src/generated')], { encoding: 'utf8' });
const roundTrips = applied.status === 0 && same.status === 0;
const blobClone = join(work, 'blob-clone');
git(work, 'clone', '-q', blobProject, blobClone);
const blobApplied = spawnSync('git', ['apply', join(blobProject, 'artifacts/runs', `blob-${ROUNDS - 1}`, 'code.patch')], { cwd: blobClone, encoding: 'utf8' });
const blobRoundTrips = blobApplied.status === 0 && readFileSync(join(blobClone, 'model-final.pt')).equals(readFileSync(join(blobProject, 'model-final.pt')));
const dataManifest = JSON.parse(readFileSync(join(dataProject, 'artifacts/runs', `data-${ROUNDS - 1}`, 'manifest.json'), 'utf8'));

// ---- report -------------------------------------------------------------------------------------
const ratio = (a: string, b: string): number => samples.median(a) / samples.median(b);
const rows: string[][] = [
  [`\`run R --data ds\` (${FILES} × 2 KiB, unchanged)`, triple(samples.summary('runData')), `${ratio('runData', 'sha256sum').toFixed(2)}× sha256sum`, '≤ 0.5×', verdict(ratio('runData', 'sha256sum') <= 0.5)],
  ['… minus the same `run R` without --data', `${((samples.median('runData') - samples.median('runPlain')) / 1000).toFixed(2)} s`, `run alone ${triple(samples.summary('runPlain'))}`, '≤ 0.35 s', verdict(samples.median('runData') - samples.median('runPlain') <= 350)],
  [`\`sha256sum\` of the ${FILES} files from scratch`, triple(samples.summary('sha256sum')), '', '', ''],
  [`\`run R\` with ${UNTRACKED} untracked source files`, triple(samples.summary('runDirty')), `${ratio('runDirty', 'runClean').toFixed(2)}× the clean-tree run (${triple(samples.summary('runClean'))})`, '≤ 1.5×', verdict(ratio('runDirty', 'runClean') <= 1.5)],
  ['… its code.patch', `${filesInPatch} new files, ${(patch.length / 1024).toFixed(0)} KiB`, roundTrips ? 'git apply on the commit gives them back' : 'DOES NOT ROUND-TRIP', `all ${UNTRACKED}`, verdict(filesInPatch === UNTRACKED && roundTrips)],
  [`\`run R\` with a ${BLOB_MIB} MiB untracked binary file`, triple(samples.summary('runBlob')), `${ratio('runBlob', 'runClean').toFixed(2)}× the clean-tree run; ${blobRoundTrips ? 'git apply gives the file back' : 'DOES NOT ROUND-TRIP'}`, 'in the patch', verdict(blobRoundTrips)],
];
rows.push(
  ['`data check`, one file touched', triple(samples.summary('checkTouched')), 'every file stat\'ed and looked up in the hash cache', '', ''],
  ['`run R --data ds`, one file touched', triple(samples.summary('runTouched')), '', '', ''],
  ['one file changed: `data check`, `run --data`', refusals.map(({ timed }) => `${(timed.ms / 1000).toFixed(2)} s`).join(', '), refusedRight ? 'both exit 1 naming the file; no run written' : 'NOT REFUSED AS EXPECTED', 'exit 1', verdict(refusedRight)],
);
const rssKeys = ['runData', 'runPlain', 'runClean', 'runDirty', 'runBlob', 'checkTouched', 'runTouched'];
const rssOf: [string, number][] = [...rssKeys.map((key): [string, number] => [key, samples.peakRssMb(key)]), ['add', add.peakRssMb], ...refusals.map(({ command, timed }): [string, number] => [command.split(' ')[0] === 'run' ? 'runChanged' : 'checkChanged', timed.peakRssMb])];
const worstRss = Math.max(...rssOf.map(([, mb]) => mb));
rows.push(['peak RSS (largest process)', rssOf.map(([key, mb]) => `${key} ${mb.toFixed(0)} MB`).join(', '), '', `≤ ${RSS_LIMIT_MB} MB`, verdict(worstRss <= RSS_LIMIT_MB)]);

console.log(`\n### bench/scale/data (${ROUNDS} rounds, min / median / max; load average ${loadBefore} before, ${load()} after)\n`);
console.log('| case | time | compared | target | |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(
  `\n- \`data add\` of the ${FILES} files: ${(add.ms / 1000).toFixed(1)} s, ${add.peakRssMb.toFixed(0)} MB; datasets.json ${registryBytes} bytes (≤ 64 KB), per-file list ${(listRef.bytes / 1024 / 1024).toFixed(2)} MiB`,
  `\n- the --data run's manifest: dirty ${dataManifest.code.git.dirty}, untracked ${dataManifest.code.git.untracked}, ${(statSync(join(dataProject, 'artifacts/runs', `data-${ROUNDS - 1}`, 'manifest.json')).size / 1024).toFixed(1)} KB`,
);
removeTree(work);
if (rows.some((row) => row[4].includes('FAIL'))) process.exitCode = 1;
