import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { gitBytes, mapWithLimit } from './git-client.js';

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
  /** Pathspecs limiting the tracked diff (includes '.' plus the exclude pathspecs). */
  pathspecs: string[];
  /** Whether any tracked path changed; skips the `git diff HEAD` process when not. */
  hasTrackedChanges: boolean;
  /** Untracked, not-ignored paths (already filtered by the excludes). */
  untracked: string[];
  /** Budget for the untracked files' total size; files beyond it are left out (and named). */
  maxUntrackedBytes: number;
  /** Budget for their number: each one costs a git process. */
  maxUntrackedFiles: number;
  timeoutMs: number;
}

export interface WorkingTreePatch {
  patch: Buffer;
  /** Untracked entries not in the patch: over the budget, nested repositories, vanished. */
  omitted: string[];
}

/** Untracked-file diffs run this many git processes at once. */
const UNTRACKED_DIFF_CONCURRENCY = 8;

/**
 * The bytes that turn HEAD into the working tree: `git diff HEAD` (staged + unstaged changes)
 * followed by one new-file diff per untracked file (`git diff --no-index /dev/null <file>`,
 * which keeps the executable bit and symlinks), in path order. Bytes, not strings: a text file
 * that is not UTF-8 appears verbatim in a diff and decoding it would corrupt the patch.
 */
export const buildWorkingTreePatch = async (request: PatchRequest): Promise<WorkingTreePatch> => {
  const { top, timeoutMs } = request;
  const { included, omitted } = await selectUntracked(request);
  const tracked = request.hasTrackedChanges
    ? gitBytes(top, ['diff', 'HEAD', '--no-relative', ...DIFF_OPTIONS, '--', ...request.pathspecs], { timeoutMs })
    : Promise.resolve(Buffer.alloc(0));
  const untracked = mapWithLimit(included, UNTRACKED_DIFF_CONCURRENCY, (path) =>
    gitBytes(top, ['diff', '--no-index', ...DIFF_OPTIONS, '--', '/dev/null', path], { timeoutMs, exitOneIsSuccess: true }).then(
      (bytes): Buffer | null => bytes,
      () => null, // deleted or unreadable since `git status` listed it
    ),
  );
  const [trackedBytes, untrackedBytes] = await Promise.all([tracked, untracked]);
  included.forEach((path, i) => {
    if (untrackedBytes[i] === null) omitted.push(path);
  });
  const parts = [trackedBytes, ...untrackedBytes.filter((bytes): bytes is Buffer => bytes !== null)];
  return { patch: Buffer.concat(parts), omitted: omitted.sort() };
};

/**
 * Smallest files first until a budget is spent, so one stray dataset or checkpoint does not
 * push every source file out of the patch. Nested repositories (entries ending in '/') cannot be
 * expressed as a new-file diff and are always omitted.
 */
const selectUntracked = async (request: PatchRequest): Promise<{ included: string[]; omitted: string[] }> => {
  const { top, untracked: paths, maxUntrackedBytes, maxUntrackedFiles } = request;
  const sizeOf = (path: string): Promise<number> =>
    path.endsWith('/') ? Promise.resolve(Infinity) : lstat(join(top, path)).then((stats) => stats.size, () => Infinity);
  const sized = await Promise.all(paths.map(async (path) => ({ path, size: await sizeOf(path) })));
  const included = new Set<string>();
  let spent = 0;
  for (const { path, size } of sized.sort((a, b) => a.size - b.size)) {
    if (included.size >= maxUntrackedFiles) break;
    if (size === Infinity || spent + size > maxUntrackedBytes) continue;
    spent += size;
    included.add(path);
  }
  return { included: paths.filter((p) => included.has(p)), omitted: paths.filter((p) => !included.has(p)) };
};
