import { statSync, type BigIntStats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { identityOf } from './file-identity.js';
import type { HashCache } from './hash-cache.js';
import { sha256FileIdentified } from './sha256-file.js';
import type { FileDigest, IdentifiedDigest } from './types.js';
import { hashInWorkers, type HashJob } from './worker-pool.js';

export interface HashFilesOptions {
  /** Hashing threads. Default os.availableParallelism(); 1 hashes on the calling thread only. */
  concurrency?: number;
  /** Consulted before reading a file and updated after; the caller decides when to `save()` it. */
  cache?: HashCache;
}

/**
 * Below this much uncached data, starting workers (~15-25 ms each, measured) costs more than it
 * saves: hash on the calling thread instead.
 */
export const POOL_MIN_BYTES = 32n * 1024n * 1024n;
/** Files hashed at once on the calling thread: enough to keep reads overlapping the hashing. */
const MAIN_THREAD_IN_FLIGHT = 4;
/** Stats between yields to the event loop (512 sync stats take about a millisecond). */
const STAT_BATCH = 512;

/**
 * sha256 of many files, keyed by the given absolute paths (duplicates hashed once; the map follows
 * the input order). Uses the cache when given, then spreads the rest over a worker pool when
 * there is enough of it. Rejects on the first file that is missing or unreadable.
 */
export async function hashFiles(absPaths: readonly string[], options: HashFilesOptions = {}): Promise<Map<string, FileDigest>> {
  const paths = [...new Set(absPaths)];
  const relative = paths.find((path) => !isAbsolute(path));
  if (relative !== undefined) throw new TypeError(`hashFiles needs absolute paths, got ${JSON.stringify(relative)}`);
  const threads = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
  const { cache } = options;

  const stats = await statAll(paths);
  const cached = new Map<string, FileDigest>();
  const jobs: HashJob[] = [];
  paths.forEach((path, i) => {
    const hit = cache?.lookup(path, identityOf(stats[i]));
    if (hit === undefined) jobs.push({ path, size: stats[i].size });
    else cached.set(path, hit);
  });

  // Taken before any read, so a file modified during this call is always judged racy.
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  const hashed = await hashJobs(jobs, threads);
  if (cache !== undefined) {
    for (const [path, digest] of hashed) cache.store(path, digest.identity, digest, startedNs);
  }

  const out = new Map<string, FileDigest>();
  for (const path of paths) {
    const digest = cached.get(path) ?? hashed.get(path);
    if (digest === undefined) throw new Error(`internal: no digest for ${path}`);
    out.set(path, { sha256: digest.sha256, bytes: digest.bytes });
  }
  return out;
}

function hashJobs(jobs: readonly HashJob[], threads: number): Promise<Map<string, IdentifiedDigest>> {
  const totalBytes = jobs.reduce((sum, job) => sum + job.size, 0n);
  if (threads > 1 && jobs.length > 1 && totalBytes >= POOL_MIN_BYTES) return hashInWorkers(jobs, threads);
  return hashOnThisThread(jobs);
}

/** A few files in flight at once so libuv reads the next file while this thread hashes. */
async function hashOnThisThread(jobs: readonly HashJob[]): Promise<Map<string, IdentifiedDigest>> {
  const results = new Map<string, IdentifiedDigest>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const { path } = jobs[next++];
      results.set(path, await sha256FileIdentified(path));
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAIN_THREAD_IN_FLIGHT, jobs.length) }, lane));
  return results;
}

/**
 * Synchronous stats in batches: measured several times faster than fs.promises.stat for thousands
 * of files (no thread-pool round trip per file), which is most of a fully cached check. Yielding
 * between batches keeps the event loop responsive.
 */
async function statAll(paths: readonly string[]): Promise<BigIntStats[]> {
  const stats: BigIntStats[] = [];
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && i % STAT_BATCH === 0) await yieldToEventLoop();
    stats.push(statSync(paths[i], { bigint: true }));
  }
  return stats;
}
