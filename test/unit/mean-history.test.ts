import assert from 'node:assert/strict';
import type { RunAnalysis } from '../../core/contract/generated/analysis.js';
import { historyColumns, meanHistory } from '../../core/experiments/mean-history.js';
import { HistoryTable } from '../../core/history-table.js';
import { mean, sampleStd } from '../../core/experiments/statistics.js';
import { Rng } from '../../core/training/prng.js';

type History = RunAnalysis['history'];

/**
 * The mean history as records before the columnar code computed it (one array of values per epoch
 * and column, filled in member order): its bytes are what every existing record holds, so `verify`
 * of an old record depends on the new code giving them exactly.
 */
const perEpochArrays = (byVariant: Array<{ variant: string; histories: History[] }>): History => {
  const rows = new Map<number, Record<string, number>>();
  for (const { variant, histories } of byVariant) {
    const columns = new Map<string, Map<number, number[]>>();
    for (const history of histories) {
      for (const row of history) {
        for (const [column, value] of Object.entries(row)) {
          if (column === 'epoch' || typeof value !== 'number') continue;
          const byEpoch = columns.get(column) ?? new Map<number, number[]>();
          byEpoch.set(row.epoch, [...(byEpoch.get(row.epoch) ?? []), value]);
          columns.set(column, byEpoch);
        }
      }
    }
    for (const [column, byEpoch] of columns) {
      for (const [epoch, values] of byEpoch) {
        const row = rows.get(epoch) ?? {};
        row[`${variant}.${column}.mean`] = mean(values);
        const std = sampleStd(values);
        if (std !== null) row[`${variant}.${column}.std`] = std;
        rows.set(epoch, row);
      }
    }
  }
  return [...rows.keys()].sort((a, b) => a - b).map((epoch) => ({ epoch, ...rows.get(epoch)! }));
};

/**
 * A history with gaps, repeated epochs (a resumed run), nulls and columns some members lack; half
 * of them with rows out of order (the others in order, as a logger writes them: merged, not sorted).
 */
const randomHistory = (random: () => number, columns: string[]): History => {
  const history: History = [];
  for (let epoch = 0; epoch < 60; epoch++) {
    if (random() < 0.2) continue;
    const copies = random() < 0.1 ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const row: History[number] = { epoch };
      for (const column of columns) if (random() < 0.8) row[column] = random() < 0.05 ? (null as unknown as number) : (random() - 0.3) * 10 ** Math.floor(random() * 6 - 3);
      history.push(row);
    }
  }
  if (random() < 0.5) return history;
  for (let swap = 0; swap < history.length / 10; swap++) {
    const [i, j] = [Math.floor(random() * history.length), Math.floor(random() * history.length)];
    [history[i], history[j]] = [history[j], history[i]];
  }
  return history;
};

describe('the mean history of an experiment record (core/experiments/mean-history.ts)', () => {
  it('gives, byte for byte, what the per-epoch arrays gave, over 200 random experiments', () => {
    const rng = new Rng(14);
    const random = (): number => rng.uniform();
    for (let trial = 0; trial < 200; trial++) {
      const byVariant = ['base', 'lr0.1', 'wide'].slice(0, 1 + Math.floor(random() * 3)).map((variant) => ({
        variant,
        histories: Array.from({ length: Math.floor(random() * 5) }, () => randomHistory(random, ['loss', 'val_loss', 'acc', '3'].filter(() => random() < 0.8))),
      }));
      const columnar = byVariant.map(({ variant, histories }) => ({ variant, members: histories.map(historyColumns) }));
      assert.equal(JSON.stringify(meanHistory(columnar)), JSON.stringify(perEpochArrays(byVariant)), `experiment ${trial}`);
    }
  });

  it('gives the same bytes when every member logged the same steps (the rule for seeds), from rows and from tables', () => {
    const rng = new Rng(15);
    const random = (): number => rng.uniform();
    for (let trial = 0; trial < 200; trial++) {
      // One list of steps for the experiment: ascending with gaps, and in some experiments a step
      // logged twice by every member (a resumed run) or one member short of the last step.
      const epochs = Array.from({ length: 80 }, (_, epoch) => epoch).filter(() => random() < 0.8);
      if (random() < 0.15 && epochs.length > 2) epochs.splice(1, 0, epochs[1]);
      const shortMember = random() < 0.15;
      const columns = ['loss', 'val_loss', 'acc'].filter(() => random() < 0.9);
      const byVariant = ['base', 'lr0.1'].slice(0, 1 + Math.floor(random() * 2)).map((variant) => ({
        variant,
        histories: Array.from({ length: 1 + Math.floor(random() * 5) }, (_, member): History => {
          const steps = shortMember && member === 1 ? epochs.slice(0, -1) : epochs;
          return steps.map((epoch) => ({ epoch, ...Object.fromEntries(columns.map((column) => [column, (random() - 0.3) * 10 ** Math.floor(random() * 6 - 3)])) }));
        }),
      }));
      const expected = JSON.stringify(perEpochArrays(byVariant));
      const fromRows = byVariant.map(({ variant, histories }) => ({ variant, members: histories.map(historyColumns) }));
      const fromTables = byVariant.map(({ variant, histories }) => ({ variant, members: histories.map((history) => historyColumns(HistoryTable.fromRows(history))) }));
      assert.equal(JSON.stringify(meanHistory(fromRows)), expected, `experiment ${trial}, from rows`);
      assert.equal(JSON.stringify(meanHistory(fromTables)), expected, `experiment ${trial}, from tables`);
    }
  });

  it('pools each epoch over the members in their order: mean, and std only from two values on', () => {
    const history = meanHistory([{ variant: 'a', members: [[{ epoch: 2, acc: 0.5 }, { epoch: 1, acc: 0.1 }], [{ epoch: 1, acc: 0.3, loss: 2 }]].map(historyColumns) }]);
    assert.deepEqual(history.toJSON(), [
      { epoch: 1, 'a.acc.mean': mean([0.1, 0.3]), 'a.acc.std': sampleStd([0.1, 0.3])!, 'a.loss.mean': 2 },
      { epoch: 2, 'a.acc.mean': 0.5 },
    ]);
  });
});
