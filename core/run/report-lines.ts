import { relative } from 'node:path';
import type { RunTarget } from '../commands/target.js';
import type { PublishedRun } from './publish.js';
import { dlLabCommand } from '../invocation.js';
import { isWiringRun, wiringNote } from './recorded-documents.js';

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
  // to cite them by; the `next:` line below says how to seal real numbers.
  const wiring = isWiringRun(manifest);
  if (wiring) lines.push(`note: ${wiringNote(dlLabCommand('run'))}`);
  else if (manifest.demo && manifest.note) lines.push(`note: ${manifest.note}`);
  if (analysis && !wiring) lines.push(`cite numbers as ${analysis.path}:results.<key>`);
  lines.push(
    target.project
      ? `next: ${dlLabCommand('run', '<TAG> --metrics <your metrics.json>')}   (or: ${dlLabCommand('demo', '--seed 1')})`
      : `next: ${dlLabCommand(undefined, '--name my-project --out my-project')}   (scaffold a project, then: cd my-project && ${dlLabCommand('demo', '--seed 0')})`,
  );
  return lines;
};
