import type { RunManifest } from '../contract/generated/manifest.js';
import { captureEnvironment } from '../provenance/environment.js';
import { readRegistry } from '../datasets/registry.js';
import { assertClean, captureGit, type DataPath } from '../provenance/git.js';
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
 * The project's own run outputs (artifacts/) never count as changes, nor do registered datasets.
 */
export const startProvenanceCapture = (codeDir: string): Promise<CapturedProvenance> => {
  const environment = prestartedEnvironment ?? captureEnvironment();
  prestartedEnvironment = undefined;
  const git = registeredDataPaths(codeDir).then((dataPaths) => captureGit(codeDir, { excludePaths: ['artifacts/'], dataPaths }));
  return Promise.all([git, environment]).then(([git, environment]) => ({
    git: git.info,
    environment,
    patchFile: git.patch ? { name: CODE_PATCH, role: 'patch', bytes: git.patch } : undefined,
  }));
};

/**
 * Where the project's registered datasets are: data, not code (their digests pin them). A registry
 * that cannot be read leaves them in the code state, the cautious side; a run that uses a dataset
 * (--data) reports the broken registry itself.
 */
const registeredDataPaths = async (root: string): Promise<DataPath[]> => {
  try {
    const { datasets } = await readRegistry(root);
    return Object.values(datasets).map(({ name, path, digest }) => ({ name, path, digest }));
  } catch {
    return [];
  }
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
