import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const DATASETS_SCHEMA_ID = 'https://dl-lab.dev/schemas/v1/datasets.schema.json';

/**
 * schemas/ sits at the package root, three levels above both src/lib/datasets/ (tests, via tsx)
 * and dist/lib/datasets/ (the build), so one relative URL works for both. Read rather than
 * imported: a JSON import from outside rootDir would break the build.
 */
const SCHEMA_URL = new URL('../../../schemas/datasets.schema.json', import.meta.url);

/** The parsed schema, e.g. for `ajv.addSchema()` so another schema can `$ref` its `$defs`. */
export function loadDatasetsSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

type Target = 'registry' | 'dataset_record' | 'manifest_entry' | 'generated_entry';
let compiled: Map<Target, ValidateFunction> | undefined;

/** Compiled once per process (compiling costs far more than validating). */
export function validatorFor(target: Target): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    ajv.addSchema(loadDatasetsSchema());
    compiled = new Map();
    for (const t of ['registry', 'dataset_record', 'manifest_entry', 'generated_entry'] as const) {
      const ref = t === 'registry' ? DATASETS_SCHEMA_ID : `${DATASETS_SCHEMA_ID}#/$defs/${t}`;
      compiled.set(t, ajv.getSchema(ref) as ValidateFunction);
    }
  }
  return compiled.get(target) as ValidateFunction;
}

export interface SchemaViolation {
  /** JSON pointer of the offending value (for a missing property: where it should be). */
  pointer: string;
  message: string;
}

/** Violations of `value` against `target`; empty when valid. */
export function schemaViolations(target: Target, value: unknown): SchemaViolation[] {
  const validate = validatorFor(target);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(toViolation);
}

function toViolation(error: ErrorObject): SchemaViolation {
  const params = error.params as Record<string, unknown>;
  // Wording as in contract/validate.ts; the pointer names the property itself rather than its parent.
  if (typeof params.missingProperty === 'string') {
    const pointer = `${error.instancePath}/${escapePointer(params.missingProperty)}`;
    return { pointer, message: `${pointer}: missing required field '${params.missingProperty}'` };
  }
  if (typeof params.additionalProperty === 'string') {
    const pointer = `${error.instancePath}/${escapePointer(params.additionalProperty)}`;
    return { pointer, message: `${pointer}: unknown field '${params.additionalProperty}'` };
  }
  return { pointer: error.instancePath || '/', message: `${error.instancePath || '/'}: ${error.message ?? 'is invalid'}` };
}

export const escapePointer = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');
