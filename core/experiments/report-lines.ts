import { RUNS_DIR } from '../project.js';
import { aggregateSummaryLines } from './aggregate-lines.js';
import { experimentDir, planPath } from './layout.js';
import type { TrialOutcome } from './run-trial.js';
import { LOG_TAIL_FILE } from './trial-command.js';
import type { SweepResult, SweepSetup } from './sweep.js';

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The closing summary of `dl-lab sweep` (stdout). */
export const sweepSummaryLines = (setup: SweepSetup, result: SweepResult): string[] => {
  const { plan } = setup;
  if (result.kind === 'dry-run') return result.lines;
  const head = `sweep ${plan.name}: ${plan.variants.length} variant(s) × ${plan.seeds.length} seed(s) = ${count(plan.trials.length, 'trial')}`;
  if (result.kind === 'slurm') {
    return [
      head,
      `submitted: array job ${result.arrayJobId} (${count(result.jobs.tasks.length, 'task')}, ${result.jobs.tasks.length === plan.trials.length ? 'one per trial' : `the trials still to run: ${result.jobs.tasks.join(', ')}`}), aggregation job ${result.aggregateJobId} (afterany:${result.arrayJobId})`,
      `job scripts: ${result.jobs.trials.script}, ${result.jobs.aggregate.script}`,
      `logs: ${experimentDir(plan.name)}/logs/`,
      `next: squeue -j ${result.arrayJobId},${result.aggregateJobId}`,
    ];
  }
  const { outcomes, interrupted, notRun } = result.result;
  const by = (status: TrialOutcome['status']): TrialOutcome[] => outcomes.filter((o) => o.status === status);
  const skipped = plan.trials.length - setup.pending.length;
  const lines = [
    head,
    `${count(by('completed').length, 'trial')} completed, ${by('failed').length} failed, ${by('interrupted').length} interrupted this time${skipped ? `; ${skipped} already sealed before` : ''}`,
    ...[...by('failed'), ...by('interrupted')].map((o) => `  ${o.status}: ${o.tag}: ${o.reason} (sealed${plan.command ? `; end of its log: ${RUNS_DIR}/${o.tag}/${LOG_TAIL_FILE}` : ''})`),
    ...outcomes.filter((o) => o.retryOf).map((o) => `  retried: ${o.tag}: ${o.status}, a new attempt after ${o.retryOf} was interrupted (kept: ${RUNS_DIR}/${o.retryOf}/)`),
  ];
  if (interrupted) {
    lines.push(`stopped by Ctrl-C: ${count(notRun.length, 'trial')} not run or not finished, none of them written; the same command again runs them`);
  }
  lines.push(`plan: ${planPath(plan.name)}`, `runs: ${RUNS_DIR}/${plan.name}-<variant>-s<seed>/ (a new attempt after an interrupted one: <tag>.r2/, …)`);
  return result.aggregate ? [...lines, ...aggregateSummaryLines(result.aggregate)] : lines;
};

/** The summary of one Slurm task (`--task I`), in the task's output file. */
export const taskSummaryLines = (outcome: TrialOutcome): string[] =>
  outcome.alreadySealed
    ? [`trial ${outcome.tag}: already sealed as ${RUNS_DIR}/${outcome.tag}/ (${outcome.status}); this task ran nothing again`]
    : [
        ...(outcome.retryOf ? [`trial ${outcome.retryOf} was interrupted (kept: ${RUNS_DIR}/${outcome.retryOf}/); this task ran a new attempt, ${outcome.tag}`] : []),
        `trial ${outcome.tag}: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''} in ${outcome.seconds.toFixed(1)} s; sealed as ${RUNS_DIR}/${outcome.tag}/`,
      ];
