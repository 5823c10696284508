import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { assertStable, identityOf } from '../hashing/file-identity.js';
import { chunkSizeFor, sha256FileIdentified } from '../hashing/sha256-file.js';
import type { FileDigest } from '../hashing/types.js';

/**
 * How a checkpoint gets into a run, each reading its bytes exactly once:
 * - copy: a reflink (copy-on-write clone: btrfs, XFS, APFS…) when the filesystem can, hashed once
 *   (the clone shares the blocks); otherwise one pass that hashes each chunk as it is copied.
 * - move (`--move-checkpoint`): a hard link into the run, hashed once; the original name is
 *   removed only after the run is published (`finishMove`), so a failed or killed run never
 *   loses the file. Same filesystem only (EXDEV is refused, never turned into a silent copy).
 */
export type CheckpointIntake = 'copy' | 'move';

export interface IntakeRequest {
  /** Absolute path of the user's checkpoint. */
  from: string;
  /** Absolute path inside the staging folder. */
  to: string;
  /** How the user named it (for messages). */
  given: string;
  mode: CheckpointIntake;
}

/** Buffers in flight: one being read, one hashed, one written. */
const PIPELINE_BUFFERS = 3;

/** Puts the checkpoint at `to` and returns its digest, having read it once. */
export const intakeCheckpoint = async (request: IntakeRequest): Promise<FileDigest> => {
  await mkdir(dirname(request.to), { recursive: true });
  try {
    if (request.mode === 'move') return await linkAndHash(request);
    return await cloneAndHash(request).catch(async (error: NodeJS.ErrnoException) => {
      if (!CANNOT_CLONE.has(error.code ?? '')) throw error;
      return copyHashing(request.from, request.to);
    });
  } catch (error) {
    throw describe(error, request);
  }
};

/** Errors meaning "this filesystem (pair) cannot reflink": fall back to copying. */
const CANNOT_CLONE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']);

const cloneAndHash = async ({ from, to }: IntakeRequest): Promise<FileDigest> => {
  await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
  const { sha256, bytes } = await sha256FileIdentified(to);
  return { sha256, bytes };
};

const linkAndHash = async ({ from, to }: IntakeRequest): Promise<FileDigest> => {
  const stats = await lstat(from);
  if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
  await link(from, to);
  const { sha256, bytes } = await sha256FileIdentified(to);
  return { sha256, bytes };
};

/**
 * After the run is published: the moved checkpoint's original name goes. (Its mode became
 * read-only with the run's files: they share the inode.)
 */
export const finishMove = async (from: string): Promise<void> => {
  await unlink(from);
};

/**
 * Copy `from` to a new file `to` and hash the bytes on the way, in one read pass: while this
 * thread hashes chunk i, libuv's threads read chunk i+1 and write chunk i−1. The source is
 * checked not to have changed during the copy (stat identity before and after), so the copy
 * holds exactly the bytes hashed.
 */
export const copyHashing = async (from: string, to: string): Promise<FileDigest> => {
  const source = await open(from, 'r');
  let target: FileHandle | undefined;
  try {
    const stat = await source.stat({ bigint: true });
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    const before = identityOf(stat);
    target = await open(to, 'wx', 0o644);
    const chunk = chunkSizeFor(before.size);
    const buffers = Array.from({ length: PIPELINE_BUFFERS }, () => Buffer.allocUnsafe(chunk));
    const hash = createHash('sha256');
    let position = 0;
    let current = 0;
    let reading = source.read(buffers[0], 0, chunk, 0);
    let writing: Promise<void> = Promise.resolve();
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const filled = buffers[current].subarray(0, bytesRead);
      const at = position;
      position += bytesRead;
      current = (current + 1) % PIPELINE_BUFFERS;
      // The next buffer was last written out two chunks ago, and that write has been awaited.
      reading = source.read(buffers[current], 0, chunk, position);
      hash.update(filled);
      await writing;
      writing = writeAll(target, filled, at);
    }
    await writing;
    const after = identityOf(await source.stat({ bigint: true }));
    assertStable(from, before, after, position);
    return { sha256: hash.digest('hex'), bytes: position };
  } finally {
    await Promise.all([source.close(), target?.close()]);
  }
};

const writeAll = async (handle: FileHandle, bytes: Buffer, position: number): Promise<void> => {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
};

const describe = (error: unknown, { given, mode }: IntakeRequest): Error => {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const field = mode === 'move' ? '--move-checkpoint' : '--checkpoint';
  if (mode === 'move' && code === 'EXDEV') {
    return new UserError(`checkpoint ${given}: --move-checkpoint needs it on the same filesystem as artifacts/runs/; drop --move-checkpoint to copy it`, { file: given, field });
  }
  if (mode === 'move' && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP')) {
    return new UserError(`checkpoint ${given}: this filesystem cannot link it into the run (${code}); drop --move-checkpoint to copy it`, { file: given, field });
  }
  if (code === 'ENOTFILE') return new UserError(`checkpoint ${given}: not a regular file`, { file: given, field });
  return new UserError(`checkpoint ${given}: cannot read (${code ?? (error as Error).message})`, { file: given, field });
};

