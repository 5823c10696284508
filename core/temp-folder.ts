import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary folders that exist right now, removed at exit whatever ends the process. */
const live = new Set<string>();

const removeLive = (): void => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
};

/**
 * Ctrl-C or a TERM with no other handler: remove the folders and end as the signal would have
 * (130, 143). Another handler decides itself (a staging folder's exits at once; a sweep's first
 * stops its trials, which may still be using a folder): the folders go when the process exits.
 */
const onSignal = (signal: NodeJS.Signals): void => {
  if (process.listenerCount(signal) > 1) return;
  removeLive();
  process.exit(signal === 'SIGINT' ? 130 : 143);
};

/** The signal handler goes first, so it sees every other handler still registered (a `once` one unregisters as it runs). */
const watch = (on: boolean): void => {
  const method = on ? 'prependListener' : 'off';
  process[method]('exit', removeLive);
  process[method]('SIGINT', onSignal);
  process[method]('SIGTERM', onSignal);
};

/**
 * Run `work` with a fresh folder under $TMPDIR (named `<prefix>XXXXXX`), removed when it settles,
 * and also when the process is ended meanwhile by Ctrl-C, a TERM or `process.exit` (a `finally`
 * alone runs in none of those cases). SIGKILL cannot be caught: the folder then stays in $TMPDIR.
 */
export const withTempFolder = async <T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> => {
  // Handlers first, then the folder made and registered in the same tick: with an awaited mkdtemp,
  // a signal landing after the folder was made but before it was registered left it behind (seen
  // in CI on Node 24).
  if (live.size === 0) watch(true);
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), prefix));
  } catch (error) {
    if (live.size === 0) watch(false);
    throw error;
  }
  live.add(dir);
  try {
    return await work(dir);
  } finally {
    live.delete(dir);
    if (live.size === 0) watch(false);
    await rm(dir, { recursive: true, force: true });
  }
};
