import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';

/*
 * git for the provenance capture, spawned directly. (It went through simple-git, whose completion
 * plugin waits an extra 50 ms before resolving a command that printed nothing, e.g. `git remote
 * -v` in a repository without remotes, and whose module costs start-up time; the capture is on
 * the critical path of every `dl-lab run`.) What the calls rely on is kept from it:
 * - a non-zero exit with empty stderr is not an error (`rev-parse -q --verify` relies on that);
 *   non-zero with stderr is, its message being the command's stdout + stderr;
 * - a command that prints nothing for `timeoutMs` is killed and fails ("block timeout");
 * - a directory that does not exist fails before spawning ("… does not exist"), a missing git
 *   with the spawn error (ENOENT);
 * - stdout is exact bytes (gitBytes: patches), or UTF-8 text (gitText).
 */

export interface GitCallOptions {
  timeoutMs: number;
  /** Exit 1 is success too (`git diff --no-index` exits 1 when the files differ). */
  exitOneIsSuccess?: boolean;
  /** Variables added to this process's environment (e.g. GIT_INDEX_FILE for a temporary index). */
  env?: NodeJS.ProcessEnv;
  /** Bytes written to the command's stdin (e.g. `--pathspec-from-file=-`); without it stdin is closed. */
  input?: Uint8Array;
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** stdout of `git <args>` run in `baseDir`, as exact bytes. */
export const gitBytes = (baseDir: string, args: readonly string[], { timeoutMs, exitOneIsSuccess = false, env, input }: GitCallOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    if (!isDirectory(baseDir)) {
      reject(new Error(`cannot run git in ${baseDir}: the directory does not exist`));
      return;
    }
    const child = spawn('git', args, {
      cwd: baseDir,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
      ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
    });
    // A git that exits before reading all of stdin makes the pipe fail (EPIPE); its exit status says why.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(Buffer.concat(stdout));
    };
    // Restarted by every chunk of output: a slow command that keeps printing is not hung.
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle(new Error(`git ${args[0]}: block timeout reached (no output for ${timeoutMs / 1000} s)`));
      }, timeoutMs);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      arm();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      arm();
    });
    child.on('error', settle);
    child.on('close', (code) => {
      const failed = code !== null && code !== 0 && !(exitOneIsSuccess && code === 1) && stderr.length > 0;
      settle(failed ? new Error(Buffer.concat([...stdout, ...stderr]).toString('utf8')) : undefined);
    });
    arm();
  });

/** stdout of `git <args>` as UTF-8 text. */
export const gitText = async (baseDir: string, args: readonly string[], options: GitCallOptions): Promise<string> =>
  (await gitBytes(baseDir, args, options)).toString('utf8');

export interface GitRemote { name: string; refs: { fetch: string; push: string } }

/** `git remote -v`: each remote once, in the order git lists them, with its fetch and push URLs. */
export const gitRemotes = async (baseDir: string, options: GitCallOptions): Promise<GitRemote[]> => {
  const remotes = new Map<string, GitRemote>();
  for (const line of (await gitText(baseDir, ['remote', '-v'], options)).split('\n')) {
    const [name, url, purpose] = line.trim().split(/\s+/);
    if (!name) continue;
    if (!remotes.has(name)) remotes.set(name, { name, refs: { fetch: '', push: '' } });
    if (url && purpose === '(fetch)') remotes.get(name)!.refs.fetch = url;
    if (url && purpose === '(push)') remotes.get(name)!.refs.push = url;
  }
  return [...remotes.values()];
};
