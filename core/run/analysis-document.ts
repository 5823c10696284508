/**
 * A run's analysis.json read with its history as a HistoryTable, for the runs that log every step.
 *
 * Why: verify parsed analysis.json whole. For a 300,000-step history that is 43 MB of text, the
 * rows it parses to (~33 MB of objects), and, from `readFileSync(path, 'utf8')`, a buffer grown to
 * 64 MiB on the way: `verify` of such a run peaked at ~175 MB, `report` of a few at ~220 MB
 * (bench/README.md). Here the file is read in 1 MiB pieces, hashed as it is read, its rows parsed
 * 4,096 at a time into a table as they come, and the rest of the document parsed on its own: no
 * more than a piece and a batch of rows of its text is held.
 *
 * Our writers put each history row on lines of its own: `  "history": [`, then rows from `    {`
 * to `    }` (`    },` between rows), then `  ]`. The rows are cut there, and the document must
 * give back exactly what parsing it whole gives, or it is parsed whole:
 * - the rest of the document is parsed with a one-off string in the history's place, and that
 *   string must be its `history` (so the cut was the top-level member JSON.parse keeps: not a
 *   nested one, and no later duplicate key);
 * - each batch of rows, wrapped in brackets, must parse as an array: then the batches, joined by
 *   the commas between them, are the history array itself (JSON's grammar is context-free, and a
 *   line break never occurs inside a JSON string, so a cut at one is never inside a token);
 * - every row must be valid against the history's schema, as a table holds only valid rows; an
 *   invalid one is reported by the whole parse and the schema check, as for any document.
 * Cuts are made at ASCII bytes, so decoding the pieces gives what decoding the whole file gives.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { readTextFile } from '../hashing/text-file.js';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import { HISTORY_BATCH_ROWS, HistoryTable, historyViolations, type HistoryEntry, type HistoryRows } from '../history-table.js';

/** analysis.json as the run path holds it: its history rows, or a table. */
export type AnalysisDocument = Omit<RunAnalysis, 'history'> & { history: HistoryRows };

/** Below this size (a history of ~10,000 steps) analysis.json is parsed whole: its rows cost little. */
export const TABLE_ANALYSIS_BYTES = 1024 * 1024;

const HISTORY_KEY = Buffer.from('\n  "history": ');
const HISTORY_OPEN = Buffer.from('\n  "history": [\n');
const HISTORY_CLOSE = Buffer.from('\n  ]');
/** A row's last line when more rows follow. */
const ROW_END = Buffer.from('\n    },');

export interface AnalysisRead {
  size: number;
  sha256: string;
  /** The document, parsed with its history as a table; undefined when it is not in our layout (then `text`). */
  value?: unknown;
  text?: string;
}

const PIECE_BYTES = 1 << 20;

/**
 * analysis.json at `path` (TABLE_ANALYSIS_BYTES or more): its size and sha256, and the document with
 * its history as a table; or, for a document not in our layout or with an invalid row, its text
 * (read again) to parse whole. `pieceBytes`: for tests.
 */
export const readAnalysisDocument = (path: string, pieceBytes = PIECE_BYTES): AnalysisRead => {
  const hash = createHash('sha256');
  const reader = new AnalysisReader();
  let size = 0;
  const fd = openSync(path, 'r');
  try {
    const piece = Buffer.allocUnsafe(pieceBytes);
    for (let read: number; (read = readSync(fd, piece, 0, pieceBytes, size)) > 0; size += read) {
      hash.update(piece.subarray(0, read));
      reader.write(piece.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  const value = reader.end();
  if (value !== undefined) return { size, sha256: hash.digest('hex'), value };
  const { text, bytes, sha256 } = readTextFile(path);
  return { size: bytes, sha256, text };
};

/** Takes a document's bytes a piece at a time (see the top of this file); `end` gives the document, or undefined. */
export class AnalysisReader {
  private phase: 'head' | 'rows' | 'tail' | 'failed' = 'head';
  /** The bytes up to the history's `[` (head), and after its `]` (tail). */
  private readonly head: Buffer[] = [];
  private readonly tail: Buffer[] = [];
  /** Bytes not yet placed: in the rows, those of the batch being read (from just after the `[` or a `,` between rows). A view of `room`, or empty. */
  private pending = Buffer.alloc(0);
  /**
   * The one buffer `pending` is kept in, from piece to piece (grown when a piece does not fit
   * after it). Why not a new buffer for each piece: those 1–2 MiB buffers, dozens a document,
   * each freed, leave glibc's heaps holding what it seldom gives back.
   */
  private room = Buffer.alloc(0);
  /** Where the search for the next row end or the history's end resumes in `pending`, and the batch's rows and end so far. */
  private searched = 0;
  private rows = 0;
  private batchEnd = 0;
  private readonly table = new HistoryTable();

  constructor(private readonly batchRows = HISTORY_BATCH_ROWS) {}

  write(piece: Buffer): void {
    if (this.phase === 'failed') return;
    if (this.phase === 'tail') {
      this.tail.push(Buffer.from(piece));
      return;
    }
    this.append(piece);
    if (this.phase === 'head') this.readHead();
    if (this.phase === 'rows') this.readRows();
  }

  /** `pending` followed by `piece`, at the start of `room`. */
  private append(piece: Buffer): void {
    const kept = this.pending.length;
    const needed = kept + piece.length;
    if (this.room.length < needed) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, 2 * this.room.length));
      this.pending.copy(grown, 0);
      this.room = grown;
    } else if (kept > 0) {
      const from = this.pending.byteOffset - this.room.byteOffset;
      this.room.copyWithin(0, from, from + kept);
    }
    piece.copy(this.room, kept);
    this.pending = this.room.subarray(0, needed);
  }

  end(): Record<string, unknown> | undefined {
    if (this.phase !== 'tail') return undefined;
    const placeholder = `dl-lab history ${randomUUID()}`;
    let value: unknown;
    try {
      value = JSON.parse(`${Buffer.concat(this.head).toString('utf8')}${JSON.stringify(placeholder)}${Buffer.concat(this.tail).toString('utf8')}`);
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || (value as Record<string, unknown>).history !== placeholder) return undefined;
    (value as Record<string, unknown>).history = this.table;
    return value as Record<string, unknown>;
  }

  private readHead(): void {
    const key = this.pending.indexOf(HISTORY_KEY, this.searched);
    if (key === -1) {
      // Keep what could be the start of the key; the rest is head.
      const keep = Math.max(0, this.pending.length - (HISTORY_KEY.length - 1));
      this.head.push(Buffer.from(this.pending.subarray(0, keep)));
      this.pending = this.pending.subarray(keep);
      this.searched = 0;
      return;
    }
    if (this.pending.length < key + HISTORY_OPEN.length) {
      this.searched = key; // wait for the rest of the line
      return;
    }
    if (this.pending.compare(HISTORY_OPEN, 0, HISTORY_OPEN.length, key, key + HISTORY_OPEN.length) !== 0) return this.fail();
    const open = key + HISTORY_KEY.length; // the '['
    this.head.push(Buffer.from(this.pending.subarray(0, open)));
    this.pending = this.pending.subarray(open + 1);
    [this.phase, this.searched, this.rows, this.batchEnd] = ['rows', 0, 0, 0];
  }

  private readRows(): void {
    // Searched for once a piece (not once a row: that would scan the rest of the piece each time).
    let close = this.pending.indexOf(HISTORY_CLOSE, this.searched);
    for (;;) {
      const rowEnd = this.pending.indexOf(ROW_END, this.searched);
      if (close !== -1 && (rowEnd === -1 || close < rowEnd)) {
        // The history's `]`: the last batch is everything before its line; the tail, everything after it.
        if (!this.addBatch(close)) return;
        this.tail.push(Buffer.from(this.pending.subarray(close + HISTORY_CLOSE.length)));
        [this.pending, this.room] = [Buffer.alloc(0), Buffer.alloc(0)];
        this.phase = 'tail';
        return;
      }
      if (rowEnd === -1) {
        // Neither is complete yet: search again from where one could start.
        this.searched = Math.max(this.batchEnd, this.pending.length - (ROW_END.length - 1));
        return;
      }
      this.batchEnd = rowEnd + ROW_END.length - 1; // the ',' after the row's '}'
      this.searched = this.batchEnd;
      if (++this.rows === this.batchRows) {
        if (!this.addBatch(this.batchEnd)) return;
        const cut = this.batchEnd + 1;
        this.pending = this.pending.subarray(cut);
        if (close !== -1) close -= cut;
        [this.searched, this.rows, this.batchEnd] = [0, 0, 0];
      }
    }
  }

  /** Parses `pending` up to `end` as rows and adds them to the table; false (and failed) if they do not parse or one is invalid. */
  private addBatch(end: number): boolean {
    let batch: unknown;
    try {
      batch = JSON.parse(`[${this.pending.toString('utf8', 0, end)}]`);
    } catch {
      batch = undefined;
    }
    if (!Array.isArray(batch) || batch.length === 0 || historyViolations(batch, '', this.table.length).length > 0) {
      this.fail();
      return false;
    }
    this.table.appendValidated(batch as HistoryEntry[]);
    return true;
  }

  private fail(): void {
    this.phase = 'failed';
    this.head.length = 0;
    this.tail.length = 0;
    [this.pending, this.room] = [Buffer.alloc(0), Buffer.alloc(0)];
  }
}
