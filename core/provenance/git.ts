import { isAbsolute, posix, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { gitRemotes, gitText } from './git-client.js';
import { buildWorkingTreePatch } from './git-patch.js';
import { redactRemoteUrl } from './git-remote.js';
import { parsePorcelainStatus } from './git-status.js';
import type { GitCapture, GitInfo, GitInfoAvailable } from './types.js';

/** A run's own outputs live here and must never make the tree it ran from look dirty. */
export const DEFAULT_EXCLUDE_PATHS: readonly string[] = ['artifacts/'];
/** untracked_files and patch_omitted_files list at most this many paths. */
export const UNTRACKED_LIST_LIMIT = 1000;
/** Untracked files' total size the patch may carry; stray datasets/checkpoints go over it. */
export const DEFAULT_MAX_UNTRACKED_PATCH_BYTES = 64 * 1024 * 1024;
/**
 * Untracked files the patch may carry. They cost no git process each (their diffs are written in
 * process), so the byte budget usually binds; this bounds the work for a tree of many tiny files.
 */
export const DEFAULT_MAX_UNTRACKED_PATCH_FILES = 100_000;
/** Per git process: far above what any query needs, low enough that a hung git cannot hang a run. */
export const DEFAULT_GIT_TIMEOUT_MS = 60_000;

export interface DataPath { name: string; path: string; digest: string }

export interface CaptureGitOptions {
  /**
   * Paths relative to `dir` (the project directory, which may be a subdirectory of the
   * repository) whose changes are ignored: not dirty, not in the patch, not counted. Default
   * ['artifacts/']. Git pathspecs, so globs work.
   */
  excludePaths?: readonly string[];
  /**
   * Registered datasets: their paths (relative to `dir`, or absolute) are data, not code, and are
   * left out like the excludes; those inside the repository are listed in excluded_data.
   */
  dataPaths?: readonly DataPath[];
  /** Untracked files left out of the patch beyond these are named in patch_omitted_files. */
  maxUntrackedPatchBytes?: number;
  maxUntrackedPatchFiles?: number;
  timeoutMs?: number;
}

/**
 * Exactly what code `dir` holds: HEAD, branch, remote and, when the tree is dirty, a patch that
 * `git apply` on that commit in a fresh clone turns back into this working tree.
 *
 * Scope is the whole repository, not only the project subdirectory: code outside the project
 * (a shared library next to it) is code the run may have imported. Everything runs from the
 * top level so patch paths are top-level relative; only the excludes are project relative.
 *
 * Never throws for "no git here": no repository, no git binary, no commit yet, or any git
 * failure gives `{ available: false, reason }`, so a run can record that it was not versioned.
 */
export const captureGit = async (dir: string, options: CaptureGitOptions = {}): Promise<GitCapture> => {
  try {
    return await capture(dir, options);
  } catch (error) {
    return unavailable(`git failed in ${dir}: ${messageOf(error)}`);
  }
};

const capture = async (dir: string, options: CaptureGitOptions): Promise<GitCapture> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const location = await locateRepository(dir, timeoutMs);
  if ('reason' in location) return unavailable(location.reason);
  const { top, prefix } = location;
  const excludedData = dataInside(top, prefix, options.dataPaths ?? []);
  const pathspecs = [
    '.',
    ...(options.excludePaths ?? DEFAULT_EXCLUDE_PATHS).map((path) => excludePathspec(prefix, path)),
    // literal: a dataset folder named `data[1]` is that folder, not a pattern.
    ...excludedData.map((data) => `:(exclude,literal)${data.path}`),
  ];

  const git = (args: string[]): Promise<string> => gitText(top, args, { timeoutMs });
  // Independent queries, concurrently. `-q --verify` prints nothing (exit 1, no stderr, which
  // git-client.ts does not treat as an error) when there is no commit yet.
  const [commit, headRef, remotes, statusText] = await Promise.all([
    location.head?.commit ?? git(['rev-parse', '-q', '--verify', 'HEAD^{commit}']),
    // "refs/heads/<branch>", or "HEAD" when detached. Fails only without a commit, which the
    // first query reports.
    location.head?.ref ?? git(['rev-parse', '--symbolic-full-name', 'HEAD']).catch(() => ''),
    gitRemotes(top, { timeoutMs }),
    // --no-optional-locks: do not refresh-and-write the index, which could collide with a git
    // command the user runs at the same moment. -uall: every untracked file, not just its dir.
    // --branch: a "## <branch>" header line first, which the parser skips.
    git(['--no-optional-locks', 'status', '--porcelain=v1', '-z', '--branch', '--untracked-files=all', '--', ...pathspecs]),
  ]);
  if (commit.trim() === '') return unavailable(`git repository has no commits yet: ${top}`);

  const status = parsePorcelainStatus(statusText);
  const branch = headRef.trim().startsWith('refs/heads/') ? headRef.trim().slice('refs/heads/'.length) : null;
  const dirty = status.changed.length > 0 || status.untracked.length > 0;
  const remote = remotes.find((r) => r.name === 'origin') ?? remotes[0];
  const info: GitInfoAvailable = {
    available: true,
    commit: commit.trim(),
    branch,
    detached: branch === null,
    remote: remote ? redactRemoteUrl(remote.refs.fetch || remote.refs.push) : null,
    project_subdir: prefix === '' ? '.' : prefix.replace(/\/$/, ''),
    dirty,
    changed: status.changed.length,
    untracked: status.untracked.length,
    untracked_files: status.untracked.slice(0, UNTRACKED_LIST_LIMIT),
  };
  if (status.untracked.length > UNTRACKED_LIST_LIMIT) info.untracked_files_truncated = true;
  if (excludedData.length > 0) info.excluded_data = excludedData;
  if (!dirty) return { info, patch: null };

  const { patch, omitted } = await buildWorkingTreePatch({
    top,
    pathspecs,
    changed: status.changed,
    unstaged: status.unstaged,
    objectFormat: info.commit.length === 64 ? 'sha256' : 'sha1',
    untracked: status.untracked,
    maxUntrackedBytes: options.maxUntrackedPatchBytes ?? DEFAULT_MAX_UNTRACKED_PATCH_BYTES,
    maxUntrackedFiles: options.maxUntrackedPatchFiles ?? DEFAULT_MAX_UNTRACKED_PATCH_FILES,
    timeoutMs,
  });
  if (omitted.length > 0) info.patch_omitted_files = omitted.slice(0, UNTRACKED_LIST_LIMIT);
  if (omitted.length > UNTRACKED_LIST_LIMIT) info.patch_omitted_files_truncated = true;
  return { info, patch };
};

type Location = { top: string; prefix: string; head?: { commit: string; ref: string } } | { reason: string };

/**
 * Top level and the project's path inside it ('' or 'sub/dir/'), or why there is no repository.
 * Usually with HEAD's commit and ref from the same git process (two processes fewer per run); when
 * that query fails (no repository, no commit yet…) the capture asks the usual questions one by one.
 */
const locateRepository = async (dir: string, timeoutMs: number): Promise<Location> => {
  const withHead = await gitText(dir, ['rev-parse', '--show-toplevel', '--show-prefix', 'HEAD^{commit}', '--symbolic-full-name', 'HEAD'], { timeoutMs }).catch(() => '');
  const [headTop = '', headPrefix = '', commit = '', ref = ''] = withHead.split('\n');
  if (/^[0-9a-f]{40,64}$/.test(commit) && ref !== '') return { top: headTop, prefix: headPrefix, head: { commit, ref } };
  let output: string;
  try {
    output = await gitText(dir, ['rev-parse', '--show-toplevel', '--show-prefix'], { timeoutMs });
  } catch (error) {
    const message = messageOf(error);
    if (/does not exist/i.test(message)) return { reason: `not a git repository: ${dir} (no such directory)` };
    if (/not a git repository/i.test(message)) return { reason: `not a git repository: ${dir}` };
    if (/ENOENT/.test(message)) return { reason: 'git is not installed (not found on PATH)' };
    return { reason: `git failed in ${dir}: ${message}` };
  }
  const [top = '', prefix = ''] = output.split('\n');
  return { top, prefix };
};

/**
 * The datasets inside the repository, with paths relative to its top level, sorted by path. A
 * relative dataset path is relative to the project (at `prefix` in the repository).
 */
const dataInside = (top: string, prefix: string, data: readonly DataPath[]): ExcludedData[] =>
  data
    .map(({ name, path, digest }) => {
      const fromTop = isAbsolute(path) ? relative(top, path) : posix.normalize(`${prefix}${path}`);
      return { name, path: fromTop.split(sep).join('/').replace(/\/$/, ''), registered_digest: digest };
    })
    .filter((data) => data.path !== '' && data.path !== '.' && !data.path.startsWith('../') && data.path !== '..' && !isAbsolute(data.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

type ExcludedData = NonNullable<GitInfoAvailable['excluded_data']>[number];

/** `:(exclude)` pathspec for a project-relative path, evaluated from the top level. */
const excludePathspec = (prefix: string, path: string): string => `:(exclude)${prefix}${path.replace(/^\.\//, '')}`;

const unavailable = (reason: string): GitCapture => ({ info: { available: false, reason }, patch: null });

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).trim().split('\n')[0];

/**
 * For `--require-clean`: refuse to start a run whose code cannot be named by a commit alone.
 * An unknown state (no git) is refused too: "clean" must be proven, not assumed.
 */
export const assertClean = (info: GitInfo): void => {
  if (!info.available) {
    throw new UserError(`--require-clean: cannot tell whether the code is committed: ${info.reason}`, { field: '--require-clean' });
  }
  if (!info.dirty) return;
  const state = [
    info.changed > 0 ? `${info.changed} tracked file${info.changed === 1 ? ' has' : 's have'} uncommitted changes` : '',
    info.untracked > 0 ? `${info.untracked} untracked file${info.untracked === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const listed = info.untracked_files.slice(0, 20).map((path) => `untracked: ${path}`);
  if (info.untracked > listed.length && info.untracked > 0) listed.push(`… and ${info.untracked - listed.length} more untracked`);
  throw new UserError(`--require-clean: the working tree is dirty (${state.join(', ')}); commit or stash them, or add untracked files to .gitignore`, {
    field: '--require-clean',
    details: [...listed, 'run `git status` to see every change'],
  });
};
