import { createRequire } from 'node:module';
import type { FileIdentity } from './types.js';

/** What hashOne returns for a file: its digest and the descriptor's identity before and after, or the error. */
export type HashOneResult =
  | { sha256: string; bytes: number; before: FileIdentity; after: FileIdentity }
  | { error: { message: string; code?: string; errno?: number; syscall?: string; path: string } };

/**
 * `hashOne(path, buffer)`: one file, read synchronously into `buffer`. The same code runs in the
 * workers and, for its share of the batches, on the calling thread (see hashOnThreads), so both
 * judge a file identically.
 */
const HASH_ONE_SOURCE = String.raw`
const { openSync, readSync, fstatSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');

const identity = (s) => ({ size: s.size, mtimeNs: s.mtimeNs, ino: s.ino });

function hashOne(path, buffer) {
  try {
    const fd = openSync(path, 'r');
    try {
      const before = fstatSync(fd, { bigint: true });
      if (!before.isFile()) {
        return { error: { message: path + ' is not a regular file', code: 'ENOTREGULAR', path } };
      }
      const hash = createHash('sha256');
      let position = 0;
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        hash.update(buffer.subarray(0, n));
        position += n;
      }
      const after = fstatSync(fd, { bigint: true });
      return { sha256: hash.digest('hex'), bytes: position, before: identity(before), after: identity(after) };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { error: { message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path } };
  }
}
`;

/**
 * Source of the hashing worker, run with `new Worker(source, { eval: true })`.
 *
 * Why a string and not a `hash-worker.ts` file: tests run the TypeScript sources through tsx while
 * the package ships compiled JavaScript in dist/. A worker file would have to be resolved with the
 * right extension and, under tsx, started with the tsx loader; an eval'd plain-JS worker works the
 * same way in both, starts faster (no loader) and cannot drift out of the build. It is plain
 * CommonJS (eval'd workers are scripts, so `require` is available) and deliberately tiny.
 *
 * Protocol: the parent posts `{ id, paths }`; the worker answers `{ id, results }` with one result
 * per path, in order: `{ sha256, bytes, before, after }` (before/after are fstat identities of the
 * open descriptor, compared by the parent) or `{ error: { message, code, errno, syscall, path } }`.
 * Reads are synchronous on purpose: a worker does nothing else, and a blocking read skips the
 * libuv thread-pool round trip an asynchronous one needs (for many small files, ~1.6× faster).
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
${HASH_ONE_SOURCE}
const buffer = Buffer.allocUnsafe(workerData.chunkBytes);
parentPort.on('message', ({ id, paths }) => {
  parentPort.postMessage({ id, results: paths.map((path) => hashOne(path, buffer)) });
});
`;

type HashOne = (path: string, buffer: Buffer) => HashOneResult;

/** hashOne for this thread, compiled from the same source as the workers' (`require` from here). */
export const hashOneHere = (): HashOne =>
  new Function('require', `'use strict';${HASH_ONE_SOURCE}return hashOne;`)(createRequire(import.meta.url)) as HashOne;
