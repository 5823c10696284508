/**
 * A/B of two builds of dl-lab on one command, interleaved: the "before/after" figures of
 * bench/README.md.
 *
 *   git worktree add /tmp/before <rev> && ln -s "$PWD/node_modules" /tmp/before/node_modules
 *   (cd /tmp/before && npm run build) && npm run build
 *   npx tsx bench/ab.ts --before /tmp/before [--node BIN] [--rounds 15] -- demo --seed 0 --out-dir {out}
 *   npx tsx bench/ab.ts --before /tmp/before -- run {tag}
 *
 * Both builds run in one scaffolded project with a git repository (like `npm run bench`), one
 * after the other in each round (the order reversed every other round, 2 warm-up rounds), each a
 * fresh child process timed from spawn to exit. `{out}` becomes a new folder outside the project
 * and `{tag}` a new tag every time, so no run overwrites another.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.js';

const args = process.argv.slice(2);
const split = args.indexOf('--');
const options = split < 0 ? args : args.slice(0, split);
const command = split < 0 ? [] : args.slice(split + 1);
const option = (name: string, fallback?: string): string | undefined => (options.includes(name) ? options[options.indexOf(name) + 1] : fallback);
const before = option('--before');
const node = option('--node', process.execPath)!;
const rounds = Number(option('--rounds', '15'));
if (!before || command.length === 0) throw new Error('usage: bench/ab.ts --before DIR [--node BIN] [--rounds N] -- <dl-lab arguments, {out} / {tag}>');

const builds = { before: join(resolve(before), 'dist/bin/dl-lab.js'), after: fileURLToPath(new URL('../dist/bin/dl-lab.js', import.meta.url)) };
for (const cli of Object.values(builds)) if (!existsSync(cli)) throw new Error(`${cli} is missing: build it first`);

const work = mkdtempSync(join(tmpdir(), 'dl-lab-ab-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const project = join(work, 'project');
const exec = (cli: string, argv: string[], cwd: string): number => {
  const started = performance.now();
  const result = spawnSync(node, [cli, ...argv], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cli} ${argv.join(' ')} failed (${result.status}): ${result.stderr}`);
  return performance.now() - started;
};
mkdirSync(project);
exec(builds.after, ['--name', 'ab-project', '--yes'], project);

let counter = 0;
const fill = (argv: string[]): string[] => argv.map((arg) => arg.replaceAll('{out}', join(work, `out-${++counter}`)).replaceAll('{tag}', `ab-${++counter}`));
const samples: Record<keyof typeof builds, number[]> = { before: [], after: [] };
for (let round = -2; round < rounds; round++) {
  const order = (round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as (keyof typeof builds)[];
  for (const name of order) {
    const ms = exec(builds[name], fill(command), project);
    if (round >= 0) samples[name].push(ms);
  }
}
const [b, a] = [summarize(samples.before), summarize(samples.after)];
const triple = (s: typeof a): string => [s.min, s.median, s.max].map((n) => n.toFixed(1)).join(' / ');
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`dl-lab ${command.join(' ')} on node ${version}, ${rounds} rounds (min / median / max, ms)`);
console.log(`before ${triple(b)}\nafter  ${triple(a)}\nafter/before ${(a.median / b.median).toFixed(3)}`);
