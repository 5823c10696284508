import { simpleGit, type SimpleGit } from 'simple-git';

/*
 * simple-git behaviour that shapes how the provenance code calls git:
 * - It waits an extra 50 ms before resolving a command that printed nothing at all (its
 *   completion plugin's `deferClose`). So capture avoids silent commands: `status --branch`
 *   always prints a header, `rev-parse --symbolic-full-name HEAD` instead of `symbolic-ref -q`
 *   (silent when detached), diffs read from stdout rather than written with `--output`. The one
 *   left is `git remote -v` in a repository without remotes (+50 ms then).
 * - A non-zero exit with empty stderr is not an error (`rev-parse -q --verify` relies on that);
 *   non-zero with stderr is.
 * - Its strings are UTF-8 decoded; patches need the exact bytes (gitBytes).
 */

export interface GitCallOptions {
  timeoutMs: number;
  /** Exit 1 is success too (`git diff --no-index` exits 1 when the files differ). */
  exitOneIsSuccess?: boolean;
}

/** A simple-git bound to `baseDir`; each git process is killed after `timeoutMs` of silence. */
export const gitClient = (baseDir: string, { timeoutMs, exitOneIsSuccess = false }: GitCallOptions): SimpleGit =>
  simpleGit({
    baseDir,
    timeout: { block: timeoutMs },
    ...(exitOneIsSuccess ? { errors: (error: Buffer | Error | undefined, result: { exitCode: number }) => (result.exitCode === 1 ? undefined : error) } : {}),
  });

/**
 * stdout of one git command as exact bytes, taken from the raw stream through simple-git's
 * outputHandler hook (one client per call, so concurrent commands do not share a handler).
 */
export const gitBytes = async (baseDir: string, args: string[], options: GitCallOptions): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  const git = gitClient(baseDir, options).outputHandler((_command, stdout) => {
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  });
  await git.raw(args);
  return Buffer.concat(chunks);
};

/** Run `task` over `items` with at most `limit` running at once, results in input order. */
export const mapWithLimit = async <T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};
