/**
 * A training history (a run's, or an experiment record's mean history) held as columns of numbers
 * instead of one object per row.
 *
 * Why: a script that logs every step (dl_lab_log's `log(step, …)`) leaves 300,000 rows; parsed as
 * objects they take ~33 MB of heap (an object and a boxed double per value), and `dl-lab run`
 * held them from the metrics file to the seal, at the top of its memory peak (bench/README.md).
 * As columns they take 8 bytes a value. The rows come back a batch at a time (`slice`) to be
 * written as JSON or validated, so the whole history never exists as objects again.
 *
 * Exact: each row keeps its keys in their order (its shape, one array shared by the rows with the
 * same keys) and its numbers as the doubles JSON.parse gave; a column holds NaN in the rows without
 * its key, never as a value (JSON has no NaN). So the JSON text of `slice()` is JSON.stringify's
 * of the rows the table was built from (tested).
 */
import type { History } from './contract/generated/common.js';
import { schemaViolations, type Violation } from './contract/validate.js';
import { BATCHED_ARRAY } from './json-chunks.js';
import { NumberColumn } from './number-column.js';

export type HistoryEntry = History[number];

/** A history as the run path holds it: rows (a short history, a demo's) or a table. */
export type HistoryRows = History | HistoryTable;

/** Rows validated at once: enough to keep ajv's per-call cost small, few enough to be garbage young. */
export const HISTORY_BATCH_ROWS = 4096;

/** A distinct order of keys rows have, with where each key's values are (-1: the epoch). */
interface Shape { keys: readonly string[]; columns: Int32Array }

export class HistoryTable {
  readonly [BATCHED_ARRAY] = true;
  /** Every key but `epoch`, in the order they first appear. */
  readonly keys: string[] = [];
  private readonly columnIndex = new Map<string, number>();
  private readonly columns: NumberColumn[] = [];
  private readonly epochs: NumberColumn;
  private readonly shapes: Shape[] = [];
  private readonly shapeIndex = new Map<string, number>();
  /** Each row's shape (an index into `shapes`). */
  private readonly rowShapes: NumberColumn;
  private lastShape = -1;
  /** The rows a column is made room for at once (see the constructor). */
  private readonly capacity: number;
  /**
   * How many of the first rows were validated against common#/$defs/history as they came in (their
   * reader did it): the contract check of the table (tableViolations) validates only the rest.
   */
  private validRows = 0;

  /**
   * `rows`: how many rows it will hold, when that is known (a record's mean history): each column is
   * then made that long at once, instead of doubling as rows come (copies, and up to half unused).
   */
  constructor({ rows = 1024 }: { rows?: number } = {}) {
    this.capacity = rows;
    this.epochs = new NumberColumn(rows);
    this.rowShapes = new NumberColumn(rows);
  }

  /** A table of rows already valid against common#/$defs/history (a metrics file's, once validated). */
  static fromRows(rows: History): HistoryTable {
    const table = new HistoryTable({ rows: rows.length });
    table.appendValidated(rows);
    return table;
  }

  /**
   * A table of whole columns (a record's mean history, computed column by column), which become the
   * table's own (not copied): the epochs, and per key its values, NaN in the rows without the key.
   * Each row's keys are `epoch`, then the keys it has in `columns` order; `keys` come in the order
   * they first appear in the rows, as `append` would make them. A key no row has is left out.
   */
  static fromColumns(epochs: Float64Array, columns: ReadonlyArray<{ key: string; values: Float64Array }>): HistoryTable {
    const table = new HistoryTable({ rows: epochs.length });
    table.epochs.adopt(epochs);
    const firstRows = columns.map(({ values }) => values.findIndex((value) => !Number.isNaN(value)));
    const order = columns.map((_, c) => c).filter((c) => firstRows[c] !== -1);
    for (const c of order.sort((a, b) => firstRows[a] - firstRows[b] || a - b)) {
      const column = new NumberColumn(1);
      column.adopt(columns[c].values);
      table.columnIndex.set(columns[c].key, table.columns.length);
      table.columns.push(column);
      table.keys.push(columns[c].key);
    }
    // Rows come in runs of one shape: its keys are listed again only where which keys a row has changes.
    const has = new Uint8Array(columns.length);
    let keys: string[] | undefined;
    for (let row = 0; row < epochs.length; row++) {
      for (let c = 0; c < columns.length; c++) {
        const present = Number.isNaN(columns[c].values[row]) ? 0 : 1;
        if (has[c] !== present) [has[c], keys] = [present, undefined];
      }
      keys ??= ['epoch', ...columns.filter((_, c) => has[c] === 1).map(({ key }) => key)];
      table.rowShapes.push(table.shapeOf(keys));
    }
    return table;
  }

  get length(): number {
    return this.epochs.length;
  }

  /** Adds a row valid against the history's entry schema (validate first: see historyViolations). */
  append(row: HistoryEntry): void {
    const keys = Object.keys(row);
    for (const key of keys) if (key !== 'epoch' && !this.columnIndex.has(key)) this.addColumn(key);
    this.rowShapes.push(this.shapeOf(keys));
    this.epochs.push(row.epoch);
    for (let c = 0; c < this.columns.length; c++) {
      const value = row[this.keys[c]];
      this.columns[c].push(typeof value === 'number' ? value : Number.NaN);
    }
  }

  /** Adds rows their reader has validated against common#/$defs/history (historyViolations). */
  appendValidated(rows: readonly HistoryEntry[]): void {
    const allValid = this.validRows === this.length;
    for (const row of rows) this.append(row);
    if (allValid) this.validRows = this.length;
  }

  /** How many of the first rows were validated as they came in (see appendValidated). */
  get validatedRows(): number {
    return this.validRows;
  }

  /** The rows from `start` to `end`, as objects (what JSON.parse gave for them). */
  slice(start = 0, end = this.length): HistoryEntry[] {
    const from = Math.max(0, start < 0 ? this.length + start : start);
    const to = Math.min(this.length, end < 0 ? this.length + end : end);
    const epochs = this.epochs.values;
    const shapes = this.rowShapes.values;
    const columns = this.columns.map((column) => column.values);
    const rows: HistoryEntry[] = [];
    for (let i = from; i < to; i++) {
      const shape = this.shapes[shapes[i]];
      const row: Record<string, number> = {};
      for (let k = 0; k < shape.keys.length; k++) {
        const c = shape.columns[k];
        setOwn(row, shape.keys[k], c === -1 ? epochs[i] : columns[c][i]);
      }
      rows.push(row as HistoryEntry);
    }
    return rows;
  }

  /**
   * Whether `other` holds the same rows: the same keys in the same order, and numbers JSON writes
   * alike (`===`, as `-0` and `0`), row by row. Read from the columns, no row made: a record's
   * verify compares its 300,000 recorded rows with the recomputed ones so, and only looks for where
   * they differ when they do.
   */
  sameRows(other: HistoryTable): boolean {
    if (other.length !== this.length) return false;
    const [epochs, otherEpochs, shapes, otherShapes] = [this.epochs.values, other.epochs.values, this.rowShapes.values, other.rowShapes.values];
    const [columns, otherColumns] = [this.columns.map((column) => column.values), other.columns.map((column) => column.values)];
    let [mine, theirs] = [-1, -1]; // the last pair of shapes found to list the same keys
    for (let row = 0; row < this.length; row++) {
      if (epochs[row] !== otherEpochs[row]) return false;
      const [shape, otherShape] = [this.shapes[shapes[row]], other.shapes[otherShapes[row]]];
      if ((shapes[row] !== mine || otherShapes[row] !== theirs) && !sameKeys(shape.keys, otherShape.keys)) return false;
      [mine, theirs] = [shapes[row], otherShapes[row]];
      for (let k = 0; k < shape.columns.length; k++) {
        const c = shape.columns[k];
        if (c !== -1 && columns[c][row] !== otherColumns[otherShape.columns[k]][row]) return false;
      }
    }
    return true;
  }

  /** JSON.stringify of a table is that of its rows. */
  toJSON(): HistoryEntry[] {
    return this.slice();
  }

  /** The epochs, row by row (a view: do not keep it past the next append). */
  epochColumn(): Float64Array {
    return this.epochs.values;
  }

  /** The values of `key`, row by row, NaN where a row does not have it (a view, as epochColumn). */
  column(key: string): Float64Array | undefined {
    const c = this.columnIndex.get(key);
    return c === undefined ? undefined : this.columns[c].values;
  }

  /**
   * Gives back what the columns hold beyond the rows: the JSON Lines reader calls it at the end of a
   * history it read row by row (300,000 rows of six columns hold ~25 MB, ~10 MB of it unused, once doubled).
   */
  trim(): void {
    for (const column of [this.epochs, this.rowShapes, ...this.columns]) column.trim();
  }

  /** The keys of row `row` (`epoch` included), in their order. */
  keysOf(row: number): readonly string[] {
    return this.shapes[this.rowShapes.values[row]].keys;
  }

  private addColumn(key: string): void {
    const column = new NumberColumn(Math.max(this.capacity, this.length));
    column.fill(Number.NaN, this.length);
    this.columnIndex.set(key, this.columns.length);
    this.columns.push(column);
    this.keys.push(key);
  }

  private shapeOf(keys: readonly string[]): number {
    // Rows come in runs of one shape as a rule: the last row's is compared first.
    const last = this.lastShape;
    if (last !== -1 && sameKeys(this.shapes[last].keys, keys)) return last;
    // A key never holds '\n' (common#/$defs/key), so the joined keys name the order.
    const name = keys.join('\n');
    let index = this.shapeIndex.get(name);
    if (index === undefined) {
      index = this.shapes.length;
      this.shapes.push({ keys, columns: Int32Array.from(keys, (key) => (key === 'epoch' ? -1 : (this.columnIndex.get(key) as number))) });
      this.shapeIndex.set(name, index);
    }
    this.lastShape = index;
    return index;
  }
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((key, i) => key === b[i]);

/**
 * Whether `value` is a HistoryTable. Not `instanceof`: a test runner can load this module twice
 * (a static import and a lazy one), and a table of one copy is then no instance of the other's class.
 */
export const isHistoryTable = (value: unknown): value is HistoryTable => typeof value === 'object' && value !== null && !Array.isArray(value) && BATCHED_ARRAY in value;

/** A history's rows, made from a table if it is one (for code that reads short histories row by row). */
export const historyRows = (history: HistoryRows): History => (isHistoryTable(history) ? history.slice() : history);

/** `row[key] = value` as JSON.parse would set it: an own property even for `__proto__`. */
const setOwn = (row: Record<string, number>, key: string, value: number): void => {
  if (key === '__proto__') Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
  else row[key] = value;
};

/**
 * The violations of `rows` against common#/$defs/history, for rows that stand at `offset` in a
 * history found at `pointer` of `file`: pointers name the row's place in the whole history.
 */
export const historyViolations = (rows: readonly unknown[], file: string, offset = 0, pointer = ''): Violation[] =>
  schemaViolations('common', rows, file, 'history').map((violation) => ({ ...violation, pointer: shiftRowPointer(violation.pointer, offset, pointer) }));

/** A JSON pointer into a batch of rows (`/12/loss`) as one into the whole history the batch starts at `offset` of, found at `prefix`. */
export const shiftRowPointer = (pointer: string, offset: number, prefix = ''): string =>
  pointer.replace(/^\/(\d+)/, (_, index: string) => `${prefix}/${offset + Number(index)}`);

/** The violations of a table's rows not validated as they came in (appendValidated), a batch at a time. */
export const tableViolations = (table: HistoryTable, file: string, pointer: string): Violation[] => {
  const violations: Violation[] = [];
  for (let start = table.validatedRows; start < table.length; start += HISTORY_BATCH_ROWS) {
    violations.push(...historyViolations(table.slice(start, start + HISTORY_BATCH_ROWS), file, start, pointer));
  }
  return violations;
};
