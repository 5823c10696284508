import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../atomic-write.js';
import { UserError } from '../errors.js';
import { sha256Hex } from '../hash.js';
import { digestText, type FileColumns } from './digest.js';
import type { DatasetRecord } from './types.js';

/** Where the per-file lists live, relative to the project root (kept in git with the registry). */
export const FILE_LIST_DIR = 'knowledge_base/data/files';

/** One file of a dataset as its list records it (sizes are only inline in 1.0 records). */
export interface ListedFile { path: string; sha256: string; bytes?: number }

export type FileListRef = NonNullable<DatasetRecord['file_list']>;

/** The largest list we agree to decompress: 64 MiB of lines is ~700,000 files. */
const MAX_LIST_TEXT_BYTES = 64 * 1024 * 1024;

/**
 * A dataset's per-file list as kept beside the registry: gzip of exactly the digest's text, so the
 * list is small (~40 bytes a file), checkable with coreutils (`zcat … | sha256sum -c` in the
 * dataset folder, `zcat … | sha256sum` gives the digest), and named by the sha256 of its bytes
 * (content-addressed: an existing list of that name already holds these bytes). The dataset digest
 * comes with it, from the same text.
 */
export function encodeFileList(files: FileColumns): EncodedFileList {
  const text = digestText(files);
  const bytes = gzipSync(text, { level: 9 });
  const sha256 = sha256Hex(bytes);
  return { ref: { path: `${FILE_LIST_DIR}/${sha256}.sha256sums.gz`, sha256, bytes: bytes.length }, bytes, digest: sha256Hex(text) };
}

export interface EncodedFileList {
  ref: FileListRef;
  bytes: Buffer;
  /** The dataset digest: sha256 of the uncompressed list (datasetDigest). */
  digest: string;
}

/** Writes an encoded list (atomically) where its ref says. */
export async function storeFileList(projectRoot: string, list: EncodedFileList): Promise<void> {
  await writeFileAtomic(join(projectRoot, list.ref.path), list.bytes);
}

/**
 * A registered dataset's files, in digest order (sorted by path, UTF-8 bytes), read on demand: for
 * a list kept beside the registry, out of its text, so 100,000 files are one buffer and an array of
 * offsets, not 10 MB of string and 100,000 objects in the heap.
 */
export interface RegisteredFiles {
  readonly length: number;
  path(index: number): string;
  sha256(index: number): string;
}

/**
 * The files of a registered dataset: inline (1.0 records) or read from its list, which must be
 * exactly what the registry recorded: its sha256, then (uncompressed) the dataset digest and the
 * file count. A list edited, truncated or swapped is a UserError naming it.
 */
export async function datasetFiles(projectRoot: string, record: DatasetRecord): Promise<RegisteredFiles> {
  const inline = record.files;
  if (inline !== undefined) return { length: inline.length, path: (i) => inline[i].path, sha256: (i) => inline[i].sha256 };
  const ref = record.file_list as FileListRef;
  const tampered = (what: string): UserError =>
    new UserError(`${ref.path}: ${what}; the per-file list of dataset "${record.name}" was changed after registration (re-register it with data add --replace)`, {
      file: ref.path,
      field: `/datasets/${record.name}/file_list`,
    });
  let bytes: Buffer;
  try {
    bytes = await readFile(join(projectRoot, ref.path));
  } catch (error) {
    throw tampered(`cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (sha256Hex(bytes) !== ref.sha256) throw tampered('its sha256 does not match the registry');
  let text: Buffer;
  try {
    text = gunzipSync(bytes, { maxOutputLength: MAX_LIST_TEXT_BYTES });
  } catch (error) {
    throw tampered(`not a gzip file (${(error as Error).message})`);
  }
  if (sha256Hex(text) !== record.digest) throw tampered('its content does not hash to the dataset digest');
  const lineStarts = lineStartsOf(text);
  if (lineStarts === undefined || lineStarts.length - 1 !== record.file_count) throw tampered(`it does not list ${record.file_count} files in digest order`);
  return {
    length: lineStarts.length - 1,
    path: (i) => text.toString('utf8', lineStarts[i] + PATH_AT, lineStarts[i + 1] - 1),
    sha256: (i) => text.toString('latin1', lineStarts[i], lineStarts[i] + 64),
  };
}

/** Where a line's path starts: after the 64 hex digits and two spaces. */
const PATH_AT = 66;

/**
 * The offset of each `<sha256>  <path>\n` line, plus the end of the text, if the text is such
 * lines with paths sorted and unique (in bytes: UTF-8 byte order is the digest's order), or
 * undefined if it is not.
 */
function lineStartsOf(text: Buffer): Uint32Array | undefined {
  if (text.length === 0 || text[text.length - 1] !== 0x0a) return undefined;
  let count = 0;
  for (let at = text.indexOf(0x0a); at !== -1; at = text.indexOf(0x0a, at + 1)) count++;
  const starts = new Uint32Array(count + 1);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = text.indexOf(0x0a, start); // the line is start … end − 1
    if (end - start <= PATH_AT || text[start + 64] !== 0x20 || text[start + 65] !== 0x20) return undefined;
    for (let k = start; k < start + 64; k++) if (!isLowerHex(text[k])) return undefined;
    if (i > 0 && text.compare(text, start + PATH_AT, end, starts[i - 1] + PATH_AT, start - 1) >= 0) return undefined;
    starts[i] = start;
    start = end + 1;
  }
  starts[count] = start;
  return starts;
}

const isLowerHex = (byte: number): boolean => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66);

/** Removes a list no record refers to any more (after a re-registration); a missing file is fine. */
export async function dropUnusedFileList(projectRoot: string, ref: FileListRef | undefined, records: readonly DatasetRecord[]): Promise<void> {
  if (ref === undefined || records.some((record) => record.file_list?.path === ref.path)) return;
  await unlink(join(projectRoot, ref.path)).catch(() => undefined);
}
