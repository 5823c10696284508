import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { SchemaName } from './schema-files.js';

/**
 * The contract's validators, compiled ahead of time (ajv "standalone" code), with the sha256 of
 * each schema file they were compiled from. Compiling the schemas at run time cost a CLI command
 * more than everything else it does; `scripts/build.mjs` replaces this placeholder in `dist/` with
 * the generated module. Here (tests under tsx) it is undefined and validate.ts compiles with ajv.
 */
export interface PrecompiledValidators {
  /** sha256 (hex) of each schema file's bytes at build time. */
  schemaSha256: Record<SchemaName, string>;
  validators: Record<SchemaName, ValidateFunction>;
  /** The `$defs` validated on their own (PRECOMPILED_DEFINITIONS), by `<schema>#<definition>`. */
  definitions: Record<string, ValidateFunction>;
}

export const PRECOMPILED_VALIDATORS: PrecompiledValidators | undefined = undefined;
