import { CONTRACT_VERSION } from '../contract/contract-version.js';
import { extname } from 'node:path';
import type { AnalysisDocument } from './analysis-document.js';
import type { CheckpointRecord } from '../contract/generated/checkpoint.js';
import type { RunSummary } from '../contract/generated/summary.js';
import type { HistoryRows } from '../history-table.js';
import type { MetricsRead } from '../metrics-input.js';
import type { RunFile } from './outputs.js';
import { runFilePath } from './paths.js';
import type { RunOutcome } from './run-status.js';
import { UserError } from '../errors.js';

/** The note of a wiring run, naming the command that writes one (`dl-lab run` or, printed under yo, `yo dl-lab:run`). */
export const wiringNote = (command = 'dl-lab run'): string =>
  `Wiring run written by \`${command}\` without --metrics: every number is a placeholder, not a measurement. Do not cite it.`;

/** As recorded in the run's manifest and checkpoint record: files dl-lab writes say `dl-lab …`, whichever launcher sealed it. */
export const WIRING_NOTE = wiringNote();

/** A wiring run is known by its recorded note: a demo-flagged run of placeholder numbers (the built-in demo has its own note). */
export const isWiringRun = (manifest: { demo: boolean; note?: string }): boolean => manifest.demo && manifest.note === WIRING_NOTE;

/** What the documents are made from: a metrics file as read (its history a table), or one built in code (its history rows). */
export type DocumentsInput = Omit<MetricsRead, 'history'> & { history?: HistoryRows };

/** A checkpoint file already placed in the run's staging folder (at checkpointCopyName) and hashed by the caller. */
export interface CheckpointSource { path: string; given: string; sha256: string; size: number }

export interface RecordedDocuments {
  summary: RunSummary;
  /** analysis.json, its history still a HistoryTable when the metrics file had one. */
  analysis: AnalysisDocument;
  checkpointRecord: CheckpointRecord;
  extraFiles: RunFile[];
}

/** Where a copied checkpoint lives in the run: `checkpoints/best<ext>`, never clashing with best.json. */
export const checkpointCopyName = (source: string): string => {
  const ext = extname(source).toLowerCase();
  return ext === '.json' ? 'checkpoints/best.checkpoint.json' : `checkpoints/best${ext}`;
};

/** The note of a run that did not complete and left no metrics file: nothing was measured, nothing is made up. */
export const NO_METRICS_NOTE = 'Sealed by `dl-lab run` without --metrics for a run that did not complete: no metric was recorded.';

/**
 * The run documents for `dl-lab run` from the user's metrics file. Without one, a completed run is
 * a wiring run (placeholder numbers, "demo": true); an interrupted or failed one has no numbers at
 * all, never placeholders. A run that did not complete records its status and reason in summary.json.
 */
export const recordedDocuments = (
  tag: string,
  runDir: string,
  input: DocumentsInput | undefined,
  checkpoint: CheckpointSource | undefined,
  outcome: RunOutcome = { status: 'completed', reason: undefined },
): RecordedDocuments => {
  const completed = outcome.status === 'completed';
  const demo = input === undefined && completed;
  const source = input ?? (completed ? placeholderInput() : noMetricsInput());
  const note = demo ? WIRING_NOTE : input === undefined ? NO_METRICS_NOTE : source.notes;
  const selectedBy = source.best_checkpoint?.selected_by ?? source.primary_metric;
  const epoch = source.best_checkpoint?.epoch ?? null;
  const metricValue = source.best_checkpoint?.metric_value ?? null;
  const copyName = checkpoint ? checkpointCopyName(checkpoint.path) : undefined;
  if (checkpoint && selectedBy === undefined) {
    throw new UserError('--checkpoint: a checkpoint needs the metric that selected it (best_checkpoint.selected_by or primary_metric in --metrics)', { field: '--checkpoint' });
  }
  const checkpointRecord: CheckpointRecord = checkpoint && copyName && selectedBy !== undefined
    ? { schema_version: CONTRACT_VERSION, format: 'external-file', file: runFilePath(runDir, copyName), sha256: checkpoint.sha256, bytes: checkpoint.size, source: checkpoint.given, epoch, selected_by: selectedBy, metric_value: metricValue }
    : { schema_version: CONTRACT_VERSION, format: 'none', note: demo ? WIRING_NOTE : 'No checkpoint file was given (--checkpoint or best_checkpoint.path in the metrics file).' };
  const common = { schema_version: CONTRACT_VERSION, tag, demo, ...(note === undefined ? {} : { note }) };
  return {
    summary: {
      ...common,
      metrics: source.metrics,
      metric_definitions: source.metric_definitions,
      ...(source.primary_metric === undefined ? {} : { primary_metric: source.primary_metric }),
      ...(selectedBy === undefined ? {} : { best_checkpoint: { path: copyName ? runFilePath(runDir, copyName) : null, selected_by: selectedBy, epoch, metric_value: metricValue } }),
      // Completed runs keep the 1.0 shape (status absent means completed).
      ...(completed ? {} : { status: outcome.status, ...(outcome.reason === undefined ? {} : { status_reason: outcome.reason }) }),
    },
    analysis: { ...common, results: source.results, history: source.history ?? [] },
    checkpointRecord,
    extraFiles: checkpoint && copyName ? [{ name: copyName, role: 'checkpoint', placed: true, sha256: checkpoint.sha256, size: checkpoint.size }] : [],
  };
};

const noMetricsInput = (): DocumentsInput => ({ metrics: {}, metric_definitions: {}, results: {} });

const placeholderInput = (): DocumentsInput => ({
  metrics: { placeholder_metric: 0 },
  metric_definitions: {
    placeholder_metric: { definition: 'Placeholder written by a wiring run (no --metrics): not a measurement.', unit: '1', higher_is_better: true },
  },
  primary_metric: 'placeholder_metric',
  results: { placeholder_metric: 0 },
});

