import { dirname, isAbsolute, resolve } from 'node:path';
import { collectGarbage } from './collect-garbage.js';
import { undefinedKeyViolations } from './contract/definitions.js';
import type { MetricsInput } from './contract/generated/metrics-input.js';
import { schemaViolations, throwIfViolations } from './contract/validate.js';
import { readJsonValue } from './json-file.js';
import { HistoryTable } from './history-table.js';
import { readHistoryFile } from './metrics-history.js';

export type { MetricsInput };

/** A metrics file as read: its history, inline or in a history file, as a HistoryTable. */
export type MetricsRead = Omit<MetricsInput, 'history' | 'history_file'> & { history?: HistoryTable };

export interface LoadedMetrics {
  input: MetricsRead;
  /** The checkpoint file named inside the metrics file, resolved against the metrics file's folder. */
  checkpointPath: string | undefined;
}

/**
 * Read what the user's training wrote (`--metrics`), check it against metrics-input.schema.json
 * and the definition rule, and report every violation with the file and JSON pointer. The history,
 * inline or kept in a JSON Lines file (`history_file`, dl_lab_log.py's format), is read into
 * `history` as a HistoryTable: the parsed rows of an inline one are dropped once it is built.
 */
export const loadMetricsInput = (file: string, label = file): LoadedMetrics => {
  const { loaded, parsedRows } = readMetricsFile(file, label);
  // The parsed rows of a long inline history are garbage now, tens of MB of it in the old generation
  // (300,000 rows: ~33 MB), which V8 would keep through the rest of the run (collect-garbage.ts).
  if (parsedRows >= COLLECT_AFTER_ROWS) collectGarbage();
  return loaded;
};

/** An inline history this long leaves enough garbage to collect at once: ~3 MB of parsed rows. */
const COLLECT_AFTER_ROWS = 25_000;

/** loadMetricsInput's work, in a frame of its own: once it returns, nothing refers to the parsed rows. */
const readMetricsFile = (file: string, label: string): { loaded: LoadedMetrics; parsedRows: number } => {
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
  const { history_file: historyFile, history: rows, ...head } = value as MetricsInput;
  const beside = (named: string): string => (isAbsolute(named) ? named : resolve(dirname(resolve(file)), named));
  const history = historyFile ? readHistoryFile(beside(historyFile.path), historyFile, `${label} history_file ${historyFile.path}`) : rows && HistoryTable.fromRows(rows);
  const input: MetricsRead = history ? { ...head, history } : head;
  const named = input.best_checkpoint?.path;
  const checkpointPath = named === undefined ? undefined : beside(named);
  return { loaded: { input, checkpointPath }, parsedRows: rows?.length ?? 0 };
};
