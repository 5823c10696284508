import { readFile, rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { identityKey, sizeOfKey } from './file-identity.js';
import { cacheFileChunks, digestField, parseCacheFile, type CacheEntry, type LoadedCache } from './hash-cache-file.js';
import type { FileDigest, FileIdentity } from './types.js';

/** Where a project keeps its cache (gitignored: it describes this machine's files, not the project). */
export const PROJECT_HASH_CACHE = '.dl-lab/cache/hashes.txt';
/** Where earlier versions kept it (format 1): read when there is no PROJECT_HASH_CACHE yet, removed by the next save. */
export const LEGACY_PROJECT_HASH_CACHE = '.dl-lab/cache/hashes.json';

/**
 * A file whose mtime is this close to the moment we started hashing it is "racy" (the term comes
 * from git): it could be rewritten again within the same timestamp tick, leaving size and mtime
 * unchanged. Kernel timestamps are coarse (a jiffy), and FAT/exFAT or some network file systems
 * only keep 1–2 s. Such results are returned but not cached; the next run caches them.
 */
export const RACY_WINDOW_NS = 2_000_000_000n;

/**
 * Persistent sha256 cache so an unchanged file is not re-read.
 *
 * Key: the absolute path exactly as given (callers pass `path.join`/`resolve` results, which are
 * normalized), validated by (size, mtime in ns, inode) from a `bigint: true` stat. If all
 * four match, the stored digest is trusted without reading the file. Deliberately NOT in the key:
 * ctime (it cannot be restored, so copying a tree with preserved times would never hit) and the
 * device number (not stable across reboots for some mounts). Consequence, which the tests pin down:
 * rewriting a file in place with the same size and then restoring its mtime (`touch -d`, `utimes`)
 * is invisible to the cache. That needs intent; use a fresh cache (or none) when auditing.
 *
 * The file (hash-cache-file.ts) is written atomically (temp + rename). An unreadable, corrupt or
 * foreign-version file is treated as empty — a cache can only ever cost a re-hash, never fail a
 * run (`ignoredReason` says why it was dropped). Concurrent savers: last writer wins, which only
 * loses cache entries, never correctness. Entries of deleted files are kept until `prune` or
 * `forgetMissingUnder` (which `data add` and every dataset check call for the folders they list).
 */
export class HashCache {
  private readonly entries: Map<string, CacheEntry>;
  /** The loaded file's bytes, which entries not set since point into. */
  private readonly bytes: Buffer;
  private changed = false;

  private constructor(
    /** Cache file, or undefined for an in-memory cache. */
    readonly file: string | undefined,
    loaded: LoadedCache,
    /** Why an existing cache file was ignored, if it was. */
    readonly ignoredReason?: string,
    /** An older cache file these entries came from, removed once they are saved to `file`. */
    private readonly legacyFile?: string,
  ) {
    this.entries = loaded.entries;
    this.bytes = loaded.bytes;
  }

  /**
   * Loads `file`; a missing file is an empty cache, and so is a broken one (see `ignoredReason`).
   * When `file` is missing and `legacyFile` (a cache of an earlier version) exists, its entries are
   * loaded instead, and the next save moves them to `file`.
   */
  static async load(file: string, legacyFile?: string): Promise<HashCache> {
    const path = resolve(file);
    const read = await readCacheFile(path);
    if (read === 'missing' && legacyFile !== undefined) {
      const legacy = await readCacheFile(resolve(legacyFile));
      if (legacy !== 'missing') return HashCache.fromFile(path, legacy, resolve(legacyFile));
    }
    return read === 'missing' ? new HashCache(path, empty()) : HashCache.fromFile(path, read);
  }

  /** The cache kept in `path`, from what was read (of it, or of `legacyFile`). */
  private static fromFile(path: string, read: LoadedCache | string, legacyFile?: string): HashCache {
    // A legacy file that could not be used is left where it is: nothing was taken from it.
    return typeof read === 'string' ? new HashCache(path, empty(), read) : new HashCache(path, read, undefined, legacyFile);
  }

  /** A cache that lives only as long as this object (useful to share hashes across calls). */
  static inMemory(): HashCache {
    return new HashCache(undefined, empty());
  }

  get size(): number {
    return this.entries.size;
  }

  /** True when there are entries not yet saved. */
  get dirty(): boolean {
    return this.changed;
  }

  /** The cached digest if `identity` (a fresh stat of `absPath`) matches the stored one. */
  lookup(absPath: string, identity: FileIdentity): FileDigest | undefined {
    return this.lookupKey(absPath, identityKey(identity));
  }

  /** `lookup` by the identity's key (`identityKey`), for a caller that has it without a stat. */
  lookupKey(absPath: string, key: string): FileDigest | undefined {
    const entry = this.entries.get(absPath);
    if (entry === undefined) return undefined;
    const sha256 = digestField(entry, this.bytes, `${key} `);
    // Validated here, per hit, rather than at load: most entries of a big cache are never looked
    // at in one run, and a hand-edited bad digest must read as a miss, never as a result.
    if (sha256 === undefined || !SHA256.test(sha256)) return undefined;
    return { sha256, bytes: Number(sizeOfKey(key)) };
  }

  /**
   * Records a digest for the file version `identity` describes, and returns the digest as the
   * cache holds it: a view into its entry, so a caller that keeps it keeps no second copy (6 MB
   * for 100,000 files). Skipped (returns undefined) when the file is racy: modified within
   * RACY_WINDOW_NS of `hashStartedNs` (wall clock, ns since epoch).
   */
  store(absPath: string, identity: FileIdentity, digest: FileDigest, hashStartedNs: bigint): string | undefined {
    if (identity.mtimeNs + RACY_WINDOW_NS > hashStartedNs) return undefined;
    if (BigInt(digest.bytes) !== identity.size) return undefined;
    // Array join makes one flat string; a template literal makes a tree of its parts (~290 bytes
    // an entry instead of ~130: 16 MB more for a 100,000-file dataset).
    const entry = [identity.size, identity.mtimeNs, identity.ino, digest.sha256].join(' ');
    this.entries.set(absPath, entry);
    this.changed = true;
    return entry.slice(entry.length - digest.sha256.length);
  }

  /** Drops entries whose path `keep` rejects (e.g. files that no longer exist). */
  prune(keep: (absPath: string) => boolean): number {
    let dropped = 0;
    for (const path of [...this.entries.keys()]) {
      if (!keep(path)) {
        this.entries.delete(path);
        dropped++;
      }
    }
    if (dropped > 0) this.changed = true;
    return dropped;
  }

  /**
   * Drops the entries of files under `dir` that are not in `present` (a fresh listing of it, as
   * POSIX paths relative to `dir`): a dataset whose files come and go would otherwise grow the
   * cache, and the time to load it, without bound. Costs no stat: the caller has just listed the folder.
   */
  forgetMissingUnder(dir: string, present: ReadonlySet<string>): number {
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    const relative = (absPath: string): string => (sep === '/' ? absPath.slice(prefix.length) : absPath.slice(prefix.length).replaceAll(sep, '/'));
    return this.prune((absPath) => !absPath.startsWith(prefix) || present.has(relative(absPath)));
  }

  /** Writes the cache atomically if it has unsaved entries. No-op for in-memory caches. */
  async save(): Promise<void> {
    if (this.file === undefined || !this.changed) return;
    await writeFileAtomic(this.file, cacheFileChunks(this.entries, this.bytes));
    this.changed = false;
    if (this.legacyFile !== undefined) await rm(this.legacyFile, { force: true });
  }
}

const empty = (): LoadedCache => ({ entries: new Map(), bytes: Buffer.alloc(0) });

/** A cache file's entries, or why it was ignored; 'missing' if there is no such file. */
async function readCacheFile(path: string): Promise<LoadedCache | string | 'missing'> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot read: ${(error as Error).message}`;
  }
  return parseCacheFile(bytes);
}

const SHA256 = /^[0-9a-f]{64}$/;
