import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runContractViolations } from '../../core/contract/run-contract.js';
import { isUserError } from '../../core/errors.js';
import { historyColumns } from '../../core/experiments/mean-history.js';
import { curveFigureFromHistory, renderSvg, type CurveFigure } from '../../core/figures/training-curves.js';
import { HistoryTable, type HistoryEntry } from '../../core/history-table.js';
import { emitJsonText } from '../../core/json-chunks.js';
import { stringifyJson } from '../../core/json-file.js';
import { readHistoryFile } from '../../core/metrics-history.js';
import { Rng } from '../../core/training/prng.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

/** A figure with plain arrays where it may hold Float64Arrays, for deepEqual. */
const plainFigure = (figure: CurveFigure): object => ({
  ...figure,
  epochs: Array.from(figure.epochs),
  panels: figure.panels.map((panel) => ({
    ...panel,
    series: panel.series.map(({ band, ...series }) => ({ ...series, values: Array.from(series.values), ...(band ? { band: { low: Array.from(band.low), high: Array.from(band.high) } } : {}) })),
  })),
});

/**
 * Rows as a training script logs them, and odder: keys that appear late or in some rows only, rows
 * whose keys come in another order, -0, tiny and huge numbers, epochs out of
 * order or repeated, as JSON.parse gives them.
 */
const randomRows = (rng: Rng, length: number): HistoryEntry[] => {
  const keys = ['loss', 'val_loss', 'accuracy', 'lr', 'val_accuracy'];
  const rows = Array.from({ length }, (_, step) => {
    const row: Record<string, number> = { epoch: rng.uniform() < 0.1 ? rng.below(length) : step };
    const present = keys.filter((key, k) => k < 2 || rng.uniform() < (step > length / 2 ? 0.7 : 0.2));
    if (rng.uniform() < 0.2) present.reverse();
    for (const key of present) {
      const kind = rng.below(5);
      row[key] = kind === 0 ? -0 : kind === 1 ? rng.normal() * 1e-300 : kind === 2 ? rng.normal() * 1e300 : kind === 3 ? rng.below(1000) : rng.uniform();
    }
    if (rng.uniform() < 0.1) {
      const { epoch, ...rest } = row;
      return { ...rest, epoch }; // the epoch last
    }
    return row;
  });
  return JSON.parse(JSON.stringify(rows)) as HistoryEntry[];
};

describe('HistoryTable: a history held as columns, given back as its rows', () => {
  after(cleanupTempDirs);

  it('gives back the rows it was built from: the same keys in the same order, the same numbers, the same JSON text', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const rows = randomRows(rng, 1 + rng.below(trial < 30 ? 40 : 3000));
      const table = HistoryTable.fromRows(rows);
      assert.equal(table.length, rows.length);
      assert.deepEqual(table.slice(), rows);
      assert.equal(JSON.stringify(table), JSON.stringify(rows));
      for (const [start, end] of [[0, 1], [3, 17], [-5, rows.length], [rows.length - 1, rows.length + 10]]) assert.deepEqual(table.slice(start, end), rows.slice(start, end), `slice(${start}, ${end})`);
      // analysis.json as a run writes it, in pieces (batches of rows for a long history).
      const analysis = (history: unknown) => ({ schema_version: '1.1', results: { loss: 0.5 }, history });
      const text: string[] = [];
      emitJsonText(analysis(table), (piece) => text.push(piece), 1000);
      assert.equal(text.join(''), stringifyJson(analysis(rows)));
    }
  });

  it('is made from whole columns as from the rows they hold (fromColumns): keys in order of first appearance, NaN absent', () => {
    const nan = Number.NaN;
    const table = HistoryTable.fromColumns(Float64Array.of(0, 1, 2, 3), [
      { key: 'a.mean', values: Float64Array.of(nan, 0.5, 0.25, nan) },
      { key: 'a.std', values: Float64Array.of(nan, nan, 0.1, nan) },
      { key: 'b.mean', values: Float64Array.of(1, 2, nan, 4) },
      { key: 'b.std', values: Float64Array.of(nan, nan, nan, nan) },
    ]);
    const rows: HistoryEntry[] = [{ epoch: 0, 'b.mean': 1 }, { epoch: 1, 'a.mean': 0.5, 'b.mean': 2 }, { epoch: 2, 'a.mean': 0.25, 'a.std': 0.1 }, { epoch: 3, 'b.mean': 4 }];
    assert.equal(JSON.stringify(table), JSON.stringify(rows));
    assert.deepEqual(table.keys, HistoryTable.fromRows(rows).keys);
    assert.deepEqual(table.keys, ['b.mean', 'a.mean', 'a.std'], 'a key no row has (b.std) is left out');
  });

  it('tells whether another table holds the same rows (sameRows) as their JSON does', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 40; trial++) {
      const rows = randomRows(rng, 1 + rng.below(300));
      const table = HistoryTable.fromRows(rows);
      const same = (other: HistoryEntry[]): boolean => table.sameRows(HistoryTable.fromRows(other));
      assert.equal(same(JSON.parse(JSON.stringify(rows)) as HistoryEntry[]), true, `trial ${trial}`);
      const row = rng.below(rows.length);
      const edited = structuredClone(rows);
      const key = Object.keys(edited[row]).find((k) => k !== 'epoch')!;
      edited[row][key] += 1;
      // A changed value, an epoch, a row more or less, keys in another order: never the same JSON.
      assert.equal(same(edited), JSON.stringify(edited) === JSON.stringify(rows), `trial ${trial}: value`);
      assert.equal(same(rows.map((r, i) => (i === row ? { ...r, epoch: r.epoch + 1 } : r))), false);
      assert.equal(same(rows.slice(1)), false);
      assert.equal(same([...rows, rows[0]]), false);
      const reordered = rows.map((r, i) => (i === row ? (Object.fromEntries(Object.entries(r).reverse()) as HistoryEntry) : r));
      assert.equal(same(reordered), JSON.stringify(reordered) === JSON.stringify(rows), `trial ${trial}: key order`);
    }
    // -0 and 0 are written alike.
    assert.equal(HistoryTable.fromRows([{ epoch: 0, loss: -0 }]).sameRows(HistoryTable.fromRows([{ epoch: 0, loss: 0 }])), true);
  });

  it('keeps `__proto__` an own key of the rows, as JSON.parse does, never their prototype', () => {
    const rows = JSON.parse('[{"epoch":1,"__proto__":2,"loss":0.5}]') as HistoryEntry[];
    const [row] = HistoryTable.fromRows(rows).slice();
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(Object.keys(row), ['epoch', '__proto__', 'loss']);
    assert.equal(JSON.stringify(row), '{"epoch":1,"__proto__":2,"loss":0.5}');
  });

  it('draws the figure its rows draw (epochs out of order, keys in some rows only)', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 30; trial++) {
      const rows = randomRows(rng, 1 + rng.below(500));
      const bestEpoch = rng.uniform() < 0.5 ? rng.below(500) : undefined;
      const options = bestEpoch === undefined ? {} : { bestEpoch };
      const [fromTable, fromRows] = [curveFigureFromHistory(HistoryTable.fromRows(rows), options), curveFigureFromHistory(rows, options)];
      // A table's figure holds Float64Arrays where the rows' holds arrays: the same numbers, the same drawing.
      assert.deepEqual(plainFigure(fromTable), plainFigure(fromRows), `trial ${trial}`);
      assert.equal(renderSvg(fromTable), renderSvg(fromRows), `trial ${trial}`);
    }
  });

  it("gives an experiment member's columns as its rows give them (historyColumns)", () => {
    const rng = new Rng(8);
    for (let trial = 0; trial < 30; trial++) {
      const rows = randomRows(rng, 1 + rng.below(500));
      assert.deepEqual(historyColumns(HistoryTable.fromRows(rows)), historyColumns(rows), `trial ${trial}`);
    }
  });

  it('a run sealed with a table is validated row by row: a bad row is named by its place in the whole history', () => {
    const rows = Array.from({ length: 10_000 }, (_, epoch) => ({ epoch, loss: 1 / (epoch + 1) }));
    const table = HistoryTable.fromRows(rows);
    table.append({ epoch: -1, loss: 0 }); // row 10,000: in the third batch of rows
    const labels = { manifest: 'm', summary: 's', analysis: 'runs/T/analysis.json', checkpointRecord: 'c' };
    const analysis = { schema_version: '1.1', tag: 'T', demo: false, results: {}, history: table };
    const violations = runContractViolations({ manifest: {}, summary: {}, analysis, checkpointRecord: {} }, labels).filter((v) => v.file === labels.analysis);
    assert.deepEqual(violations, [{ file: labels.analysis, pointer: '/history/10000/epoch', message: 'must be >= 0' }]);
  });

  it('readHistoryFile names a bad entry past its first batch by its place in the whole history', () => {
    const lines = Array.from({ length: 9000 }, (_, epoch) => JSON.stringify(epoch === 8500 ? { epoch, loss: 'low' } : { epoch, loss: 0.5 })).join('\n') + '\n';
    const path = join(tempDir(), 'h.jsonl');
    writeFileSync(path, lines);
    const ref = { path: 'h.jsonl', bytes: Buffer.byteLength(lines), sha256: createHash('sha256').update(lines).digest('hex') };
    try {
      readHistoryFile(path, ref, 'h');
      assert.fail('no error');
    } catch (error) {
      assert.ok(isUserError(error));
      assert.equal(error.message, 'invalid history file h: /8500/loss: must be number');
    }
  });
});
