import type { CapturedProvenance } from '../commands/provenance.js';
import type { ProgressWriter } from '../progress.js';
import { collectGarbage } from '../collect-garbage.js';
import { oneAtATime } from '../one-at-a-time.js';
import { runTrial, type TrialOutcome } from './run-trial.js';
import type { TrialRun } from './attempts.js';
import type { SweepPlan } from './sweep-plan.js';

export interface LocalSweep {
  root: string;
  plan: SweepPlan;
  /** The runs to make now (a resumed sweep skips the trials already sealed, and retries interrupted ones). */
  trials: readonly TrialRun[];
  jobs: number;
  provenance: Promise<CapturedProvenance>;
  command: string[];
  progress: ProgressWriter;
}

export interface LocalSweepResult { outcomes: TrialOutcome[]; interrupted: boolean; notRun: string[] }

/** `3/6 · 1 failed · 2 running` — one line, redrawn on a terminal, else printed once per finished trial. */
const progressLine = (done: number, total: number, failed: number, running: number): string =>
  `sweep: ${done}/${total} trials done${failed ? ` · ${failed} failed` : ''}${running ? ` · ${running} running` : ''}`;

/**
 * Run the trials, `jobs` at a time, each sealed in its turn (TrialContext.sealing). Ctrl-C (SIGINT)
 * stops cleanly: no new trial starts, running commands get SIGTERM (their process group), a demo
 * trial stops at its next epoch, and nothing unfinished is sealed — every run on disk is complete;
 * re-running the same sweep runs the rest.
 */
export const runLocalSweep = async (sweep: LocalSweep): Promise<LocalSweepResult> => {
  const stop = new AbortController();
  const onSigint = (): void => {
    if (!stop.signal.aborted) sweep.progress.write(`\nsweep: stopping (Ctrl-C): no new trial starts, running ones are stopped and not sealed\n`);
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  const outcomes: TrialOutcome[] = [];
  let next = 0;
  let running = 0;
  const total = sweep.trials.length;
  // One seal at a time, each followed by a full collection: a trial that logged every step leaves
  // ~80 MB of garbage (its metrics parsed, its figure) that V8 would otherwise still hold when the
  // next seal parses its own, and the aggregation after the last.
  const lane = oneAtATime();
  const sealing = <T>(seal: () => Promise<T>): Promise<T> =>
    lane(async () => {
      try {
        return await seal();
      } finally {
        collectGarbage();
      }
    });
  const report = (outcome?: TrialOutcome): void => {
    const failed = outcomes.filter((o) => o.status === 'failed' || o.status === 'interrupted').length;
    const line = progressLine(outcomes.length, total, failed, running);
    if (sweep.progress.isTTY) sweep.progress.write(`\r${line}\u001b[K`);
    else if (outcome) sweep.progress.write(`${line} · ${outcome.tag} ${outcome.status} in ${outcome.seconds.toFixed(1)} s${outcome.reason ? ` (${outcome.reason})` : ''}\n`);
  };
  const worker = async (): Promise<void> => {
    while (next < total && !stop.signal.aborted) {
      const trial = sweep.trials[next++];
      running++;
      report();
      const outcome = await runTrial({ root: sweep.root, plan: sweep.plan, provenance: sweep.provenance, command: sweep.command, stop: stop.signal, sealing }, trial);
      running--;
      if (outcome.status !== 'stopped') outcomes.push(outcome);
      report(outcome);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(sweep.jobs, total)) }, worker));
  } finally {
    process.off('SIGINT', onSigint);
    if (sweep.progress.isTTY) sweep.progress.write('\n');
  }
  const sealed = new Set(outcomes.map((o) => o.tag));
  return { outcomes, interrupted: stop.signal.aborted, notRun: sweep.trials.filter((t) => !sealed.has(t.tag)).map((t) => t.tag) };
};
