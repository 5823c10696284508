import { randomBytes } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
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
