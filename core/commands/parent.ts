import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunManifest } from '../contract/generated/manifest.js';
import { formatViolation } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { parseJson } from '../json-file.js';
import { RUNS_DIR, validateTag } from '../project.js';
import { checkpointOutputs, type ParentLink } from '../run/parent.js';
import { MANIFEST } from '../run/paths.js';
import { verifyRun } from '../verify/verify-run.js';

/**
 * The parent link of a run resumed from run `tag` (`--parent`, or the logger's `resumed_from`): the
 * parent must exist and verify, its own parent link checked against that run's manifest only (see
 * below); the checkpoint training loaded (`checkpointSha256`) must be one the parent holds —
 * without it, the parent's only checkpoint file is meant. `source` names where the link came from
 * in errors.
 *
 * Why not the whole chain: a Slurm job requeued again and again resumes from a chain of runs, and
 * verifying the parent with all its ancestors made each resumption hash every earlier checkpoint
 * again (the 50th resumption of a job with 1 GB checkpoints: 50 GB read and hashed before sealing).
 * The ancestors are verify's to check, and verify of the new run still checks them all, so a run
 * descending from a damaged chain never passes verify, and so never reaches a paper.
 */
export const resolveParent = async (root: string, tag: string, checkpointSha256: string | undefined, source: string): Promise<ParentLink> => {
  validateTag(tag);
  const runDir = `${RUNS_DIR}/${tag}`;
  const dir = join(root, runDir);
  if (!existsSync(join(dir, MANIFEST))) throw new UserError(`${source}: no run ${tag} (${runDir}/ holds no sealed run)`, { file: runDir, field: source });
  const verification = await verifyRun(root, dir, { parent: 'linked' });
  if (!verification.ok) {
    throw new UserError(`${source}: run ${tag} does not pass verification; a run cannot descend from a tampered one`, {
      file: runDir,
      field: source,
      details: verification.problems.map(formatViolation),
    });
  }
  const manifest = parseJson<RunManifest>(readFileSync(join(dir, MANIFEST), 'utf8'), `${runDir}/${MANIFEST}`);
  const checkpoints = checkpointOutputs(manifest);
  const held = checkpoints.map((output) => `${output.path} (${output.sha256.slice(0, 12)}…)`).join(', ') || 'none';
  const checkpoint = checkpointSha256 === undefined ? (checkpoints.length === 1 ? checkpoints[0] : undefined) : checkpoints.find((output) => output.sha256 === checkpointSha256);
  if (!checkpoint) {
    const why = checkpointSha256 === undefined
      ? `run ${tag} holds ${checkpoints.length === 0 ? 'no checkpoint file' : 'several checkpoint files'} to resume from`
      : `the checkpoint training resumed from (sha256 ${checkpointSha256.slice(0, 12)}…) is not one run ${tag} holds`;
    throw new UserError(`${source}: ${why}; its checkpoints: ${held}`, { file: runDir, field: source });
  }
  return { tag, seal: manifest.seal.digest, checkpoint_sha256: checkpoint.sha256 };
};
