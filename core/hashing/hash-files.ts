import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { identityKey, identityOf, sizeOfKey } from './file-identity.js';
import type { HashCache } from './hash-cache.js';
import { sha256FileIdentified } from './sha256-file.js';
import type { FileDigest, IdentifiedDigest } from './types.js';
import { hashOnThreads, type HashJob } from './worker-pool.js';

export interface HashFilesOptions {
  /** Threads to hash on: this one and `concurrency − 1` workers. Default os.availableParallelism(). */
  concurrency?: number;
  /** Consulted before reading a file and updated after; the caller decides when to `save()` it. */
  cache?: HashCache;
  /** Told how far the reading has got: once before the first file is read, then after each file. */
  onProgress?: (progress: HashProgress) => void;
  /**
   * File `index`'s identity key (`identityKey`), where the caller has it already — a dataset's
   * find listing: the cache is consulted by it, with no stat. Undefined for a file: stat'ed.
   */
  knownIdentity?: (index: number) => string | undefined;
}

/** The files to read (not found in the cache), and how many of them, and of their bytes, are done. */
export interface HashProgress {
  files: number;
  bytes: number;
  totalFiles: number;
  totalBytes: number;
}

/**
 * Below this much uncached data only the calling thread hashes: a worker takes ~25 ms to start,
 * and the measured crossover for ~300 KiB files on 2 cores lies between 32 MiB (this thread
 * 18.8 ms, with a worker 20.4 ms) and 64 MiB (37.0 ms vs 31.2 ms).
 */
export const POOL_MIN_BYTES = 48n * 1024n * 1024n;
/** Stats between yields to the event loop (512 sync stats take about a millisecond). */
const STAT_BATCH = 512;

/**
 * sha256 of many files, keyed by the given absolute paths (duplicates hashed once; the map follows
 * the input order). Uses the cache when given, then hashes the rest on this thread and, when there
 * is enough of it, on worker threads beside it (bench/hash: 2,000 files of ~300 KiB on 2 cores
 * take ~1.6× less time than on this thread alone). Rejects on the first file that is missing or unreadable.
 */
export async function hashFiles(absPaths: readonly string[], options: HashFilesOptions = {}): Promise<Map<string, FileDigest>> {
  const unique = [...new Set(absPaths)];
  const { sha256, bytes } = await hashEach(unique.length, (i) => unique[i], options);
  return new Map(unique.map((path, i) => [path, { sha256: sha256[i], bytes: bytes[i] }]));
}

/** The digests of `hashEach`, by index: two flat arrays rather than an object per file. */
export interface DigestColumns {
  sha256: string[];
  bytes: Float64Array;
}

/**
 * What `hashFiles` does, for `count` distinct files whose absolute paths `pathAt` gives (made on
 * demand, so a caller with 100,000 files never holds 100,000 absolute paths), with the results by
 * index. For a dataset this is the difference between an object and a map entry per file and two
 * arrays (for 100,000 files, ~14 MB less live memory).
 */
export async function hashEach(count: number, pathAt: (index: number) => string, options: HashFilesOptions = {}): Promise<DigestColumns> {
  const threads = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const { cache } = options;
  const digests: DigestColumns = { sha256: new Array<string>(count), bytes: new Float64Array(count) };
  // Cache hits are filled in at once; the misses come back with their index (fileOf[job]).
  const { jobs, fileOf } = await consultCache(count, pathAt, options, digests);

  // Taken before any read, so a file modified during this call is always judged racy.
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const totalBytes = jobs.reduce((sum, job) => sum + job.size, 0n);
  const progress: HashProgress = { files: 0, bytes: 0, totalFiles: jobs.length, totalBytes: Number(totalBytes) };
  options.onProgress?.({ ...progress });
  // Each file goes into the cache as soon as it is hashed, and only its digest is kept: holding
  // every file's stat identity until the end cost ~25 MB for 100,000 files.
  await hashJobs(jobs, totalBytes >= POOL_MIN_BYTES ? threads : 1, (job, digest) => {
    // The cache's view of the digest, where it keeps one: the same characters, not a second copy.
    const kept = cache?.store(jobs[job].path, digest.identity, digest, startedNs);
    const index = fileOf[job];
    digests.sha256[index] = kept ?? digest.sha256;
    digests.bytes[index] = digest.bytes;
    progress.files++;
    progress.bytes += digest.bytes;
    options.onProgress?.({ ...progress });
  });
  for (let i = 0; i < count; i++) if (digests.sha256[i] === undefined) throw new Error(`internal: no digest for ${pathAt(i)}`);
  return digests;
}

/**
 * A lone file is read asynchronously with double buffering (sha256File: ~1.9 GB/s); several are
 * read synchronously in batches (hashOnThreads), which for many small files is ~1.6× faster than
 * async reads 4 files at a time (no thread-pool round trips per open, stat, read and close).
 */
async function hashJobs(jobs: readonly HashJob[], threads: number, keep: (job: number, digest: IdentifiedDigest) => void): Promise<void> {
  if (jobs.length === 0) return;
  if (jobs.length === 1) return keep(0, await sha256FileIdentified(jobs[0].path));
  await hashOnThreads(jobs, threads, keep);
}

/**
 * Stat every path (unless its identity is known): a cache hit goes into `digests`, the rest are
 * returned to hash, with the index of each (`fileOf`, by job). Synchronous stats in batches:
 * measured 2-3× faster than fs.promises.stat on 2,000 files (no thread-pool round trip per file),
 * and stats are most of a fully cached check. Each stat is dropped right after its lookup (keeping
 * 2,000 BigIntStats alive doubled the garbage collector's share). Yielding between batches keeps
 * the event loop responsive.
 */
async function consultCache(
  count: number,
  pathAt: (index: number) => string,
  { cache, knownIdentity }: HashFilesOptions,
  digests: DigestColumns,
): Promise<{ jobs: HashJob[]; fileOf: number[] }> {
  const jobs: HashJob[] = [];
  const fileOf: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % STAT_BATCH === 0) await yieldToEventLoop();
    const path = pathAt(i);
    if (!isAbsolute(path)) throw new TypeError(`hashFiles needs absolute paths, got ${JSON.stringify(path)}`);
    const key = knownIdentity?.(i) ?? identityKey(identityOf(statSync(path, { bigint: true })));
    const hit = cache?.lookupKey(path, key);
    if (hit !== undefined) {
      digests.sha256[i] = hit.sha256;
      digests.bytes[i] = hit.bytes;
    } else {
      jobs.push({ path, size: sizeOfKey(key) });
      fileOf.push(i);
    }
  }
  return { jobs, fileOf };
}
