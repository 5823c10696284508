import { compareUtf8 } from './digest.js';

/**
 * A folder's regular files as GNU find listed them for its stat fingerprint (find-fingerprint.ts),
 * in the form the exact check needs: relative POSIX paths sorted in UTF-8 byte order (as
 * `scanDataset` gives them) and, by index, each file's hash-cache identity key
 * (`<size> <mtime_ns> <inode>`, see `identityKey`). When the fingerprint no longer matches, the
 * exact check looks every file up in the hash cache by this key instead of stat'ing it again:
 * for 100,000 files that was ~0.75 s of `statSync` on this thread (bench/README.md).
 */
export interface StatListing {
  paths: string[];
  keys: string[];
}

const NUL = 0;
const SPACE = 0x20;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const TYPE_FILE = 0x66; // 'f'
const TYPE_FOLDER = 0x64; // 'd'
/** How `scanDataset` reads names: anything it would refuse or could not decode is left to it. */
const NEWLINE = '\n';
const REPLACEMENT = '\uFFFD';

/**
 * Parses find's output (`%y %s %T@ %i %p\0` per entry, every path starting with `./`), in the
 * pieces it was read in, or returns undefined when it holds anything `scanDataset` would treat
 * otherwise — an entry that is neither a regular file nor a folder, a name with a newline or not
 * valid UTF-8 — or a time this parser does not turn into nanoseconds exactly (before 1970): the
 * caller then scans and stats as before, so the result never depends on which way was taken.
 */
export function parseFindListing(output: readonly Buffer[]): StatListing | undefined {
  const listing: StatListing = { paths: [], keys: [] };
  // An entry cut between two pieces is completed with the next: only that remainder is copied.
  let rest = Buffer.alloc(0);
  for (const piece of output) {
    const bytes = rest.length === 0 ? piece : Buffer.concat([rest, piece]);
    const parsed = parseEntries(bytes, listing);
    if (parsed === undefined) return undefined;
    rest = Buffer.from(bytes.subarray(parsed));
  }
  return rest.length === 0 ? sortedByPath(listing) : undefined;
}

/** find's numbers for a file: size, mtime (seconds, a fraction of up to 9 digits and zeros), inode; no sign. */
const FIELDS = /^\d{1,20} \d{1,20}\.\d{1,9}0* \d{1,20}$/;
const LEADING_ZEROS = /^0+(?=\d)/;

/** Adds the complete entries of `bytes` to `listing`; returns where the first incomplete one starts, or undefined (see parseFindListing). */
function parseEntries(bytes: Buffer, { paths, keys }: StatListing): number | undefined {
  let at = 0;
  for (let end = bytes.indexOf(NUL); end >= 0; at = end + 1, end = bytes.indexOf(NUL, at)) {
    if (bytes[at] === TYPE_FOLDER) continue;
    if (bytes[at] !== TYPE_FILE) return undefined;
    // `f <size> <seconds>.<fraction> <inode> ./<path>`; a time before 1970 has a '-' and fails FIELDS.
    const sizeEnd = bytes.indexOf(SPACE, at + 2);
    const dot = bytes.indexOf(DOT, sizeEnd);
    const fractionEnd = bytes.indexOf(SPACE, dot);
    const inodeEnd = bytes.indexOf(SPACE, fractionEnd + 1);
    if (sizeEnd < 0 || dot < 0 || fractionEnd < 0 || inodeEnd < 0 || inodeEnd + 3 > end) return undefined;
    if (bytes[inodeEnd + 1] !== DOT || bytes[inodeEnd + 2] !== SLASH) return undefined;
    const fields = bytes.toString('latin1', at + 2, inodeEnd);
    if (!FIELDS.test(fields)) return undefined;
    const path = bytes.toString('utf8', inodeEnd + 3, end);
    if (path.includes(NEWLINE) || path.includes(REPLACEMENT)) return undefined;
    paths.push(path);
    // The key, `<size> <mtime ns> <inode>`, where mtime in ns = seconds · 10⁹ + ns: the seconds'
    // digits then the 9 digits of the ns (find prints 10, the last 0), without leading zeros (a
    // time in 1970's first second). Joined: one flat string, not a tree of its parts.
    const seconds = sizeEnd - at - 1;
    const fraction = dot - at - 1;
    const ns = fields.slice(fraction, Math.min(fraction + 9, fractionEnd - at - 2)).padEnd(9, '0');
    const mtimeNs = fields.charCodeAt(seconds) === ZERO ? (fields.slice(seconds, fraction - 1) + ns).replace(LEADING_ZEROS, '') : undefined;
    keys.push(
      mtimeNs === undefined
        ? [fields.slice(0, fraction - 1), ns, fields.slice(fractionEnd - at - 2)].join('')
        : [fields.slice(0, seconds - 1), mtimeNs, fields.slice(fractionEnd - at - 1)].join(' '),
    );
  }
  return at;
}

/** A code unit whose UTF-16 order differs from its code point's UTF-8 order against another one. */
const SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/** Both columns in the order of the paths' UTF-8 bytes (find prints in directory order). */
function sortedByPath({ paths, keys }: StatListing): StatListing {
  // Below U+D800, JavaScript's own string order (UTF-16 code units) is the UTF-8 byte order, and
  // ~25% faster to sort by than compareUtf8. Paths are distinct: no comparison is ever equal.
  const byCodeUnits = !paths.some((path) => SURROGATE_OR_ABOVE.test(path));
  const order = Uint32Array.from(paths.keys()).sort(byCodeUnits ? (a, b) => (paths[a] < paths[b] ? -1 : 1) : (a, b) => compareUtf8(paths[a], paths[b]));
  return { paths: Array.from(order, (i) => paths[i]), keys: Array.from(order, (i) => keys[i]) };
}
