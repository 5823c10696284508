import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { assertStable, identityOf } from '../hashing/file-identity.js';
import { sha256FileIdentified, sha256Handle } from '../hashing/sha256-file.js';
import type { FileDigest } from '../hashing/types.js';
import { storageReadBytes } from './storage-reads.js';

/**
 * How a checkpoint gets into a run, each reading its bytes from the disk once:
 * - copy: a reflink (copy-on-write clone: btrfs, XFS, APFS…) when the filesystem can, hashed once
 *   (the clone shares the blocks); otherwise the kernel copies it while this thread hashes it.
 * - move (`--move-checkpoint`): a hard link into the run, hashed once; the original name is
 *   removed only after the run is published (`finishMove`), so a failed or killed run never
 *   loses the file. Same filesystem only (EXDEV is refused, never turned into a silent copy).
 * - move-or-copy (a checkpoint in a sweep trial's own `{out}` folder, which nothing else reads): a
 *   move where it is a regular file of one name that the filesystem can link into the run;
 *   otherwise a copy, and the file stays (a symlink or a second name may be the user's own file).
 */
export type CheckpointIntake = 'copy' | 'move' | 'move-or-copy';

/** The checkpoint's digest, and whether it was linked into the run (its old name then goes: finishMove). */
export type IntakeResult = FileDigest & { linked: boolean };

export interface IntakeRequest {
  /** Absolute path of the user's checkpoint. */
  from: string;
  /** Absolute path inside the staging folder. */
  to: string;
  /** How the user named it (for messages). */
  given: string;
  mode: CheckpointIntake;
  /** Told how many bytes have been hashed so far. */
  onBytes?: (bytes: number) => void;
}

/** Puts the checkpoint at `to` and returns its digest, having read it from the disk once. */
export const intakeCheckpoint = async (request: IntakeRequest): Promise<IntakeResult> => {
  await mkdir(dirname(request.to), { recursive: true });
  try {
    if (request.mode === 'move') return { ...(await linkAndHash(request)), linked: true };
    if (request.mode === 'move-or-copy' && (await soleName(request.from))) {
      const linked = await linkAndHash(request).catch((error: NodeJS.ErrnoException) => {
        if (CANNOT_LINK.has(error.code ?? '')) return undefined;
        throw error;
      });
      if (linked) return { ...linked, linked: true };
    }
    const copied = await cloneAndHash(request).catch(async (error: NodeJS.ErrnoException) => {
      if (!CANNOT_CLONE.has(error.code ?? '')) throw error;
      return copyHashing(request.from, request.to, request.onBytes);
    });
    return { ...copied, linked: false };
  } catch (error) {
    throw describe(error, request);
  }
};

/** Errors meaning "this file cannot be linked there": another filesystem, one without hard links, too many links. */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

/** Whether `path` is a regular file (not a symlink) with no other name: moving it then takes nothing from anyone. */
const soleName = async (path: string): Promise<boolean> => {
  const stats = await lstat(path);
  return stats.isFile() && stats.nlink === 1;
};

/** Errors meaning "this filesystem (pair) cannot reflink": fall back to copying. */
const CANNOT_CLONE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']);

const cloneAndHash = async ({ from, to, onBytes }: IntakeRequest): Promise<FileDigest> => {
  await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
  const { sha256, bytes } = await sha256FileIdentified(to, onBytes);
  return { sha256, bytes };
};

const linkAndHash = async ({ from, to, onBytes }: IntakeRequest): Promise<FileDigest> => {
  const stats = await lstat(from);
  if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
  await link(from, to);
  const { sha256, bytes } = await sha256FileIdentified(to, onBytes);
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
 * Copy `from` to a new file `to` with `copyFile` (in the kernel: copy_file_range/sendfile, no
 * pass through this process) while this thread hashes the source through the same page cache:
 * the disk is read once, by whichever reader is ahead, and the copy runs beside the hash instead
 * of after it. On the 2-core bench machine a 2 GiB checkpoint in the page cache takes about the
 * time the disk needs to write it (1.65 s), where a read-hash-write pipeline through JavaScript
 * buffers took 3.6–5.9 s (bench/scale).
 * The source must be the same file, unchanged, from before the copy starts to after both end
 * (descriptor and path identity), and the copy must have the hashed size; otherwise the copy is
 * removed and the run refused, so the digest always describes the bytes in the run.
 */
export const copyHashing = async (from: string, to: string, onBytes?: (bytes: number) => void): Promise<FileDigest> => {
  const source = await open(from, 'r');
  try {
    const opened = await source.stat({ bigint: true });
    if (!opened.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    const before = identityOf(opened);
    // Both settle before anything else happens: the handle is not closed under a pending read.
    const [copy, hashed] = await Promise.allSettled([copyThenWriteBack(from, to), sha256Handle(source, before.size, onBytes)]);
    if (copy.status === 'rejected') throw copy.reason;
    if (hashed.status === 'rejected') throw hashed.reason;
    const digest = hashed.value;
    const [after, atPath, copied] = await Promise.all([source.stat({ bigint: true }), stat(from, { bigint: true }), lstat(to, { bigint: true })]);
    try {
      assertStable(from, before, identityOf(after), digest.bytes);
      assertStable(from, before, identityOf(atPath), Number(copied.size));
    } catch (error) {
      await unlink(to);
      throw error;
    }
    return digest;
  } finally {
    await source.close();
  }
};

/**
 * `copyFile` into a file created here first (so this process holds the very inode being written;
 * `wx` keeps the copy from ever landing on an existing file), flushed to the disk while the kernel
 * copies it, and once more at the end (publishing fsyncs every file of a run anyway). The disk then
 * writes the checkpoint beside the copy and the hash instead of after them: for 2 GiB in the page
 * cache, 0.04–0.28 s less of a run + `sync` of 2.0–2.5 s, never more (bench/README.md). Only while
 * the source comes from the page cache: when it comes from the disk, flushes make the copy's reads
 * wait behind the writes (2.1 s → 3.2 s there), so a cold copy is flushed once, after the kernel
 * made it.
 */
const copyThenWriteBack = async (from: string, to: string): Promise<void> => {
  const target = await open(to, 'wx', 0o644);
  try {
    let copying = true;
    const copy = copyFile(from, to).finally(() => {
      copying = false;
    });
    const [copied, flushed] = await Promise.allSettled([copy, flushWhileCopyingFromCache(target, () => copying)]);
    if (copied.status === 'rejected') throw copied.reason;
    if (flushed.status === 'rejected') throw flushed.reason;
    await target.datasync();
  } finally {
    await target.close();
  }
};

/** How often the copy's progress is looked at: short beside a disk's pace, long enough not to spin. */
const FLUSH_TICK_MS = 20;
/**
 * Reading from storage faster than this (bytes per millisecond: 200 MB/s) means the source is not
 * in the page cache. A source in the cache reads nothing (a few KiB of metadata at most); one on
 * the disk reads hundreds of MB/s to GB/s.
 */
const COLD_READ_BYTES_PER_MS = 200_000;

/** `datasync` of the copy again and again while it runs, skipped while this process reads from the disk. */
const flushWhileCopyingFromCache = async (target: FileHandle, copying: () => boolean): Promise<void> => {
  let before = await storageReadBytes();
  let since = performance.now();
  while (before !== undefined && copying()) {
    await delay(FLUSH_TICK_MS);
    const now = await storageReadBytes();
    const at = performance.now();
    const fromCache = now !== undefined && now - before < COLD_READ_BYTES_PER_MS * (at - since);
    [before, since] = [now, at];
    if (fromCache && copying()) await target.datasync();
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

