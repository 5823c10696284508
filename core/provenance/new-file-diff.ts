import { createHash, hash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readFileSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createDeflate, deflateSync } from 'node:zlib';

/**
 * What a diff needs of a file's lstat, kept per untracked file instead of its Stats object: for
 * thousands of files those (a dozen numbers each) stay alive until the whole patch is written, and
 * every scavenge on the way copies them (3,000 files: ~3 ms less garbage collection a run).
 */
export interface FileKind { kind: 'file' | 'symlink' | 'other'; size: number; executable: boolean }

export const fileKindOf = (stats: Stats): FileKind => ({
  kind: stats.isFile() ? 'file' : stats.isSymbolicLink() ? 'symlink' : 'other',
  size: stats.size,
  executable: (stats.mode & 0o100) !== 0,
});

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
 *
 * Written at the end of `sink`; false (nothing written) for a path that vanished or is not a file
 * or symlink. For thousands of files: each is read into the sink's reused buffer and its diff
 * written straight into the sink, so a file costs no buffers of its own (their garbage collection
 * was a fifth of a 3,000-file run's time).
 */
export const appendNewFileDiff = (sink: ByteSink, top: string, path: string, objectFormat: 'sha1' | 'sha256', known?: FileKind): boolean => {
  const abs = `${top}/${path}`; // git's paths are '/'-separated and normalized: no join() needed
  let mode: string;
  let content: Buffer;
  let headerRoom = false;
  // Synchronous: for thousands of small files one thread-pool round trip per call costs more than the reads.
  // `known`: an lstat the caller already made of it.
  try {
    const file = known ?? fileKindOf(lstatSync(abs));
    if (file.kind === 'symlink') {
      mode = '120000';
      content = Buffer.from(readlinkSync(abs, { encoding: 'buffer' }));
    } else if (file.kind === 'file') {
      mode = file.executable ? '100755' : '100644';
      ({ bytes: content, headerRoom } = readWhole(abs, file.size, sink));
    } else return false;
  } catch {
    return false;
  }
  const id = blobId(content, objectFormat, headerRoom);
  if (content.length === 0) {
    sink.text(`${fileHeader(path, mode)}index ${'0'.repeat(7)}..${id.slice(0, 7)}\n`);
    return true;
  }
  if (isBinary(content)) {
    sink.text(`${fileHeader(path, mode)}index ${'0'.repeat(id.length)}..${id}\nGIT binary patch\nliteral ${content.length}\n`);
    appendDeflatedLines(sink, content);
    appendReverseHunk(sink);
    return true;
  }
  const lines = lineCount(content);
  sink.text(textHeader(path, mode, id, lines));
  sink.reserve(content.length + lines);
  appendPlusLines(sink, content, true);
  if (content[content.length - 1] !== NEWLINE) sink.text(NO_NEWLINE);
  return true;
};

/** Files this large or larger are diffed by appendLargeFileDiff. */
export const STREAMED_FILE_BYTES = 8 * 1024 * 1024;
/** The pieces a large file is read in. */
const READ_BYTES = 1024 * 1024;

/**
 * What appendNewFileDiff writes, for a large file (an untracked checkpoint, data or log file in
 * the tree), read in pieces so that only the diff is held, where reading the file whole held it,
 * its deflated copy and a diff buffer grown by doubling (a 48 MiB binary file: 343 MB peak).
 * A binary file is hashed and deflated (zlib, on the thread pool) as it is read, its base85 lines
 * written as the deflated bytes arrive; a text file is read twice, for the blob id and the line
 * count its header needs, then for its `+` lines. One that changed while it was read is diffed
 * whole, as it is then.
 */
export const appendLargeFileDiff = async (sink: ByteSink, top: string, path: string, objectFormat: 'sha1' | 'sha256', planned: FileKind): Promise<boolean> => {
  const start = sink.length;
  let handle: FileHandle;
  try {
    handle = await open(`${top}/${path}`, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(BINARY_TEST_BYTES);
    const binary = isBinary(head.subarray(0, (await handle.read(head, 0, head.length, 0)).bytesRead));
    const file: OpenFile = { handle, path, objectFormat, size: planned.size, mode: planned.executable ? '100755' : '100644' };
    if (await (binary ? streamBinary : streamText)(sink, file)) return true;
    sink.truncate(start); // changed since its lstat
    return appendNewFileDiff(sink, top, path, objectFormat);
  } catch {
    sink.truncate(start);
    return false;
  } finally {
    await handle.close();
  }
};

interface OpenFile { handle: FileHandle; path: string; objectFormat: 'sha1' | 'sha256'; size: number; mode: string }

/**
 * The file's bytes in pieces from its start; `counted.bytes` adds them up. Each piece is a view of
 * `into`, valid until the next, when given; else a buffer of its own (zlib may hold on to one).
 */
async function* readPieces(handle: FileHandle, counted: { bytes: number }, into?: Buffer): AsyncGenerator<Buffer> {
  for (;;) {
    const piece = into ?? Buffer.allocUnsafe(READ_BYTES);
    const { bytesRead } = await handle.read(piece, 0, READ_BYTES, counted.bytes);
    if (bytesRead === 0) return;
    counted.bytes += bytesRead;
    yield piece.subarray(0, bytesRead);
  }
}

/** A binary file's diff; false if its size changed (nothing usable written). */
const streamBinary = async (sink: ByteSink, { handle, path, objectFormat, size, mode }: OpenFile): Promise<boolean> => {
  const idLength = objectFormat === 'sha1' ? 40 : 64;
  sink.text(`${fileHeader(path, mode)}index ${'0'.repeat(idLength)}..`);
  // The blob id is known once every byte is read: its place is kept, and filled in then.
  const idAt = sink.length;
  sink.text(`${'0'.repeat(idLength)}\nGIT binary patch\nliteral ${size}\n`);
  // Room for the lines of incompressible data at once: pages not written to cost no memory, and
  // the buffer is not doubled (and copied) on the way.
  sink.reserve(base85Size(size + (size >> 10) + 64) + REVERSE_HUNK_BYTES);
  const hash = createHash(objectFormat).update(`blob ${size}\0`);
  const lines = new Base85Lines(sink);
  const read = { bytes: 0 };
  await pipeline(
    async function* () {
      for await (const piece of readPieces(handle, read)) {
        hash.update(piece);
        yield piece;
      }
    },
    createDeflate(),
    async (deflated: AsyncIterable<Buffer>) => {
      for await (const bytes of deflated) lines.push(bytes);
    },
  );
  if (read.bytes !== size) return false;
  lines.end();
  sink.writeAt(idAt, hash.digest('hex'));
  appendReverseHunk(sink);
  return true;
};

/** A text file's diff, in two reads; false if it changed between or during them. */
const streamText = async (sink: ByteSink, { handle, path, objectFormat, size, mode }: OpenFile): Promise<boolean> => {
  const first = createHash(objectFormat).update(`blob ${size}\0`);
  const firstRead = { bytes: 0 };
  const buffer = Buffer.allocUnsafe(READ_BYTES); // each piece is used up before the next is read
  let newlines = 0;
  let last = NEWLINE;
  for await (const piece of readPieces(handle, firstRead, buffer)) {
    first.update(piece);
    for (let i = piece.indexOf(NEWLINE); i !== -1; i = piece.indexOf(NEWLINE, i + 1)) newlines++;
    last = piece[piece.length - 1];
  }
  if (firstRead.bytes !== size) return false;
  const id = first.digest('hex');
  const lines = last === NEWLINE ? newlines : newlines + 1;
  sink.text(textHeader(path, mode, id, lines));
  // All of it at once, the last line's ending included: one byte short, and the buffer doubles.
  sink.reserve(size + lines + NO_NEWLINE.length);
  const second = createHash(objectFormat).update(`blob ${size}\0`);
  const secondRead = { bytes: 0 };
  let lineStart = true;
  for await (const piece of readPieces(handle, secondRead, buffer)) {
    second.update(piece);
    lineStart = appendPlusLines(sink, piece, lineStart);
  }
  if (secondRead.bytes !== size || second.digest('hex') !== id) return false;
  if (last !== NEWLINE) sink.text(NO_NEWLINE);
  return true;
};

/**
 * `bytes` as a hunk's lines: '+' before each, one copy per line. `lineStart`: whether `bytes`
 * begins a line (a piece may continue the last one); returns whether the next piece does.
 */
const appendPlusLines = (sink: ByteSink, bytes: Buffer, lineStart: boolean): boolean => {
  let atStart = lineStart;
  for (let start = 0; start < bytes.length; ) {
    if (atStart) sink.byte(PLUS);
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    sink.copy(bytes, start, end);
    atStart = newline !== -1;
    start = end;
  }
  return atStart;
};

/** `diff --git a/P b/P` and the new file's mode. */
const fileHeader = (path: string, mode: string): string => `diff --git ${quotePath(`a/${path}`)} ${quotePath(`b/${path}`)}\nnew file mode ${mode}\n`;

/** A new text file's header and its one hunk's, for `lines` lines. */
const textHeader = (path: string, mode: string, id: string, lines: number): string => {
  const count = lines === 1 ? '1' : `1,${lines}`;
  // A name with a space gets a trailing tab, as git writes it (so GNU patch finds where it ends).
  const tab = path.includes(' ') ? '\t' : '';
  return `${fileHeader(path, mode)}index ${'0'.repeat(7)}..${id.slice(0, 7)}\n--- /dev/null\n+++ ${quotePath(`b/${path}`)}${tab}\n@@ -0,0 +${count} @@\n`;
};

/** What appendReverseHunk writes, at most. */
const REVERSE_HUNK_BYTES = 64;

/** After a binary file's `literal` hunk: the reverse one, `literal 0` (git writes both). */
const appendReverseHunk = (sink: ByteSink): void => {
  sink.text('\nliteral 0\n');
  appendDeflatedLines(sink, Buffer.alloc(0));
  sink.text('\n');
};

/** `bytes` deflated at once, as base85 lines. */
const appendDeflatedLines = (sink: ByteSink, bytes: Buffer): void => {
  const lines = new Base85Lines(sink);
  lines.push(deflateSync(bytes));
  lines.end();
};

/** Bytes appended to one growing buffer, plus a reused buffer to read files into. */
export class ByteSink {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  private scratch = Buffer.allocUnsafe(64 * 1024);

  /** Room for `count` more bytes (the buffer doubles: a few copies in all, not one per write). */
  reserve(count: number): void {
    if (this.used + count <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + count));
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }

  text(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.used += this.buffer.write(text, this.used);
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.used++] = value;
  }

  copy(from: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    this.used += from.copy(this.buffer, this.used, start, end);
  }

  /** Lets `fill` write at most `count` bytes at `at` of `buffer`; it returns how many it wrote. */
  fill(count: number, fill: (buffer: Buffer, at: number) => number): void {
    this.reserve(count);
    this.used += fill(this.buffer, this.used);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** Forgets what was written after the first `length` bytes. */
  truncate(length: number): void {
    this.used = Math.min(this.used, length);
  }

  /** Overwrites written bytes from `at` with ASCII `text`. */
  writeAt(at: number, text: string): void {
    if (at + text.length > this.used) throw new RangeError('writeAt: past what was written');
    this.buffer.write(text, at, 'latin1');
  }

  /** What was written (a view: valid until the next write). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /** A buffer of at least `size` bytes to read into, reused from file to file. */
  readBuffer(size: number): Buffer {
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
    return this.scratch;
  }
}

const PLUS = 0x2b;
const NEWLINE = 0x0a;
const NO_NEWLINE = '\n\\ No newline at end of file\n';

/** Lines, the last one counted whether or not it ends with '\n' (content is not empty). */
const lineCount = (content: Buffer): number => {
  let lines = 0;
  for (let i = content.indexOf(NEWLINE); i !== -1; i = content.indexOf(NEWLINE, i + 1)) lines++;
  return content[content.length - 1] === NEWLINE ? lines : lines + 1;
};

/** Room kept before a file's bytes in the read buffer for its blob header, `blob <size>\0`. */
const BLOB_HEADER_ROOM = 32;

/**
 * The file's bytes, read into the sink's reused buffer with the size an lstat just gave: one read
 * of size + 1 bytes sees the end (readFileSync would also fstat and read again, into a new buffer).
 * They are read BLOB_HEADER_ROOM bytes in, so blobId can put the header before them and hash both
 * in one call. A file that grew since is read whole. The result is valid until the next readWhole.
 */
const readWhole = (abs: string, size: number, sink: ByteSink): { bytes: Buffer; headerRoom: boolean } => {
  const fd = openSync(abs, 'r');
  try {
    const buffer = sink.readBuffer(BLOB_HEADER_ROOM + size + 1);
    const read = readSync(fd, buffer, BLOB_HEADER_ROOM, size + 1, 0);
    return read <= size ? { bytes: buffer.subarray(BLOB_HEADER_ROOM, BLOB_HEADER_ROOM + read), headerRoom: true } : { bytes: readFileSync(abs), headerRoom: false };
  } finally {
    closeSync(fd);
  }
};

/** git's buffer_is_binary: a NUL byte in the first 8,000 bytes. */
const BINARY_TEST_BYTES = 8000;
const isBinary = (content: Buffer): boolean => content.subarray(0, BINARY_TEST_BYTES).includes(0);

/**
 * The object id git gives these bytes as a blob. For bytes readWhole put in its buffer, the header
 * goes into the room before them and one `crypto.hash` call hashes both: for thousands of small
 * files a Hash object and two updates apiece cost ~6 µs a file (a 3,000-file patch: ~17 ms).
 */
const blobId = (content: Buffer, format: 'sha1' | 'sha256', headerRoom = false): string => {
  const header = `blob ${content.length}\0`;
  if (headerRoom) {
    const whole = Buffer.from(content.buffer, content.byteOffset - header.length, header.length + content.length);
    whole.write(header, 0, 'latin1');
    return hash(format, whole, 'hex');
  }
  return createHash(format).update(header).update(content).digest('hex');
};

const BASE85 = Buffer.from('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~', 'latin1');
/** Bytes per base85 line, and a line's size at most: its length letter, 13 groups of 5, '\n'. */
const LINE_BYTES = 52;
const MAX_LINE = 1 + 65 + 1;
/** The size of the base85 lines of `bytes` bytes, at most. */
const base85Size = (bytes: number): number => Math.ceil(bytes / LINE_BYTES) * MAX_LINE;

/**
 * git's binary-patch lines, written into a sink as the deflated bytes arrive: up to 52 bytes
 * each, a length letter (A–Z 1–26, a–z 27–52), then base85 of 4-byte groups (the last one
 * zero-padded), '\n'. Straight into the sink's bytes: built as a string, 4 bytes at a time, a
 * 48 MiB file took 9 s and 1.1 GB.
 */
class Base85Lines {
  /** The start of a line, until its 52 bytes have arrived. */
  private readonly pending = Buffer.alloc(LINE_BYTES);
  private pendingLength = 0;

  constructor(private readonly sink: ByteSink) {}

  push(data: Uint8Array): void {
    let start = 0;
    if (this.pendingLength > 0) {
      start = Math.min(LINE_BYTES - this.pendingLength, data.length);
      this.pending.set(data.subarray(0, start), this.pendingLength);
      this.pendingLength += start;
      if (this.pendingLength < LINE_BYTES) return;
      encodeLines(this.sink, this.pending, 0, LINE_BYTES);
      this.pendingLength = 0;
    }
    const whole = start + Math.floor((data.length - start) / LINE_BYTES) * LINE_BYTES;
    encodeLines(this.sink, data, start, whole);
    this.pending.set(data.subarray(whole), 0);
    this.pendingLength = data.length - whole;
  }

  /** The last, shorter line. */
  end(): void {
    encodeLines(this.sink, this.pending, 0, this.pendingLength);
    this.pendingLength = 0;
  }
}

/** The lines of `data[start, end)`: 52 bytes each, the last one shorter. */
const encodeLines = (sink: ByteSink, data: Uint8Array, start: number, end: number): void => {
  sink.fill(base85Size(end - start), (out, first) => {
    let at = first;
    for (let line = start; line < end; line += LINE_BYTES) {
      const length = Math.min(LINE_BYTES, end - line);
      out[at++] = length <= 26 ? 64 + length : 96 + length - 26;
      for (let i = line; i < line + length; i += 4) {
        let group = data[i] * 0x1000000 + (i + 1 < end ? data[i + 1] << 16 : 0) + (i + 2 < end ? data[i + 2] << 8 : 0) + (i + 3 < end ? data[i + 3] : 0);
        for (let k = 4; k >= 0; k--) {
          out[at + k] = BASE85[group % 85];
          group = Math.floor(group / 85);
        }
        at += 5;
      }
      out[at++] = NEWLINE;
    }
    return at - first;
  });
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
