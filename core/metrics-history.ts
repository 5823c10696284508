import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { throwIfViolations, type Violation } from './contract/validate.js';
import { UserError } from './errors.js';
import { HISTORY_BATCH_ROWS, HistoryTable, historyViolations, type HistoryEntry } from './history-table.js';
import { assertUserFile, parseJson } from './json-file.js';

/** A metrics file's `history_file`: an append-only JSON Lines history; its first `bytes` bytes hash to `sha256`. */
export interface HistoryFileRef { path: string; bytes: number; sha256: string }

/** No training history is legitimately this big (100,000 entries of 20 scalars are about 50 MB). */
export const MAX_HISTORY_BYTES = 256 * 1024 * 1024;

/** The pieces a history file is read in. */
const PIECE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * The history in a JSON Lines history file (dl_lab_log.py's crash-safe format): its first
 * `ref.bytes` bytes must hash to `ref.sha256` (what the metrics file last saw) and end at a line
 * break; every complete line after them was appended since. A last line without its line break is
 * a write the process did not live to finish, and is dropped.
 *
 * Read in pieces, each line parsed as it is complete: a per-step history of 300,000 lines (30 MB)
 * read whole was held three times over (its bytes, their text, the lines) besides the entries,
 * and the bytes, outside the JavaScript heap, until a full garbage collection. A line break byte
 * never occurs inside a multi-byte UTF-8 character, so each line decodes on its own. The entries
 * are validated and go into a HistoryTable a batch at a time, so they are never all objects at once.
 * `pieceBytes`: for tests, to put lines across the pieces' boundaries.
 */
export const readHistoryFile = (path: string, ref: HistoryFileRef, label: string, pieceBytes = PIECE_BYTES): HistoryTable => {
  assertUserFile(path, label, MAX_HISTORY_BYTES, 'histories');
  const table = new HistoryTable();
  /** Parsed entries not yet validated and added to the table, and the index of the first in the history. */
  let batch: unknown[] = [];
  let batchStart = 0;
  const violations: Violation[] = [];
  const addBatch = (): void => {
    violations.push(...historyViolations(batch, label, batchStart));
    // Once an entry is invalid the table is never used: the entries after it are only validated.
    if (violations.length === 0) table.appendValidated(batch as HistoryEntry[]);
    batchStart += batch.length;
    batch = [];
  };
  const hash = createHash('sha256');
  let total = 0;
  /** The bytes of the line being read, when it began in an earlier piece. */
  let partial: Buffer[] = [];
  let lastByte = -1;
  let lines = 0;
  let badLine: unknown;
  const fd = openSync(path, 'r');
  try {
    const piece = Buffer.allocUnsafe(pieceBytes);
    for (let read: number; (read = readSync(fd, piece, 0, pieceBytes, total)) > 0; ) {
      const bytes = piece.subarray(0, read);
      if (total < ref.bytes) hash.update(bytes.subarray(0, Math.min(read, ref.bytes - total)));
      if (total < ref.bytes && total + read >= ref.bytes) lastByte = bytes[ref.bytes - total - 1];
      total += read;
      if (total > MAX_HISTORY_BYTES) throw new UserError(`${label}: grew past the ${MAX_HISTORY_BYTES}-byte limit for histories while it was read`, { file: label });
      let start = 0;
      for (let end = bytes.indexOf(NEWLINE); end !== -1; start = end + 1, end = bytes.indexOf(NEWLINE, start)) {
        const line = partial.length === 0 ? bytes.toString('utf8', start, end) : Buffer.concat([...partial, bytes.subarray(start, end)]).toString('utf8');
        partial = [];
        lines++;
        // The first bad line is reported after the checks of the bytes the metrics file saw: an edit is named as one.
        if (badLine === undefined) {
          try {
            batch.push(parseJson(line, `${label} line ${lines}`));
            if (batch.length === HISTORY_BATCH_ROWS) addBatch();
          } catch (error) {
            badLine = error;
          }
        }
      }
      if (start < read) partial.push(Buffer.from(bytes.subarray(start))); // a copy: the piece is read into again
    }
  } finally {
    closeSync(fd);
  }
  if (total < ref.bytes) {
    throw new UserError(`${label}: holds ${total} bytes but its metrics file saw ${ref.bytes} (truncated or replaced)`, { file: label, field: 'history_file/bytes' });
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== ref.sha256) {
    throw new UserError(`${label}: its first ${ref.bytes} bytes have sha256 ${sha256.slice(0, 12)}…, not the ${ref.sha256.slice(0, 12)}… its metrics file saw (edited?)`, { file: label, field: 'history_file/sha256' });
  }
  if (ref.bytes > 0 && lastByte !== NEWLINE) throw new UserError(`${label}: byte ${ref.bytes} is not the end of a line`, { file: label, field: 'history_file/bytes' });
  if (badLine !== undefined) throw badLine;
  addBatch();
  throwIfViolations(violations, `invalid history file ${label}`);
  table.trim();
  return table;
};
