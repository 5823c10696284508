import { formatNumber, textTable } from '../compare/text-table.js';
import { stringifyJson } from '../json-file.js';
import type { RunsTable } from './list-runs.js';
import type { FieldValue } from './run-fields.js';

/** A cell as people read it: numbers to 6 significant digits, missing as —, anything else as its text or JSON. */
const cellText = (value: FieldValue): string =>
  value === null || value === undefined ? '—' : typeof value === 'number' ? formatNumber(value) : typeof value === 'string' ? value : JSON.stringify(value);

/** The terminal table: a header, one line per run, then how many matched (to stdout, so it can be piped). */
export const runsTableLines = (table: RunsTable): string[] => {
  const shown = table.runs.length;
  const count = `${shown} of ${table.total} run${table.total === 1 ? '' : 's'}${table.matched === table.total ? '' : ` (${table.matched} matched)`}`;
  if (shown === 0) return [table.total === 0 ? 'no runs yet (artifacts/runs/ is empty)' : `no run matches (${table.total} run${table.total === 1 ? '' : 's'} in the project)`];
  return [...textTable([table.columns, ...table.runs.map((run) => table.columns.map((column) => cellText(run[column])))], ''), count];
};

/** `--json`: one document, every value as it is in the run's files (numbers keep every digit). */
export const runsJson = (table: RunsTable): string => stringifyJson(table);

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
const csvField = (value: FieldValue): string => {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** `--csv`: a header row, then one row per run; numbers with every digit, a missing value empty. */
export const runsCsv = (table: RunsTable): string =>
  [table.columns, ...table.runs.map((run) => table.columns.map((column) => run[column]))].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
