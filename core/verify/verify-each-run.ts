import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENT_FILE } from '../experiments/versions.js';
import { forEachRunDir } from '../run/read-limits.js';
import { SharedVerifications } from './shared-verifications.js';
import { verifyRun, type ParsedRunDocuments, type RunVerification } from './verify-run.js';

/** Told of one run of verifyEachRun's list: its verification, and its documents when they satisfy the contract. */
export type OnVerifiedRun = (index: number, verification: RunVerification, documents: ParsedRunDocuments | undefined) => void | Promise<void>;

/**
 * `verifyRun` of every run folder of `runDirs` (absolute paths of folders that exist), with each run
 * verified once however many others depend on it (shared-verifications.ts): a resumed run's parent
 * is the parent's own verification, and an experiment record's members (every statistic must
 * recompute from them) are the members' own. Records go first, so that their members, verified
 * within them with their documents, are not verified again: for trials logged every step, each a
 * 43 MB analysis.json to hash and parse, that was a second pass over every member. `onRun` is told
 * of every run exactly once; it may return a promise, which is awaited before this resolves.
 * Returns how many run verifications were done, parents and members included (a member of two
 * records, e.g. two versions of an experiment, is verified within each).
 */
export const verifyEachRun = async (root: string, runDirs: readonly string[], onRun: OnVerifiedRun): Promise<number> => {
  const indexOf = new Map(runDirs.map((dir, index) => [dir, index]));
  const told = new Set<number>();
  const pending: Array<Promise<void>> = [];
  const shared = new SharedVerifications(verifyRun, (dir, verification, documents) => {
    const index = indexOf.get(dir);
    if (index === undefined || told.has(index)) return;
    told.add(index);
    const done = Promise.resolve().then(() => onRun(index, verification, documents));
    done.catch(() => {}); // rethrown by the Promise.all below, not an unhandled rejection meanwhile
    pending.push(done);
  });
  const verifyAt = async (index: number): Promise<void> => {
    if (!told.has(index)) await shared.verify(root, runDirs[index]);
  };
  const records = runDirs.flatMap((dir, index) => (existsSync(join(dir, EXPERIMENT_FILE)) ? [index] : []));
  await forEachRunDir(records.map((index) => runDirs[index]), (k) => verifyAt(records[k]));
  const rest = runDirs.flatMap((_, index) => (told.has(index) ? [] : [index]));
  await forEachRunDir(rest.map((index) => runDirs[index]), (k) => verifyAt(rest[k]));
  await Promise.all(pending);
  return shared.verifications;
};
