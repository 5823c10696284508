import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `schemas/` ships at the package root; this module sits three levels below it both as
 * `src/lib/contract/*.ts` (tests, tsx) and as `dist/lib/contract/*.js` (built package).
 */
export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'schemas');

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
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

export const readSchema = (name: SchemaName): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]), 'utf8')) as Record<string, unknown>;
