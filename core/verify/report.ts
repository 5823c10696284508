import { formatViolation } from '../contract/validate.js';
import type { ProjectVerification } from './verify-project.js';

/** One line per run: `ok <tag>` or `FAIL <tag>` with each problem (file and field) indented below. */
export const verificationLines = (result: ProjectVerification): string[] => {
  const lines: string[] = [];
  for (const run of result.runs) {
    if (run.ok) lines.push(`ok    ${run.tag}`);
    else lines.push(`FAIL  ${run.tag}`, ...run.problems.map((problem) => `      ${formatViolation(problem)}`));
  }
  if (result.staging.removed.length) lines.push(`cleaned ${result.staging.removed.length} abandoned staging folder(s): ${result.staging.removed.join(', ')}`);
  if (result.staging.kept.length) lines.push(`in progress (another process is writing): ${result.staging.kept.join(', ')}`);
  const failed = result.runs.filter((run) => !run.ok).length;
  lines.push(`${result.runs.length - failed} of ${result.runs.length} run(s) verified${failed ? `, ${failed} FAILED` : ''}`);
  return lines;
};

/** The `--json` report: stable keys, problems as {file, pointer, message}. */
export const verificationJson = (result: ProjectVerification): object => ({
  ok: result.ok,
  runs: result.runs.map(({ tag, runDir, ok, problems }) => ({ tag, run_dir: runDir, ok, problems })),
  staging: result.staging,
});
