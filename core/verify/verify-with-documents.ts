import type { ParsedRunDocuments, RunVerification, VerifyRunOptions } from './verify-run.js';

/** verifyRun, or a caller's wrapper of it (passed in where importing verify-run.ts would make a cycle). */
export type RunVerifier = (root: string, dir: string, options?: VerifyRunOptions) => Promise<RunVerification>;

/**
 * A run's verification with the documents it parsed (given whenever they satisfy the contract, so
 * whenever it passes): what a reader of the run (a member's record, the report) takes instead of
 * reading them again. `options.onDocuments` is still told.
 */
export const verifyWithDocuments = async (
  verify: RunVerifier,
  root: string,
  dir: string,
  options: VerifyRunOptions = {},
): Promise<{ verification: RunVerification; documents: ParsedRunDocuments | undefined }> => {
  let documents: ParsedRunDocuments | undefined;
  const verification = await verify(root, dir, {
    ...options,
    onDocuments: (parsed) => {
      documents = parsed;
      options.onDocuments?.(parsed);
    },
  });
  return { verification, documents };
};
