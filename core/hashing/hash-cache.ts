import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { FileDigest, FileIdentity } from './types.js';

/** Where a project keeps its cache (gitignored: it describes this machine's files, not the project). */
export const PROJECT_HASH_CACHE = '.dl-lab/cache/hashes.json';

/** Bump when the on-disk shape or the meaning of a key changes; other versions are ignored. */
const FORMAT = 'dl-lab-hash-cache/1';

/**
 * A file whose mtime is this close to the moment we started hashing it is "racy" (the term comes
 * from git): it could be rewritten again within the same timestamp tick, leaving size and mtime
 * unchanged. Kernel timestamps are coarse (a jiffy), and FAT/exFAT or some network file systems
 * only keep 1–2 s. Such results are returned but not cached; the next run caches them.
 */
export const RACY_WINDOW_NS = 2_000_000_000n;

/**
 * One cache line per file, `"<size> <mtime_ns> <ino> <sha256>"` (decimal, decimal, decimal, hex),
 * stored as `entries: [[path, line], …]`. Flat strings in an array of pairs, not an object of
 * objects: a fully cached check is bound by loading this file and one stat per file, and this
 * shape parses ~3× faster (1 ms vs 3 ms for 2,000 files, measured). The byte count is the size
 * (hashing checks that they agree).
 */
type Entry = string;
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
 * The file is JSON, written atomically (temp + rename). An unreadable, corrupt or foreign-version
 * file is treated as empty — a cache can only ever cost a re-hash, never fail a run
 * (`ignoredReason` says why it was dropped). Concurrent savers: last writer wins, which only loses
 * cache entries, never correctness. Entries of deleted files are kept until `prune` or
 * `forgetMissingUnder` (which `data add` and every dataset check call for the folders they list).
 */
export class HashCache {
  private readonly entries: Map<string, Entry>;
  private changed = false;

  private constructor(
    /** Cache file, or undefined for an in-memory cache. */
    readonly file: string | undefined,
    entries: Map<string, Entry>,
    /** Why an existing cache file was ignored, if it was. */
    readonly ignoredReason?: string,
  ) {
    this.entries = entries;
  }

  /** Loads `file`; a missing file is an empty cache, and so is a broken one (see `ignoredReason`). */
  static async load(file: string): Promise<HashCache> {
    const path = resolve(file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return new HashCache(path, new Map(), missing ? undefined : `cannot read: ${(error as Error).message}`);
    }
    const parsed = parseCache(text);
    return typeof parsed === 'string' ? new HashCache(path, new Map(), parsed) : new HashCache(path, parsed);
  }

  /** A cache that lives only as long as this object (useful to share hashes across calls). */
  static inMemory(): HashCache {
    return new HashCache(undefined, new Map());
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
    const entry = this.entries.get(absPath);
    if (entry === undefined) return undefined;
    const prefix = `${identity.size} ${identity.mtimeNs} ${identity.ino} `;
    if (!entry.startsWith(prefix)) return undefined;
    // Validated here, per hit, rather than at load: most entries of a big cache are never looked
    // at in one run, and a hand-edited bad digest must read as a miss, never as a result.
    const sha256 = entry.slice(prefix.length);
    if (!SHA256.test(sha256)) return undefined;
    return { sha256, bytes: Number(identity.size) };
  }

  /**
   * Records a digest for the file version `identity` describes. Skipped (returns false) when the
   * file is racy: modified within RACY_WINDOW_NS of `hashStartedNs` (wall clock, ns since epoch).
   */
  store(absPath: string, identity: FileIdentity, digest: FileDigest, hashStartedNs: bigint): boolean {
    if (identity.mtimeNs + RACY_WINDOW_NS > hashStartedNs) return false;
    if (BigInt(digest.bytes) !== identity.size) return false;
    // Array join makes one flat string; a template literal makes a tree of its parts (~290 bytes
    // an entry instead of ~130: 16 MB more for a 100,000-file dataset).
    this.entries.set(absPath, [identity.size, identity.mtimeNs, identity.ino, digest.sha256].join(' '));
    this.changed = true;
    return true;
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
    await writeFileAtomic(this.file, cacheJson(this.entries));
    this.changed = false;
  }
}

/** Entries per piece of cacheJson: ~150 KB of text. */
const SAVE_CHUNK = 1000;

/**
 * The bytes of `JSON.stringify({ format, entries: [...entries] }) + '\n'` (compact: this file is
 * for machines, and it is parsed on every cached check), in pieces of SAVE_CHUNK entries: for
 * 100,000 files the whole text is 15 MB, and it and its array of pairs no longer exist at once.
 */
export function* cacheJson(entries: ReadonlyMap<string, Entry>): Generator<string> {
  yield `{"format":${JSON.stringify(FORMAT)},"entries":[`;
  let chunk: [string, Entry][] = [];
  let first = true;
  const flush = (): string => {
    const text = JSON.stringify(chunk).slice(1, -1);
    chunk = [];
    const piece = first ? text : `,${text}`;
    first = false;
    return piece;
  };
  for (const pair of entries) {
    chunk.push(pair);
    if (chunk.length === SAVE_CHUNK) yield flush();
  }
  if (chunk.length > 0) yield flush();
  yield ']}\n';
}

/** The entries, or a reason the text is not a usable cache. */
function parseCache(text: string): Map<string, Entry> | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (!isRecord(data) || data.format !== FORMAT || !Array.isArray(data.entries)) return `not a ${FORMAT} file`;
  const entries = new Map<string, Entry>();
  for (const pair of data.entries as unknown[]) {
    if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') entries.set(pair[0], pair[1]);
  }
  return entries;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SHA256 = /^[0-9a-f]{64}$/;
