import { sha256Hex } from '../hash.js';

/**
 * Order of paths by their UTF-8 bytes (what `LC_ALL=C sort` does), without encoding them: UTF-8
 * byte order is code point order, and UTF-16 code unit order agrees with it except that surrogates
 * (code points from U+10000) must sort above U+E000–U+FFFF. JavaScript's default `<` gets that
 * wrong, and the digest must be reproducible outside JavaScript.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xAstral = x >= 0xd800 && x <= 0xdfff;
    const yAstral = y >= 0xd800 && y <= 0xdfff;
    if (xAstral !== yAstral) return xAstral ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The dataset digest (schemas/datasets.schema.json#/$defs/digest): sort files by path (UTF-8 byte
 * order), write one `sha256sum`-style line per file, `<sha256>  <path>\n`, and hash the lot.
 * Reusing sha256sum's format means anyone can recompute it with coreutils:
 *   cd <dir> && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' '\0' | xargs -0 sha256sum | sha256sum
 * It is unambiguous because the hash is fixed-width and paths cannot contain a newline (refused at
 * registration). Names and contents are both covered; empty directories and metadata are not.
 */
export function datasetDigest(files: readonly { path: string; sha256: string }[]): string {
  const sorted = [...files].sort((a, b) => compareUtf8(a.path, b.path));
  return sha256Hex(digestText({ paths: sorted.map((file) => file.path), sha256: sorted.map((file) => file.sha256) }));
}

/**
 * A dataset's files as two columns, sorted by path (UTF-8 bytes): `sha256[i]` is the digest of
 * `paths[i]`. What a 100,000-file dataset is held as while it is hashed and recorded: two arrays
 * rather than an object per file.
 */
export interface FileColumns {
  paths: readonly string[];
  sha256: readonly string[];
}

/**
 * The bytes the digest hashes: one `<sha256>  <path>\n` line per file, in the columns' (sorted)
 * order, written straight into one buffer (for 100,000 files, 10 MB, where a string per line and
 * their join made several times that in garbage).
 */
export function digestText({ paths, sha256 }: FileColumns): Buffer {
  let size = 0;
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && compareUtf8(paths[i - 1], paths[i]) >= 0) throw new Error(`internal: digest paths out of order at ${JSON.stringify(paths[i])}`);
    size += sha256[i].length + Buffer.byteLength(paths[i]) + 3;
  }
  const text = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < paths.length; i++) {
    at += text.write(sha256[i], at, 'latin1');
    at = text.writeUInt16BE(0x2020, at); // two spaces, as sha256sum writes them
    at += text.write(paths[i], at, 'utf8');
    at = text.writeUInt8(0x0a, at);
  }
  return text;
}
