/**
 * Training-curve figures (loss / accuracy / other metrics vs epoch) as SVG, PNG and PDF.
 *
 * The figure is laid out once, as an SVG string built here (pure, synchronous, deterministic, also
 * usable in an HTML report). The PNG is that SVG rasterized by resvg; the PDF is that SVG after
 * resvg's normalization (text → glyph outlines), written as vector paths. Both use DejaVu Sans from
 * the `dejavu-fonts-ttf` package with system fonts disabled, so nothing depends on the machine's
 * fonts, and the same figure gives byte-identical files. The native renderer and the compressor are
 * imported lazily, only when a PNG or PDF is asked for.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ASCENT, CAP_HEIGHT, DESCENT, textWidth } from './text-metrics.js';
import { formatTicks, niceTicks, paddedDomain, type Domain } from './ticks.js';
import { usvgToPdf } from './usvg-pdf.js';
import { isHistoryTable, type HistoryTable } from '../history-table.js';

/**
 * A figure's numbers: a plain array, or a Float64Array where they come from a HistoryTable's
 * columns (8 bytes a value: for a 300,000-step history with bands, plain arrays of boxed doubles
 * were ~65 MB of an experiment record's aggregation, the Float64Arrays ~24 MB).
 */
export type Numbers = ArrayLike<number>;

export interface CurveSeries {
  label: string;
  /** One value per epoch of the figure (`epochs[i]`); NaN/±Infinity or a missing entry = gap. */
  values: Numbers;
  /** A shaded band around the line (e.g. mean ± std over seeds), per epoch like `values`; its meaning is `CurveFigure.bandLabel`. */
  band?: { low: Numbers; high: Numbers };
}
export interface CurvePanel {
  title: string;
  yLabel: string;
  series: CurveSeries[];
}
/** Which keys of history rows a figure draws, under what names, and a band around each (see curveFigureFromHistory). */
export interface HistoryView {
  /** The name the key is drawn under; undefined leaves it out. */
  name: (key: string) => string | undefined;
  /** The key of the band's half-width around the drawn key (its std): the band is the value ± it, ± 0 in a row without it. */
  spread?: (key: string) => string;
}
export interface CurveFigure {
  title?: string;
  /** The x values, in drawing order. */
  epochs: Numbers;
  panels: CurvePanel[];
  /** Drawn as a vertical dashed line in every panel, with `label` in the legends. */
  markEpoch?: { epoch: number; label: string };
  /** What the series' bands mean (e.g. "band: mean ± 1 std over 5 seeds"), shown in the legend. */
  bandLabel?: string;
}

// ---------------------------------------------------------------------------------------------
// History → figure

const SPLIT_WORDS: Record<string, { label: string; rank: number }> = {
  train: { label: 'train', rank: 0 },
  training: { label: 'train', rank: 0 },
  val: { label: 'validation', rank: 1 },
  valid: { label: 'validation', rank: 1 },
  validation: { label: 'validation', rank: 1 },
  test: { label: 'test', rank: 2 },
  eval: { label: 'eval', rank: 3 },
};
const SPLIT_ALT = Object.keys(SPLIT_WORDS).join('|');
const PREFIX_RE = new RegExp(`^(${SPLIT_ALT})[_/.-](.+)$`, 'i');
const SUFFIX_RE = new RegExp(`^(.+)[_/.-](${SPLIT_ALT})$`, 'i');
const METRIC_ALIASES: Record<string, string> = { acc: 'accuracy' };
const PANEL_TITLES: Record<string, string> = {
  loss: 'Loss',
  accuracy: 'Accuracy',
  lr: 'Learning rate',
  learning_rate: 'Learning rate',
  f1: 'F1',
  auc: 'AUC',
  mae: 'MAE',
  mse: 'MSE',
  rmse: 'RMSE',
  iou: 'IoU',
  map: 'mAP',
};

function splitKey(key: string): { metric: string; split: { label: string; rank: number } | null } {
  const normalize = (m: string): string => METRIC_ALIASES[m.toLowerCase()] ?? m.toLowerCase();
  const prefix = PREFIX_RE.exec(key);
  if (prefix?.[1] !== undefined && prefix[2] !== undefined) {
    return { metric: normalize(prefix[2]), split: SPLIT_WORDS[prefix[1].toLowerCase()] ?? null };
  }
  const suffix = SUFFIX_RE.exec(key);
  if (suffix?.[1] !== undefined && suffix[2] !== undefined) {
    return { metric: normalize(suffix[1]), split: SPLIT_WORDS[suffix[2].toLowerCase()] ?? null };
  }
  return { metric: normalize(key), split: null };
}

function panelTitle(metric: string): string {
  const known = PANEL_TITLES[metric];
  if (known !== undefined) return known;
  const words = metric.replace(/[_/.-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const numeric = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/**
 * A figure from per-epoch records such as `{ epoch, train_loss, val_loss, train_accuracy, val_accuracy }`.
 *
 * - `epoch` is the x axis (rows without a finite one are numbered 1, 2, … by position); rows are
 *   ordered by epoch.
 * - Keys are grouped by metric: `train_loss`/`val_loss` (also `loss`/`val_loss` Keras-style,
 *   `train/loss`, `loss_val`, `acc`) → one "Loss" panel; `*_accuracy` → "Accuracy"; any other key →
 *   its own panel. Loss comes first, then accuracy, then the rest in order of first appearance.
 * - Series are labelled `train`, `validation`, `test`, `eval` (in that order); a bare key next to
 *   split-prefixed ones is the training series. A key alone in its panel keeps its own name as
 *   label, and its split goes into the panel title (`train_loss` alone → "Loss (train)").
 * - Keys whose values are never a finite number are left out; missing values are gaps (NaN).
 * - `bestEpoch` adds the dashed "best epoch (N)" marker.
 *
 * Accepts interface-typed rows too (any object; only its number-valued properties are read), and a
 * HistoryTable (read from its columns). `view` draws some keys under other names, with bands read
 * from the same rows (an experiment record's `<variant>.<column>.mean` as `<column>`, ± its
 * `.std`), so no copy of a long history is made to rename them.
 */
export function curveFigureFromHistory(history: ReadonlyArray<object> | HistoryTable, options: { bestEpoch?: number; view?: HistoryView } = {}): CurveFigure {
  const { view } = options;
  const source = isHistoryTable(history) ? tableSource(history) : rowSource(history);

  /** `key`: the rows' key; `name`: what the figure calls it. */
  const keys: Array<{ key: string; name: string }> = [];
  for (const key of source.keys) {
    const name = view ? view.name(key) : key;
    if (name !== undefined && source.hasFinite(key)) keys.push({ key, name });
  }
  const families = new Map<string, Array<{ key: string; name: string; split: { label: string; rank: number } | null; order: number }>>();
  keys.forEach(({ key, name }, order) => {
    const { metric, split } = splitKey(name);
    const members = families.get(metric) ?? [];
    members.push({ key, name, split, order });
    families.set(metric, members);
  });
  const seriesOf = (label: string, key: string): CurveSeries => {
    const values = source.values(key);
    const series: CurveSeries = { label, values };
    const spreadKey = view?.spread?.(key);
    if (spreadKey !== undefined) {
      const spread = source.values(spreadKey);
      const [low, high] = [new Float64Array(values.length), new Float64Array(values.length)];
      for (let i = 0; i < values.length; i++) {
        const half = Number.isNaN(spread[i]) ? 0 : spread[i];
        [low[i], high[i]] = [values[i] - half, values[i] + half];
      }
      series.band = { low, high };
    }
    return series;
  };

  const familyRank = (metric: string): number => (metric === 'loss' ? 0 : metric === 'accuracy' ? 1 : 2);
  const panels = [...families.entries()]
    .map(([metric, members], order) => ({ metric, members, order }))
    .sort((a, b) => familyRank(a.metric) - familyRank(b.metric) || a.order - b.order)
    .map(({ metric, members }): CurvePanel => {
      const hasSplits = members.some((m) => m.split !== null);
      const name = panelTitle(metric);
      const only = members.length === 1 ? members[0] : undefined;
      if (only) {
        // A lone series keeps its key as label; its split, if any, goes into the title.
        const title = only.split ? `${name} (${only.split.label})` : name;
        return { title, yLabel: name, series: [seriesOf(only.name, only.key)] };
      }
      const labelled = members.map((m) => {
        // A bare key among split-tagged ones is the training series (Keras' `loss` vs `val_loss`).
        const split = m.split ?? (hasSplits ? { label: 'train', rank: 0 } : null);
        return { ...m, label: split?.label ?? m.name, rank: split?.rank ?? 0 };
      });
      // Two keys mapping to the same label (e.g. `loss` and `train_loss`) keep their own names.
      const counts = new Map<string, number>();
      for (const m of labelled) counts.set(m.label, (counts.get(m.label) ?? 0) + 1);
      const series = labelled
        .sort((a, b) => a.rank - b.rank || a.order - b.order)
        .map((m) => seriesOf((counts.get(m.label) ?? 0) > 1 ? m.name : m.label, m.key));
      return { title: name, yLabel: name, series };
    });

  const figure: CurveFigure = { epochs: source.epochs, panels };
  if (options.bestEpoch !== undefined && Number.isFinite(options.bestEpoch)) {
    figure.markEpoch = { epoch: options.bestEpoch, label: `best epoch (${options.bestEpoch})` };
  }
  return figure;
}

/** What curveFigureFromHistory reads of a history, in drawing order (by epoch, ties in row order). */
interface FigureSource {
  epochs: Numbers;
  /** Every key but `epoch`, in the order they first appear in drawing order. */
  keys: Iterable<string>;
  hasFinite: (key: string) => boolean;
  /** The key's values, NaN where a row has none. */
  values: (key: string) => Numbers;
}

/** Rows without a finite epoch are numbered 1, 2, … by position. */
const drawnEpoch = (epoch: number, index: number): number => (Number.isFinite(epoch) ? epoch : index + 1);

/**
 * The drawing order of rows with these epochs (by epoch, ties in row order) as the row drawn at
 * each place, and the epochs in that order. A log is written in epoch order as a rule: then the
 * order is the rows' own and no index is made.
 */
const drawingOrder = <T extends number[] | Float64Array>(epochs: T): { epochs: T; order?: Uint32Array } => {
  for (let i = 1; i < epochs.length; i++) {
    if (epochs[i] < epochs[i - 1]) {
      const order = Uint32Array.from(epochs, (_, index) => index).sort((a, b) => epochs[a] - epochs[b] || a - b);
      const drawn = Array.isArray(epochs) ? Array.from(order, (row) => epochs[row]) : Float64Array.from(order, (row) => epochs[row]);
      return { epochs: drawn as T, order };
    }
  }
  return { epochs };
};

/** Rows of any objects (only their number-valued properties are read); no object is made per row. */
const rowSource = (history: ReadonlyArray<object>): FigureSource => {
  const records = history as ReadonlyArray<Readonly<Record<string, unknown>>>;
  const { epochs, order } = drawingOrder(records.map((record, index) => drawnEpoch(numeric(record['epoch']), index)));
  const drawn = order ? Array.from(order, (row) => records[row]) : records;
  const keys = new Set<string>();
  for (const record of drawn) for (const key of Object.keys(record)) if (key !== 'epoch') keys.add(key);
  return {
    epochs,
    keys,
    hasFinite: (key) => drawn.some((record) => Number.isFinite(numeric(record[key]))),
    values: (key) => drawn.map((record) => numeric(record[key])),
  };
};

/** A HistoryTable, read from its columns into Float64Arrays: no object per row is made (300,000 of them for a per-step log). */
const tableSource = (table: HistoryTable): FigureSource => {
  const { epochs, order } = drawingOrder(Float64Array.from(table.epochColumn(), drawnEpoch));
  const keys = new Set<string>();
  const shapes = new Set<readonly string[]>(); // rows share a few key orders, each one array
  for (let i = 0; i < table.length; i++) {
    const shape = table.keysOf(order ? order[i] : i);
    if (shapes.has(shape)) continue;
    shapes.add(shape);
    for (const key of shape) if (key !== 'epoch') keys.add(key);
  }
  return {
    epochs,
    keys,
    hasFinite: (key) => table.column(key)?.some(Number.isFinite) ?? false,
    values: (key) => {
      const values = table.column(key);
      if (!values) return new Float64Array(epochs.length).fill(Number.NaN);
      // The column itself where no row moves (the table is not appended to while a figure is drawn).
      return order ? Float64Array.from(order, (row) => values[row]) : values;
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Layout and SVG

/** Width of one panel cell, in SVG user units (CSS px). */
const PANEL_W = 400;
/** Height of one panel cell: 275 + one 25-unit legend row = 300 for one row of panels. */
const PANEL_H = 275;
/** Height of one row of the legend above the panels. */
const LEGEND_ROW_H = 25;
const FIGURE_TITLE_H = 32;
/** PNG pixels per SVG unit (1600×600 px for the usual two-panel figure). */
export const PNG_SCALE = 2;
/** PDF points per SVG unit (CSS px → pt: the two-panel figure is 600×225 pt = 8.33×3.13 in). */
export const PDF_SCALE = 0.75;

const FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif";
const TEXT = '#262626';
const SPINE = '#3a3a3a';
const GRID = '#e3e3e3';
const MARK = '#6b6b6b';
/** matplotlib's tab10; colours go to series labels in order of first appearance (train blue, validation orange, …). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const FS_TICK = 12;
const FS_LABEL = 13;
const FS_TITLE = 14;
const FS_LEGEND = 12;
const FS_FIGURE_TITLE = 15;
const TICK_LEN = 4;
const LINE_W = 2;
const MARK_W = 1.5;
const MARK_DASH = '6 4';
/** A band is its series colour at this strength over white; the legend's band swatch is a neutral grey. */
const BAND_TINT = 0.25;
const BAND_SWATCH = '#d4d4d4';
const MARKER_R = 2.6;
/** Point markers are drawn on every value up to this many epochs (and always on isolated points). */
const MARKERS_UP_TO = 30;
/** Legend entry geometry: handle length, gap handle→label, gap between entries in a row. */
const HANDLE_W = 24;
const HANDLE_GAP = 7;
const ENTRY_GAP = 22;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface LegendEntry {
  label: string;
  color: string;
  dashed: boolean;
  marker: boolean;
  /** A filled swatch (a band), not a line. */
  swatch?: boolean;
}

interface Layout {
  width: number;
  height: number;
  cols: number;
  /** y of the first row of panel cells. */
  top: number;
  xDomain: Domain;
  xTicks: number[];
  colorOf: Map<string, string>;
  markers: boolean;
  showMark: boolean;
  /** The figure's one legend, centred rows above the panels (colours are per label, so shared). */
  legendRows: LegendEntry[][];
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** `#rrggbb` mixed with white: `strength` 1 is the colour, 0 white. */
function tint(color: string, strength: number): string {
  const channel = (i: number): string => {
    const value = Number.parseInt(color.slice(1 + 2 * i, 3 + 2 * i), 16);
    return Math.round(255 - (255 - value) * strength).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}

function gridOf(panelCount: number): { cols: number; rows: number } {
  const cols = panelCount <= 3 ? Math.max(1, panelCount) : panelCount === 4 ? 2 : 3;
  return { cols, rows: Math.max(1, Math.ceil(panelCount / cols)) };
}

function rowWidth(entries: readonly LegendEntry[]): number {
  return entries.reduce((w, e, i) => w + (i > 0 ? ENTRY_GAP : 0) + HANDLE_W + HANDLE_GAP + textWidth(e.label, FS_LEGEND), 0);
}

function layoutOf(figure: CurveFigure): Layout {
  const { cols, rows } = gridOf(figure.panels.length);
  const width = cols * PANEL_W;

  // One x axis for all panels: the epochs' range with a 3% margin; integer ticks for integer epochs.
  let [lo, hi, finiteCount, integers] = [Infinity, -Infinity, 0, true];
  for (let i = 0; i < figure.epochs.length; i++) {
    const epoch = figure.epochs[i];
    if (!Number.isFinite(epoch)) continue;
    [lo, hi, finiteCount, integers] = [Math.min(lo, epoch), Math.max(hi, epoch), finiteCount + 1, integers && Number.isInteger(epoch)];
  }
  // paddedDomain reads only the least and greatest (none: its default domain).
  const xDomain = finiteCount > 0 && lo === hi ? { min: lo - 1, max: hi + 1 } : paddedDomain(finiteCount > 0 ? [lo, hi] : [], 0.03);
  const xTicks = niceTicks(xDomain, 7, integers);

  const colorOf = new Map<string, string>();
  for (const panel of figure.panels) {
    for (const s of panel.series) if (!colorOf.has(s.label)) colorOf.set(s.label, PALETTE[colorOf.size % PALETTE.length] ?? '#000000');
  }
  const markers = figure.epochs.length <= MARKERS_UP_TO;
  const mark = figure.markEpoch;
  const showMark = mark !== undefined && Number.isFinite(mark.epoch) && mark.epoch >= xDomain.min && mark.epoch <= xDomain.max;

  // Legend: every label drawn in a panel with several series (a panel's lone series is named by
  // the panel title), then the best-epoch marker; wrapped into centred rows that fit the width.
  const entries: LegendEntry[] = [];
  const listed = new Set<string>();
  for (const panel of figure.panels) {
    if (panel.series.length < 2) continue;
    for (const s of panel.series) {
      if (listed.has(s.label)) continue;
      listed.add(s.label);
      entries.push({ label: fitText(s.label, FS_LEGEND, width - 48 - HANDLE_W - HANDLE_GAP), color: colorOf.get(s.label) ?? '#000000', dashed: false, marker: markers });
    }
  }
  if (showMark && mark) entries.push({ label: fitText(mark.label, FS_LEGEND, width - 48 - HANDLE_W - HANDLE_GAP), color: MARK, dashed: true, marker: false });
  if (figure.bandLabel) entries.push({ label: fitText(figure.bandLabel, FS_LEGEND, width - 48 - HANDLE_W - HANDLE_GAP), color: BAND_SWATCH, dashed: false, marker: false, swatch: true });
  const legendRows: LegendEntry[][] = [];
  for (const entry of entries) {
    const row = legendRows[legendRows.length - 1];
    if (row && rowWidth([...row, entry]) <= width - 24) row.push(entry);
    else legendRows.push([entry]);
  }
  const top = (figure.title ? FIGURE_TITLE_H : 0) + legendRows.length * LEGEND_ROW_H;
  const height = top + rows * PANEL_H;
  return { width, height, cols, top, xDomain, xTicks, colorOf, markers, showMark, legendRows };
}

/** Figure size in SVG user units; the PNG is `PNG_SCALE`× this in pixels, the PDF `PDF_SCALE`× in points. */
export function figureSize(figure: CurveFigure): { width: number; height: number } {
  const { width, height } = layoutOf(figure);
  return { width, height };
}

/** Coordinates rounded to 0.01 (shortest exact decimal text, so output is stable). */
const n = (v: number): string => {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? '0' : String(r);
};

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

type Anchor = 'start' | 'middle' | 'end';

function text(x: number, y: number, content: string, size: number, anchor: Anchor, extra = ''): string {
  const a = anchor === 'start' ? '' : ` text-anchor="${anchor}"`;
  return `<text x="${n(x)}" y="${n(y)}" font-size="${size}"${a}${extra}>${escapeXml(content)}</text>`;
}

/** `s` cut with an ellipsis so that it fits in `maxWidth` units. */
function fitText(s: string, size: number, maxWidth: number, bold = false): string {
  if (textWidth(s, size, bold) <= maxWidth) return s;
  const chars = [...s];
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, size, bold) > maxWidth) chars.pop();
  return `${chars.join('')}…`;
}

/** Which indices of a run [start, end) to draw: all of them, or fewer (m4). */
export type Thinning = (start: number, end: number) => number[];
const everyPoint: Thinning = (start, end) => Array.from({ length: end - start }, (_, k) => start + k);

/** Runs of consecutive finite points of a series, as the indices of their points, each thinned by `thin`. */
function runs(epochs: Numbers, values: Numbers, thin: Thinning): number[][] {
  const out: number[][] = [];
  let start = -1;
  for (let i = 0; i <= epochs.length; i++) {
    const point = i < epochs.length && finite(values[i]) && Number.isFinite(epochs[i]);
    if (point && start < 0) start = i;
    if (!point && start >= 0) {
      out.push(thin(start, i));
      start = -1;
    }
  }
  return out;
}

/** The [epoch, value] pairs of these indices. */
const pointsAt = (epochs: Numbers, values: Numbers, indices: readonly number[]): Array<[number, number]> =>
  indices.map((k): [number, number] => [epochs[k], values[k]]);

/**
 * Columns per SVG unit in which a long series is drawn through fewer points: 8 per unit is 16 per
 * pixel of the PNG and ~770 per inch of the PDF (0.75 pt a unit), finer than either shows.
 */
const COLUMNS_PER_UNIT = 8;

/**
 * The points of `values[start, end)` to draw, for a run of many more points than the plot has
 * columns (per-step logging: 300,000 of them): the first, lowest, highest and last of each column,
 * in their order. M4 (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation",
 * VLDB 2014): a line through those covers the same pixels at that resolution, spikes included,
 * and the figure takes a few thousand points instead of every one (300,000: 9 s and 800 MB). A
 * run of at most 4 points a column on average is drawn whole, so an ordinary history's figure
 * keeps its bytes.
 */
export function m4(epochs: Numbers, values: Numbers, columnOf: (epoch: number) => number, columns: number): Thinning {
  return (start: number, end: number): number[] => {
    if (end - start <= 4 * columns) return everyPoint(start, end);
    const kept: number[] = [];
    let first = start;
    let low = start;
    let high = start;
    let column = columnOf(epochs[start]);
    const flush = (last: number): void => {
      // Distinct, in the order they were logged: the line goes through them as the data did.
      for (const i of [first, Math.min(low, high), Math.max(low, high), last]) if (kept.at(-1) !== i) kept.push(i);
    };
    for (let i = start + 1; i < end; i++) {
      const at = columnOf(epochs[i]);
      if (at !== column) {
        flush(i - 1);
        first = low = high = i;
        column = at;
      } else {
        if (values[i] < values[low]) low = i;
        if (values[i] > values[high]) high = i;
      }
    }
    flush(end - 1);
    return kept;
  };
}

/**
 * `figure` with fewer points when its history is much longer than `columns`, for a reader that
 * draws it small (the report's page): per series, the M4 points (m4) of each run of finite
 * values and the first point after each run, so a gap stays a gap; the union over all series,
 * which keep one shared x array. A history of at most 4 points a column comes back as it is.
 */
export function thinCurveFigure(figure: CurveFigure, columns: number): CurveFigure {
  const { epochs } = figure;
  if (epochs.length <= 4 * columns) return figure;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < epochs.length; i++) {
    if (epochs[i] < first) first = epochs[i];
    if (epochs[i] > last) last = epochs[i];
  }
  const span = last - first || 1;
  const columnOf = (epoch: number): number => Math.max(0, Math.min(columns - 1, Math.floor(((epoch - first) / span) * columns)));
  const keep = new Uint8Array(epochs.length);
  for (const series of figure.panels.flatMap((panel) => panel.series)) {
    for (const run of runs(epochs, series.values, m4(epochs, series.values, columnOf, columns))) {
      for (const index of run) keep[index] = 1;
      const after = (run.at(-1) ?? epochs.length) + 1;
      if (after < epochs.length) keep[after] = 1;
    }
  }
  const indices = [...keep.keys()].filter((index) => keep[index] === 1);
  const pick = (values: Numbers): number[] => indices.map((index) => values[index]);
  return {
    ...figure,
    epochs: pick(epochs),
    panels: figure.panels.map((panel) => ({
      ...panel,
      series: panel.series.map(({ band, ...series }) => ({ ...series, values: pick(series.values), ...(band ? { band: { low: pick(band.low), high: pick(band.high) } } : {}) })),
    })),
  };
}

/** One legend entry: handle from x (left) centred on y, then its label. Returns the entry's width. */
function legendEntry(entry: LegendEntry, x: number, y: number, out: string[]): number {
  if (entry.swatch) {
    out.push(`<rect x="${n(x)}" y="${n(y - 5)}" width="${HANDLE_W}" height="10" fill="${entry.color}"/>`);
    out.push(text(x + HANDLE_W + HANDLE_GAP, y + (FS_LEGEND * CAP_HEIGHT) / 2, entry.label, FS_LEGEND, 'start'));
    return HANDLE_W + HANDLE_GAP + textWidth(entry.label, FS_LEGEND);
  }
  const dash = entry.dashed ? ` stroke-dasharray="${MARK_DASH}"` : '';
  out.push(`<path d="M${n(x)} ${n(y)}h${HANDLE_W}" fill="none" stroke="${entry.color}" stroke-width="${entry.dashed ? MARK_W : LINE_W}"${dash}/>`);
  if (entry.marker) out.push(`<circle cx="${n(x + HANDLE_W / 2)}" cy="${n(y)}" r="${MARKER_R}" fill="${entry.color}"/>`);
  out.push(text(x + HANDLE_W + HANDLE_GAP, y + (FS_LEGEND * CAP_HEIGHT) / 2, entry.label, FS_LEGEND, 'start'));
  return HANDLE_W + HANDLE_GAP + textWidth(entry.label, FS_LEGEND);
}

function renderPanel(figure: CurveFigure, layout: Layout, panel: CurvePanel, cell: Box, out: string[]): void {
  const { xDomain, xTicks } = layout;
  // y axis: data range of this panel with a 6% margin. Its values are walked, not gathered: for a
  // history of every step (300,000 entries) an array of them all was tens of MB at the run's peak.
  function* panelValues(): Generator<number> {
    for (const s of panel.series) {
      for (let i = 0; i < figure.epochs.length; i++) {
        yield s.values[i] ?? Number.NaN;
        if (!s.band) continue;
        yield s.band.low[i] ?? Number.NaN;
        yield s.band.high[i] ?? Number.NaN;
      }
    }
  }
  const yDomain = paddedDomain(panelValues(), 0.06);
  const yTicks = niceTicks(yDomain, 6);
  const yLabels = formatTicks(yTicks);
  const yLabelW = Math.max(0, ...yLabels.map((l) => textWidth(l, FS_TICK)));

  // Margins: y label (rotated) + tick labels + ticks on the left; tick labels + x label below.
  const yLabelX = cell.left + 8 + FS_LABEL * ASCENT;
  const plot: Box = {
    left: Math.round(yLabelX + FS_LABEL * DESCENT + 7 + yLabelW + 4 + TICK_LEN),
    top: cell.top + 32,
    right: cell.right - 16,
    bottom: cell.bottom - 46,
  };
  const sx = (e: number): number => plot.left + ((e - xDomain.min) / (xDomain.max - xDomain.min)) * (plot.right - plot.left);
  const sy = (v: number): number => plot.bottom - ((v - yDomain.min) / (yDomain.max - yDomain.min)) * (plot.bottom - plot.top);
  const xLabels = formatTicks(xTicks);
  const midX = (plot.left + plot.right) / 2;

  out.push('<g>');
  // Title, axis labels.
  out.push(text(midX, cell.top + 22, fitText(panel.title, FS_TITLE, cell.right - cell.left - 16, true), FS_TITLE, 'middle', ' font-weight="bold"'));
  out.push(text(midX, plot.bottom + TICK_LEN + 4 + FS_TICK * ASCENT + 6 + FS_LABEL * ASCENT + 2, 'Epoch', FS_LABEL, 'middle'));
  const yMid = (plot.top + plot.bottom) / 2;
  out.push(`<text transform="translate(${n(yLabelX)} ${n(yMid)}) rotate(-90)" font-size="${FS_LABEL}" text-anchor="middle">${escapeXml(fitText(panel.yLabel, FS_LABEL, plot.bottom - plot.top + 20))}</text>`);

  // Grid lines (under everything), ticks and tick labels. Whole-unit positions keep 1-unit lines crisp at 2x.
  const gridPath: string[] = [];
  const tickPath: string[] = [];
  xTicks.forEach((t, i) => {
    const x = Math.round(sx(t));
    gridPath.push(`M${x} ${plot.top}V${plot.bottom}`);
    tickPath.push(`M${x} ${plot.bottom}v${TICK_LEN}`);
    out.push(text(x, plot.bottom + TICK_LEN + 4 + FS_TICK * ASCENT, xLabels[i] ?? '', FS_TICK, 'middle'));
  });
  yTicks.forEach((t, i) => {
    const y = Math.round(sy(t));
    gridPath.push(`M${plot.left} ${y}H${plot.right}`);
    tickPath.push(`M${plot.left} ${y}h${-TICK_LEN}`);
    out.push(text(plot.left - TICK_LEN - 4, y + (FS_TICK * CAP_HEIGHT) / 2, yLabels[i] ?? '', FS_TICK, 'end'));
  });
  if (gridPath.length > 0) out.push(`<path d="${gridPath.join('')}" fill="none" stroke="${GRID}" stroke-width="1"/>`);

  // Best-epoch marker, under the data.
  const mark = figure.markEpoch;
  if (layout.showMark && mark) {
    const x = sx(mark.epoch);
    out.push(`<path d="M${n(x)} ${plot.top}V${plot.bottom}" fill="none" stroke="${MARK}" stroke-width="${MARK_W}" stroke-dasharray="${MARK_DASH}"/>`);
  }

  // Long series are drawn through fewer points (m4), in columns this fine.
  const columns = (plot.right - plot.left) * COLUMNS_PER_UNIT;
  const columnOf = (epoch: number): number => Math.floor((sx(epoch) - plot.left) * COLUMNS_PER_UNIT);

  // Bands under every line: the PDF writer draws opaque paint only, so a band is the series colour mixed with white.
  const { epochs } = figure;
  for (const series of panel.series) {
    if (!series.band) continue;
    const { low, high } = series.band;
    const color = tint(layout.colorOf.get(series.label) ?? '#000000', BAND_TINT);
    const upper = Float64Array.from({ length: epochs.length }, (_, i) => (finite(low[i]) ? high[i] ?? Number.NaN : Number.NaN));
    // Thinned, each column keeps the upper edge's highest point and the lower edge's lowest.
    const [thinUpper, thinLower] = [m4(epochs, upper, columnOf, columns), m4(epochs, low, columnOf, columns)];
    const thin: Thinning = (start, end) => [...new Set([...thinUpper(start, end), ...thinLower(start, end)])].sort((a, b) => a - b);
    for (const run of runs(epochs, upper, thin).filter((r) => r.length > 1)) {
      const edge = [...pointsAt(epochs, upper, run), ...pointsAt(epochs, low, [...run].reverse())];
      const d = edge.map(([e, v], i) => `${i === 0 ? 'M' : 'L'}${n(sx(e))} ${n(sy(v))}`).join('');
      out.push(`<path d="${d}Z" fill="${color}"/>`);
    }
  }

  // Series: lines broken at gaps; markers on every point of short histories and on isolated points.
  for (const series of panel.series) {
    const color = layout.colorOf.get(series.label) ?? '#000000';
    const segments = runs(epochs, series.values, m4(epochs, series.values, columnOf, columns)).map((run) => pointsAt(epochs, series.values, run));
    const d = segments
      .filter((run) => run.length > 1)
      .map((run) => run.map(([e, v], i) => `${i === 0 ? 'M' : 'L'}${n(sx(e))} ${n(sy(v))}`).join(''))
      .join('');
    if (d !== '') out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${LINE_W}" stroke-linejoin="round" stroke-linecap="round"/>`);
    const dots = segments.filter((run) => layout.markers || run.length === 1).flat();
    for (const [e, v] of dots) out.push(`<circle cx="${n(sx(e))}" cy="${n(sy(v))}" r="${MARKER_R}" fill="${color}"/>`);
  }

  // Frame and ticks on top of the data.
  out.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="${SPINE}" stroke-width="1"/>`);
  if (tickPath.length > 0) out.push(`<path d="${tickPath.join('')}" fill="none" stroke="${SPINE}" stroke-width="1"/>`);
  out.push('</g>');
}

/** The figure as a standalone SVG document (deterministic text). */
export function renderSvg(figure: CurveFigure): string {
  const layout = layoutOf(figure);
  const { width, height } = layout;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" fill="${TEXT}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (figure.title) out.push(text(width / 2, 23, fitText(figure.title, FS_FIGURE_TITLE, width - 16, true), FS_FIGURE_TITLE, 'middle', ' font-weight="bold"'));
  layout.legendRows.forEach((row, r) => {
    const y = (figure.title ? FIGURE_TITLE_H : 0) + r * LEGEND_ROW_H + 15;
    let x = (width - rowWidth(row)) / 2;
    for (const entry of row) x += legendEntry(entry, x, y, out) + ENTRY_GAP;
  });
  if (figure.panels.length === 0) {
    out.push(text(width / 2, layout.top + PANEL_H / 2, 'No metrics recorded', FS_LABEL, 'middle'));
  }
  figure.panels.forEach((panel, i) => {
    const left = (i % layout.cols) * PANEL_W;
    const top = layout.top + Math.floor(i / layout.cols) * PANEL_H;
    renderPanel(figure, layout, panel, { left, top, right: left + PANEL_W, bottom: top + PANEL_H }, out);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// PNG and PDF

const requireFromHere = createRequire(import.meta.url);

/** Paths of the two font files (regular, bold) every raster/vector output is drawn with. */
export function figureFontFiles(): string[] {
  return [requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')];
}

/** resvg's parse of the figure: rasterize it for the PNG, or serialize its normalized tree for the PDF. */
async function parsed(figure: CurveFigure): Promise<import('@resvg/resvg-js').Resvg> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(renderSvg(figure), {
    // The zoom only affects rasterization; the normalized tree (toString) is in SVG units.
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    font: { loadSystemFonts: false, fontFiles: figureFontFiles(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  });
}

function pngBytes(tree: import('@resvg/resvg-js').Resvg): Uint8Array {
  const png = tree.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

async function pdfBytes(figure: CurveFigure, tree: import('@resvg/resvg-js').Resvg): Promise<Uint8Array> {
  // fflate, not node:zlib: a pure-JS deflate gives the same bytes on every Node version and CPU.
  const { zlibSync } = await import('fflate');
  return usvgToPdf(tree.toString(), {
    scale: PDF_SCALE,
    title: figure.title ?? figure.panels.map((p) => p.title).join(', '),
    deflate: (data) => zlibSync(data, { level: 6 }),
  });
}

/** The figure rasterized at `PNG_SCALE`× (1600×600 px for two panels), white background. */
export async function renderPng(figure: CurveFigure): Promise<Uint8Array> {
  return pngBytes(await parsed(figure));
}

/** The figure as a one-page vector PDF (`PDF_SCALE` pt per unit: 600×225 pt for two panels), text as outlines. */
export async function renderPdf(figure: CurveFigure): Promise<Uint8Array> {
  return pdfBytes(figure, await parsed(figure));
}

/** Both, from one parse of the figure (parsing it and loading the fonts once, not twice): the bytes of renderPdf and renderPng. */
export async function renderPdfAndPng(figure: CurveFigure): Promise<{ pdf: Uint8Array; png: Uint8Array }> {
  const tree = await parsed(figure);
  const png = pngBytes(tree);
  return { pdf: await pdfBytes(figure, tree), png };
}

/**
 * Writes `<dir>/<baseName>.png` and `<dir>/<baseName>.pdf` (creating `dir`), e.g.
 * `writeCurveFigure(join(runDir, 'figures'), figure)` → figures/training_curves.{png,pdf}.
 * Returns the two paths, PDF first.
 */
export async function writeCurveFigure(dir: string, figure: CurveFigure, baseName = 'training_curves'): Promise<{ pdf: string; png: string }> {
  const tree = await parsed(figure);
  const png = pngBytes(tree);
  const pdf = await pdfBytes(figure, tree);
  await mkdir(dir, { recursive: true });
  const paths = { pdf: join(dir, `${baseName}.pdf`), png: join(dir, `${baseName}.png`) };
  await writeFile(paths.png, png);
  await writeFile(paths.pdf, pdf);
  return paths;
}
