import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunTarget } from '../commands/target.js';
import type { PublishedRun } from './publish.js';
import { dlLabCommand } from '../invocation.js';
import { isWiringRun, wiringNote } from './recorded-documents.js';
import { RUNS_DIR } from '../project.js';

/**
 * The first of `name(1)`, `name(2)`, … that `taken` refuses: the suggested command must still run
 * after the user ran it once (a demo's run is never overwritten, a project never scaffolded over).
 */
const firstFree = (name: (n: number) => string, taken: (name: string) => boolean, from: number): string => {
  let n = from;
  while (taken(name(n))) n += 1;
  return name(n);
};

/** The closing summary of `run`/`demo`: where the run is, its headline numbers, and what to do next. */
export const runSummaryLines = (published: PublishedRun, target: RunTarget, cwd = process.cwd()): string[] => {
  const manifest = published.manifest as { demo: boolean; note?: string; seal: { digest: string } };
  const where = relative(cwd, published.targetDir) || '.';
  const analysis = published.outputs.find((o) => o.role === 'analysis');
  const lines = [
    `wrote run ${target.tag} -> ${where}/ (${published.outputs.length + 1} files, seal ${manifest.seal.digest.slice(0, 12)})`,
  ];
  const shown = Object.entries(published.results).slice(0, 4).map(([key, value]) => `${key}=${value}`);
  if (shown.length) lines.push(`results: ${shown.join('  ')}`);
  // A wiring run's numbers are placeholders: its note (naming the command the user has) and no line
  // to cite them by; the `next:` lines below say how to seal real numbers.
  const wiring = isWiringRun(manifest);
  if (wiring) lines.push(`note: ${wiringNote(dlLabCommand('run'))}`);
  else if (manifest.demo && manifest.note) lines.push(`note: ${manifest.note}`);
  if (analysis && !wiring) lines.push(`cite numbers as ${analysis.path}:results.<key>`);
  // One command a line, each pasted as it is (<TAG> and <your metrics.json> are the user's to fill in).
  if (target.project) {
    const { root } = target.project;
    // demo --seed N writes demo-seedN; seed 0 is the quick start's.
    const seed = firstFree((n) => String(n), (n) => existsSync(join(root, RUNS_DIR, `demo-seed${n}`)), 1);
    lines.push(`next: ${dlLabCommand('run', '<TAG> --metrics <your metrics.json>')}`, `next: ${dlLabCommand('demo', `--seed ${seed}`)}`);
  } else {
    const folder = firstFree((n) => (n === 1 ? 'my-project' : `my-project-${n}`), (name) => existsSync(join(cwd, name)), 1);
    lines.push(
      `next: ${dlLabCommand(undefined, `--name ${folder} --out ${folder}`)}`,
      `next: cd ${folder} && ${dlLabCommand('demo', '--seed 0', undefined, join(cwd, folder))}`,
    );
  }
  return lines;
};
