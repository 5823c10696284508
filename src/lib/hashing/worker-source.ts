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
 * Reads are synchronous on purpose: this thread does nothing else, and a blocking read skips the
 * libuv thread-pool round trip the main thread would need.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, fstatSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');

const buffer = Buffer.allocUnsafe(workerData.chunkBytes);
const identity = (s) => ({ size: s.size, mtimeNs: s.mtimeNs, ino: s.ino });

function hashOne(path) {
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
}

parentPort.on('message', ({ id, paths }) => {
  const results = paths.map((path) => {
    try {
      return hashOne(path);
    } catch (e) {
      return { error: { message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path } };
    }
  });
  parentPort.postMessage({ id, results });
});
`;
