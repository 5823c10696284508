import { HistoryTable, isHistoryTable, type HistoryRows } from '../history-table.js';
import { NumberColumn } from '../number-column.js';
import { mean, sampleStd } from './statistics.js';

/** One column of one member's history: its (epoch, value) pairs in row order; rows without a number in it are left out. */
export interface HistoryColumn {
  name: string;
  /** Read only: the columns of one member may share it. */
  epochs: Float64Array;
  values: Float64Array;
}

/**
 * A member's history as columns, in the order they first appear in its rows: what meanHistory
 * needs of it, in 16 bytes a value where the parsed rows take several times that. A member run
 * that logged 300,000 steps of three columns is 14 MB so, against ~65 MB of heap as parsed rows.
 */
export const historyColumns = (history: HistoryRows): HistoryColumn[] => {
  if (isHistoryTable(history)) return tableColumns(history);
  const columns = new Map<string, { epochs: NumberColumn; values: NumberColumn }>();
  for (const row of history) {
    for (const name in row) {
      const value = row[name];
      if (name === 'epoch' || typeof value !== 'number') continue;
      let column = columns.get(name);
      if (!column) columns.set(name, (column = { epochs: new NumberColumn(), values: new NumberColumn() }));
      column.epochs.push(row.epoch);
      column.values.push(value);
    }
  }
  return [...columns].map(([name, { epochs, values }]) => ({ name, epochs: epochs.values.slice(), values: values.values.slice() }));
};

/** historyColumns of a table, from its columns: the rows that have each key, in row order. */
const tableColumns = (table: HistoryTable): HistoryColumn[] => {
  const epochs = table.epochColumn();
  // A key every row has (as a rule, all of them) shares one copy of the epochs with the others.
  let allEpochs: Float64Array | undefined;
  return table.keys.map((name) => {
    const values = table.column(name)!;
    if (!values.some(Number.isNaN)) return { name, epochs: (allEpochs ??= epochs.slice()), values: values.slice() };
    const rows: number[] = [];
    for (let row = 0; row < values.length; row++) if (!Number.isNaN(values[row])) rows.push(row);
    return { name, epochs: Float64Array.from(rows, (row) => epochs[row]), values: Float64Array.from(rows, (row) => values[row]) };
  });
};

/** Whether `values` never go down. */
const ascending = (values: Float64Array): boolean => {
  for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) return false;
  return true;
};

/** Whether `values` go up at every step (no value twice). */
const strictlyAscending = (values: Float64Array): boolean => {
  for (let i = 1; i < values.length; i++) if (!(values[i] > values[i - 1])) return false;
  return true;
};

/** Whether two arrays hold the same numbers in the same order (`===`: the comparison the epochs are grouped by). */
const sameValues = (a: Float64Array, b: Float64Array): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * The indices of the pooled values (`epochs`: the parts' epochs one after another) ordered by
 * epoch, ties in pooled order: a stable sort. A member logs its steps in order, so the parts are
 * each ascending as a rule, and merging them gives that order without sorting (for 3 members of
 * 300,000 steps, the sort with a comparator was most of the time spent here); otherwise, sorted.
 */
const pooledOrder = (parts: readonly HistoryColumn[], epochs: Float64Array): Uint32Array => {
  const order = new Uint32Array(epochs.length);
  if (!parts.every((part) => ascending(part.epochs))) return order.map((_, i) => i).sort((a, b) => epochs[a] - epochs[b] || a - b);
  const next = new Uint32Array(parts.length);
  const end = new Uint32Array(parts.length);
  for (let k = 0, at = 0; k < parts.length; at += parts[k].epochs.length, k++) [next[k], end[k]] = [at, at + parts[k].epochs.length];
  for (let out = 0; out < order.length; out++) {
    let from = -1;
    // Strictly lower only: on a tie the earlier part goes first, as in the pooled order.
    for (let k = 0; k < parts.length; k++) if (next[k] < end[k] && (from === -1 || epochs[next[k]] < epochs[next[from]])) from = k;
    order[out] = next[from]++;
  }
  return order;
};

/**
 * One history column of one variant: the members' parts of it, in member order. Per epoch, the
 * values keep that order (a stable sort by epoch), so mean and std add them in the very order, and
 * give the very bits, that records written before this code hold.
 */
const columnStatistics = (parts: readonly HistoryColumn[]): { epochs: Float64Array; means: Float64Array; stds: Float64Array; hasStd: Uint8Array } => {
  const length = parts.reduce((sum, part) => sum + part.epochs.length, 0);
  const [epochs, values] = [new Float64Array(length), new Float64Array(length)];
  let at = 0;
  for (const part of parts) {
    epochs.set(part.epochs, at);
    values.set(part.values, at);
    at += part.epochs.length;
  }
  const order = pooledOrder(parts, epochs);
  // How many distinct epochs, and the most values one of them has: the outputs are made that long.
  let [groups, widest] = [0, 0];
  for (let start = 0, end = 0; start < length; start = end, groups++) {
    while (end < length && epochs[order[end]] === epochs[order[start]]) end++;
    widest = Math.max(widest, end - start);
  }
  const out = { epochs: new Float64Array(groups), means: new Float64Array(groups), stds: new Float64Array(groups), hasStd: new Uint8Array(groups) };
  const group = new Float64Array(widest);
  for (let start = 0, g = 0; start < length; g++) {
    const epoch = epochs[order[start]];
    let end = start;
    while (end < length && epochs[order[end]] === epoch) group[end - start] = values[order[end++]];
    const pooled = group.subarray(0, end - start);
    out.epochs[g] = epoch;
    out.means[g] = mean(pooled);
    const std = sampleStd(pooled);
    if (std !== null) [out.stds[g], out.hasStd[g]] = [std, 1];
    start = end;
  }
  return out;
};

/**
 * Every number of some arrays, each once, ascending: the ascending arrays (as a rule, all: a member
 * logs its steps in order) merged, the others sorted first. An array given twice (a member's columns
 * share their epochs) is read once.
 */
const unionOf = (arrays: readonly Float64Array[]): Float64Array => {
  const distinct = [...new Set(arrays)];
  // As a rule every member logged the same steps: then the union is any one of them.
  if (distinct.length > 0 && strictlyAscending(distinct[0]) && distinct.every((array) => sameValues(array, distinct[0]))) return distinct[0].slice();
  const sorted = distinct.map((array) => (ascending(array) ? array : Float64Array.from(array).sort()));
  const next = new Uint32Array(sorted.length);
  const union = new NumberColumn();
  for (;;) {
    let least = Infinity;
    let found = false;
    for (let k = 0; k < sorted.length; k++) {
      if (next[k] < sorted[k].length && (!found || sorted[k][next[k]] < least)) [least, found] = [sorted[k][next[k]], true];
    }
    if (!found) return union.values.slice();
    union.push(least);
    for (let k = 0; k < sorted.length; k++) while (next[k] < sorted[k].length && sorted[k][next[k]] === least) next[k]++;
  }
};

/**
 * Per epoch, the mean (and std) over each variant's members of every history column:
 * `<variant>.<column>.mean|std`, the keys of a row in variant order, then in the order the columns
 * first appear in the members' histories. `variants` gives each variant's pooled members, in member
 * order, as historyColumns made them.
 *
 * Computed over typed columns, not one array per epoch and column: for three trials that logged
 * 300,000 steps of three columns, those arrays were most of the 1.1 GB `dl-lab sweep` peaked at.
 * Held as a HistoryTable: as rows, those 300,000 steps of six numbers were ~60 MB of objects.
 */
export const meanHistory = (variants: ReadonlyArray<{ variant: string; members: ReadonlyArray<readonly HistoryColumn[]> }>): HistoryTable => {
  const columns: Array<{ meanKey: string; stdKey: string; parts: HistoryColumn[] }> = [];
  for (const { variant, members } of variants) {
    const byName = new Map<string, (typeof columns)[number]>();
    for (const part of members.flat()) {
      let column = byName.get(part.name);
      if (!column) byName.set(part.name, (column = { meanKey: `${variant}.${part.name}.mean`, stdKey: `${variant}.${part.name}.std`, parts: [] }));
      column.parts.push(part);
    }
    columns.push(...byName.values());
  }
  // Column by column, each into arrays as long as the union of the epochs (NaN where it has none):
  // one column's statistics are held at a time, and no row object is made.
  const epochs = unionOf(columns.flatMap((column) => column.parts.map((part) => part.epochs)));
  const tableColumns: Array<{ key: string; values: Float64Array }> = [];
  for (const { meanKey, stdKey, parts } of columns) {
    const { means, stds } = parts.every((part) => sameValues(part.epochs, epochs)) ? alignedStatistics(parts) : pooledStatistics(parts, epochs);
    tableColumns.push({ key: meanKey, values: means }, { key: stdKey, values: stds });
  }
  return HistoryTable.fromColumns(epochs, tableColumns);
};

/** A column's mean and std at each of `epochs` (NaN where it has no value, or no std): its parts pooled by epoch (columnStatistics). */
const pooledStatistics = (parts: readonly HistoryColumn[], epochs: Float64Array): { means: Float64Array; stds: Float64Array } => {
  const stats = columnStatistics(parts);
  const [means, stds] = [new Float64Array(epochs.length).fill(Number.NaN), new Float64Array(epochs.length).fill(Number.NaN)];
  for (let i = 0, row = 0; i < stats.epochs.length; i++, row++) {
    while (epochs[row] !== stats.epochs[i]) row++;
    means[row] = stats.means[i];
    if (stats.hasStd[i]) stds[row] = stats.stds[i];
  }
  return { means, stds };
};

/**
 * pooledStatistics where every part has a value at every epoch of the union, each once (the rule:
 * seeds of one script log the same steps): an epoch's values are then the parts' values at its
 * row, in part order, the very group pooling gives, so the same bits. Nothing pooled, sorted or
 * grouped is made: for 3 members of 300,000 steps that was ~25 MB a column, and meanHistory of
 * three such columns takes ~160 ms instead of 360–510 ms.
 */
const alignedStatistics = (parts: readonly HistoryColumn[]): { means: Float64Array; stds: Float64Array } => {
  const rows = parts[0].values.length;
  const [means, stds] = [new Float64Array(rows), new Float64Array(rows)];
  const group = new Float64Array(parts.length);
  for (let row = 0; row < rows; row++) {
    for (let k = 0; k < parts.length; k++) group[k] = parts[k].values[row];
    means[row] = mean(group);
    stds[row] = sampleStd(group) ?? Number.NaN;
  }
  return { means, stds };
};
