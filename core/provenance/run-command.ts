import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Default limit for one external probe (python, nvidia-smi). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

export type CommandResult = { ok: true; stdout: string } | { ok: false; reason: string };

export interface RunCommandOptions {
  /** Environment of the child; its PATH is also where the executable is looked up. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Run a probe and turn every way it can fail (not installed, timed out, non-zero exit) into a
 * readable reason instead of an exception: provenance capture must never fail a run because a
 * tool is missing, it records that the tool was missing.
 */
export const runCommand = (file: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const env = options.env ?? process.env;
  // Spawning costs a fork of this process even when the program is missing (no GPU: nvidia-smi is
  // tried twice per run), so a name that no PATH directory holds is reported without spawning.
  if (certainlyNotOnPath(file, env)) return Promise.resolve({ ok: false, reason: `${file} not found on PATH` });
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      // SIGKILL: a hung nvidia-smi (wedged driver) may ignore SIGTERM.
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        resolve({ ok: false, reason: describeFailure(file, error, stdout, stderr, timeoutMs) });
      },
    );
  });
};

/**
 * True only when spawning `file` would fail with ENOENT for sure: a bare name, a PATH of absolute
 * directories only (an empty or relative entry means one relative to the cwd), and in each of them
 * nothing of that name (ENOENT; a directory we may not search, EACCES, is not "nothing": there the
 * spawn reports "not executable"). Everything else is left to the spawn, which reports it as before.
 */
const certainlyNotOnPath = (file: string, env: NodeJS.ProcessEnv): boolean => {
  if (process.platform === 'win32' || file.includes('/') || env.PATH === undefined) return false;
  const dirs = env.PATH.split(':');
  return dirs.every((dir) => isAbsolute(dir) && nothingAt(join(dir, file)));
};

const nothingAt = (path: string): boolean => {
  try {
    statSync(path);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
};

type ExecError = Error & { code?: string | number | null; killed?: boolean; signal?: NodeJS.Signals | null };

const describeFailure = (file: string, error: ExecError, stdout: string, stderr: string, timeoutMs: number): string => {
  if (error.code === 'ENOENT') return file.includes('/') ? `${file} does not exist` : `${file} not found on PATH`;
  if (error.code === 'EACCES') return `${file} is not executable`;
  if (error.killed || error.signal) return `${file} timed out after ${timeoutMs / 1000} s`;
  // A Python traceback ends with the exception; nvidia-smi prints its failures ("couldn't
  // communicate with the NVIDIA driver") as the first line of stdout.
  const said = lastLine(stderr) || firstLine(stdout);
  const status = typeof error.code === 'number' ? `exited with code ${error.code}` : 'failed';
  return said ? `${file} ${status}: ${said}` : `${file} ${status}`;
};

const lines = (text: string): string[] => text.split('\n').map((line) => line.trim().slice(0, 300)).filter((line) => line.length > 0);
const firstLine = (text: string): string => lines(text)[0] ?? '';
const lastLine = (text: string): string => lines(text).at(-1) ?? '';
