// dl_lab_log.py overhead: `npx tsx bench/python-log/run.ts [--steps 11000] [--python /usr/bin/python3]`.
// Runs bench/python-log/log_bench.py (one process: every log() timed alone, beside bare json.dump
// baselines timed in the same loop) and prints a markdown table. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const flag = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const STEPS = flag('steps', '11000');
const PYTHON = flag('python', '/usr/bin/python3');
const SCRIPT = fileURLToPath(new URL('log_bench.py', import.meta.url));
/** The target: one log() of 10 scalars, median, early and at step 10,000. */
const TARGET_MS = 2;

interface Stat { median_ms: number; p90_ms: number; max_ms: number; n: number }
interface Result {
  python: string;
  steps: number;
  history_bytes: number;
  log_first_1000: Stat;
  log_from_10000: Stat | null;
  json_dump_open_file: Stat;
  json_dump_open_write_close: Stat;
  rewrite_whole_history_at_10000: Stat | null;
}

const load = loadavg();
const child = spawnSync(PYTHON, [SCRIPT, '--steps', STEPS], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
if (child.status !== 0) {
  console.error(`${PYTHON} ${SCRIPT}: exit ${child.status}\n${child.stderr}`);
  process.exit(1);
}
const result = JSON.parse(child.stdout) as Result;
const ms = (n: number): string => (n < 0.1 ? n.toFixed(4) : n.toFixed(3));
const baseline = result.json_dump_open_file.median_ms;
const row = (label: string, stat: Stat | null, target = ''): string =>
  stat ? `| ${label} | ${ms(stat.median_ms)} | ${ms(stat.p90_ms)} | ${stat.n} | ${(stat.median_ms / baseline).toFixed(1)}× | ${target} |` : `| ${label} | n/a | | | | |`;
const verdict = (stat: Stat | null): string => (stat && stat.median_ms <= TARGET_MS ? `≤ ${TARGET_MS} ms: **PASS**` : `≤ ${TARGET_MS} ms: **FAIL**`);

console.log(`Python ${result.python} (${PYTHON}), ${result.steps} steps of 10 scalars, history ${(result.history_bytes / 1e6).toFixed(1)} MB; load average ${load.map((l) => l.toFixed(2)).join(' ')}\n`);
console.log('| per call | median ms | p90 ms | calls | × json.dump | target |');
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
console.log(row('`log(step, **10 scalars)`, steps 0–999', result.log_first_1000, verdict(result.log_first_1000)));
console.log(row('`log(step, **10 scalars)`, steps 10,000+', result.log_from_10000, verdict(result.log_from_10000)));
console.log(row('bare `json.dump(entry, f)` to an open file (baseline)', result.json_dump_open_file));
console.log(row('`open`, `json.dump(entry, f)`, `close`', result.json_dump_open_write_close));
console.log(row('`json.dump` of the whole history at step 10,000+ (what a rewrite-everything logger pays)', result.rewrite_whole_history_at_10000));
const worst = [result.log_first_1000, result.log_from_10000];
if (worst.some((stat) => !stat || stat.median_ms > TARGET_MS)) process.exitCode = 1;
