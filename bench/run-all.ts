/**
 * `npm run bench`: dl-lab against the stdlib-Python reference (bench/reference/dl_lab_ref.py),
 * side by side in one invocation, then the hashing and verify benchmarks.
 *
 *   npm run bench [-- --rounds 15] [--warmup 2] [--quick] [--no-yo] [--no-hash] [--no-verify] [--no-scale] [--no-python-log]
 *                 [--no-scale-runs] [--no-experiments] [--no-sweep] [--json FILE] [--node BIN]
 *
 * Commands run round-robin (one of each per round, the order reversed every other round), each
 * as a fresh child process, timed from spawn to exit. Every run writes a new run record (new
 * tag, new output folder). `--quick`: 5 rounds and the small variants of bench/hash and
 * bench/verify. `--node BIN`: also time `dl-lab demo` and `dl-lab run` under that Node binary (e.g.
 * Node 24 from the `node@24` npm package), against the same reference runs. Needs the build
 * (`npm run bench` builds first). See bench/README.md.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, type Summary } from './lib/stats.js';
import { loadBuiltTrainer, logregThroughput, mlpThroughput, numpyThroughput } from './throughput.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'dist/bin/dl-lab.js');
const YO = join(REPO, 'node_modules/.bin/yo');
const REFERENCE = join(REPO, 'bench/reference/dl_lab_ref.py');
const GNU_TIME = '/usr/bin/time';
const DEBIAN_PYTHON = '/usr/bin/python3';

const args = process.argv.slice(2);
const has = (flag: string): boolean => args.includes(flag);
const value = (flag: string, fallback: string): string => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const QUICK = has('--quick');
const ROUNDS = Number(value('--rounds', QUICK ? '5' : '15'));
const WARMUP = Number(value('--warmup', QUICK ? '1' : '2'));
/** A second Node binary to run dl-lab with, besides this one. */
const OTHER_NODE = has('--node') ? value('--node', '') : undefined;
const OTHER_NODE_VERSION = OTHER_NODE && spawnSync(OTHER_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (OTHER_NODE && !OTHER_NODE_VERSION) throw new Error(`--node ${OTHER_NODE}: not a Node binary that runs`);

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench does)`);

// ---- the environment every command sees: the caller's, minus what `npm run` adds --------------
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  env.PATH = (env.PATH ?? '').split(':').filter((dir) => !/node_modules\/\.bin|node-gyp-bin/.test(dir)).join(':');
  return env;
};
const ENV = cleanEnv();

/** yo refuses to run as root; as root it runs as uid 1000 (like test/e2e/yo.test.ts), or not at all. */
const yoUser = (): { uid: number; gid: number } | undefined | 'self' => {
  if (process.getuid?.() !== 0) return 'self';
  const entry = spawnSync('getent', ['passwd', '1000'], { encoding: 'utf8' }).stdout.trim();
  if (!entry) return undefined;
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
};

// ---- one timed child process ----------------------------------------------------------------
interface Timed { ms: number; stderr: string; peakRssKb?: number; cpuMs?: number }

const run = (file: string, argv: string[], options: SpawnSyncOptions & { measureRss?: boolean }): Timed => {
  const rssFile = options.measureRss && existsSync(GNU_TIME) ? join(workRoot, `rss-${process.hrtime.bigint()}`) : undefined;
  // GNU time: peak RSS of the largest process, and user + system CPU of the whole process tree.
  const [command, commandArgs] = rssFile ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, file, ...argv]] : [file, argv];
  const started = performance.now();
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''}): ${file} ${argv.join(' ')}\n${String(result.stderr)}`);
  }
  const [peakRssKb, userS, systemS] = rssFile ? readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [];
  return { ms, stderr: String(result.stderr), peakRssKb, cpuMs: rssFile ? (userS + systemS) * 1000 : undefined };
};

// ---- workspace: a scaffolded git project, and one for yo owned by the user yo runs as ---------
const workRoot = mkdtempSync(join(tmpdir(), 'dl-lab-bench-'));
process.on('exit', () => rmSync(workRoot, { recursive: true, force: true }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const scaffold = (dir: string, env: NodeJS.ProcessEnv, user?: { uid: number; gid: number }): void => {
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  run(process.execPath, [CLI, '--name', 'bench-project', '--yes'], { cwd: dir, env, ...user });
};

const project = join(workRoot, 'project');
scaffold(project, ENV);

const yoAs = has('--no-yo') ? undefined : yoUser();
const yoUserIds = typeof yoAs === 'object' ? yoAs : undefined;
let yoHome: string | undefined;
if (yoAs !== undefined) {
  // yo finds the package through ~/node_modules/generator-dl-lab → this repository (its local lookup).
  yoHome = join(workRoot, 'yo-home');
  mkdirSync(join(yoHome, 'node_modules'), { recursive: true });
  symlinkSync(REPO, join(yoHome, 'node_modules', 'generator-dl-lab'));
  if (yoUserIds) {
    chownSync(workRoot, yoUserIds.uid, yoUserIds.gid);
    for (const dir of [yoHome, join(yoHome, 'node_modules')]) chownSync(dir, yoUserIds.uid, yoUserIds.gid);
  }
}
const yoProject = yoHome && join(yoHome, 'project');
const yoEnv = yoHome && { ...ENV, HOME: yoHome, NO_UPDATE_NOTIFIER: '1', CI: 'true' };
if (yoProject && yoEnv) scaffold(yoProject, yoEnv, yoUserIds);

// ---- the cases, one of each per round ---------------------------------------------------------
interface Case { key: string; label: string; run: (round: string) => Timed }
let counter = 0;
const fresh = (name: string): string => join(workRoot, `${name}-${++counter}`);

const cases: Case[] = [
  {
    key: 'refDemo', label: 'reference `demo --out-dir D --seed 0`',
    run: () => run('python3', [REFERENCE, 'demo', '--out-dir', fresh('ref-demo'), '--seed', '0'], { cwd: project, env: ENV, measureRss: true }),
  },
  {
    key: 'ourDemo', label: '`dl-lab demo --seed 0 --out-dir D`',
    run: () => run(process.execPath, [CLI, 'demo', '--seed', '0', '--out-dir', fresh('our-demo')], { cwd: project, env: ENV, measureRss: true }),
  },
  {
    key: 'refRun', label: 'reference `run --tag T --project-root P`',
    run: (round) => run('python3', [REFERENCE, 'run', '--tag', `ref-${round}`, '--project-root', project], { cwd: project, env: ENV }),
  },
  {
    key: 'ourRun', label: '`dl-lab run T`',
    run: (round) => run(process.execPath, [CLI, 'run', `ours-${round}`], { cwd: project, env: ENV }),
  },
  {
    key: 'refThroughput', label: 'reference `demo --report-throughput`',
    run: () => run('python3', [REFERENCE, 'demo', '--out-dir', fresh('ref-throughput'), '--seed', '0', '--report-throughput'], { cwd: project, env: ENV }),
  },
  // Context: the floors both tools stand on.
  { key: 'nodeStart', label: '`node -e 0`', run: () => run(process.execPath, ['-e', '0'], { cwd: project, env: ENV }) },
  { key: 'dlLabVersion', label: '`dl-lab --version`', run: () => run(process.execPath, [CLI, '--version'], { cwd: project, env: ENV }) },
  // A first run: nothing in the code cache yet (bin/code-cache.ts).
  {
    key: 'ourDemoUncached', label: '`dl-lab demo` without the code cache (NODE_DISABLE_COMPILE_CACHE=1)',
    run: () => run(process.execPath, [CLI, 'demo', '--seed', '0', '--out-dir', fresh('our-demo')], { cwd: project, env: { ...ENV, NODE_DISABLE_COMPILE_CACHE: '1' } }),
  },
  { key: 'pythonStart', label: '`python3 -c pass`', run: () => run('python3', ['-c', 'pass'], { cwd: project, env: ENV }) },
  { key: 'pipFreeze', label: '`python3 -m pip freeze`', run: () => run('python3', ['-m', 'pip', 'freeze'], { cwd: project, env: ENV }) },
];
if (OTHER_NODE) {
  cases.push(
    {
      key: 'ourDemoOtherNode', label: `\`dl-lab demo --seed 0 --out-dir D\` on node ${OTHER_NODE_VERSION}`,
      run: () => run(OTHER_NODE, [CLI, 'demo', '--seed', '0', '--out-dir', fresh('our-demo')], { cwd: project, env: ENV }),
    },
    { key: 'ourRunOtherNode', label: `\`dl-lab run T\` on node ${OTHER_NODE_VERSION}`, run: (round) => run(OTHER_NODE, [CLI, 'run', `other-${round}`], { cwd: project, env: ENV }) },
  );
}
if (yoProject && yoEnv) {
  cases.push(
    {
      key: 'refRunYoUser', label: `reference \`run\`${yoUserIds ? ' (as uid 1000, like yo)' : ''}`,
      run: (round) => run('python3', [REFERENCE, 'run', '--tag', `ref-${round}`, '--project-root', yoProject], { cwd: yoProject, env: yoEnv, ...yoUserIds }),
    },
    {
      key: 'yoRun', label: `\`yo dl-lab:run T\`${yoUserIds ? ' (as uid 1000)' : ''}`,
      run: (round) => run(process.execPath, [YO, 'dl-lab:run', `yo-${round}`, '--no-insight'], { cwd: yoProject, env: yoEnv, ...yoUserIds }),
    },
    // yo's own start-up, before it looks at any generator; then with its generator lookup.
    { key: 'yoVersion', label: '`yo --version`', run: () => run(process.execPath, [YO, '--version'], { cwd: yoProject, env: yoEnv, ...yoUserIds }) },
    { key: 'yoGenerators', label: '`yo --generators`', run: () => run(process.execPath, [YO, '--generators', '--no-insight'], { cwd: yoProject, env: yoEnv, ...yoUserIds }) },
  );
}

const samples = new Map<string, Timed[]>(cases.map((c) => [c.key, []]));
const loadBefore = loadavg();
const started = performance.now();
for (let round = -WARMUP; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? cases : [...cases].reverse();
  for (const c of order) {
    const timed = c.run(`${round < 0 ? 'w' : 'r'}${Math.abs(round)}`);
    if (round >= 0) samples.get(c.key)!.push(timed);
  }
  process.stderr.write(`\rround ${round + 1}/${ROUNDS}${round < 0 ? ' (warm-up)' : ''}   `);
}
process.stderr.write('\n');
const loadAfterCommands = loadavg();

// ---- throughput -------------------------------------------------------------------------------
process.stderr.write('training throughput…\n');
const trainer = await loadBuiltTrainer(REPO);
const logreg = logregThroughput(trainer, QUICK ? 50 : 200, 20);
const ourLogreg = summarize(logreg.loop);
const ourLogregCall = summarize(logreg.call);
const mlp = mlpThroughput(trainer, QUICK ? 10 : 30, 3);
const ourMlp = summarize(mlp.loop);
const refLogreg = summarize(
  samples.get('refThroughput')!.map(({ stderr }) => {
    const match = /train_throughput_samples_per_s=([0-9.e+]+)/.exec(stderr);
    if (!match) throw new Error(`reference printed no throughput: ${stderr}`);
    return Number(match[1]);
  }),
);
const numpy = numpyThroughput(REPO, DEBIAN_PYTHON, QUICK ? 10 : 50);
const loadAfter = loadavg();

// ---- report ------------------------------------------------------------------------------------
const ms = (key: string): Summary => summarize(samples.get(key)!.map((t) => t.ms));
const rss = (key: string): Summary | undefined => {
  const kb = samples.get(key)!.flatMap((t) => (t.peakRssKb === undefined ? [] : [t.peakRssKb]));
  return kb.length ? summarize(kb.map((k) => k / 1024)) : undefined;
};
const f0 = (n: number): string => n.toFixed(0);
const triple = (s: Summary, digits = 0, scale = 1): string => [s.min, s.median, s.max].map((n) => (n / scale).toFixed(digits)).join(' / ');
const verdict = (ok: boolean): string => (ok ? '**PASS**' : '**FAIL**');

interface Row { measure: string; ours: string; reference: string; ratio: string; target: string; verdict: string }
const rows: Row[] = [];
const timeRow = (ours: string, reference: string, limit: number): void => {
  const ratio = ms(ours).median / ms(reference).median;
  rows.push({
    measure: `${cases.find((c) => c.key === ours)!.label} vs ${cases.find((c) => c.key === reference)!.label}, ms`,
    ours: triple(ms(ours)), reference: triple(ms(reference)), ratio: `${ratio.toFixed(2)}×`, target: `≤ ${limit.toFixed(1)}×`, verdict: verdict(ratio <= limit),
  });
};
timeRow('ourDemo', 'refDemo', 0.5);
timeRow('ourRun', 'refRun', 0.5);
if (OTHER_NODE) {
  timeRow('ourDemoOtherNode', 'refDemo', 0.5);
  timeRow('ourRunOtherNode', 'refRun', 0.5);
}
if (samples.has('yoRun')) timeRow('yoRun', 'refRunYoUser', 1.0);
const throughputRatio = ourLogreg.median / refLogreg.median;
rows.push({
  measure: 'training throughput, logistic regression (512 × 10 epochs), epoch loop, samples × epochs/s',
  ours: triple(ourLogreg, 2, 1e6) + ' M', reference: triple(refLogreg, 2, 1e6) + ' M', ratio: `${throughputRatio.toFixed(1)}×`, target: '≥ 20×', verdict: verdict(throughputRatio >= 20),
});
const demoRss = rss('ourDemo');
if (demoRss) {
  const refRss = rss('refDemo');
  rows.push({
    measure: '`dl-lab demo` peak RSS, MB', ours: triple(demoRss, 1), reference: refRss ? triple(refRss, 1) : 'n/a', ratio: '', target: '≤ 150 MB (max)', verdict: verdict(demoRss.max <= 150),
  });
}

const contextKeys = ['nodeStart', 'dlLabVersion', 'ourDemoUncached', 'pythonStart', 'pipFreeze', ...(samples.has('yoGenerators') ? ['yoVersion', 'yoGenerators'] : [])];
const context: string[] = [
  `start-up floors, ms (min / median / max): ${contextKeys.map((key) => `${cases.find((c) => c.key === key)!.label} ${triple(ms(key))}`).join('; ')}`,
];
if (samples.has('yoVersion')) {
  context.push(`\`yo --version\` alone is ${(ms('yoVersion').median / ms('refRunYoUser').median).toFixed(2)}× the reference \`run\`: the floor of any \`yo dl-lab:…\` command`);
}
const cpu = (key: string): Summary | undefined => {
  const values = samples.get(key)!.flatMap((t) => (t.cpuMs === undefined ? [] : [t.cpuMs]));
  return values.length ? summarize(values) : undefined;
};
const demoCpu = cpu('ourDemo');
if (demoCpu) {
  // With every process of the command perfectly parallel on all cores, wall ≥ CPU / cores.
  const floor = demoCpu.median / availableParallelism();
  context.push(
    `CPU (user + system, all processes) of \`dl-lab demo\`: ${triple(demoCpu)} ms, of the reference demo: ${triple(cpu('refDemo')!)} ms; ` +
      `on ${availableParallelism()} cores \`dl-lab demo\` cannot take less than ${f0(floor)} ms of wall time (${(floor / ms('refDemo').median).toFixed(2)}× the reference's median) however well its work is spread`,
  );
}
if ('unavailable' in numpy) context.push(`numpy: not measured (${numpy.unavailable})`);
else {
  const npLogreg = summarize(numpy.logreg);
  const npMlp = summarize(numpy.mlp);
  context.push(
    `logistic regression, same workload, samples × epochs/s: dl-lab ${f0(ourLogreg.median / 1e3)} k in the epoch loop (${f0(ourLogregCall.median / 1e3)} k for the whole trainOnSplits call), numpy ${numpy.version} ${f0(npLogreg.median / 1e3)} k (${(ourLogreg.median / npLogreg.median).toFixed(1)}× numpy), reference ${f0(refLogreg.median / 1e3)} k`,
    `demo MLP (2 → 16 tanh → 1, 1000 × 40 epochs, batch 32), epoch loop, samples × epochs/s: dl-lab ${triple(ourMlp, 2, 1e6)} M, numpy ${triple(npMlp, 2, 1e6)} M (${(ourMlp.median / npMlp.median).toFixed(1)}× numpy)`,
  );
}

const machine = [
  `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, nproc ${availableParallelism()}, node ${process.version}, ${spawnSync('python3', ['--version'], { encoding: 'utf8', env: ENV }).stdout.trim()} (reference)`,
  `${ROUNDS} rounds (+${WARMUP} warm-up), ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfterCommands.map((l) => l.toFixed(2)).join(' ')} after the commands, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} at the end`,
];

console.log(`\n## dl-lab vs the Python reference (min / median / max; ratio of medians)\n`);
console.log(machine.map((line) => `- ${line}`).join('\n'));
console.log('\n| measure | dl-lab | reference | ratio | target | |');
console.log('| --- | --- | --- | ---: | --- | --- |');
for (const r of rows) console.log(`| ${r.measure} | ${r.ours} | ${r.reference} | ${r.ratio} | ${r.target} | ${r.verdict} |`);
console.log(`\n${context.map((line) => `- ${line}`).join('\n')}`);

const jsonFile = has('--json') ? value('--json', '') : undefined;
if (jsonFile) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(jsonFile, JSON.stringify({ machine, rows, context, samples: Object.fromEntries(samples) }, null, 2));
}

// ---- the other benchmarks, as they are ---------------------------------------------------------
const tsxBench = (script: string, quickArgs: string[]): void => {
  console.log(`\n## ${script}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, script), ...(QUICK ? quickArgs : [])], { cwd: REPO, stdio: 'inherit', env: ENV });
  if (result.status !== 0) process.exitCode = 1;
};
if (!has('--no-hash')) tsxBench('bench/hash/run.ts', ['--reps', '1', '--big-mib', '64', '--files', '100']);
if (!has('--no-verify')) tsxBench('bench/verify/run.ts', ['--repeat', '1']);
if (!has('--no-python-log')) tsxBench('bench/python-log/run.ts', []);
if (!has('--no-scale-runs')) tsxBench('bench/scale/runs.ts', ['--quick']);
if (!has('--no-experiments')) tsxBench('bench/experiments/run.ts', ['--repeat', '2']);
if (!has('--no-sweep')) tsxBench('bench/sweep/run.ts', ['--rounds', '1']);
if (!has('--no-scale')) tsxBench('bench/scale/data.ts', ['--rounds', '3']);
if (!has('--no-scale')) tsxBench('bench/scale/checkpoint.ts', ['--rounds', '1']);
if (!has('--no-scale')) tsxBench('bench/scale/history.ts', ['--rounds', '1']);
if (!has('--no-scale')) tsxBench('bench/scale/chain.ts', ['--rounds', '1']);
if (rows.some((r) => r.verdict.includes('FAIL'))) process.exitCode = 1;
