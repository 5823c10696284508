import assert from 'node:assert/strict';
import { join } from 'node:path';
import { datasetFiles } from '../../core/datasets/file-list.js';
import type { DatasetRecord } from '../../core/datasets/types.js';
import { verifyRun, type RunVerification } from '../../core/verify/verify-run.js';
import { runCli } from './cli.js';
import { tempDir } from './fs.js';
import { runGenerator } from './generators.js';

/** A scaffolded project in a fresh temp dir (real `git init` + first commit unless skipGit). */
export const scaffoldProject = async (options: { name?: string; skipGit?: boolean } = {}): Promise<string> => {
  const dir = tempDir('dl-lab-project-');
  await runGenerator('app', { cwd: dir, options: { name: options.name ?? 'test-project', yes: true, skipGit: options.skipGit ?? false } });
  return dir;
};

export const runDirOf = (root: string, tag: string): string => join(root, 'artifacts', 'runs', tag);

export const verifyTag = (root: string, tag: string): Promise<RunVerification> => verifyRun(root, runDirOf(root, tag));

/** A registered dataset's files as a plain array of `{ path, sha256 }`, to compare with known values. */
export const registeredFileArray = async (root: string, record: DatasetRecord): Promise<{ path: string; sha256: string }[]> => {
  const files = await datasetFiles(root, record);
  return Array.from({ length: files.length }, (_, i) => ({ path: files.path(i), sha256: files.sha256(i) }));
};

/** `dl-lab verify` of the built bin: exit 0 and every run "ok". */
export const assertVerifies = (root: string, tags: string[]): void => {
  const verify = runCli(['verify', ...tags], { cwd: root });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, new RegExp(`${tags.length} of ${tags.length} run\\(s\\) verified`));
};
