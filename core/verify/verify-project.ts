import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RUNS_DIR, validateTag } from '../project.js';
import { STAGING_PREFIX } from '../run/paths.js';
import { cleanStaleStaging, type StagingCleanup } from '../run/staging.js';
import { verifyEachRun } from './verify-each-run.js';
import type { RunVerification } from './verify-run.js';

export interface ProjectVerification { ok: boolean; runs: Array<RunVerification & { tag: string }>; staging: StagingCleanup }

/** The tags of every published run of the project (staging folders and plain files are not runs). */
export const listRunTags = async (root: string): Promise<string[]> =>
  (await readdir(join(root, RUNS_DIR), { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(STAGING_PREFIX) && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();

/**
 * Verify the given runs (default: all) of a project, and clean up staging folders abandoned by
 * killed writers (reporting those still in use).
 */
export const verifyProject = async (root: string, tags?: readonly string[]): Promise<ProjectVerification> => {
  const staging = await cleanStaleStaging(join(root, RUNS_DIR));
  const wanted = tags && tags.length > 0 ? tags.map((tag) => validateTag(tag)) : await listRunTags(root);
  const runs: ProjectVerification['runs'] = wanted.map((tag) => ({ tag, runDir: `${RUNS_DIR}/${tag}`, ok: false, problems: [{ file: `${RUNS_DIR}/${tag}`, pointer: '', message: 'no such run' }] }));
  const found = wanted.flatMap((tag, index) => (existsSync(join(root, RUNS_DIR, tag)) ? [index] : []));
  await verifyEachRun(root, found.map((index) => join(root, RUNS_DIR, wanted[index])), (k, verification) => {
    runs[found[k]] = { tag: wanted[found[k]], ...verification };
  });
  return { ok: runs.every((run) => run.ok), runs, staging };
};
