import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FileDigest } from './types.js';

/** UTF-16 code units hashed at a time: each is encoded to UTF-8 on its own (at most 3 bytes each). */
const PIECE_CHARS = 1 << 20;

/**
 * The sha256 of `text` encoded as UTF-8, a piece at a time: Hash.update(text) would first encode
 * all of it into one temporary buffer (43 MB for the analysis.json of a 300,000-step history).
 * A piece never ends between the two halves of a surrogate pair, which alone would each encode as
 * U+FFFD. `pieceChars`: for tests.
 */
export const sha256OfText = (text: string, pieceChars = PIECE_CHARS): string => {
  const hash = createHash('sha256');
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + pieceChars);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++; // its low half too
    hash.update(text.slice(start, end), 'utf8');
    start = end;
  }
  return hash.digest('hex');
};

/**
 * A UTF-8 file's text, and the size and sha256 of its bytes: read as text by Node and digested
 * from it, so no Buffer of the file is left behind, whose memory (outside the JavaScript heap)
 * only a full garbage collection would return: for a run document of tens of MB that was at the
 * peak of `verify` and `report`. Sound because decoding is undone exactly by encoding unless the
 * bytes were not UTF-8, which the decoder turns into U+FFFD: text holding one is digested from
 * its bytes instead (read again, and the text taken from those very bytes).
 */
export const readTextFile = (path: string): FileDigest & { text: string } => {
  const text = readFileSync(path, 'utf8');
  if (!text.includes('\uFFFD')) return { text, bytes: Buffer.byteLength(text, 'utf8'), sha256: sha256OfText(text) };
  const bytes = readFileSync(path);
  return { text: bytes.toString('utf8'), bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
};
