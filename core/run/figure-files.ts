import type { HistoryTable } from '../history-table.js';
import type { RunFile } from './outputs.js';

export const FIGURE_BASENAME = 'figures/training_curves';

/**
 * The training-curve figure of a run, as PDF and PNG run files (the PDF sorts first, so a paper
 * tool taking the first figure gets the vector version). No history, no figure. The renderer is
 * imported lazily: it loads resvg, which `run` without history never needs.
 */
export const trainingCurveFiles = async (history: ReadonlyArray<object> | HistoryTable, bestEpoch?: number): Promise<RunFile[]> => {
  if (history.length === 0) return [];
  const { curveFigureFromHistory, renderPdfAndPng } = await import('../figures/training-curves.js');
  const figure = curveFigureFromHistory(history, bestEpoch === undefined ? {} : { bestEpoch });
  const { pdf, png } = await renderPdfAndPng(figure);
  return [
    { name: `${FIGURE_BASENAME}.pdf`, role: 'figure', bytes: pdf },
    { name: `${FIGURE_BASENAME}.png`, role: 'figure', bytes: png },
  ];
};
