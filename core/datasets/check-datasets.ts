import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { HashCache } from '../hashing/hash-cache.js';
import { hashEach, type HashFilesOptions } from '../hashing/hash-files.js';
import { compareUtf8, digestText, type FileColumns } from './digest.js';
import { sha256Hex } from '../hash.js';
import { datasetFiles, type RegisteredFiles } from './file-list.js';
import { datasetFingerprint, type FingerprintStore } from './fingerprint.js';
import type { StatListing } from './find-listing.js';
import { readRegistry } from './registry.js';
import { escapePointer } from '../contract/definitions.js';
import { absolutePath, scanDataset, type DatasetScan } from './scan.js';
import { REGISTRY_PATH, type DatasetDrift, type DatasetRecord, type ManifestDataEntry } from './types.js';

export interface CheckDatasetsOptions {
  /** Record differences in the entry's `drift` instead of failing. */
  allowDrift?: boolean;
  /** Hash cache to consult and update; saved (best effort) before returning. */
  cache?: HashCache;
  /** Loads the hash cache, only if some dataset needs the exact check (a big cache takes a while to parse). */
  loadCache?: () => Promise<HashCache>;
  /** Stat fingerprints of datasets verified before: a dataset whose fingerprint matches is not re-checked file by file. */
  fingerprints?: FingerprintStore;
  /** Told how the hashing of files not in the cache goes. */
  onProgress?: HashFilesOptions['onProgress'];
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
  const paths = records.map((record) => absoluteDatasetPath(root, record));
  // Taken before any stat or read: a file modified after this is never fingerprinted as verified.
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const { fingerprints } = options;
  const prints = await Promise.all(paths.map((path) => (fingerprints === undefined ? undefined : datasetFingerprint(path))));
  const unchanged = records.map((record, i) => {
    const print = prints[i];
    return print !== undefined && print.files === record.file_count && fingerprints?.matches(paths[i], record.digest, print) === true;
  });
  // A fingerprint that matched needs no listing: find's output (~6 MB for 100k files) goes now.
  prints.forEach((print, i) => {
    if (unchanged[i] && print !== undefined) print.listing = undefined;
  });
  const changed = records.flatMap((record, i) => (unchanged[i] ? [] : [{ record, path: paths[i], listing: prints[i]?.listing }]));
  const checked = await exactCheck(root, changed, options);
  const entries = records.map((record) => checked.get(record.name) ?? toManifestEntry(record, undefined));

  const drifted = entries.filter((entry) => entry.drift !== undefined);
  if (drifted.length > 0 && options.allowDrift !== true) {
    const summaries = drifted.map(({ name, drift }) => `"${name}" (${drift?.changed.length} changed, ${drift?.missing.length} missing, ${drift?.added.length} added)`);
    throw new UserError(
      `Dataset${drifted.length === 1 ? '' : 's'} ${summaries.join(', ')} changed since registration; ` +
        // Both remedies by their option names: this message serves `data check` and `run --data`.
        `re-register ${drifted.length === 1 ? 'it' : 'them'} (data add --replace) to accept the new data, or pass --allow-data-drift to run to record the difference in the run`,
      { file: REGISTRY_PATH, field: `/datasets/${escapePointer(drifted[0].name)}`, details: drifted.flatMap(describeDrift) },
    );
  }
  // Saved only when the run goes ahead: a refused command leaves the project byte-for-byte as it was.
  // Caches can only cost time, so failing to save them never fails a run.
  // The fingerprint stored is the one taken before the exact check, not a second walk after it: a
  // file whose stat changes after that walk no longer matches it, whatever the check saw, and one
  // modified after startedNs is never stored (racy). For 100,000 files, a walk less is ~0.3 s.
  if (fingerprints !== undefined) {
    records.forEach((record, i) => {
      const print = prints[i];
      if (!unchanged[i] && print !== undefined && checked.get(record.name)?.drift === undefined) fingerprints.store(paths[i], record.digest, print, startedNs);
    });
    await fingerprints.save().catch(() => undefined);
  }
  await checked.cache?.save().catch(() => undefined);
  return entries;
}

/** A dataset to check file by file: its record, where it is, and its files as the fingerprint's walk listed them, if it can tell. */
interface ToCheck { record: DatasetRecord; path: string; listing?: () => StatListing | undefined }

/**
 * The exact check: every file of these datasets hashed (through the hash cache) and compared with
 * its registered list. Entries by dataset name, and the cache used (to be saved by the caller).
 * A dataset whose fingerprint walk listed its files is not walked and stat'ed again: its files
 * are looked up in the cache by the identities that walk saw.
 */
async function exactCheck(root: string, datasets: readonly ToCheck[], options: CheckDatasetsOptions): Promise<Map<string, ManifestDataEntry> & { cache?: HashCache }> {
  const entries: Map<string, ManifestDataEntry> & { cache?: HashCache } = new Map();
  if (datasets.length === 0) return entries;
  // The listings first: parsing one lets go of find's output before the cache's bytes are read.
  const listings = datasets.map((dataset) => dataset.listing?.());
  const cache = options.cache ?? (await options.loadCache?.());
  entries.cache = cache;
  const records = datasets.map((dataset) => dataset.record);
  const paths = datasets.map((dataset) => dataset.path);
  const scans = await Promise.all(
    paths.map(async (path, i): Promise<DatasetScan> => {
      const listing = listings[i];
      if (listing !== undefined) return { kind: 'directory', root: path, paths: listing.paths, refused: [] };
      return (await scanDataset(path)) ?? { kind: 'directory', root: path, paths: [], refused: [] };
    }),
  );
  // One hashEach call for all datasets, so the worker pool is started once and kept busy: dataset
  // i's files are at offsets[i] … offsets[i + 1] − 1.
  const offsets = [0];
  for (const scan of scans) offsets.push(offsets[offsets.length - 1] + scan.paths.length);
  const datasetAt = (index: number): number => offsets.findIndex((offset) => offset > index) - 1;
  const digests = await hashEach(
    offsets[scans.length],
    (index) => {
      const i = datasetAt(index);
      return absolutePath(scans[i], scans[i].paths[index - offsets[i]]);
    },
    {
      cache,
      onProgress: options.onProgress,
      knownIdentity: (index) => {
        const i = datasetAt(index);
        return listings[i]?.keys[index - offsets[i]];
      },
    },
  );
  const registered = await Promise.all(records.map((record) => datasetFiles(root, record)));
  records.forEach((record, i) => {
    const current = { paths: scans[i].paths, sha256: digests.sha256.slice(offsets[i], offsets[i + 1]) };
    entries.set(record.name, toManifestEntry(record, compare(registered[i], current, scans[i].refused)));
  });
  for (const [i, scan] of scans.entries()) {
    if (scan.kind !== 'file') cache?.forgetMissingUnder(paths[i], new Set(scan.paths));
  }
  return entries;
}

function compare(files: RegisteredFiles, current: FileColumns, refused: readonly string[]): DatasetDrift | undefined {
  // Both lists are sorted by path (UTF-8 byte order): the scan sorts, and a registered list is
  // refused unless sorted (per-file lists when read, inline 1.0 lists by the registry's check).
  // So one merge pass compares them, without a map and a set of 100,000 paths.
  const changed: string[] = [];
  const missing: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  let listed = files.length === 0 ? '' : files.path(0);
  const next = (): void => {
    i++;
    if (i < files.length) listed = files.path(i);
  };
  while (i < files.length || j < current.paths.length) {
    const order = i === files.length ? 1 : j === current.paths.length ? -1 : compareUtf8(listed, current.paths[j]);
    if (order < 0) {
      missing.push(listed);
      next();
    } else if (order > 0) added.push(current.paths[j++]);
    else {
      if (current.sha256[j] !== files.sha256(i)) changed.push(listed);
      next();
      j++;
    }
  }
  // Refused entries (e.g. a symbolic link that appeared) cannot be hashed but are still new.
  for (const entry of refused) added.push(entry);
  if (changed.length + missing.length + added.length === 0) return undefined;
  return { changed, missing, added, current_digest: sha256Hex(digestText(current)) };
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
