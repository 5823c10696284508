import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { effectiveTrainConfig } from '../commands/demo.js';
import type { CapturedProvenance } from '../commands/provenance.js';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from '../config.js';
import { UserError, isUserError } from '../errors.js';
import { requireProject, RUNS_DIR } from '../project.js';
import type { ProgressWriter } from '../progress.js';
import { validateTrainConfig } from '../training/api.js';
import { aggregateExperiment, type AggregateResult } from './aggregate.js';
import { isFinal, lastAttempt, nextRun, runAfter, type TrialRun } from './attempts.js';
import { parseGrid } from './grid.js';
import { absolute, planPath, trialConfigPath } from './layout.js';
import { runLocalSweep, type LocalSweepResult } from './local-sweep.js';
import { runTrial, type TrialOutcome } from './run-trial.js';
import { parseSeeds } from './seeds.js';
import { assertNoJobsQueued, currentDlLabBin, sbatchCommands, slurmJobs, submitSlurmSweep, type SlurmSubmission } from './slurm.js';
import { buildSweepPlan, existingPlan, readSweepPlan, trialConfig, writeSweepFiles, type SweepPlan } from './sweep-plan.js';
import { checkCommandTemplate } from './trial-command.js';
import { dlLabCommand } from '../invocation.js';

export const DEFAULT_SEEDS = '0-4';

export interface SweepOptions {
  cwd: string;
  name: string;
  seeds?: string;
  grid?: string[];
  jobs?: number;
  config?: string;
  slurm?: boolean;
  sbatchArgs?: string[];
  dryRun?: boolean;
  /** The trial command (after `--`), with {seed}, {config}, {out}; none: the built-in demo. */
  trialCommand?: string[];
  /** argv recorded in each trial's manifest. */
  command: string[];
}

export interface SweepSetup {
  root: string;
  plan: SweepPlan;
  baseConfig: LoadedConfig;
  /**
   * The runs to make now: every trial unless the same sweep ran before; then those with no run yet,
   * and a new attempt of each trial whose last attempt was interrupted (attempts.ts).
   */
  pending: TrialRun[];
  resumed: boolean;
  jobs: number;
  options: SweepOptions;
}

const trialExists = (root: string, tag: string): boolean => existsSync(absolute(root, `${RUNS_DIR}/${tag}`));

/** Every check before anything is written: NAME, seeds, grid, command, every trial's config, tags not taken. */
export const planSweep = (options: SweepOptions): SweepSetup => {
  const { root } = requireProject(options.cwd);
  const baseConfig = options.config ? loadConfig(options.config, options.cwd, root) : loadConfig(DEFAULT_CONFIG_PATH, root, root);
  const seeds = parseSeeds(options.seeds ?? DEFAULT_SEEDS);
  const grid = parseGrid(options.grid ?? []);
  const trialCommand = options.trialCommand?.length ? options.trialCommand : null;
  if (trialCommand) checkCommandTemplate(trialCommand);
  if (options.jobs !== undefined && !(Number.isSafeInteger(options.jobs) && options.jobs >= 1)) {
    throw new UserError(`--jobs must be a positive integer, got ${JSON.stringify(options.jobs)}`, { field: '--jobs' });
  }
  const plan = buildSweepPlan({ name: options.name, seeds, grid, command: trialCommand, baseConfig });
  for (const trial of plan.trials) {
    const config = trialConfig(plan, baseConfig.config, trial);
    if (trialCommand) continue;
    try {
      validateTrainConfig(effectiveTrainConfig(config, {}));
    } catch (error) {
      if (!isUserError(error)) throw error;
      throw new UserError(`variant ${trial.variant} of sweep ${plan.name}: the demo cannot train it: ${error.message}`, { file: trialConfigPath(plan.name, trial.tag), field: error.field });
    }
  }
  const existing = existingPlan(root, plan);
  if (!existing) {
    const taken = plan.trials.find((trial) => trialExists(root, trial.tag));
    if (taken) throw new UserError(`${RUNS_DIR}/${taken.tag} already exists but ${planPath(plan.name)} does not: a run tag is never reused; choose another NAME`, { file: `${RUNS_DIR}/${taken.tag}`, field: 'NAME' });
  }
  const pending = (existing ?? plan).trials.flatMap((trial) => nextRun(root, trial) ?? []);
  return { root, plan: existing ?? plan, baseConfig, pending, resumed: existing !== undefined, jobs: options.jobs ?? availableParallelism(), options };
};

export type SweepResult =
  | { kind: 'dry-run'; lines: string[] }
  | { kind: 'local'; result: LocalSweepResult; aggregate: AggregateResult | undefined }
  | { kind: 'slurm'; arrayJobId: string; aggregateJobId: string; jobs: SlurmSubmission };

/** What --dry-run prints: the trials, and for --slurm the job scripts and sbatch lines. */
const dryRunLines = (setup: SweepSetup, jobs: SlurmSubmission | undefined): string[] => {
  const { plan } = setup;
  const lines = [
    `dry run: nothing written, nothing submitted`,
    `sweep ${plan.name}: ${plan.variants.length} variant(s) × ${plan.seeds.length} seed(s) = ${plan.trials.length} trials${setup.resumed ? ` (resuming: ${setup.pending.length} still to run)` : ''}`,
    ...plan.variants.map((v) => `  variant ${v.name}: ${Object.keys(v.overrides).length ? JSON.stringify(v.overrides) : 'no overrides'}`),
    `  trial command: ${plan.command ? plan.command.join(' ') : 'the built-in demo (in-process)'}`,
    ...setup.pending.map((run) => `  ${run.tag}  (config ${trialConfigPath(plan.name, run.trial.tag)})${run.previous ? `  attempt ${run.attempt}: ${run.previous.tag} was interrupted` : ''}`),
  ];
  if (jobs) {
    const commands = sbatchCommands(jobs);
    lines.push(`would write ${jobs.trials.script}:`, ...jobs.trials.text.trimEnd().split('\n').map((l) => `  | ${l}`));
    lines.push(`would write ${jobs.aggregate.script}:`, ...jobs.aggregate.text.trimEnd().split('\n').map((l) => `  | ${l}`));
    lines.push(`would run: ${commands.trials.join(' ')}`, `would run: ${commands.aggregate.join(' ')}`);
  }
  return lines;
};

export const executeSweep = async (setup: SweepSetup, provenance: () => Promise<CapturedProvenance>, progress: ProgressWriter): Promise<SweepResult> => {
  const { root, plan, options } = setup;
  if (options.slurm && setup.pending.length === 0) {
    throw new UserError(`--slurm: every trial of sweep ${plan.name} is sealed as completed or failed; nothing to submit (${dlLabCommand('aggregate', plan.name)} updates its record)`, { field: '--slurm' });
  }
  // A resumed sweep submits only the trials still to run: those with no run, and the next attempt of interrupted ones.
  const tasks = setup.pending.map((run) => plan.trials.findIndex((trial) => trial.tag === run.trial.tag));
  const jobs = options.slurm ? slurmJobs(root, plan, currentDlLabBin(), { jobs: options.jobs, sbatchArgs: options.sbatchArgs ?? [], tasks }) : undefined;
  if (options.dryRun) return { kind: 'dry-run', lines: dryRunLines(setup, jobs) };
  if (!setup.resumed) await writeSweepFiles(root, plan, setup.baseConfig.config);
  if (setup.resumed) assertNoJobsQueued(root, plan.name);
  if (jobs) return { kind: 'slurm', ...(await submitSlurmSweep(root, jobs)), jobs };
  const captured = provenance();
  const result = await runLocalSweep({ root, plan, trials: setup.pending, jobs: setup.jobs, provenance: captured, command: options.command, progress });
  // A sweep stopped by Ctrl-C is not aggregated: the user stopped it, and running it again finishes and aggregates it.
  const aggregate = result.interrupted ? undefined : await aggregateExperiment(root, plan.name, { command: options.command, provenance: captured });
  return { kind: 'local', result, aggregate };
};

/**
 * `dl-lab sweep NAME --task I`, what each Slurm array task runs: trial I of plan.json, sealed as
 * completed, failed or (SIGTERM: time limit, preemption, scancel) interrupted. A task Slurm runs
 * again (`--requeue`, a preempted node) finds the trial sealed: if it was interrupted, it runs the
 * next attempt (`<tag>.r2`, …: attempts.ts), so a preempted sweep still finishes; if it completed or
 * failed, it runs nothing (training again would only be refused at the seal, a run is never
 * overwritten) and reports that status, so its exit status is the last attempt's.
 */
export const runSweepTask = async (cwd: string, name: string, task: number, provenance: (root: string) => Promise<CapturedProvenance>, command: string[]): Promise<TrialOutcome> => {
  const { root } = requireProject(cwd);
  const plan = readSweepPlan(root, name);
  const trial = plan.trials[task];
  if (!Number.isSafeInteger(task) || trial === undefined) {
    throw new UserError(`--task ${task}: sweep ${name} has trials 0 to ${plan.trials.length - 1}`, { file: planPath(name), field: '--task' });
  }
  const last = lastAttempt(root, trial.tag);
  if (last !== undefined && isFinal(last)) return { tag: last.tag, status: last.status, seconds: 0, alreadySealed: true };
  const run = runAfter(trial, last);
  const interrupt = new AbortController();
  const onSigterm = (): void => interrupt.abort();
  process.on('SIGTERM', onSigterm);
  try {
    return await runTrial({ root, plan, provenance: provenance(root), command, stop: new AbortController().signal, interrupt: interrupt.signal }, run);
  } finally {
    process.off('SIGTERM', onSigterm);
  }
};
