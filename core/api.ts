/**
 * The package's programmatic surface, for tools that read or check dl-lab runs (e.g. a
 * paper-drafting tool): the schemas' locations, validation, and run verification.
 */
export { SCHEMAS_DIR, SCHEMA_FILES, type SchemaName } from './contract/schema-files.js';
export { assertValid, schemaViolations, formatViolation, type Violation } from './contract/validate.js';
export { runContractViolations, type RunDocuments } from './contract/run-contract.js';
export { verifyRun, type RunVerification } from './verify/verify-run.js';
export { sealDigest } from './run/outputs.js';
export { UserError, isUserError } from './errors.js';
export type { RunManifest } from './contract/generated/manifest.js';
export type { RunSummary } from './contract/generated/summary.js';
export type { RunAnalysis } from './contract/generated/analysis.js';
export type { MetricsInput } from './contract/generated/metrics-input.js';
