import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { UserError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { absolute, experimentDir, slurmScriptPath } from './layout.js';
import type { SweepPlan } from './sweep-plan.js';

/** The `dl-lab` a job runs: this very installation's bin, by absolute path, under this very Node. */
export interface DlLabBin { node: string; bin: string }

export const currentDlLabBin = (): DlLabBin => ({ node: realpathSync(process.execPath), bin: join(PACKAGE_ROOT, 'dist', 'bin', 'dl-lab.js') });

/** Single-quoted for bash: every character literal. */
const sh = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

export interface SlurmJob { script: string; text: string; sbatchArgs: string[] }
/** `tasks`: the indices in plan.trials that the array runs (all of them, or a resumed sweep's trials still to run). */
export interface SlurmSubmission { name: string; tasks: number[]; trials: SlurmJob; aggregate: SlurmJob }

/** Slurm's `--array` list: `0-5`, or `1,3-4,7` (consecutive indices as ranges). */
export const arraySpec = (tasks: readonly number[]): string => {
  const parts: string[] = [];
  for (let i = 0; i < tasks.length; i++) {
    let j = i;
    while (j + 1 < tasks.length && tasks[j + 1] === tasks[j] + 1) j++;
    parts.push(j === i ? `${tasks[i]}` : `${tasks[i]}-${tasks[j]}`);
    i = j;
  }
  return parts.join(',');
};

/**
 * The two job scripts of a Slurm sweep: an array job with one task per trial (task i runs trial i
 * of plan.json and seals its own run through `dl-lab sweep NAME --task i`), and the aggregation
 * (`dl-lab aggregate NAME`), submitted to start after every task has ended, however it ended
 * (`afterany`). Both `cd` into the project and name node and the bin by absolute path, so the job
 * finds them whatever PATH the compute node gives it. `--jobs N` caps the tasks running at once (`%N`).
 */
export const slurmJobs = (
  root: string,
  plan: SweepPlan,
  dlLab: DlLabBin,
  options: { jobs?: number; sbatchArgs: readonly string[]; tasks?: readonly number[] },
): SlurmSubmission => {
  const tasks = [...(options.tasks ?? plan.trials.map((_, index) => index))];
  const logs = absolute(root, `${experimentDir(plan.name)}/logs`);
  // sbatch reads #SBATCH lines only up to the first command, so every directive comes first.
  const script = (jobName: string, output: string, directives: string[], body: string[]): string =>
    [
      '#!/bin/bash',
      `# Written by \`dl-lab sweep ${plan.name} --slurm\` (generator-dl-lab); submitted with sbatch from ${root}.`,
      `#SBATCH --job-name=${jobName}`,
      `#SBATCH --output=${output}`,
      `#SBATCH --chdir=${root}`,
      ...directives,
      'set -euo pipefail',
      `cd ${sh(root)}`,
      ...body,
      '',
    ].join('\n');
  const run = (...args: string[]): string => `exec ${[dlLab.node, dlLab.bin].map(sh).join(' ')} ${args.join(' ')}`;
  const throttle = options.jobs ? `%${options.jobs}` : '';
  const trials = script(
    `dl-lab-${plan.name}`,
    join(logs, 'slurm-%A_%a.out'),
    // Appended, not truncated, when Slurm runs a task again (--requeue): each attempt's lines stay.
    [`#SBATCH --array=${arraySpec(tasks)}${throttle}`, '#SBATCH --open-mode=append'],
    ['# One task per trial of plan.json; the task seals its own run (failed trials too).', run('sweep', sh(plan.name), '--task', '"$SLURM_ARRAY_TASK_ID"')],
  );
  const aggregate = script(`dl-lab-${plan.name}-aggregate`, join(logs, 'slurm-aggregate-%j.out'), [], [run('aggregate', sh(plan.name))]);
  return {
    name: plan.name,
    tasks,
    trials: { script: slurmScriptPath(plan.name, 'trials'), text: trials, sbatchArgs: [...options.sbatchArgs] },
    aggregate: { script: slurmScriptPath(plan.name, 'aggregate'), text: aggregate, sbatchArgs: [...options.sbatchArgs] },
  };
};

/** The sbatch command lines, as printed by --dry-run and run by a submission (`<ID>`: the array job's id). */
export const sbatchCommands = (jobs: SlurmSubmission, arrayJobId = '<ARRAY_JOB_ID>'): { trials: string[]; aggregate: string[] } => ({
  trials: ['sbatch', '--parsable', ...jobs.trials.sbatchArgs, jobs.trials.script],
  aggregate: ['sbatch', '--parsable', `--dependency=afterany:${arrayJobId}`, ...jobs.aggregate.sbatchArgs, jobs.aggregate.script],
});

const submit = (root: string, argv: string[]): string => {
  const result = spawnSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8' });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new UserError(`--slurm: cannot run sbatch (${code === 'ENOENT' ? 'not found on PATH: is this a Slurm login node?' : result.error.message})`, { field: '--slurm' });
  }
  if (result.status !== 0) throw new UserError(`--slurm: ${argv.join(' ')} failed (exit ${result.status}): ${result.stderr.trim().split('\n')[0]}`, { field: '--slurm' });
  const id = result.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new UserError(`--slurm: sbatch printed no job id (${JSON.stringify(result.stdout.trim())})`, { field: '--slurm' });
  return id;
};

/** Every submission of a sweep, one line each (`<array job> <aggregation job>`), so a later one can tell whether they still run. */
export const submittedJobsPath = (name: string): string => `${experimentDir(name)}/slurm-jobs.txt`;

/**
 * Refuses to run a sweep again (submitted or here) while an earlier submission of it is still
 * queued or running (a requeued task waiting to start again counts): its trials would run twice,
 * and the second seal of a tag would fail after the training. Job ids Slurm no longer knows, or no
 * squeue on this machine, count as ended.
 */
export const assertNoJobsQueued = (root: string, name: string): void => {
  const file = absolute(root, submittedJobsPath(name));
  const ids = existsSync(file) ? readFileSync(file, 'utf8').split(/\s+/).filter((id) => /^\d+$/.test(id)) : [];
  if (ids.length === 0) return;
  const squeue = spawnSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i'], { cwd: root, encoding: 'utf8' });
  const queued = squeue.status === 0 ? [...new Set(squeue.stdout.split('\n').map((line) => line.trim().split('_')[0]).filter(Boolean))].sort((a, b) => Number(a) - Number(b)) : [];
  if (queued.length > 0) {
    throw new UserError(`sweep ${name}: its Slurm jobs ${queued.join(', ')} are still queued or running (squeue -j ${queued.join(',')}); run it again once they have ended, or scancel them`, {
      file: submittedJobsPath(name),
      field: 'NAME',
    });
  }
};

/** Write both scripts into the experiment folder, submit the array job, then the dependent aggregation; returns their ids. */
export const submitSlurmSweep = async (root: string, jobs: SlurmSubmission): Promise<{ arrayJobId: string; aggregateJobId: string }> => {
  for (const job of [jobs.trials, jobs.aggregate]) await writeFileAtomic(absolute(root, job.script), job.text);
  // Slurm does not create the folder of --output: a missing one loses the tasks' output.
  await mkdir(absolute(root, `${experimentDir(jobs.name)}/logs`), { recursive: true });
  const arrayJobId = submit(root, sbatchCommands(jobs).trials);
  const aggregateJobId = submit(root, sbatchCommands(jobs, arrayJobId).aggregate);
  appendFileSync(absolute(root, submittedJobsPath(jobs.name)), `${arrayJobId} ${aggregateJobId}\n`);
  return { arrayJobId, aggregateJobId };
};
