import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { relativeInside } from '../project.js';
import { writeFileAtomic } from '../atomic-write.js';
import type { HashCache } from '../hashing/hash-cache.js';
import { hashEach, type HashFilesOptions } from '../hashing/hash-files.js';
import { LISTED_FILES, notePathFor, renderDatasetNote } from './note.js';
import { assertValidRegistry, readRegistry, writeRegistry } from './registry.js';
import { schemaViolations, throwIfViolations } from '../contract/validate.js';
import { absolutePath, scanDataset, type DatasetScan } from './scan.js';
import type { FileColumns } from './digest.js';
import { datasetFingerprint, type FingerprintStore } from './fingerprint.js';
import { dropUnusedFileList, encodeFileList, storeFileList, type ListedFile } from './file-list.js';
import { REGISTRY_SCHEMA_VERSION, type DatasetRecord } from './types.js';

export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface AddDatasetInput {
  /** File or directory; a relative path is resolved against the project root. */
  path: string;
  name: string;
  url?: string;
  license?: string;
  splitLogic?: string;
}

export interface AddDatasetOptions {
  /** Registration time (tests pin it). Default: now. */
  now?: Date;
  /** Replace an existing dataset of the same name (and its note). Without it, that is an error. */
  replace?: boolean;
  /** Hash cache to consult and update; saved (best effort) before returning. */
  cache?: HashCache;
  /** Records the folder's stat fingerprint, so the first run that uses it is not a file-by-file check. */
  fingerprints?: FingerprintStore;
  /** Told how the hashing goes (a big dataset takes minutes). */
  onProgress?: HashFilesOptions['onProgress'];
}

export interface AddDatasetResult {
  record: DatasetRecord;
  /** With `replace`: the recorded fields (url, license, split_logic) carried over because they were not given again. */
  kept: ProvenanceField[];
  /** Absolute path of the note written, knowledge_base/data/<name>.md. */
  notePath: string;
}

/**
 * Hashes a dataset and records it in knowledge_base/data/datasets.json plus a human-readable note.
 * Nothing is written unless every check passed (name, path, existing registry, new registry
 * against the schema). The note is written before the registry, so a crash in between leaves a
 * stray note, never a registered dataset without one.
 */
export async function addDataset(projectRoot: string, input: AddDatasetInput, options: AddDatasetOptions = {}): Promise<AddDatasetResult> {
  const root = resolve(projectRoot);
  const { name } = input;
  if (!DATASET_NAME.test(name)) {
    throw new UserError(
      `Invalid dataset name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { field: 'name' },
    );
  }

  const registry = await readRegistry(root);
  const notePath = join(root, notePathFor(name));
  refuseOverwrite(name, Object.keys(registry.datasets), options.replace === true, await exists(notePath));

  const absPath = resolve(root, input.path);
  const { kind, files, bytes, startedNs } = await scanAndHash(absPath, input.path, options);
  const list = encodeFileList(files);
  const { provenance, kept } = carryOver(input, options.replace === true ? registry.datasets[name] : undefined);
  const record: DatasetRecord = {
    name,
    path: recordedPath(root, absPath),
    kind,
    ...provenance,
    registered_at: (options.now ?? new Date()).toISOString(),
    file_count: files.paths.length,
    bytes: bytes.reduce((sum, size) => sum + size, 0),
    digest: list.digest,
    // The per-file list goes beside the registry (knowledge_base/data/files/), which stays small.
    file_list: list.ref,
  };
  // Checked on its own first so a bad input (say, a malformed url) is reported as such, not as
  // a broken registry file.
  throwIfViolations(schemaViolations('datasets', record, `dataset "${name}"`, 'dataset_record'), `Cannot register dataset "${name}"`);
  const next = { ...registry, schema_version: REGISTRY_SCHEMA_VERSION, datasets: { ...registry.datasets, [name]: record } };
  assertValidRegistry(next); // before the note: nothing is written for a registry we would reject
  // List, then note, then registry: a crash in between leaves a stray list or note, never a
  // registered dataset without them.
  await storeFileList(root, list);
  await writeFileAtomic(notePath, renderDatasetNote(record, firstFiles(files, bytes)));
  await writeRegistry(root, next);
  await dropUnusedFileList(root, registry.datasets[name]?.file_list, Object.values(next.datasets));
  await options.cache?.save().catch(() => undefined); // a cache can only cost time, never fail a run
  if (options.fingerprints !== undefined) {
    const print = await datasetFingerprint(absPath);
    if (print !== undefined && print.files === record.file_count) options.fingerprints.store(absPath, record.digest, print, startedNs);
    await options.fingerprints.save().catch(() => undefined);
  }
  return { record, notePath, kept };
}

export type ProvenanceField = 'url' | 'license' | 'split_logic';

/**
 * Re-registering changed files (`replace`) is not a new dataset: where it came from, its license and
 * how it was split stay true, so each recorded field not given again is kept (one given again
 * replaces it). Dropping them would silently lose provenance the user typed once.
 */
const carryOver = (input: AddDatasetInput, previous: DatasetRecord | undefined): { provenance: Pick<DatasetRecord, ProvenanceField>; kept: ProvenanceField[] } => {
  const given: Pick<DatasetRecord, ProvenanceField> = { url: input.url, license: input.license, split_logic: input.splitLogic };
  const provenance: Pick<DatasetRecord, ProvenanceField> = {};
  const kept: ProvenanceField[] = [];
  for (const field of ['url', 'license', 'split_logic'] as const) {
    const value = given[field] ?? previous?.[field];
    if (value === undefined) continue;
    provenance[field] = value;
    if (given[field] === undefined) kept.push(field);
  }
  return { provenance, kept };
};

/**
 * The dataset's files with their sha256 and size, in path order, after refusing what cannot be
 * recorded. `startedNs`: when hashing started (the fingerprint's racy window counts from there).
 */
async function scanAndHash(
  absPath: string,
  given: string,
  { cache, onProgress }: Pick<AddDatasetOptions, 'cache' | 'onProgress'>,
): Promise<{ kind: DatasetScan['kind']; files: FileColumns; bytes: Float64Array; startedNs: bigint }> {
  const scan = await scanDataset(absPath);
  if (scan === undefined) throw new UserError(`Dataset path ${given} does not exist`, { field: 'path', file: given });
  if (scan.refused.length > 0) {
    throw new UserError(
      `Dataset ${given} contains ${scan.refused.length} entr${scan.refused.length === 1 ? 'y' : 'ies'} that cannot be recorded ` +
        '(symbolic links are not followed; only regular files count). Replace links by the files, or register their target instead',
      { field: 'path', file: given, details: scan.refused },
    );
  }
  if (scan.paths.length === 0) throw new UserError(`Dataset directory ${given} contains no files`, { field: 'path', file: given });

  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const { paths } = scan;
  const digests = await hashEach(paths.length, (i) => absolutePath(scan, paths[i]), { cache, onProgress });
  if (scan.kind === 'directory') cache?.forgetMissingUnder(absPath, new Set(paths));
  return { kind: scan.kind, files: { paths, sha256: digests.sha256 }, bytes: digests.bytes, startedNs };
}

/** The first files, as the note lists them. */
const firstFiles = (files: FileColumns, bytes: Float64Array): ListedFile[] =>
  files.paths.slice(0, LISTED_FILES).map((path, i) => ({ path, sha256: files.sha256[i], bytes: bytes[i] }));

/**
 * Never overwrite silently: an existing record, or a note someone wrote by hand for a name not yet
 * registered, needs `--replace` (the option's name under dl-lab and yo alike, so the message names
 * it as typed). Names differing only in case are refused outright: their notes would be the same
 * file on case-insensitive file systems (macOS, Windows).
 */
function refuseOverwrite(name: string, registered: string[], replace: boolean, noteExists: boolean): void {
  const twin = registered.find((other) => other !== name && other.toLowerCase() === name.toLowerCase());
  if (twin !== undefined) {
    throw new UserError(`Dataset name "${name}" differs only in case from registered "${twin}"; use "${twin}" or another name`, { field: 'name' });
  }
  if (replace) return;
  if (registered.includes(name)) {
    throw new UserError(`Dataset "${name}" is already registered; pass --replace to re-register it`, { field: 'name' });
  }
  if (noteExists) {
    throw new UserError(`${notePathFor(name)} already exists though "${name}" is not registered; pass --replace to overwrite it`, {
      field: 'name',
      file: notePathFor(name),
    });
  }
}

/** POSIX path relative to the project root when inside it (portable across clones), else absolute. */
export const recordedPath = (root: string, absPath: string): string => relativeInside(root, absPath) ?? absPath;

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );
