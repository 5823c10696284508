import type { RunAnalysis } from './generated/analysis.js';
import type { RunManifest } from './generated/manifest.js';
import type { RunSummary } from './generated/summary.js';
import { undefinedKeyViolations } from './definitions.js';
import { schemaViolations, type Violation } from './validate.js';
import { isHistoryTable, tableViolations } from '../history-table.js';

/** The JSON documents of one run, parsed, as they are (or will be) on disk. */
export interface RunDocuments {
  manifest: unknown;
  summary: unknown;
  analysis: unknown;
  checkpointRecord: unknown;
}

/** How each document is named in messages (e.g. `artifacts/runs/T/summary.json`). */
export type RunLabels = Record<keyof RunDocuments, string>;

/**
 * Every violation of the run contract: each file against its schema, then the cross-file rules
 * (metrics/results/primary/selected_by defined; tags agree; the manifest's demo flag agrees).
 */
export const runContractViolations = (docs: RunDocuments, labels: RunLabels): Violation[] => {
  const violations = [
    ...schemaViolations('manifest', docs.manifest, labels.manifest),
    ...schemaViolations('summary', docs.summary, labels.summary),
    ...analysisViolations(docs.analysis, labels.analysis),
    ...schemaViolations('checkpoint', docs.checkpointRecord, labels.checkpointRecord),
  ];
  if (violations.length > 0) return violations;
  const manifest = docs.manifest as RunManifest;
  const summary = docs.summary as RunSummary;
  const analysis = docs.analysis as RunAnalysis;
  violations.push(
    ...undefinedKeyViolations(summary.metric_definitions, [
      { file: labels.summary, pointer: '/metrics', keys: Object.keys(summary.metrics) },
      { file: labels.summary, pointer: '/primary_metric', keys: summary.primary_metric },
      { file: labels.summary, pointer: '/best_checkpoint/selected_by', keys: summary.best_checkpoint?.selected_by },
      { file: labels.analysis, pointer: '/results', keys: Object.keys(analysis.results) },
    ]),
  );
  for (const [label, doc] of [[labels.summary, summary], [labels.analysis, analysis]] as const) {
    if (doc.tag !== manifest.tag) violations.push({ file: label, pointer: '/tag', message: `'${doc.tag}' differs from the manifest's tag '${manifest.tag}'` });
    if (doc.demo !== manifest.demo) violations.push({ file: label, pointer: '/demo', message: `${doc.demo} differs from the manifest's demo flag ${manifest.demo}` });
  }
  if (manifest.hyperparameters.seed !== manifest.seed) {
    violations.push({ file: labels.manifest, pointer: '/seed', message: `${manifest.seed} differs from hyperparameters.seed ${manifest.hyperparameters.seed}` });
  }
  return violations;
};

/** analysis.json's violations; of a history held as a HistoryTable, the rows its reader did not validate, a batch at a time (tableViolations). */
const analysisViolations = (analysis: unknown, label: string): Violation[] => {
  const history = (analysis as { history?: unknown } | null)?.history;
  if (!isHistoryTable(history)) return schemaViolations('analysis', analysis, label);
  return [...schemaViolations('analysis', { ...(analysis as object), history: [] }, label), ...tableViolations(history, label, '/history')];
};
