import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { assertStable } from './file-identity.js';
import { CHUNK_BYTES } from './sha256-file.js';
import type { IdentifiedDigest } from './types.js';
import { hashOneHere, WORKER_SOURCE, type HashOneResult } from './worker-source.js';

/** One file to hash; `size` (from a prior stat) is only used for scheduling. */
export interface HashJob {
  path: string;
  size: bigint;
}

/**
 * Files are sent in batches so a 2,000-file job costs tens of messages, not thousands. A batch is
 * closed at 8 MiB (a few ms of hashing, so the round trip is noise) or 256 files (so a directory of
 * tiny files still spreads over all workers).
 */
const BATCH_BYTES = 8n * 1024n * 1024n;
const BATCH_FILES = 256;

/**
 * Batches of job numbers (indices into `jobs`), largest files first (longest-processing-time
 * scheduling): a big file picked up last would leave the other threads idle while one finishes it;
 * small files at the end fill the gaps.
 */
export function planBatches(jobs: readonly HashJob[]): number[][] {
  const order = jobs.map((_, k) => k).sort((a, b) => (jobs[a].size === jobs[b].size ? a - b : jobs[a].size > jobs[b].size ? -1 : 1));
  const batches: number[][] = [];
  let batch: number[] = [];
  let batchBytes = 0n;
  for (const k of order) {
    batch.push(k);
    batchBytes += jobs[k].size;
    if (batchBytes >= BATCH_BYTES || batch.length >= BATCH_FILES) {
      batches.push(batch);
      batch = [];
      batchBytes = 0n;
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Hashes files on `threads` threads: this one and `threads - 1` workers (started for this call,
 * terminated before it settles, so nothing keeps the process alive). All take batches from one
 * queue, and all hash with the same synchronous code (worker-source.ts). This thread starts at
 * once while a worker needs ~25 ms to start: on 2 cores and 2,000 files of ~300 KiB, this thread
 * and one worker take 236 ms where two workers took 249–270 ms (bench/hash).
 * Each digest is handed to `each` with its job's number (its index in `jobs`) as it arrives, and
 * nothing else is kept: for 100,000 files the caller decides what is worth holding. Rejects on the
 * first file that cannot be hashed.
 */
export function hashOnThreads(jobs: readonly HashJob[], threads: number, each: (job: number, digest: IdentifiedDigest) => void): Promise<void> {
  const batches = planBatches(jobs);
  if (batches.length === 0) return Promise.resolve();

  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let nextBatch = 0;
    let batchesDone = 0;
    let settled = false;

    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      // Terminate before settling so callers (and tests) never observe lingering threads.
      void Promise.allSettled(workers.map((worker) => worker.terminate())).then(() =>
        error === undefined ? resolve() : reject(error),
      );
    };
    const batchDone = (): void => {
      batchesDone++;
      if (batchesDone === batches.length) settle();
    };
    const dispatch = (worker: Worker): void => {
      if (nextBatch >= batches.length) return;
      const id = nextBatch++;
      worker.postMessage({ id, paths: batches[id].map((k) => jobs[k].path) });
    };
    const hashHere = async (): Promise<void> => {
      const hashOne = hashOneHere();
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      while (!settled && nextBatch < batches.length) {
        const id = nextBatch++;
        // Blocking reads, like a worker's: one batch (≤ 8 MiB) is a few ms, then workers' messages get through.
        for (const k of batches[id]) each(k, toDigest(jobs[k].path, hashOne(jobs[k].path, buffer)));
        batchDone();
        await yieldToEventLoop();
      }
    };

    const workerCount = Math.max(0, Math.min(threads, batches.length) - 1);
    for (let i = 0; i < workerCount; i++) {
      // execArgv: [] — the eval'd worker is plain JS, so it needs none of the parent's flags (under
      // tests that includes `--import tsx`, which would only slow the worker's startup).
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { chunkBytes: CHUNK_BYTES } });
      workers.push(worker);
      worker.on('message', ({ id, results: batchResults }: { id: number; results: HashOneResult[] }) => {
        if (settled) return;
        try {
          batches[id].forEach((k, n) => each(k, toDigest(jobs[k].path, batchResults[n])));
        } catch (error) {
          settle(error);
          return;
        }
        batchDone();
        dispatch(worker);
      });
      worker.on('error', settle);
      worker.on('messageerror', settle);
      worker.on('exit', (code) => settle(new Error(`hash worker exited early with code ${code}`)));
      // Batches are handed out once the worker runs (not queued while it starts, when this thread
      // could hash them), two at a time: while this thread is inside a batch of its own, the
      // worker's answer waits, and the second batch keeps the worker busy meanwhile.
      worker.once('online', () => {
        dispatch(worker);
        dispatch(worker);
      });
    }
    hashHere().catch(settle); // this thread takes the first batches while the workers start
  });
}

function toDigest(path: string, result: HashOneResult): IdentifiedDigest {
  if ('error' in result) {
    const { message, code, errno, syscall } = result.error;
    if (code === 'ENOTREGULAR') throw new UserError(message, { file: path });
    // Rebuild something shaped like the fs error the main thread would have thrown.
    throw Object.assign(new Error(message), { code, errno, syscall, path });
  }
  assertStable(path, result.before, result.after, result.bytes);
  return { sha256: result.sha256, bytes: result.bytes, identity: result.before };
}
