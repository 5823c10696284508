import { createHash } from 'node:crypto';
import type { History } from './contract/generated/common.js';
import { schemaViolations, throwIfViolations } from './contract/validate.js';
import { UserError } from './errors.js';
import { parseJson, readUserFile } from './json-file.js';

/** A metrics file's `history_file`: an append-only JSON Lines history; its first `bytes` bytes hash to `sha256`. */
export interface HistoryFileRef { path: string; bytes: number; sha256: string }

/** No training history is legitimately this big (100,000 entries of 20 scalars are about 50 MB). */
export const MAX_HISTORY_BYTES = 256 * 1024 * 1024;

/**
 * The history in a JSON Lines history file (dl_lab_log.py's crash-safe format): its first
 * `ref.bytes` bytes must hash to `ref.sha256` (what the metrics file last saw) and end at a line
 * break; every complete line after them was appended since. A last line without its line break is
 * a write the process did not live to finish, and is dropped.
 */
export const readHistoryFile = (path: string, ref: HistoryFileRef, label: string): History => {
  const bytes = readUserFile(path, label, MAX_HISTORY_BYTES, 'histories');
  if (bytes.length < ref.bytes) {
    throw new UserError(`${label}: holds ${bytes.length} bytes but its metrics file saw ${ref.bytes} (truncated or replaced)`, { file: label, field: 'history_file/bytes' });
  }
  const seen = bytes.subarray(0, ref.bytes);
  const sha256 = createHash('sha256').update(seen).digest('hex');
  if (sha256 !== ref.sha256) {
    throw new UserError(`${label}: its first ${ref.bytes} bytes have sha256 ${sha256.slice(0, 12)}…, not the ${ref.sha256.slice(0, 12)}… its metrics file saw (edited?)`, { file: label, field: 'history_file/sha256' });
  }
  if (ref.bytes > 0 && seen[ref.bytes - 1] !== 0x0a) throw new UserError(`${label}: byte ${ref.bytes} is not the end of a line`, { file: label, field: 'history_file/bytes' });
  const complete = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1).toString('utf8');
  const entries = complete.split('\n').slice(0, -1).map((line, index) => parseJson(line, `${label} line ${index + 1}`));
  throwIfViolations(schemaViolations('common', entries, label, 'history'), `invalid history file ${label}`);
  return entries as History;
};
