import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/** `schemas/` ships at the package root. */
export const SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas');

/** The documents of the contract, by the short name used in code and error messages. */
export const SCHEMA_FILES = {
  common: 'common.schema.json',
  provenance: 'provenance.schema.json',
  datasets: 'datasets.schema.json',
  manifest: 'manifest.schema.json',
  summary: 'summary.schema.json',
  analysis: 'analysis.schema.json',
  checkpoint: 'checkpoint.schema.json',
  config: 'config.schema.json',
  metricsInput: 'metrics-input.schema.json',
  experiment: 'experiment.schema.json',
  plan: 'plan.schema.json',
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

export const readSchema = (name: SchemaName): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]), 'utf8')) as Record<string, unknown>;
