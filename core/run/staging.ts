import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { STAGING_PREFIX } from './paths.js';

/**
 * A run is built in `<parent>/.staging-<tag>~<host>~<pid>~<random>` on the same filesystem and
 * renamed into place. The host and pid let a later command tell an abandoned folder (its process
 * is gone: killed, crashed, Ctrl-C) from one still being written by a live process.
 */
export const stagingName = (tag: string): string =>
  `${STAGING_PREFIX}${tag}~${hostname()}~${process.pid}~${randomBytes(4).toString('hex')}`;

/** On another host we cannot see the writer, so only folders older than this are called stale there. */
const FOREIGN_STALE_MS = 24 * 60 * 60 * 1000;

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface StagingCleanup { removed: string[]; kept: string[] }

/**
 * Remove staging folders in `parent` whose writer is gone (same host, dead pid; or another host
 * and older than a day); report the rest. Never touches published runs.
 */
export const cleanStaleStaging = async (parent: string, now = Date.now()): Promise<StagingCleanup> => {
  const entries = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  const kept: string[] = [];
  for (const entry of entries.filter((name) => name.startsWith(STAGING_PREFIX))) {
    const [, host, pid] = entry.slice(STAGING_PREFIX.length).split('~');
    const path = join(parent, entry);
    const ownHost = host === hostname();
    const mtime = (await stat(path).catch(() => undefined))?.mtimeMs ?? now;
    const stale = ownHost ? !processAlive(Number(pid)) : now - mtime > FOREIGN_STALE_MS;
    if (stale) {
      await rm(path, { recursive: true, force: true });
      removed.push(entry);
    } else kept.push(entry);
  }
  return { removed, kept };
};

/** A staging folder a run is being built in, and how to abandon it. */
export interface Staging {
  /** Absolute path of the folder. */
  dir: string;
  /** Run `undo` (synchronously, also on SIGINT/SIGTERM) if the run is abandoned. */
  onDiscard(undo: () => void): void;
  /** Abandon the run: undo, then remove the folder. Safe to call twice. */
  discard(): Promise<void>;
  /** The run was published (renamed away): stop watching signals. */
  close(): void;
}

/**
 * Create the staging folder for `targetDir` beside it (same filesystem, so the final rename is
 * atomic), after removing abandoned ones. Ctrl-C or a TERM while it exists removes it first.
 */
export const openStaging = async (targetDir: string): Promise<Staging> => {
  const parent = dirname(targetDir);
  await mkdir(parent, { recursive: true });
  await cleanStaleStaging(parent);
  const dir = join(parent, stagingName(basename(targetDir)));
  const undos: Array<() => void> = [];
  let open = true;
  const undoAll = (): void => {
    for (const undo of undos.splice(0).reverse()) {
      try {
        undo();
      } catch {
        // best effort: the folder is removed next whatever happens
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    undoAll();
    rmSync(dir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const close = (): void => {
    open = false;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  // Handlers first, then the folder made in the same tick (signals are handled between ticks):
  // with an awaited mkdir, a signal landing after the folder was made but before the handlers
  // were registered ended the process and left the folder behind (seen in CI; the immutability
  // test kills a run the moment the folder appears).
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    mkdirSync(dir);
  } catch (error) {
    close();
    throw error;
  }
  return {
    dir,
    onDiscard: (undo) => void undos.push(undo),
    discard: async () => {
      if (!open) return;
      close();
      undoAll();
      await rm(dir, { recursive: true, force: true });
    },
    close,
  };
};
