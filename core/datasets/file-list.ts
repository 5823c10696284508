import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../atomic-write.js';
import { UserError } from '../errors.js';
import { sha256Hex } from '../hash.js';
import { compareUtf8, digestText } from './digest.js';
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
export function encodeFileList(files: readonly ListedFile[]): EncodedFileList {
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
 * The files of a registered dataset, sorted as for the digest: inline (1.0 records) or read from
 * its list, which must be exactly what the registry recorded: its sha256, then (uncompressed) the
 * dataset digest and the file count. A list edited, truncated or swapped is a UserError naming it.
 */
export async function datasetFiles(projectRoot: string, record: DatasetRecord): Promise<ListedFile[]> {
  if (record.files !== undefined) return record.files;
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
  let text: string;
  try {
    text = gunzipSync(bytes, { maxOutputLength: MAX_LIST_TEXT_BYTES }).toString('utf8');
  } catch (error) {
    throw tampered(`not a gzip file (${(error as Error).message})`);
  }
  if (sha256Hex(text) !== record.digest) throw tampered('its content does not hash to the dataset digest');
  const files = parseLines(text);
  if (files === undefined || files.length !== record.file_count) throw tampered(`it does not list ${record.file_count} files in digest order`);
  return files;
}

/** `<sha256>  <path>\n` lines, sorted and unique, or undefined if the text is not that. */
function parseLines(text: string): ListedFile[] | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  const files: ListedFile[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length < 67 || line[64] !== ' ' || line[65] !== ' ' || !/^[0-9a-f]{64}$/.test(line.slice(0, 64))) return undefined;
    files[i] = { sha256: line.slice(0, 64), path: line.slice(66) };
    if (i > 0 && compareUtf8(files[i - 1].path, files[i].path) >= 0) return undefined;
  }
  return files;
}

/** Removes a list no record refers to any more (after a re-registration); a missing file is fine. */
export async function dropUnusedFileList(projectRoot: string, ref: FileListRef | undefined, records: readonly DatasetRecord[]): Promise<void> {
  if (ref === undefined || records.some((record) => record.file_list?.path === ref.path)) return;
  await unlink(join(projectRoot, ref.path)).catch(() => undefined);
}
