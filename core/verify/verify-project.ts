import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { suggestKey } from '../did-you-mean.js';
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
  const given = tags && tags.length > 0 ? tags.map((tag) => validateTag(tag)) : undefined;
  // A given tag with no folder is a typo, not a run that failed: refuse it before verifying anything.
  // (Listed tags are folders: 10,000 runs are not looked up again.)
  const missing = given?.find((tag) => !existsSync(join(root, RUNS_DIR, tag)));
  if (missing !== undefined) {
    const suggestion = suggestKey(missing, await listRunTags(root));
    throw new UserError(`TAG ${missing}: no such run (${RUNS_DIR}/${missing}/ does not exist${suggestion ? `; did you mean ${suggestion}?` : ''})`, { file: `${RUNS_DIR}/${missing}`, field: 'TAG' });
  }
  const wanted = given ?? (await listRunTags(root));
  const staging = await cleanStaleStaging(join(root, RUNS_DIR));
  const runs: ProjectVerification['runs'] = [];
  await verifyEachRun(root, wanted.map((tag) => join(root, RUNS_DIR, tag)), (k, verification) => {
    runs[k] = { tag: wanted[k], ...verification };
  });
  return { ok: runs.every((run) => run.ok), runs, staging };
};
