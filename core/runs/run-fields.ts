import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { member, memberPath, RUN_DOCUMENTS, type RunDocuments } from './run-documents.js';

/** What a field of a run holds: JSON scalars (hyperparameters may also be arrays or objects); undefined = the run has no such field. */
export type FieldValue = unknown;

/** A column, filter or sort key of `dl-lab runs`, resolved once to how it reads a run. */
export interface RunField {
  name: string;
  /** Fields a user names from the runs' own documents (a metric, a hyperparameter) can be mistyped; built-in ones cannot. */
  builtin: boolean;
  read: (run: RunDocuments) => FieldValue;
}

/** How a run ended, from summary.json `status` (contract 1.1; absent = completed); a summary that cannot be read is "unreadable". */
export type RunStatus = 'completed' | 'interrupted' | 'failed' | 'unreadable' | string;

export const runStatus = (run: RunDocuments): RunStatus => {
  if (summaryField(run, 'schema_version') === undefined) return 'unreadable';
  const status = summaryField(run, 'status');
  return typeof status === 'string' && status ? status : 'completed';
};

const manifestField = (run: RunDocuments, key: string, ...path: string[]): FieldValue => memberPath(run.top('manifest', key), path);
const summaryField = (run: RunDocuments, key: string): FieldValue => run.top('summary', key);
const metric = (run: RunDocuments, key: string): FieldValue => member(summaryField(run, 'metrics'), key);
const result = (run: RunDocuments, key: string): FieldValue => member(run.top('analysis', 'results'), key);
/** A metric, else a result of that name (most keys are both: a result is usually a metric the paper quotes). */
const metricOrResult = (run: RunDocuments, key: string): FieldValue => metric(run, key) ?? result(run, key);

/** Nested (`{training: {lr}}`) or literally dotted (`{"training.lr"}`) hyperparameters. */
const hyperparameter = (run: RunDocuments, path: string): FieldValue => {
  const hyperparameters = manifestField(run, 'hyperparameters');
  return memberPath(hyperparameters, path.split('.')) ?? member(hyperparameters, path);
};

const BUILTIN: Record<string, (run: RunDocuments) => FieldValue> = {
  tag: (run) => run.tag,
  created: (run) => manifestField(run, 'created_at'),
  status: (run) => runStatus(run),
  status_reason: (run) => summaryField(run, 'status_reason'),
  kind: (run) => (existsSync(join(run.dir, RUN_DOCUMENTS.experiment)) ? 'experiment' : 'run'),
  demo: (run) => manifestField(run, 'demo'),
  commit: (run) => manifestField(run, 'code', 'git', 'commit'),
  branch: (run) => manifestField(run, 'code', 'git', 'branch'),
  dirty: (run) => manifestField(run, 'code', 'git', 'dirty'),
  primary_metric: (run) => summaryField(run, 'primary_metric'),
  primary: (run) => {
    const key = summaryField(run, 'primary_metric');
    return typeof key === 'string' ? metricOrResult(run, key) : undefined;
  },
  experiment: (run) => manifestField(run, 'experiment', 'name'),
  variant: (run) => manifestField(run, 'experiment', 'variant'),
  seed: (run) => manifestField(run, 'experiment', 'seed') ?? manifestField(run, 'seed'),
  note: (run) => manifestField(run, 'note'),
};

/** The built-in field names, in the order `--help` lists them. */
export const BUILTIN_FIELDS = Object.keys(BUILTIN);

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Resolve a field name given in `option` (for the error message): a built-in field, `hp.<path>`
 * (hyperparameters), `metrics.<key>`, `results.<key>`, or a bare key (a metric, else a result).
 */
export const resolveField = (name: string, option: string): RunField => {
  const builtin = BUILTIN[name];
  if (builtin) return { name, builtin: true, read: builtin };
  if (!NAME.test(name)) {
    throw new UserError(`${option}: ${JSON.stringify(name)} is not a field name (a built-in field such as tag or created, hp.<path>, metrics.<key>, results.<key>, or a metric or result key)`, { field: option });
  }
  const [prefix, ...rest] = name.split('.');
  const tail = rest.join('.');
  if (prefix === 'hp' && tail) return { name, builtin: false, read: (run) => hyperparameter(run, tail) };
  if (prefix === 'metrics' && tail) return { name, builtin: false, read: (run) => metric(run, tail) };
  if (prefix === 'results' && tail) return { name, builtin: false, read: (run) => result(run, tail) };
  return { name, builtin: false, read: (run) => metricOrResult(run, name) };
};
