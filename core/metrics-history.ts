import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { History } from './contract/generated/common.js';
import { schemaViolations, throwIfViolations } from './contract/validate.js';
import { UserError } from './errors.js';
import { parseJson } from './json-file.js';

/** A metrics file's `history_file`: an append-only JSON Lines history, of which the first `bytes` are committed. */
export interface HistoryFileRef { path: string; bytes: number; sha256: string }

/** No training history is legitimately this big (100,000 entries of 20 scalars are about 50 MB). */
export const MAX_HISTORY_BYTES = 256 * 1024 * 1024;

/**
 * The committed history of a JSON Lines history file (dl_lab_log.py's crash-safe format): exactly
 * the first `ref.bytes` bytes, which must hash to `ref.sha256` and end at a line break; a tail
 * after them is a write the process did not live to commit, and is ignored.
 */
export const readHistoryFile = (path: string, ref: HistoryFileRef, label: string): History => {
  if (ref.bytes > MAX_HISTORY_BYTES) throw new UserError(`${label}: ${ref.bytes} committed bytes is larger than the ${MAX_HISTORY_BYTES}-byte limit for histories`, { file: label, field: 'history_file/bytes' });
  const bytes = Buffer.alloc(ref.bytes);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UserError(`${label}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: label });
  }
  let read = 0;
  try {
    for (let n = -1; read < ref.bytes && n !== 0; read += n) n = readSync(fd, bytes, read, ref.bytes - read, read);
  } finally {
    closeSync(fd);
  }
  if (read < ref.bytes) {
    throw new UserError(`${label}: holds ${read} bytes but its metrics file committed ${ref.bytes} (truncated or replaced)`, { file: label, field: 'history_file/bytes' });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== ref.sha256) {
    throw new UserError(`${label}: its first ${ref.bytes} bytes have sha256 ${sha256.slice(0, 12)}…, not the committed ${ref.sha256.slice(0, 12)}… (edited?)`, { file: label, field: 'history_file/sha256' });
  }
  const text = bytes.toString('utf8');
  if (text.length > 0 && !text.endsWith('\n')) throw new UserError(`${label}: the committed history does not end at a line break`, { file: label, field: 'history_file/bytes' });
  const entries = text.split('\n').slice(0, -1).map((line, index) => parseJson(line, `${label} line ${index + 1}`));
  throwIfViolations(schemaViolations('common', entries, label, 'history'), `invalid history file ${label}`);
  return entries as History;
};
