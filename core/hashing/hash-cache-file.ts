/**
 * The hash cache's file (hash-cache.ts has what the entries mean).
 *
 * Format 2: a header line, then one line per file,
 *
 *     {"format":"dl-lab-hash-cache/2"}
 *     <size> <mtime_ns> <ino> <sha256> <absolute path, as a JSON string>
 *
 * It is loaded as its bytes plus, per path, the offset of its line: for 100,000 files, one buffer
 * and a map from paths to numbers, where format 1 (one JSON document) made a 19 MB string, then
 * 100,000 arrays and 200,000 strings, and its save as many strings again. A lookup reads the
 * line's fields out of the buffer; a save copies unchanged lines byte for byte.
 *
 * Format 1 (`{"format":"dl-lab-hash-cache/1","entries":[[path, "<size> <mtime_ns> <ino> <sha256>"], …]}`)
 * is still read, so a cache written by an earlier version is not lost (re-hashing a large dataset
 * can take hours); it is saved as format 2.
 */

/** An entry: the offset of its line in the loaded bytes, or its fields (`"<size> <mtime_ns> <ino> <sha256>"`) if set since. */
export type CacheEntry = number | string;

export interface LoadedCache {
  /** The file's bytes, which numeric entries point into. */
  bytes: Buffer;
  entries: Map<string, CacheEntry>;
}

const HEADER = Buffer.from(`${JSON.stringify({ format: 'dl-lab-hash-cache/2' })}\n`);
const LEGACY_FORMAT = 'dl-lab-hash-cache/1';
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The entries of a cache file's bytes (format 2 or 1), or why they are not a usable cache. */
export function parseCacheFile(bytes: Buffer): LoadedCache | string {
  if (bytes.subarray(0, HEADER.length).equals(HEADER)) return parseLines(bytes);
  return parseLegacy(bytes.toString('utf8'));
}

function parseLines(bytes: Buffer): LoadedCache | string {
  const entries = new Map<string, CacheEntry>();
  for (let start = HEADER.length; start < bytes.length; ) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) return `truncated: no newline after byte ${start}`;
    // The fields before the path are digits, spaces and hex: the line's first quote opens the path.
    const open = bytes.indexOf(QUOTE, start);
    if (open === -1 || open >= end - 1 || bytes[end - 1] !== QUOTE) return `not a cache line at byte ${start}`;
    let path: unknown;
    try {
      path = hasByte(bytes, BACKSLASH, open, end) ? JSON.parse(bytes.toString('utf8', open, end)) : bytes.toString('utf8', open + 1, end - 1);
    } catch {
      path = undefined;
    }
    if (typeof path !== 'string') return `not a cache line at byte ${start}`;
    entries.set(path, start);
    start = end + 1;
  }
  return { bytes, entries };
}

/** Whether `byte` occurs in bytes[from, to): a path is short, and indexOf would search past the line. */
function hasByte(bytes: Buffer, byte: number, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] === byte) return true;
  return false;
}

function parseLegacy(text: string): LoadedCache | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (!isRecord(data) || data.format !== LEGACY_FORMAT || !Array.isArray(data.entries)) return 'not a dl-lab-hash-cache/2 or /1 file';
  const entries = new Map<string, CacheEntry>();
  for (const pair of data.entries as unknown[]) {
    if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string') entries.set(pair[0], pair[1]);
  }
  return { bytes: Buffer.alloc(0), entries };
}

/**
 * The sha256 field of an entry whose first fields are `prefix` (`"<size> <mtime_ns> <ino> "`), or
 * undefined if they are not; the caller validates the digest. Read as a string of its own: a slice
 * of the line would keep the whole line alive with every digest a caller keeps (14 MB for 100,000).
 */
export function digestField(entry: CacheEntry, bytes: Buffer, prefix: string): string | undefined {
  if (typeof entry === 'string') return entry.startsWith(prefix) ? entry.slice(prefix.length) : undefined;
  // A line's fields are ASCII, so latin1 gives back its bytes as they are; 64 is a sha256's hex,
  // and a longer digest field would otherwise pass as its first 64 characters.
  const at = entry + prefix.length;
  if (bytes.toString('latin1', entry, at) !== prefix || bytes[at + 64] !== 0x20) return undefined;
  return bytes.toString('latin1', at, at + 64);
}

/** Bytes per piece of a save: the pieces are written one after the other from one reused buffer. */
const PIECE_BYTES = 1024 * 1024;

/**
 * The bytes of the cache file in format 2, entries in the map's order, in pieces of up to
 * PIECE_BYTES, each a view of the same buffer: a caller writes each piece before asking for the
 * next (writeFileAtomic does).
 */
export function* cacheFileChunks(entries: ReadonlyMap<string, CacheEntry>, bytes: Buffer): Generator<Uint8Array> {
  const piece = Buffer.allocUnsafe(PIECE_BYTES);
  let at = HEADER.copy(piece, 0);
  for (const [path, entry] of entries) {
    // An unchanged line is copied from the loaded bytes; a new one is written as text.
    const end = typeof entry === 'number' ? bytes.indexOf(NEWLINE, entry) + 1 : 0;
    const line = typeof entry === 'number' ? undefined : `${entry} ${JSON.stringify(path)}\n`;
    const size = line === undefined ? end - (entry as number) : Buffer.byteLength(line);
    if (at + size > PIECE_BYTES) {
      yield piece.subarray(0, at);
      at = 0;
    }
    if (size > PIECE_BYTES) yield line === undefined ? bytes.subarray(entry as number, end) : Buffer.from(line); // cannot happen with real paths
    else at += line === undefined ? bytes.copy(piece, at, entry as number, end) : piece.write(line, at);
  }
  yield piece.subarray(0, at);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
