import { join, resolve } from 'node:path';
import { addDataset, type AddDatasetResult } from '../datasets/add-dataset.js';
import { checkDatasets } from '../datasets/check-datasets.js';
import { FingerprintStore, PROJECT_FINGERPRINTS } from '../datasets/fingerprint.js';
import { readRegistry } from '../datasets/registry.js';
import type { DatasetRecord, ManifestDataEntry } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { HashCache, LEGACY_PROJECT_HASH_CACHE, PROJECT_HASH_CACHE } from '../hashing/hash-cache.js';
import type { HashFilesOptions } from '../hashing/hash-files.js';
import { requireProject } from '../project.js';

/** The project's hash cache: an unchanged dataset is re-checked from (path, size, mtime, inode) without re-reading it. */
const projectCache = (root: string): Promise<HashCache> => HashCache.load(join(root, PROJECT_HASH_CACHE), join(root, LEGACY_PROJECT_HASH_CACHE));

/** The project's dataset fingerprints: an unchanged dataset folder is re-checked from one stat per file, without lookups. */
const projectFingerprints = (root: string): Promise<FingerprintStore> => FingerprintStore.load(join(root, PROJECT_FINGERPRINTS));

export interface AddDatasetCommand {
  cwd: string;
  path: string;
  name: string;
  url?: string;
  license?: string;
  splitLogic?: string;
  replace?: boolean;
  onProgress?: HashFilesOptions['onProgress'];
}

/** `dl-lab data add <path> --name <n>`: the path is taken relative to where the user is, like any shell path. */
export const addDatasetCommand = async (options: AddDatasetCommand): Promise<AddDatasetResult & { root: string }> => {
  const { root } = requireProject(options.cwd);
  const result = await addDataset(
    root,
    { path: resolve(options.cwd, options.path), name: options.name, url: options.url, license: options.license, splitLogic: options.splitLogic },
    { cache: await projectCache(root), fingerprints: await projectFingerprints(root), replace: options.replace === true, onProgress: options.onProgress },
  );
  return { ...result, root };
};

export const listDatasets = async (cwd: string): Promise<DatasetRecord[]> => {
  const { root } = requireProject(cwd);
  return Object.values((await readRegistry(root)).datasets).sort((a, b) => a.name.localeCompare(b.name));
};

/**
 * `dl-lab data check [name]`: re-check registered datasets (all, or the one named) against their
 * per-file lists, as a run with `--data` would; a change is a UserError naming the files.
 */
export const checkDatasetsCommand = async (cwd: string, name: string | undefined, onProgress?: HashFilesOptions['onProgress']): Promise<ManifestDataEntry[]> => {
  const { root } = requireProject(cwd);
  const names = name === undefined ? Object.keys((await readRegistry(root)).datasets).sort() : [name];
  return checkRunDatasets(root, names, false, onProgress);
};

/**
 * The datasets a run declares with `--data`, re-checked against their registration before any
 * work starts: changed bytes refuse the run, unless `allowDrift` records the drift instead.
 */
export const checkRunDatasets = async (root: string, names: readonly string[], allowDrift: boolean, onProgress?: HashFilesOptions['onProgress']): Promise<ManifestDataEntry[]> =>
  names.length === 0
    ? []
    : checkDatasets(root, names, { allowDrift, loadCache: () => projectCache(root), fingerprints: await projectFingerprints(root), onProgress });

/** `--data a --data b` arrives as a string or an array depending on the launcher; always a list of names. */
export const dataNames = (value: unknown): string[] => {
  if (value === undefined || value === null || value === false) return [];
  const list = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(','));
  if (list.some((name) => name.trim() === '')) throw new UserError('--data needs a dataset name', { field: '--data' });
  return list.map((name) => name.trim());
};
