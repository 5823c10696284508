import { lstatSync, type Stats } from 'node:fs';
import { copyFile, stat, utimes } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isAbsolute, join } from 'node:path';
import { withTempFolder } from '../temp-folder.js';
import { gitBytes, gitText } from './git-client.js';
import { appendLargeFileDiff, appendNewFileDiff, ByteSink, fileKindOf, STREAMED_FILE_BYTES, type FileKind } from './new-file-diff.js';

/**
 * Options that make `git diff` output a patch `git apply` accepts whatever the user's git
 * config says: no colour, no external diff tool or textconv filter (they print something that is
 * not a patch), fixed a/ b/ prefixes (diff.noprefix / diff.mnemonicPrefix would break
 * `git apply -p1`), paths from the top level (diff.relative), binary files as base85 hunks.
 */
const DIFF_OPTIONS = ['--binary', '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/'];

export interface PatchRequest {
  /** Repository top level; every path below is relative to it. */
  top: string;
  /** Pathspecs limiting the diff (includes '.' plus the exclude pathspecs). */
  pathspecs: string[];
  /** Tracked paths with staged or unstaged changes. */
  changed: string[];
  /** Those whose working-tree file differs from the index (staged changes are in the index already). */
  unstaged: string[];
  /** Untracked, not-ignored paths (already filtered by the excludes). */
  untracked: string[];
  /** Budget for the untracked files' total size; files beyond it are left out (and named). */
  maxUntrackedBytes: number;
  /** Budget for their number (they are held in memory as one patch). */
  maxUntrackedFiles: number;
  /** The repository's object ids (the binary hunks' index lines carry full blob ids). */
  objectFormat: 'sha1' | 'sha256';
  timeoutMs: number;
}

export interface WorkingTreePatch {
  patch: Buffer;
  /** Untracked entries not in the patch: over the budget, nested repositories, vanished. */
  omitted: string[];
}

/**
 * The bytes that turn HEAD into the working tree, from a fixed number of git processes whatever
 * the number of files. Tracked changes: a copy of the user's index (so unchanged files keep their
 * cached stat data and are not re-read) gets the working tree's version of the changed paths by
 * one `git add -A`, then one `git diff --cached HEAD` prints them; the user's index is never
 * written (git works on the copy through GIT_INDEX_FILE). Untracked files: their new-file diffs
 * are written here (new-file-diff.ts), in path order, the way `git diff --binary` writes them,
 * without storing them as objects in the repository. Bytes, not strings: a text file that is not
 * UTF-8 appears verbatim in a diff and decoding it would corrupt the patch.
 */
export const buildWorkingTreePatch = async (request: PatchRequest): Promise<WorkingTreePatch> => {
  const { top } = request;
  const { included, omitted } = selectUntracked(request);
  const [tracked, untracked] = await Promise.all([trackedDiff(request), untrackedDiffs(top, included, request.objectFormat)]);
  // Not concatenated when one part is empty: for a large untracked file, that would be a copy of it.
  const patch = tracked.length === 0 ? untracked.patch : untracked.patch.length === 0 ? tracked : Buffer.concat([tracked, untracked.patch]);
  return { patch, omitted: [...omitted, ...untracked.vanished].sort() };
};

/** `git diff HEAD` of the tracked paths (staged and unstaged), through a temporary index. */
const trackedDiff = async (request: PatchRequest): Promise<Buffer> => {
  const { top, timeoutMs } = request;
  if (request.changed.length === 0) return Buffer.alloc(0);
  return withTempFolder('dl-lab-index-', async (scratch) => {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await copyUserIndex(top, env.GIT_INDEX_FILE, timeoutMs);
    if (request.unstaged.length > 0) {
      // Literal paths through stdin, one process: a name such as `:x` or `*.py` is a file, not a pattern.
      await gitBytes(top, ['add', '-A', '--pathspec-from-file=-', '--pathspec-file-nul'], {
        timeoutMs,
        env: { ...env, GIT_LITERAL_PATHSPECS: '1' },
        input: Buffer.from(request.unstaged.map((path) => `${path}\0`).join('')),
      });
    }
    return gitBytes(top, ['diff', '--cached', 'HEAD', '--no-relative', ...DIFF_OPTIONS, '--', ...request.pathspecs], { timeoutMs, env });
  });
};

/** Untracked files diffed between yields to the event loop (the git processes' output keeps flowing). */
const DIFF_BATCH = 256;

/** The new-file diffs of these files, in the order given, and the paths that vanished meanwhile. */
const untrackedDiffs = async (top: string, files: readonly SizedPath[], objectFormat: 'sha1' | 'sha256'): Promise<{ patch: Buffer; vanished: string[] }> => {
  const sink = new ByteSink();
  const vanished: string[] = [];
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % DIFF_BATCH === 0) await yieldToEventLoop();
    const { path, file } = files[i];
    const large = file !== undefined && file.kind === 'file' && file.size >= STREAMED_FILE_BYTES;
    if (!(large ? await appendLargeFileDiff(sink, top, path, objectFormat, file) : appendNewFileDiff(sink, top, path, objectFormat, file))) vanished.push(path);
  }
  return { patch: sink.bytes(), vanished };
};

/** The user's index file copied to `to`; without one (a fresh repository), an index of HEAD. */
const copyUserIndex = async (top: string, to: string, timeoutMs: number): Promise<void> => {
  // --git-path honours GIT_INDEX_FILE and linked worktrees (whose index is not .git/index).
  const path = (await gitText(top, ['rev-parse', '--git-path', 'index'], { timeoutMs })).trim();
  const from = isAbsolute(path) ? path : join(top, path);
  try {
    await copyFile(from, to);
    // The copy keeps the index's own mtime (rounded down to the second): git judges an entry whose
    // file changed within that second "racy" and compares its bytes. A fresh mtime would make it
    // trust the stat data, and an edit of the same size in the same second would be missed.
    const { mtimeMs } = await stat(from);
    const seconds = Math.floor(mtimeMs / 1000);
    await utimes(to, seconds, seconds);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await gitBytes(top, ['read-tree', 'HEAD'], { timeoutMs, env: { GIT_INDEX_FILE: to } });
  }
};

/** An untracked path and its lstat (none: a nested repository, or gone). */
interface SizedPath { path: string; file?: FileKind }

/**
 * Smallest files first until a budget is spent, so one stray dataset or checkpoint does not
 * push every source file out of the patch. Nested repositories (entries ending in '/') cannot be
 * expressed as a new-file diff and are always omitted.
 */
const selectUntracked = (request: PatchRequest): { included: SizedPath[]; omitted: string[] } => {
  const { top, untracked: paths, maxUntrackedBytes, maxUntrackedFiles } = request;
  const sized = paths.map((path) => {
    // git's paths are '/'-separated and normalized: join() would cost ~4 µs a path to do nothing.
    const stats = path.endsWith('/') ? undefined : lstatOrNothing(`${top}/${path}`);
    return { path, file: stats && fileKindOf(stats), size: stats?.size ?? Infinity };
  });
  const included = new Set<string>();
  let spent = 0;
  for (const { path, size } of [...sized].sort((a, b) => a.size - b.size)) {
    if (included.size >= maxUntrackedFiles) break;
    if (size === Infinity || spent + size > maxUntrackedBytes) continue;
    spent += size;
    included.add(path);
  }
  return { included: sized.filter((file) => included.has(file.path)), omitted: paths.filter((p) => !included.has(p)) };
};

const lstatOrNothing = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch {
    return undefined; // gone since `git status` listed it, or unreadable: left out and named
  }
};
