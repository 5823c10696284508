import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv2020, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';
import { UserError } from '../errors.js';
import { escapePointer } from './definitions.js';
import { PRECOMPILED_VALIDATORS, type PrecompiledValidators } from './precompiled-validators.js';
import { SCHEMAS_DIR, SCHEMA_FILES, readSchema, type SchemaName } from './schema-files.js';

/** How every contract schema is compiled: here at run time, and ahead of time by scripts/build.mjs. */
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const satisfies Options;

/**
 * An Ajv with every schema added, so cross-file `$ref`s resolve by `$id`. ajv is required here, on
 * first use, not imported: the built package validates with precompiled code and rarely loads it.
 */
export const createContractAjv = (extraOptions: Options = {}): Ajv2020 => {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  // ajv-formats is CommonJS: its function is the module itself or its `default`.
  const addFormatsModule = require('ajv-formats') as { default?: (ajv: Ajv2020) => Ajv2020 } & ((ajv: Ajv2020) => Ajv2020);
  const addFormats = addFormatsModule.default ?? addFormatsModule;
  const ajv = new Ajv2020({ ...AJV_OPTIONS, ...extraOptions });
  addFormats(ajv);
  for (const name of Object.keys(SCHEMA_FILES) as SchemaName[]) ajv.addSchema(readSchema(name));
  return ajv;
};

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** One Ajv for the process (for what the build did not precompile). */
const getAjv = (): Ajv2020 => (ajv ??= createContractAjv());

/**
 * The build's precompiled validators (whole schemas), if they were compiled from exactly the
 * schema files on disk: a schema edited or added since the build makes them all unusable, as
 * schemas `$ref` each other.
 */
const precompiledValidators = (() => {
  let usable: boolean | undefined;
  return (): PrecompiledValidators | undefined => {
    const pre = PRECOMPILED_VALIDATORS;
    if (!pre) return undefined;
    usable ??= (Object.keys(SCHEMA_FILES) as SchemaName[]).every(
      (name) => pre.schemaSha256[name] === createHash('sha256').update(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]))).digest('hex'),
    );
    return usable ? pre : undefined;
  };
})();

/**
 * The `$defs` the code validates on their own, as `<schema>#<definition>`: the build precompiles
 * them too. Without, each cost a command ~160 ms of loading ajv and compiling (every run of a
 * script that logs through dl_lab_log reads a history file).
 */
export const PRECOMPILED_DEFINITIONS = ['common#history', 'datasets#dataset_record'] as const;

/** The validator of a schema, or of one of its `$defs` (e.g. datasets' `dataset_record`). */
const validatorFor = (name: SchemaName, definition?: string): ValidateFunction => {
  const key = definition ? `${name}#${definition}` : name;
  const precompiled = precompiledValidators();
  let validate = compiled.get(key) ?? (definition ? precompiled?.definitions[key] : precompiled?.validators[name]);
  if (!validate) {
    const id = readSchema(name).$id as string;
    validate = getAjv().getSchema(definition ? `${id}#/$defs/${definition}` : id);
    if (!validate) throw new Error(`schema ${SCHEMA_FILES[name]} has no ${definition ? `$defs/${definition}` : '$id'}`);
  }
  compiled.set(key, validate);
  return validate;
};

/** A violation as the user sees it: `<file>: <json pointer>: <message>`. */
export interface Violation { file: string; pointer: string; message: string }

/** A violation as text; an empty pointer means the problem is the file itself (missing, unreadable…). */
export const formatViolation = (v: Violation): string => `${v.file}: ${fieldAndMessage(v)}`;

/** A violation without its file: `<json pointer>: <message>`, or the message alone. */
const fieldAndMessage = (v: Violation): string => (v.pointer ? `${v.pointer}: ${v.message}` : v.message);

/** The field a violation is about: for a missing or unknown property, the property itself (not its parent). */
const pointerOf = (error: ErrorObject): string => {
  const property = error.keyword === 'required' ? error.params.missingProperty : error.keyword === 'additionalProperties' ? error.params.additionalProperty : undefined;
  return typeof property === 'string' ? `${error.instancePath}/${escapePointer(property)}` : error.instancePath || '/';
};

const describe = (error: ErrorObject): string => {
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field '${String(error.params.additionalProperty)}'`;
    case 'required':
      return `missing required field '${String(error.params.missingProperty)}'`;
    case 'enum':
      return `${error.message} (${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
    case 'const':
      return `must be ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return error.message ?? error.keyword;
  }
};

/**
 * Schema violations of `data`, for the file shown as `file`. `anyOf`/`oneOf` branch noise is
 * dropped when a more specific error exists at the same or a deeper pointer.
 */
export const schemaViolations = (name: SchemaName, data: unknown, file: string, definition?: string): Violation[] => {
  const validate = validatorFor(name, definition);
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'if', 'not'].includes(e.keyword));
  const shown = specific.length > 0 ? specific : errors;
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const error of shown) {
    const violation = { file, pointer: pointerOf(error), message: describe(error) };
    const key = formatViolation(violation);
    if (!seen.has(key)) {
      seen.add(key);
      violations.push(violation);
    }
  }
  return violations;
};

/** Throws one UserError listing every violation; the first one names the file and field. */
export const throwIfViolations = (violations: readonly Violation[], what: string): void => {
  if (violations.length === 0) return;
  const [first] = violations;
  const where = { file: first.file, field: first.pointer };
  // One problem is said in one line (`invalid metrics file m.json: /results: …`, the file named
  // once); several are counted, then listed a line each.
  if (violations.length === 1) throw new UserError(`${what}: ${what.endsWith(first.file) ? fieldAndMessage(first) : formatViolation(first)}`, where);
  throw new UserError(`${what}: ${violations.length} problems`, { ...where, details: violations.map(formatViolation) });
};

/** Validate one document against its schema or throw a UserError naming file and pointers. */
export const assertValid = <T>(name: SchemaName, data: unknown, file: string): T => {
  throwIfViolations(schemaViolations(name, data, file), `invalid ${file}`);
  return data as T;
};
