import type { HistoryView } from '../figures/training-curves.js';
import type { HistoryTable } from '../history-table.js';
import type { RunFile } from '../run/outputs.js';

/** An experiment record's figure of one variant: `figures/<variant>_training_curves.{pdf,png}`. */
export const variantFigureBase = (variant: string): string => `figures/${variant}_training_curves`;

/**
 * One variant's columns of the record's mean history as a figure draws them: `<variant>.<column>.mean`
 * under the column's name, with a band of ± its `.std` (none where there is no std: one seed). Read
 * from the history's own columns: three renamed copies of a 300,000-step history (mean, low, high)
 * were ~150 MB of a sweep's aggregate.
 */
const variantView = (variant: string): HistoryView => {
  const prefix = `${variant}.`;
  return {
    name: (key) => (key.startsWith(prefix) && key.endsWith('.mean') ? key.slice(prefix.length, -'.mean'.length) : undefined),
    spread: (key) => `${key.slice(0, -'.mean'.length)}.std`,
  };
};

/**
 * Per variant, the mean training curve over its completed seeds with a band of ± 1 sample std
 * (labelled in the legend), as PDF and PNG (role 'figure', so they are listed first among the
 * outputs). A variant whose members have no history gets no figure.
 */
export const experimentFigureFiles = async (
  name: string,
  history: HistoryTable,
  completedByVariant: ReadonlyMap<string, number>,
): Promise<RunFile[]> => {
  const files: RunFile[] = [];
  const { curveFigureFromHistory, renderPdfAndPng } = await import('../figures/training-curves.js');
  for (const [variant, n] of completedByVariant) {
    const view = variantView(variant);
    if (!history.keys.some((key) => view.name(key) !== undefined)) continue;
    const figure = curveFigureFromHistory(history, { view });
    figure.title = `${name}: variant ${variant}, mean of ${n} seed${n === 1 ? '' : 's'}`;
    figure.bandLabel = n >= 2 ? 'band: mean ± 1 std (sample, ddof 1)' : 'one seed: no band';
    const { pdf, png } = await renderPdfAndPng(figure);
    files.push({ name: `${variantFigureBase(variant)}.pdf`, role: 'figure', bytes: pdf }, { name: `${variantFigureBase(variant)}.png`, role: 'figure', bytes: png });
  }
  return files;
};
