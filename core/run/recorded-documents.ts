import { CONTRACT_VERSION } from '../contract/contract-version.js';
import { extname } from 'node:path';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { CheckpointRecord } from '../contract/generated/checkpoint.js';
import type { RunSummary } from '../contract/generated/summary.js';
import type { MetricsInput } from '../metrics-input.js';
import type { RunFile } from './outputs.js';
import { runFilePath } from './paths.js';

export const WIRING_NOTE =
  'Wiring run written by `dl-lab run` without --metrics: every number is a placeholder, not a measurement. Do not cite it.';

/** A checkpoint file already placed in the run's staging folder (at checkpointCopyName) and hashed by the caller. */
export interface CheckpointSource { path: string; given: string; sha256: string; size: number }

export interface RecordedDocuments {
  summary: RunSummary;
  analysis: RunAnalysis;
  checkpointRecord: CheckpointRecord;
  extraFiles: RunFile[];
}

/** Where a copied checkpoint lives in the run: `checkpoints/best<ext>`, never clashing with best.json. */
export const checkpointCopyName = (source: string): string => {
  const ext = extname(source).toLowerCase();
  return ext === '.json' ? 'checkpoints/best.checkpoint.json' : `checkpoints/best${ext}`;
};

/** The run documents for `dl-lab run` from the user's metrics file (or placeholders when there is none). */
export const recordedDocuments = (
  tag: string,
  runDir: string,
  input: MetricsInput | undefined,
  checkpoint: CheckpointSource | undefined,
): RecordedDocuments => {
  const demo = input === undefined;
  const source = input ?? placeholderInput();
  const note = demo ? WIRING_NOTE : source.notes;
  const selectedBy = source.best_checkpoint?.selected_by ?? source.primary_metric;
  const epoch = source.best_checkpoint?.epoch ?? null;
  const metricValue = source.best_checkpoint?.metric_value ?? null;
  const copyName = checkpoint ? checkpointCopyName(checkpoint.path) : undefined;
  const checkpointRecord: CheckpointRecord = checkpoint && copyName
    ? { schema_version: CONTRACT_VERSION, format: 'external-file', file: runFilePath(runDir, copyName), sha256: checkpoint.sha256, bytes: checkpoint.size, source: checkpoint.given, epoch, selected_by: selectedBy, metric_value: metricValue }
    : { schema_version: CONTRACT_VERSION, format: 'none', note: demo ? WIRING_NOTE : 'No checkpoint file was given (--checkpoint or best_checkpoint.path in the metrics file).' };
  const common = { schema_version: CONTRACT_VERSION, tag, demo, ...(note === undefined ? {} : { note }) };
  return {
    summary: {
      ...common,
      metrics: source.metrics,
      metric_definitions: source.metric_definitions,
      primary_metric: source.primary_metric,
      best_checkpoint: { path: copyName ? runFilePath(runDir, copyName) : null, selected_by: selectedBy, epoch, metric_value: metricValue },
    },
    analysis: { ...common, results: source.results, history: source.history ?? [] },
    checkpointRecord,
    extraFiles: checkpoint && copyName ? [{ name: copyName, role: 'checkpoint', placed: true, sha256: checkpoint.sha256, size: checkpoint.size }] : [],
  };
};

const placeholderInput = (): MetricsInput => ({
  metrics: { placeholder_metric: 0 },
  metric_definitions: {
    placeholder_metric: { definition: 'Placeholder written by a wiring run (no --metrics): not a measurement.', unit: '1', higher_is_better: true },
  },
  primary_metric: 'placeholder_metric',
  results: { placeholder_metric: 0 },
  history: [],
});

