import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { executeDemo, planDemo } from '../commands/demo.js';
import type { CapturedProvenance } from '../commands/provenance.js';
import { executeRecord, planRecord, planUnfinishedRecord } from '../commands/record.js';
import { isUserError } from '../errors.js';
import type { ManifestInputs } from '../run/manifest.js';
import { absolute, trialConfigPath, trialLogPath, trialOutDir } from './layout.js';
import type { TrialRun } from './attempts.js';
import type { PlannedTrial, SweepPlan } from './sweep-plan.js';
import { LOG_TAIL_FILE, logTail, runTrialCommand, substituteCommand } from './trial-command.js';

/**
 * How a trial ended: sealed as completed, failed or interrupted, or stopped before it was sealed
 * (`stopped`). `alreadySealed`: it was sealed before this command (a requeued Slurm task), which ran
 * nothing. `retryOf`: the interrupted attempt this one followed (its run tag).
 */
export interface TrialOutcome { tag: string; status: 'completed' | 'failed' | 'interrupted' | 'stopped'; reason?: string; seconds: number; alreadySealed?: true; retryOf?: string }

export interface TrialContext {
  root: string;
  plan: SweepPlan;
  provenance: Promise<CapturedProvenance>;
  /** argv recorded in each trial's manifest (the sweep's own command line). */
  command: string[];
  /** Aborted by Ctrl-C: stop the trial and seal nothing. */
  stop: AbortSignal;
  /** A Slurm task's SIGTERM (time limit, scancel): stop the trial and seal it as interrupted. */
  interrupt?: AbortSignal;
  /**
   * Runs a trial's sealing (reading its metrics, drawing its figure, writing its run): a local sweep
   * seals one trial at a time (oneAtATime), since a trial that logged every step takes ~100 MB to
   * seal, and two at once put `dl-lab sweep` past 250 MB. Training still runs `--jobs` at a time.
   */
  sealing?: <T>(seal: () => Promise<T>) => Promise<T>;
}

class TrialStopped extends Error {}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

const experimentOf = (plan: SweepPlan, trial: PlannedTrial, exitStatus: number | null): NonNullable<ManifestInputs['experiment']> => ({
  name: plan.name,
  variant: trial.variant,
  seed: trial.seed,
  overrides: plan.variants.find((v) => v.name === trial.variant)!.overrides,
  exit_status: exitStatus,
});

/**
 * Run one attempt of a planned trial and seal it as `run.tag` (the trial's tag, or `<tag>.r2`… after
 * an interrupted attempt: attempts.ts); a failure becomes a sealed failed run, never an exception.
 * The trial's config and its {out} folder are the trial's, whatever the attempt; each attempt has its own log.
 */
export const runTrial = async (context: TrialContext, run: TrialRun): Promise<TrialOutcome> => {
  const outcome = await runAttempt(context, run);
  return run.previous ? { ...outcome, retryOf: run.previous.tag } : outcome;
};

const runAttempt = async (context: TrialContext, run: TrialRun): Promise<TrialOutcome> => {
  const { trial, tag } = run;
  const started = performance.now();
  const seconds = (): number => Math.round(performance.now() - started) / 1000;
  const { plan } = context;
  const out = trialOutDir(plan.name, trial.tag);
  const metrics = `${out}/metrics.json`;
  const sealing = context.sealing ?? ((seal) => seal());
  /**
   * Seal a trial that did not complete; with the metrics it logged when `useMetrics` and the file is
   * there (planUnfinishedRecord leaves an invalid one out and says so, and seals the status that file
   * closed with, if any, over `status`: the outcome reports what was sealed).
   */
  const sealUnfinished = async (status: 'failed' | 'interrupted', cause: string, exitStatus: number | null, tail: string, useMetrics = true): Promise<TrialOutcome> => {
    // The log's last line usually names the error (a Python exception, a CUDA message): worth a glance in listings.
    const lastLine = tail.trimEnd().split('\n').at(-1)?.trim().slice(0, 200);
    const reason = lastLine ? `${cause}: ${lastLine}` : cause;
    const withMetrics = useMetrics && plan.command !== null && existsSync(absolute(context.root, metrics));
    const record = await sealing(async () => {
      const unfinished = await planUnfinishedRecord({
        cwd: context.root,
        tag,
        config: trialConfigPath(plan.name, trial.tag),
        ...(withMetrics ? { metrics, scratchDir: out } : {}),
        status,
        reason,
        command: context.command,
        experiment: experimentOf(plan, trial, exitStatus),
        extraFiles: tail ? [{ name: LOG_TAIL_FILE, role: 'other', bytes: Buffer.from(tail) }] : [],
      });
      await executeRecord(unfinished, context.provenance);
      return unfinished;
    });
    return { tag, status: record.outcome.status, reason: record.outcome.reason ?? reason, seconds: seconds() };
  };
  if (plan.command === null) {
    try {
      await runDemoTrial(context, trial, tag);
      return { tag, status: 'completed', seconds: seconds() };
    } catch (error) {
      if (error instanceof TrialStopped) {
        return context.stop.aborted ? { tag, status: 'stopped', seconds: seconds() } : sealUnfinished('interrupted', 'stopped by SIGTERM during training', null, '');
      }
      return sealUnfinished('failed', `the demo failed: ${firstLine(error)}`, null, isUserError(error) ? `${error.message}\n` : `${(error as Error)?.stack ?? String(error)}\n`);
    }
  }
  const logFile = absolute(context.root, trialLogPath(plan.name, tag));
  // {out} is the sweep's own scratch folder: emptied, so a resumed trial never sees an earlier attempt's files.
  await rm(absolute(context.root, out), { recursive: true, force: true });
  await mkdir(absolute(context.root, out), { recursive: true });
  const argv = substituteCommand(plan.command, { seed: trial.seed, config: trialConfigPath(plan.name, trial.tag), out });
  const stopSignal = AbortSignal.any([context.stop, ...(context.interrupt ? [context.interrupt] : [])]);
  const exit = await runTrialCommand(argv, {
    cwd: context.root,
    logFile,
    env: { ...process.env, DL_LAB_EXPERIMENT: plan.name, DL_LAB_TRIAL: tag, DL_LAB_SEED: String(trial.seed) },
    stopSignal,
  });
  if (context.stop.aborted) return { tag, status: 'stopped', seconds: seconds() };
  const tail = logTail(logFile);
  if (context.interrupt?.aborted) return sealUnfinished('interrupted', 'stopped by SIGTERM (e.g. a Slurm preemption, time limit or scancel)', exit.exitStatus, tail);
  // Slurm signals every process of the job at once: the command may die of its SIGTERM before this
  // process has handled its own (context.interrupt), and a trial stopped so is interrupted, not failed
  // (a failed attempt is final; an interrupted one is run again as <tag>.r2).
  if (exit.signal === 'SIGTERM') return sealUnfinished('interrupted', 'killed by SIGTERM (e.g. a Slurm preemption, time limit or scancel)', null, tail);
  if (exit.startError) return sealUnfinished('failed', exit.startError, null, tail);
  if (exit.signal) return sealUnfinished('failed', `killed by ${exit.signal}`, null, tail);
  if (exit.exitStatus !== 0) return sealUnfinished('failed', `exit status ${exit.exitStatus}`, exit.exitStatus, tail);
  if (!existsSync(absolute(context.root, metrics))) return sealUnfinished('failed', `exit status 0 but no ${metrics}`, 0, tail);
  try {
    await sealing(async () => {
      const record = await planRecord({
        cwd: context.root,
        tag,
        config: trialConfigPath(plan.name, trial.tag),
        metrics,
        // A checkpoint the command left in {out} is moved into the run, not copied: {out} is the sweep's scratch.
        scratchDir: out,
        command: context.command,
        experiment: experimentOf(plan, trial, 0),
      });
      await executeRecord(record, context.provenance);
    });
  } catch (error) {
    if (!isUserError(error)) throw error;
    // Already known unusable (or the config/checkpoint is): seal without it rather than say so twice.
    return sealUnfinished('failed', `exit status 0 but ${firstLine(error)}`, 0, `${tail}${error.message}\n`, false);
  }
  return { tag, status: 'completed', seconds: seconds() };
};

/** The built-in demo, trained in this process (no Node start-up per trial), with the trial's config. */
const runDemoTrial = async (context: TrialContext, trial: PlannedTrial, tag: string): Promise<void> => {
  const demo = await planDemo({
    cwd: context.root,
    config: trialConfigPath(context.plan.name, trial.tag),
    tag,
    command: context.command,
    experiment: experimentOf(context.plan, trial, null),
  });
  const onEpoch = (): void => {
    if (context.stop.aborted || context.interrupt?.aborted) throw new TrialStopped();
  };
  await executeDemo(demo, context.provenance, { onEpoch });
};
