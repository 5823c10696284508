import { existsSync } from 'node:fs';
import type { RunSummary } from '../contract/generated/summary.js';
import { readJsonValue } from '../json-file.js';
import { RUNS_DIR } from '../project.js';
import { SUMMARY } from '../run/paths.js';
import { absolute } from './layout.js';
import type { PlannedTrial } from './sweep-plan.js';

/**
 * A trial's attempts. The first is sealed under the trial's tag; when one was interrupted
 * (SIGTERM: a Slurm preemption, time limit or scancel), running the trial again seals a new run
 * `<tag>.r2`, `<tag>.r3`, … beside it: a run is never overwritten, and the interrupted one stays,
 * a member of the experiment like the others. A completed or failed attempt is final (a failure
 * would most likely fail again; a new sweep NAME tries again on purpose).
 */
export const attemptTag = (trialTag: string, attempt: number): string => (attempt === 1 ? trialTag : `${trialTag}.r${attempt}`);

export type AttemptStatus = 'completed' | 'failed' | 'interrupted';

/** A sealed attempt: its number, run tag and status (summary.json `status`; absent: completed). */
export interface SealedAttempt { attempt: number; tag: string; status: AttemptStatus }

const sealedStatus = (root: string, tag: string): AttemptStatus | undefined => {
  if (!existsSync(absolute(root, `${RUNS_DIR}/${tag}`))) return undefined;
  const summaryPath = `${RUNS_DIR}/${tag}/${SUMMARY}`;
  return readJsonValue<RunSummary & { status?: AttemptStatus }>(absolute(root, summaryPath), summaryPath).status ?? 'completed';
};

/** The trial's last sealed attempt, or undefined when none is. */
export const lastAttempt = (root: string, trialTag: string): SealedAttempt | undefined => {
  let last: SealedAttempt | undefined;
  for (let attempt = 1; ; attempt++) {
    const tag = attemptTag(trialTag, attempt);
    const status = sealedStatus(root, tag);
    if (status === undefined) return last;
    last = { attempt, tag, status };
  }
};

/** What running a trial now means: the planned trial and the run this attempt seals. */
export interface TrialRun { trial: PlannedTrial; attempt: number; tag: string; previous?: SealedAttempt }

/** A completed or failed attempt is the trial's last; only an interrupted one is attempted again. */
export const isFinal = (last: SealedAttempt): boolean => last.status !== 'interrupted';

/** The run that follows `last` (none: the first attempt); `last` must not be final. */
export const runAfter = (trial: PlannedTrial, last: SealedAttempt | undefined): TrialRun =>
  last === undefined ? { trial, attempt: 1, tag: trial.tag } : { trial, attempt: last.attempt + 1, tag: attemptTag(trial.tag, last.attempt + 1), previous: last };

/** The run to make of `trial` now, or undefined when its last attempt is final. */
export const nextRun = (root: string, trial: PlannedTrial): TrialRun | undefined => {
  const last = lastAttempt(root, trial.tag);
  return last !== undefined && isFinal(last) ? undefined : runAfter(trial, last);
};
