import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { RunFile } from '../run/outputs.js';

/** An experiment record's figure of one variant: `figures/<variant>_training_curves.{pdf,png}`. */
export const variantFigureBase = (variant: string): string => `figures/${variant}_training_curves`;

/** One variant's columns out of the record's mean history (`<variant>.<column>.mean|std`), as rows keyed by the column. */
const variantRows = (history: RunAnalysis['history'], variant: string, pick: (mean: number, std: number | undefined) => number): Array<Record<string, number>> =>
  history.map((row) => {
    const out: Record<string, number> = { epoch: row.epoch };
    for (const [key, value] of Object.entries(row)) {
      if (!key.startsWith(`${variant}.`) || !key.endsWith('.mean')) continue;
      const column = key.slice(variant.length + 1, -'.mean'.length);
      out[column] = pick(value, row[`${variant}.${column}.std`]);
    }
    return out;
  });

/**
 * Per variant, the mean training curve over its completed seeds with a band of ± 1 sample std
 * (labelled in the legend), as PDF and PNG (role 'figure', so they are listed first among the
 * outputs). A variant whose members have no history gets no figure.
 */
export const experimentFigureFiles = async (
  name: string,
  history: RunAnalysis['history'],
  completedByVariant: ReadonlyMap<string, number>,
): Promise<RunFile[]> => {
  const files: RunFile[] = [];
  const { curveFigureFromHistory, renderPdfAndPng } = await import('../figures/training-curves.js');
  for (const [variant, n] of completedByVariant) {
    const means = variantRows(history, variant, (m) => m);
    if (!means.some((row) => Object.keys(row).length > 1)) continue;
    const figure = curveFigureFromHistory(means);
    // The same rows shifted by ∓ std give series in the same panels and order as the means.
    const low = curveFigureFromHistory(variantRows(history, variant, (m, s) => m - (s ?? 0)));
    const high = curveFigureFromHistory(variantRows(history, variant, (m, s) => m + (s ?? 0)));
    figure.panels.forEach((panel, p) =>
      panel.series.forEach((series, s) => {
        series.band = { low: low.panels[p].series[s].values, high: high.panels[p].series[s].values };
      }),
    );
    figure.title = `${name}: variant ${variant}, mean of ${n} seed${n === 1 ? '' : 's'}`;
    figure.bandLabel = n >= 2 ? 'band: mean ± 1 std (sample, ddof 1)' : 'one seed: no band';
    const { pdf, png } = await renderPdfAndPng(figure);
    files.push({ name: `${variantFigureBase(variant)}.pdf`, role: 'figure', bytes: pdf }, { name: `${variantFigureBase(variant)}.png`, role: 'figure', bytes: png });
  }
  return files;
};
