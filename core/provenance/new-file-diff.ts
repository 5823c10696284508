import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readFileSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/**
 * The `git diff --binary` of an untracked file against nothing, written here instead of by git:
 * `git add` of thousands of untracked files into a temporary index would write each as a loose
 * object into the user's repository (~0.5 ms apiece), and `git diff --no-index` costs a process
 * per file. The format is git's own (diff.c), byte for byte where `git apply` cares:
 * - header `diff --git a/P b/P`, `new file mode 100644|100755|120000`, `index 0000000..<blob id>`;
 * - text: `--- /dev/null`, `+++ b/P`, one hunk `@@ -0,0 +1,N @@` of `+` lines, and
 *   `\ No newline at end of file` when the last line has none (a symlink's target never has);
 * - binary (a NUL in the first 8,000 bytes, git's test): `GIT binary patch`, `literal <size>` with
 *   the zlib-deflated bytes in git's base85 lines, then the reverse hunk `literal 0`; the index
 *   line then carries the full blob id, which `git apply` checks the result against;
 * - an empty file: the header alone.
 * Paths are C-quoted as git quotes them (core.quotePath): `"a/sp \303\274"`.
 * Returns undefined for a path that vanished or is not a file or symlink.
 */
export const newFileDiff = (top: string, path: string, objectFormat: 'sha1' | 'sha256', known?: Stats): Buffer | undefined => {
  const abs = join(top, path);
  let mode: string;
  let content: Buffer;
  // Synchronous: for thousands of small files one thread-pool round trip per call costs more than the reads.
  // `known`: an lstat the caller already made of it.
  try {
    const stats = known ?? lstatSync(abs);
    if (stats.isSymbolicLink()) {
      mode = '120000';
      content = Buffer.from(readlinkSync(abs, { encoding: 'buffer' }));
    } else if (stats.isFile()) {
      mode = stats.mode & 0o100 ? '100755' : '100644';
      content = readWhole(abs, stats.size);
    } else return undefined;
  } catch {
    return undefined;
  }
  const id = blobId(content, objectFormat);
  const a = quotePath(`a/${path}`);
  const b = quotePath(`b/${path}`);
  const header = `diff --git ${a} ${b}\nnew file mode ${mode}\n`;
  if (content.length === 0) return Buffer.from(`${header}index ${'0'.repeat(7)}..${id.slice(0, 7)}\n`);
  if (isBinary(content)) {
    const body = `index ${'0'.repeat(id.length)}..${id}\nGIT binary patch\nliteral ${content.length}\n${base85Lines(deflateSync(content))}\nliteral 0\n${base85Lines(deflateSync(Buffer.alloc(0)))}\n`;
    return Buffer.from(header + body);
  }
  const endsWithNewline = content[content.length - 1] === 0x0a;
  const lines = lineCount(content);
  const count = lines === 1 ? '1' : `1,${lines}`;
  // A name with a space gets a trailing tab, as git writes it (so GNU patch finds where it ends).
  const tab = path.includes(' ') ? '\t' : '';
  const head = Buffer.from(`${header}index ${'0'.repeat(7)}..${id.slice(0, 7)}\n--- /dev/null\n+++ ${b}${tab}\n@@ -0,0 +${count} @@\n`);
  return Buffer.concat([head, plusEachLine(content, lines), endsWithNewline ? EMPTY : NO_NEWLINE]);
};

const PLUS = 0x2b;
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
const NO_NEWLINE = Buffer.from('\n\\ No newline at end of file\n');

/** Lines, the last one counted whether or not it ends with '\n' (content is not empty). */
const lineCount = (content: Buffer): number => {
  let lines = 0;
  for (let i = content.indexOf(NEWLINE); i !== -1; i = content.indexOf(NEWLINE, i + 1)) lines++;
  return content[content.length - 1] === NEWLINE ? lines : lines + 1;
};

/** The content with '+' before each line, in one buffer (one copy per line, no per-line objects). */
const plusEachLine = (content: Buffer, lines: number): Buffer => {
  const out = Buffer.allocUnsafe(content.length + lines);
  let at = 0;
  let start = 0;
  while (start < content.length) {
    const newline = content.indexOf(NEWLINE, start);
    const end = newline === -1 ? content.length : newline + 1;
    out[at++] = PLUS;
    at += content.copy(out, at, start, end);
    start = end;
  }
  return out;
};

/**
 * The file's bytes, read with the size an lstat just gave: one read of size + 1 bytes sees the
 * end (readFileSync would also fstat and read again). A file that grew since is read whole.
 */
const readWhole = (abs: string, size: number): Buffer => {
  const fd = openSync(abs, 'r');
  try {
    const buffer = Buffer.allocUnsafe(size + 1);
    const read = readSync(fd, buffer, 0, size + 1, 0);
    return read <= size ? buffer.subarray(0, read) : readFileSync(abs);
  } finally {
    closeSync(fd);
  }
};

/** git's buffer_is_binary: a NUL byte in the first 8,000 bytes. */
const isBinary = (content: Buffer): boolean => content.subarray(0, 8000).includes(0);

/** The object id git gives these bytes as a blob. */
const blobId = (content: Buffer, format: 'sha1' | 'sha256'): string =>
  createHash(format).update(`blob ${content.length}\0`).update(content).digest('hex');

const BASE85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** git's binary-patch lines: up to 52 bytes each, a length letter (A–Z 1–26, a–z 27–52), then base85 of 4-byte groups. */
const base85Lines = (data: Buffer): string => {
  let out = '';
  for (let start = 0; start < data.length; start += 52) {
    const chunk = data.subarray(start, Math.min(start + 52, data.length));
    out += chunk.length <= 26 ? String.fromCharCode(64 + chunk.length) : String.fromCharCode(96 + chunk.length - 26);
    for (let i = 0; i < chunk.length; i += 4) {
      let acc = (((chunk[i] << 24) >>> 0) + ((chunk[i + 1] ?? 0) << 16) + ((chunk[i + 2] ?? 0) << 8) + (chunk[i + 3] ?? 0)) >>> 0;
      const group = new Array<string>(5);
      for (let k = 4; k >= 0; k--) {
        group[k] = BASE85[acc % 85];
        acc = Math.floor(acc / 85);
      }
      out += group.join('');
    }
    out += '\n';
  }
  return out;
};

/** git's quote_c_style for a path (core.quotePath=true): quoted only when it must be. */
export const quotePath = (path: string): string => {
  if (!NEEDS_QUOTING.test(path)) return path;
  const bytes = Buffer.from(path, 'utf8');
  let out = '"';
  for (const byte of bytes) {
    const escape = ESCAPES[byte];
    if (escape !== undefined) out += escape;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
};

/** A control character, DEL or beyond (non-ASCII: bytes ≥ 0x80 in UTF-8), a quote or a backslash. */
const NEEDS_QUOTING = /[\u0000-\u001f\u007f-\uffff"\\]/;

const ESCAPES: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };
