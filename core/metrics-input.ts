import { dirname, isAbsolute, resolve } from 'node:path';
import { undefinedKeyViolations } from './contract/definitions.js';
import type { MetricsInput } from './contract/generated/metrics-input.js';
import { schemaViolations, throwIfViolations } from './contract/validate.js';
import { readJsonValue } from './json-file.js';
import { readHistoryFile } from './metrics-history.js';

export type { MetricsInput };

export interface LoadedMetrics {
  input: MetricsInput;
  /** The checkpoint file named inside the metrics file, resolved against the metrics file's folder. */
  checkpointPath: string | undefined;
}

/**
 * Read what the user's training wrote (`--metrics`), check it against metrics-input.schema.json
 * and the definition rule, and report every violation with the file and JSON pointer. A history
 * kept in a JSON Lines file (`history_file`, dl_lab_log.py's format) is read into `history`.
 */
export const loadMetricsInput = (file: string, label = file): LoadedMetrics => {
  const value = readJsonValue(file, label);
  const violations = schemaViolations('metricsInput', value, label);
  if (violations.length === 0) {
    const input = value as MetricsInput;
    violations.push(
      ...undefinedKeyViolations(input.metric_definitions, [
        { file: label, pointer: '/metrics', keys: Object.keys(input.metrics) },
        { file: label, pointer: '/results', keys: Object.keys(input.results) },
        { file: label, pointer: '/primary_metric', keys: input.primary_metric },
        { file: label, pointer: '/best_checkpoint/selected_by', keys: input.best_checkpoint?.selected_by },
      ]),
    );
  }
  throwIfViolations(violations, `invalid metrics file ${label}`);
  const { history_file: historyFile, ...input } = value as MetricsInput;
  const beside = (named: string): string => (isAbsolute(named) ? named : resolve(dirname(resolve(file)), named));
  if (historyFile) input.history = readHistoryFile(beside(historyFile.path), historyFile, `${label} history_file ${historyFile.path}`);
  const named = input.best_checkpoint?.path;
  const checkpointPath = named === undefined ? undefined : beside(named);
  return { input, checkpointPath };
};
