import type { RunManifest } from '../contract/generated/manifest.js';
import { captureEnvironment } from '../provenance/environment.js';
import { assertClean, captureGit } from '../provenance/git.js';
import type { RunFile } from '../run/outputs.js';
import { CODE_PATCH } from '../run/paths.js';

export interface CapturedProvenance {
  git: RunManifest['code']['git'];
  environment: RunManifest['environment'];
  /** The dirty-tree patch as a run file, when there is one. */
  patchFile: RunFile | undefined;
}

/**
 * Start capturing git state and environment; callers start this first and await it last, so the
 * git, python and nvidia-smi child processes overlap with training and file preparation.
 * The project's own run outputs (artifacts/) never count as changes.
 */
export const startProvenanceCapture = (codeDir: string): Promise<CapturedProvenance> =>
  Promise.all([captureGit(codeDir, { excludePaths: ['artifacts/'] }), captureEnvironment()]).then(([git, environment]) => ({
    git: git.info,
    environment,
    patchFile: git.patch ? { name: CODE_PATCH, role: 'patch', bytes: git.patch } : undefined,
  }));

/** `--require-clean`: wait for the git capture and refuse a dirty tree (or no repository) before any work. */
export const requireCleanTree = async (provenance: Promise<CapturedProvenance>): Promise<void> => {
  assertClean((await provenance).git);
};
