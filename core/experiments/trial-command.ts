import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

/** The placeholders a trial command may use; `{out}` is required (its metrics.json is what gets sealed). */
export interface TrialValues { seed: number; config: string; out: string }

/** Refuse, before anything runs, a command that could not produce a per-seed metrics file. */
export const checkCommandTemplate = (argv: readonly string[]): void => {
  const text = argv.join(' ');
  if (!text.includes('{out}')) {
    throw new UserError(`the trial command never mentions {out}: it must write {out}/metrics.json (e.g. -- python train.py --config {config} --out {out})`, { field: '-- <command>' });
  }
  if (!text.includes('{seed}') && !text.includes('{config}')) {
    throw new UserError('the trial command mentions neither {seed} nor {config}: every seed would train the same thing', { field: '-- <command>' });
  }
};

export const substituteCommand = (argv: readonly string[], values: TrialValues): string[] =>
  argv.map((arg) => arg.replaceAll('{seed}', String(values.seed)).replaceAll('{config}', values.config).replaceAll('{out}', values.out));

export interface CommandExit { exitStatus: number | null; signal: NodeJS.Signals | null; startError?: string }

/**
 * Run one trial's command with stdout and stderr into `logFile`, in its own process group, so a
 * stop (Ctrl-C of the sweep, a Slurm time limit) reaches the command and everything it started.
 * `stop` SIGTERMs the group, then SIGKILLs it 5 s later if it is still there.
 */
export const runTrialCommand = (
  argv: readonly string[],
  options: { cwd: string; logFile: string; env: NodeJS.ProcessEnv; stopSignal?: AbortSignal },
): Promise<CommandExit> => {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'w');
  return new Promise<CommandExit>((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', log, log], detached: true });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch { /* already gone */ }
      killTimer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch { /* gone */ }
      }, 5000);
      killTimer.unref();
    };
    if (options.stopSignal?.aborted) stop();
    options.stopSignal?.addEventListener('abort', stop, { once: true });
    let finished = false;
    const finish = (exit: CommandExit): void => {
      if (finished) return; // a child that fails to start may report both 'error' and 'exit'
      finished = true;
      options.stopSignal?.removeEventListener('abort', stop);
      if (killTimer) clearTimeout(killTimer);
      closeSync(log);
      resolve(exit);
    };
    child.once('error', (error) => {
      writeSync(log, `dl-lab sweep: cannot start ${argv[0]}: ${error.message}\n`);
      finish({ exitStatus: null, signal: null, startError: `cannot start ${argv[0]}: ${(error as NodeJS.ErrnoException).code ?? error.message}` });
    });
    child.once('exit', (code, signal) => finish({ exitStatus: code, signal }));
  });
};

/** The run file holding the end of a trial's log. */
export const LOG_TAIL_FILE = 'logs/tail.log';

/** The last lines of a log (at most `maxBytes` of its end), for a failed trial's record. */
export const logTail = (file: string, maxLines = 40, maxBytes = 16 * 1024): string => {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-maxLines).join('\n') + (lines.length ? '\n' : '');
  } finally {
    closeSync(fd);
  }
};
