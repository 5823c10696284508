import type { RunManifest } from '../contract/generated/manifest.js';
import { captureEnvironment } from '../provenance/environment.js';
import { assertClean, captureGit } from '../provenance/git.js';
import type { EnvironmentInfo } from '../provenance/types.js';
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
export const startProvenanceCapture = (codeDir: string): Promise<CapturedProvenance> => {
  const environment = prestartedEnvironment ?? captureEnvironment();
  prestartedEnvironment = undefined;
  return Promise.all([captureGit(codeDir, { excludePaths: ['artifacts/'] }), environment]).then(([git, environment]) => ({
    git: git.info,
    environment,
    patchFile: git.patch ? { name: CODE_PATCH, role: 'patch', bytes: git.patch } : undefined,
  }));
};

let prestartedEnvironment: Promise<EnvironmentInfo> | undefined;

/**
 * Start the environment capture before the command itself has loaded (the `dl-lab` launcher does,
 * for the commands that record a run): its Python probe is the slowest part of a capture and
 * needs nothing from the project. The next startProvenanceCapture takes it over.
 */
export const prestartEnvironmentCapture = (): void => {
  prestartedEnvironment ??= captureEnvironment();
};

/** `--require-clean`: wait for the git capture and refuse a dirty tree (or no repository) before any work. */
export const requireCleanTree = async (provenance: Promise<CapturedProvenance>): Promise<void> => {
  assertClean((await provenance).git);
};
