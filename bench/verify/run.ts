/**
 * bench/verify: `verifyProject` on a project with 1,000 and 10,000 runs (target: ≤ 5 s at 10,000,
 * growing linearly), beside a baseline measured in the same run: `sha256sum` over the same files
 * (hashing alone, no parsing or schema checks), driven by one xargs.
 *
 *   npx tsx bench/verify/run.ts [--repeat 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringifyJson } from '../../core/json-file.js';
import { verifyProject } from '../../core/verify/verify-project.js';
import { writeSyntheticRuns } from '../../test/helpers/synthetic-runs.js';
import { fmt, repeat } from '../lib/stats.js';

const REPEAT = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 3;

/** A project of `count` sealed wiring runs, laid out as `publishRun` lays them out (without its fsyncs, to build fast). */
const makeProject = async (count: number): Promise<string> => {
  const root = mkdtempSync(join(tmpdir(), `dl-lab-bench-verify-${count}-`));
  writeFileSync(join(root, '.yo-rc.json'), stringifyJson({ 'generator-dl-lab': { name: 'bench' } }));
  // A real environment (python packages included), so each manifest is as large as a real one.
  await writeSyntheticRuns(root, Array.from({ length: count }, (_, i) => ({ tag: `run-${String(i).padStart(5, '0')}` })));
  return root;
};

const rows: string[] = [];
const perRun: Record<number, number> = {};
for (const count of [1_000, 10_000]) {
  const root = await makeProject(count);
  const ours = await repeat(REPEAT, async () => {
    const result = await verifyProject(root);
    if (!result.ok || result.runs.length !== count) throw new Error('bench fixture did not verify');
  });
  const baseline = await repeat(REPEAT, async () => {
    execFileSync('bash', ['-c', 'find artifacts/runs -type f -print0 | xargs -0 sha256sum > /dev/null'], { cwd: root });
  });
  perRun[count] = ours.median / count;
  rows.push(`| ${count.toLocaleString('en')} | ${fmt(ours)} | ${fmt(baseline)} | ${(ours.median / baseline.median).toFixed(2)}× |`);
  rmSync(root, { recursive: true, force: true });
}
console.log(`bench/verify (${REPEAT} repetitions each; min / median / max)\n`);
console.log('| runs | dl-lab verify | baseline: sha256sum of the same files | ratio |');
console.log('| ---: | --- | --- | ---: |');
for (const row of rows) console.log(row);
console.log(`\nper run: ${(perRun[1000]).toFixed(3)} ms at 1,000, ${(perRun[10000]).toFixed(3)} ms at 10,000 (growth ${(perRun[10000] / perRun[1000]).toFixed(2)}×; 1.00 = linear)`);
console.log(`target: ≤ 5,000 ms at 10,000 runs`);
