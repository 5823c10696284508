import type { MetricsInput } from '../contract/generated/metrics-input.js';
import type { RunSummary } from '../contract/generated/summary.js';
import { UserError } from '../errors.js';

/** How a sealed run ended (summary.json `status`; absent means completed, as in every 1.0 run). */
export type RunStatus = NonNullable<RunSummary['status']>;
export const RUN_STATUSES: readonly RunStatus[] = ['completed', 'interrupted', 'failed'];

export interface RunOutcome { status: RunStatus; reason: string | undefined }

/** What a metrics file still marked "running" is sealed as: its writer died without closing the log. */
export const NEVER_CLOSED: RunOutcome = { status: 'interrupted', reason: 'the log was never closed' };

/** summary.json's status of a run (absent: completed). */
export const statusOf = (summary: Pick<RunSummary, 'status'>): RunStatus => summary.status ?? 'completed';

/** "failed (ValueError: loss is nan)": a run's status for messages. */
export const describeStatus = (summary: Pick<RunSummary, 'status' | 'status_reason'>): string =>
  `${statusOf(summary)}${summary.status_reason ? ` (${summary.status_reason})` : ''}`;

/** `--status` as given on the command line, checked. */
export const statusOption = (value: unknown): RunStatus | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(RUN_STATUSES as readonly string[]).includes(value)) {
    throw new UserError(`--status must be one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(value)}`, { field: '--status' });
  }
  return value as RunStatus;
};

/**
 * How the run ended, from the metrics file's `status` and the `--status`/`--status-reason` flags.
 * A flag may say what the file cannot know (a "running" or status-less file whose process was
 * killed or failed: the caller saw it) but never upgrade a run: nothing turns a running,
 * interrupted or failed log into a completed run, nor an interrupted one into failed or back.
 */
export const resolveOutcome = (
  file: Pick<MetricsInput, 'status' | 'status_reason'> | undefined,
  flag: { status?: RunStatus; reason?: string },
  label: string,
): RunOutcome => {
  if (flag.reason !== undefined && flag.status === undefined) {
    throw new UserError('--status-reason needs --status (interrupted or failed)', { field: '--status-reason' });
  }
  if (flag.reason !== undefined && flag.status === 'completed') {
    throw new UserError('--status-reason is for a run that did not complete (--status interrupted or failed)', { field: '--status-reason' });
  }
  const recorded = file?.status;
  if (flag.status === undefined) {
    if (recorded === 'running') return NEVER_CLOSED;
    return { status: recorded ?? 'completed', reason: file?.status_reason };
  }
  const downgrade = flag.status !== 'completed' && (recorded === undefined || recorded === 'running' || recorded === 'completed');
  if (recorded !== undefined && recorded !== flag.status && !downgrade) {
    throw new UserError(
      `--status ${flag.status} contradicts ${label}: /status "${recorded}"${recorded === 'running' ? ' (a log that was never closed is not a completed run)' : ''}`,
      { file: label, field: '/status' },
    );
  }
  return { status: flag.status, reason: flag.reason ?? (recorded === flag.status ? file?.status_reason : undefined) };
};

/** The closing summary's line for a run that did not complete (none for a completed one). */
export const outcomeLines = (outcome: RunOutcome): string[] =>
  outcome.status === 'completed' ? [] : [`status: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}: sealed as a record; paper and check-paper refuse to cite it`];
