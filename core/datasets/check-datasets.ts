import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { HashCache } from '../hashing/hash-cache.js';
import { hashFiles } from '../hashing/hash-files.js';
import { datasetDigest } from './digest.js';
import { datasetFiles, type ListedFile } from './file-list.js';
import { readRegistry } from './registry.js';
import { escapePointer } from '../contract/definitions.js';
import { scanDataset, type ScannedFile } from './scan.js';
import { REGISTRY_PATH, type DatasetDrift, type DatasetRecord, type ManifestDataEntry } from './types.js';

export interface CheckDatasetsOptions {
  /** Record differences in the entry's `drift` instead of failing. */
  allowDrift?: boolean;
  /** Hash cache to consult and update; saved (best effort) before returning. */
  cache?: HashCache;
}

/** Files named per category in an error (the rest are counted); the drift entry lists all. */
const LISTED_PER_CATEGORY = 5;

/**
 * Re-hashes (through the cache) every file of the named datasets, compares with the registry and
 * returns what a run records in manifest.data[], in the order of `names` (duplicates once).
 * Any changed, missing or added file fails with a UserError naming the dataset(s) and files, unless
 * `allowDrift`, in which case the entry carries the complete lists and the digest of what is there.
 */
export async function checkDatasets(projectRoot: string, names: readonly string[], options: CheckDatasetsOptions = {}): Promise<ManifestDataEntry[]> {
  const root = resolve(projectRoot);
  const registry = await readRegistry(root);
  const wanted = [...new Set(names)];
  const unknown = wanted.filter((name) => !Object.hasOwn(registry.datasets, name));
  if (unknown.length > 0) {
    const registered = Object.keys(registry.datasets).sort();
    throw new UserError(
      `Unknown dataset${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}; ` +
        (registered.length === 0 ? 'no datasets are registered yet' : `registered: ${registered.join(', ')}`),
      { file: REGISTRY_PATH, field: 'names' },
    );
  }

  const records = wanted.map((name) => registry.datasets[name]);
  const datasetPaths = records.map((record) => absoluteDatasetPath(root, record));
  const scans = await Promise.all(datasetPaths.map((path) => scanDataset(path)));
  // One hashFiles call for all datasets, so the worker pool is started once and kept busy.
  const digests = await hashFiles(
    scans.flatMap((scan) => scan?.files.map((file) => file.abs) ?? []),
    { cache: options.cache },
  );

  const registered = await Promise.all(records.map((record) => datasetFiles(root, record)));
  const entries = records.map((record, i) => {
    const current = scans[i]?.files ?? [];
    const drift = compare(registered[i], current, scans[i]?.refused ?? [], digests);
    return toManifestEntry(record, drift);
  });

  const drifted = entries.filter((entry) => entry.drift !== undefined);
  if (drifted.length > 0 && options.allowDrift !== true) {
    const summaries = drifted.map(({ name, drift }) => `"${name}" (${drift?.changed.length} changed, ${drift?.missing.length} missing, ${drift?.added.length} added)`);
    throw new UserError(
      `Dataset${drifted.length === 1 ? '' : 's'} ${summaries.join(', ')} changed since registration; ` +
        're-register to accept the new data, or allow drift to record the difference in the run',
      { file: REGISTRY_PATH, field: `/datasets/${escapePointer(drifted[0].name)}`, details: drifted.flatMap(describeDrift) },
    );
  }
  for (const [i, scan] of scans.entries()) {
    if (scan?.kind !== 'file') options.cache?.forgetMissingUnder(datasetPaths[i], scan?.files.map((file) => file.abs) ?? []);
  }
  // Saved only when the run goes ahead: a refused command leaves the project byte-for-byte as it was.
  // A cache can only cost time, so failing to save it never fails a run.
  await options.cache?.save().catch(() => undefined);
  return entries;
}

function compare(
  files: readonly ListedFile[],
  current: readonly ScannedFile[],
  refused: readonly string[],
  digests: Map<string, { sha256: string; bytes: number }>,
): DatasetDrift | undefined {
  const now = new Map(current.map((file) => [file.path, digests.get(file.abs) as { sha256: string; bytes: number }]));
  const registered = new Set(files.map((file) => file.path));
  const changed = files.filter((file) => now.has(file.path) && now.get(file.path)?.sha256 !== file.sha256).map((f) => f.path);
  const missing = files.filter((file) => !now.has(file.path)).map((f) => f.path);
  // Refused entries (e.g. a symbolic link that appeared) cannot be hashed but are still new.
  const added = [...current.filter((file) => !registered.has(file.path)).map((f) => f.path), ...refused];
  if (changed.length + missing.length + added.length === 0) return undefined;
  const currentDigest = datasetDigest(current.map((file) => ({ path: file.path, sha256: now.get(file.path)?.sha256 ?? '' })));
  return { changed, missing, added, current_digest: currentDigest };
}

function toManifestEntry(record: DatasetRecord, drift: DatasetDrift | undefined): ManifestDataEntry {
  return {
    name: record.name,
    path: record.path,
    ...(record.url === undefined ? {} : { url: record.url }),
    sha256: record.digest,
    file_count: record.file_count,
    bytes: record.bytes,
    provenance: {
      kind: 'registered',
      registry: REGISTRY_PATH,
      registered_at: record.registered_at,
      ...(record.license === undefined ? {} : { license: record.license }),
      ...(record.split_logic === undefined ? {} : { split_logic: record.split_logic }),
    },
    ...(drift === undefined ? {} : { drift }),
  };
}

/** `name: changed a.csv`, … up to LISTED_PER_CATEGORY per category, then `name: …and 12 more changed`. */
function describeDrift(entry: ManifestDataEntry): string[] {
  const lines: string[] = [];
  for (const category of ['changed', 'missing', 'added'] as const) {
    const files = entry.drift?.[category] ?? [];
    lines.push(...files.slice(0, LISTED_PER_CATEGORY).map((file) => `${entry.name}: ${category} ${file}`));
    if (files.length > LISTED_PER_CATEGORY) lines.push(`${entry.name}: …and ${files.length - LISTED_PER_CATEGORY} more ${category}`);
  }
  return lines;
}

const absoluteDatasetPath = (root: string, record: DatasetRecord): string =>
  isAbsolute(record.path) ? record.path : resolve(root, record.path);
