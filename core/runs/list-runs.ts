import { join } from 'node:path';
import { UserError } from '../errors.js';
import { suggestKey } from '../did-you-mean.js';
import { RUNS_DIR } from '../project.js';
import { listRunTags } from '../verify/verify-project.js';
import { member, RunDocuments } from './run-documents.js';
import { BUILTIN_FIELDS, type FieldValue, type RunField } from './run-fields.js';
import { compareBySortKeys, parseColumns, parseCondition, parseSort, type Condition, type SortKey } from './run-query.js';

export const DEFAULT_COLUMNS = 'tag,created,status,primary_metric,primary';

export interface RunsQuery { columns?: string; where?: readonly string[]; sort?: string; limit?: number }

export interface RunsTable {
  columns: string[];
  /** One object per run shown, keyed by column; a run without a field has null there. */
  runs: Array<Record<string, FieldValue>>;
  /** Runs that passed every --where (before --limit), and all runs of the project. */
  matched: number;
  total: number;
}

interface ParsedQuery { columns: RunField[]; where: Condition[]; sort: SortKey[]; limit: number | undefined }

/** Every option parsed before any run is read: a bad expression fails fast, naming its option. */
export const parseRunsQuery = (query: RunsQuery): ParsedQuery => {
  if (query.limit !== undefined && !(Number.isSafeInteger(query.limit) && query.limit > 0)) {
    throw new UserError(`--limit must be a positive integer, got ${JSON.stringify(query.limit)}`, { field: '--limit' });
  }
  return {
    columns: parseColumns(query.columns ?? DEFAULT_COLUMNS),
    where: (query.where ?? []).map(parseCondition),
    sort: query.sort ? parseSort(query.sort) : [],
    limit: query.limit,
  };
};

/** The keys a mistyped name could have meant: the metrics, results and hyperparameters of a few runs. */
const knownNames = (runs: readonly RunDocuments[]): string[] => {
  const names = new Set(BUILTIN_FIELDS);
  for (const run of runs.slice(0, 50)) {
    for (const key of Object.keys(member(run.get('summary'), 'metrics') ?? {})) names.add(key);
    for (const key of Object.keys(member(run.get('analysis'), 'results') ?? {})) names.add(key);
    for (const key of Object.keys(member(run.get('manifest'), 'hyperparameters') ?? {})) names.add(`hp.${key}`);
  }
  return [...names];
};

/**
 * A field no run has is a typo, not an empty answer: refuse it (with a "did you mean") rather than
 * print nothing. Only checked for fields no run that was looked at had, so the full scan is rare.
 */
const assertFieldsExist = (fields: ReadonlyArray<{ field: RunField; option: string }>, rows: ReadonlyArray<Record<string, FieldValue>>, all: readonly RunDocuments[]): void => {
  for (const { field, option } of fields) {
    if (field.builtin || all.length === 0 || rows.some((row) => row[field.name] !== null && row[field.name] !== undefined)) continue;
    if (all.some((run) => field.read(run) !== undefined)) continue;
    const suggestion = suggestKey(field.name, knownNames(all));
    throw new UserError(`${option}: no run has a field ${JSON.stringify(field.name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, { field: option });
  }
};

/**
 * `dl-lab runs`: the project's runs, filtered, sorted and cut to the chosen columns. Reads only the
 * documents the fields need, each run once per pass and dropped after it (memory stays flat at
 * 10,000 runs); never hashes.
 */
export const listRuns = async (root: string, query: RunsQuery): Promise<RunsTable> => {
  const parsed = parseRunsQuery(query);
  const all = (await listRunTags(root)).map((tag) => new RunDocuments(tag, join(root, RUNS_DIR, tag)));
  const matched: Array<{ run: RunDocuments; tag: string; values: FieldValue[] }> = [];
  for (const run of all) {
    if (parsed.where.every((condition) => condition.test(condition.field.read(run)))) {
      matched.push({ run, tag: run.tag, values: parsed.sort.map((key) => key.field.read(run)) });
    }
    run.forget();
  }
  matched.sort(compareBySortKeys(parsed.sort));
  const shown = (parsed.limit === undefined ? matched : matched.slice(0, parsed.limit)).map(({ run }) => run);
  const rows = shown.map((run) => {
    const row = Object.fromEntries(parsed.columns.map((field) => [field.name, field.read(run) ?? null]));
    run.forget();
    return row;
  });
  assertFieldsExist(
    [
      ...parsed.where.map((condition) => ({ field: condition.field, option: `--where ${JSON.stringify(condition.text)}` })),
      ...parsed.sort.map((key) => ({ field: key.field, option: '--sort' })),
      ...parsed.columns.map((field) => ({ field, option: '--columns' })),
    ],
    rows,
    all,
  );
  return { columns: parsed.columns.map((field) => field.name), runs: rows, matched: matched.length, total: all.length };
};
