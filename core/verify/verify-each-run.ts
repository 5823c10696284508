import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENT_FILE } from '../experiments/versions.js';
import { forEachRunDir } from '../run/read-limits.js';
import { verifyRun, type ParsedRunDocuments, type RunVerification } from './verify-run.js';
import { verifyWithDocuments } from './verify-with-documents.js';

/** Told of one run of verifyEachRun's list: its verification, and its documents when they satisfy the contract. */
export type OnVerifiedRun = (index: number, verification: RunVerification, documents: ParsedRunDocuments | undefined) => void | Promise<void>;

/**
 * `verifyRun` of every run folder of `runDirs` (absolute paths of folders that exist), each once.
 * An experiment record's verify also verifies its member runs (every statistic must recompute from
 * them), so records go first, and the members they verified are taken from there instead of
 * verified again: for trials logged every step, each a 43 MB analysis.json to hash and parse,
 * that was a second pass over every member. `onRun` is told of every run exactly once; it may
 * return a promise, which is awaited before this resolves. Returns how many times a run of the
 * list was verified (a member of two records, e.g. two versions of an experiment, twice).
 */
export const verifyEachRun = async (root: string, runDirs: readonly string[], onRun: OnVerifiedRun): Promise<number> => {
  const indexOf = new Map(runDirs.map((dir, index) => [dir, index]));
  const told = new Set<number>();
  const pending: Array<Promise<void>> = [];
  let verifications = 0;
  const tell = (index: number, verification: RunVerification, documents: ParsedRunDocuments | undefined): void => {
    if (told.has(index)) return;
    told.add(index);
    const done = Promise.resolve().then(() => onRun(index, verification, documents));
    done.catch(() => {}); // rethrown by the Promise.all below, not an unhandled rejection meanwhile
    pending.push(done);
  };
  const verifyAt = async (index: number): Promise<void> => {
    const { verification, documents } = await verifyWithDocuments(verifyRun, root, runDirs[index], {
      onMemberVerified: (dir, memberVerification, memberDocuments) => {
        const member = indexOf.get(dir);
        if (member === undefined) return;
        verifications++;
        tell(member, memberVerification, memberDocuments);
      },
    });
    verifications++;
    tell(index, verification, documents);
  };
  const records = runDirs.flatMap((dir, index) => (existsSync(join(dir, EXPERIMENT_FILE)) ? [index] : []));
  await forEachRunDir(records.map((index) => runDirs[index]), (k) => verifyAt(records[k]));
  const rest = runDirs.flatMap((_, index) => (told.has(index) ? [] : [index]));
  await forEachRunDir(rest.map((index) => runDirs[index]), (k) => verifyAt(rest[k]));
  await Promise.all(pending);
  return verifications;
};
