import assert from 'node:assert/strict';
import type { RunAnalysis } from '../../core/contract/generated/analysis.js';
import { experimentFigureFiles, variantFigureBase } from '../../core/experiments/figures.js';
import { HistoryTable } from '../../core/history-table.js';
import { curveFigureFromHistory, renderPdfAndPng } from '../../core/figures/training-curves.js';
import { Rng } from '../../core/training/prng.js';

type History = RunAnalysis['history'];

/**
 * The figures of an experiment record as they were made before they were drawn from the history's
 * own rows: three renamed copies of it (means, means − std, means + std), each made into a figure,
 * the last two's series set as the first's bands. Records hold these bytes.
 */
const copiedRowFigures = async (name: string, history: History, completed: ReadonlyMap<string, number>): Promise<Map<string, Uint8Array>> => {
  const variantRows = (variant: string, pick: (mean: number, std: number | undefined) => number): Array<Record<string, number>> =>
    history.map((row) => {
      const out: Record<string, number> = { epoch: row.epoch };
      for (const [key, value] of Object.entries(row)) {
        if (!key.startsWith(`${variant}.`) || !key.endsWith('.mean')) continue;
        const column = key.slice(variant.length + 1, -'.mean'.length);
        out[column] = pick(value, row[`${variant}.${column}.std`]);
      }
      return out;
    });
  const files = new Map<string, Uint8Array>();
  for (const [variant, n] of completed) {
    const means = variantRows(variant, (m) => m);
    if (!means.some((row) => Object.keys(row).length > 1)) continue;
    const figure = curveFigureFromHistory(means);
    const low = curveFigureFromHistory(variantRows(variant, (m, s) => m - (s ?? 0)));
    const high = curveFigureFromHistory(variantRows(variant, (m, s) => m + (s ?? 0)));
    figure.panels.forEach((panel, p) => panel.series.forEach((series, s) => (series.band = { low: low.panels[p].series[s].values, high: high.panels[p].series[s].values })));
    figure.title = `${name}: variant ${variant}, mean of ${n} seed${n === 1 ? '' : 's'}`;
    figure.bandLabel = n >= 2 ? 'band: mean ± 1 std (sample, ddof 1)' : 'one seed: no band';
    const { pdf, png } = await renderPdfAndPng(figure);
    files.set(`${variantFigureBase(variant)}.pdf`, pdf).set(`${variantFigureBase(variant)}.png`, png);
  }
  return files;
};

/** A record's mean history: variants' `<variant>.<column>.mean|std`, steps missing here and there, std only where two seeds or more gave one. */
const randomMeanHistory = (rng: Rng, variants: string[]): History => {
  const columns = ['loss', 'val_loss', 'val_accuracy', 'lr'].filter(() => rng.uniform() < 0.7);
  const history: History = [];
  for (let epoch = 1; epoch <= 5 + rng.below(40); epoch++) {
    const row: History[number] = { epoch };
    for (const variant of variants) {
      for (const column of columns) {
        if (rng.uniform() < 0.15) continue;
        row[`${variant}.${column}.mean`] = rng.normal();
        if (rng.uniform() < 0.8) row[`${variant}.${column}.std`] = Math.abs(rng.normal()) / 4;
      }
    }
    history.push(row);
  }
  return history;
};

describe('the figures of an experiment record (core/experiments/figures.ts)', () => {
  it('are, byte for byte, what three renamed copies of the mean history gave, over 12 random records', async function () {
    this.timeout(120_000);
    const rng = new Rng(2026);
    for (let trial = 0; trial < 12; trial++) {
      const variants = ['base', 'wide', 'lr0.1'].slice(0, 1 + rng.below(3));
      const history = randomMeanHistory(rng, variants);
      const completed = new Map(variants.map((variant) => [variant, 1 + rng.below(4)] as const));
      const files = await experimentFigureFiles(`exp${trial}`, HistoryTable.fromRows(history), completed);
      const expected = await copiedRowFigures(`exp${trial}`, history, completed);
      assert.deepEqual(files.map((file) => file.name), [...expected.keys()], `record ${trial}: the same files`);
      for (const file of files) assert.ok('bytes' in file && Buffer.compare(file.bytes, expected.get(file.name)!) === 0, `record ${trial}: ${file.name} differs`);
    }
  });
});
