import type { Dirent } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { sep } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { writeFileAtomic } from '../atomic-write.js';
import { RACY_WINDOW_NS } from '../hashing/hash-cache.js';
import { findStats } from './find-fingerprint.js';
import { parseFindListing, type StatListing } from './find-listing.js';

/** Where a project keeps the fingerprints (gitignored with the rest of .dl-lab/: they describe this machine's files). */
export const PROJECT_FINGERPRINTS = '.dl-lab/cache/dataset-stats.json';

const FORMAT = 'dl-lab-dataset-stats/1';
/** Stats between yields to the event loop. */
const STAT_BATCH = 2048;

/**
 * A dataset's stat fingerprint: sha256 over the relative path, size, mtime (ns) and inode of
 * every file, in directory-walk order. It is the hash cache's evidence (size, mtime, inode per
 * file), for the whole folder at once, plus its exact list of names: when the fingerprint equals
 * the one taken after the folder was last verified against its registered digest, no file was
 * added, removed, renamed or rewritten since, and the digest still holds without reading a byte
 * or looking up 100,000 cache entries. Anything else (a different walk order included) only
 * means the slow, exact check runs. Undefined when the folder holds anything but regular files
 * and folders (the exact check reports those), or nothing.
 */
export interface Fingerprint {
  value: string;
  files: number;
  newestMtimeNs: bigint;
  /**
   * The files and their stat identities as this walk saw them, where GNU find took it and nothing
   * in it needs the scan's own handling (see parseFindListing). Parsed on the first call, which
   * lets go of find's output (~60 bytes a file): a later call gives undefined.
   */
  listing?: () => StatListing | undefined;
}

export async function datasetFingerprint(absPath: string): Promise<Fingerprint | undefined> {
  // Tagged by method: a fingerprint taken one way never matches one taken the other way (that
  // only means one exact check).
  const viaFind = createHash('sha256').update('find\0');
  const found = await findStats(absPath, viaFind);
  if (found.kind === 'not-plain') return undefined;
  if (found.kind === 'files') {
    if (found.files === 0) return undefined;
    let output: readonly Buffer[] | undefined = found.output;
    const listing = (): StatListing | undefined => {
      const taken = output;
      output = undefined;
      return taken === undefined ? undefined : parseFindListing(taken);
    };
    return { value: viaFind.digest('hex'), files: found.files, newestMtimeNs: found.newestMtimeNs, listing };
  }
  return walkFingerprint(absPath);
}

/** The same walk in this thread, where GNU find is not available. */
async function walkFingerprint(absPath: string): Promise<Fingerprint | undefined> {
  const hash = createHash('sha256');
  let files = 0;
  let newestMtimeNs = 0n;
  // Per batch: the names, NUL-terminated, then (size, mtime ns, inode) of each as raw 64-bit
  // numbers: no bigint-to-decimal conversion per file (it was a third of the time).
  let names: string[] = [];
  const numbers = new BigUint64Array(3 * STAT_BATCH);
  const flush = (): void => {
    hash.update(names.join(''));
    hash.update(new Uint8Array(numbers.buffer, 0, names.length * 24));
    names = [];
  };
  const add = (rel: string, abs: string): void => {
    const stat = statSync(abs, { bigint: true });
    const at = names.length * 3;
    numbers[at] = stat.size;
    numbers[at + 1] = stat.mtimeNs;
    numbers[at + 2] = stat.ino;
    names.push(`${rel}\0`);
    if (stat.mtimeNs > newestMtimeNs) newestMtimeNs = stat.mtimeNs;
    files++;
  };
  let top;
  try {
    top = statSync(absPath, { bigint: true });
  } catch {
    return undefined;
  }
  if (top.isFile()) add('', absPath);
  else if (top.isDirectory()) {
    const pending: { abs: string; rel: string }[] = [{ abs: absPath, rel: '' }];
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
      let entries: Dirent[];
      try {
        entries = readdirSync(dir.abs, { withFileTypes: true });
      } catch {
        return undefined;
      }
      for (const entry of entries) {
        // A name with a newline cannot be registered: the exact check runs and reports it.
        if (entry.name.includes('\n')) return undefined;
        const rel = dir.rel === '' ? entry.name : `${dir.rel}/${entry.name}`;
        const abs = `${dir.abs}${sep}${entry.name}`;
        if (entry.isDirectory()) pending.push({ abs, rel });
        else if (entry.isFile()) {
          try {
            add(rel, abs);
          } catch {
            return undefined;
          }
        } else return undefined;
        if (names.length === STAT_BATCH) {
          flush();
          await yieldToEventLoop();
        }
      }
    }
  } else return undefined;
  flush();
  return files === 0 ? undefined : { value: hash.digest('hex'), files, newestMtimeNs };
}

interface Stored { digest: string; fingerprint: string }

/**
 * Fingerprints of dataset folders as they were when last verified, keyed by absolute path.
 * Like the hash cache, it can only save time: an unreadable or foreign file is an empty store.
 */
export class FingerprintStore {
  private changed = false;

  private constructor(
    readonly file: string | undefined,
    private readonly entries: Map<string, Stored>,
  ) {}

  static async load(file: string): Promise<FingerprintStore> {
    try {
      const data = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; entries?: unknown };
      if (data.format !== FORMAT || typeof data.entries !== 'object' || data.entries === null) return new FingerprintStore(file, new Map());
      const entries = new Map<string, Stored>();
      for (const [path, value] of Object.entries(data.entries as Record<string, Stored>)) {
        if (typeof value?.digest === 'string' && typeof value?.fingerprint === 'string') entries.set(path, { digest: value.digest, fingerprint: value.fingerprint });
      }
      return new FingerprintStore(file, entries);
    } catch {
      return new FingerprintStore(file, new Map());
    }
  }

  static inMemory(): FingerprintStore {
    return new FingerprintStore(undefined, new Map());
  }

  /** True when `fingerprint` is the one stored for this folder after it was verified to have `digest`. */
  matches(absPath: string, digest: string, fingerprint: Fingerprint): boolean {
    const stored = this.entries.get(absPath);
    return stored !== undefined && stored.digest === digest && stored.fingerprint === fingerprint.value;
  }

  /**
   * Records the fingerprint of a folder just verified to have `digest`, unless a file in it was
   * modified within RACY_WINDOW_NS of `verifiedFromNs` (when its check started): such a file could
   * change again without changing its stat (see hash-cache.ts). Returns whether it was stored.
   */
  store(absPath: string, digest: string, fingerprint: Fingerprint, verifiedFromNs: bigint): boolean {
    if (fingerprint.newestMtimeNs + RACY_WINDOW_NS > verifiedFromNs) return false;
    this.entries.set(absPath, { digest, fingerprint: fingerprint.value });
    this.changed = true;
    return true;
  }

  async save(): Promise<void> {
    if (this.file === undefined || !this.changed) return;
    await writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.entries) }) + '\n');
    this.changed = false;
  }
}
