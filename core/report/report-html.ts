import { formatNumber, formatSpread } from '../compare/text-table.js';
import { PACKAGE_VERSION } from '../version.js';
import type { ReportEntry, ReportRun } from './report-data.js';
import type { ExperimentSummary } from './report-groups.js';

/** Marks a file as written by `dl-lab report`, so regenerating may replace it (and nothing else). */
export const REPORT_MARKER = '<meta name="generator" content="generator-dl-lab report">';

/** The page's own stylesheet and script (src/generators/report/templates/report.{css,js}), inlined. */
export interface ReportAssets { css: string; js: string }

export interface ReportPage { projectName: string; generatedAt: Date; entries: readonly ReportEntry[]; assets: ReportAssets }

/** Everything is inline and nothing may be fetched: the policy makes a stray URL fail instead of phoning home. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON inside <script>: `<` escaped so no `</script>` or `<!--` in the data can end or alter the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const cell = (text: string, sort: string | number | null = text, attrs = ''): string =>
  `<td data-sort="${escapeHtml(sort === null ? '' : String(sort))}"${attrs}>${text}</td>`;

const dateText = (iso: string | null): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—');

const direction = (run: ReportRun, key: string): string => {
  const def = run.definitions[key];
  // null: no better direction (an epoch index, a duration).
  return !def ? '' : def.higher_is_better === null ? '—' : def.higher_is_better ? '↑' : '↓';
};

const verifyBadge = (run: ReportRun): string =>
  run.verify.ok ? '<span class="badge ok">verify ok</span>' : `<span class="badge fail">verify FAILED (${run.verify.problems.length})</span>`;

interface Column { label: string; type: 'text' | 'number' }

const FIXED_COLUMNS: readonly Column[] = [
  { label: 'tag', type: 'text' },
  { label: 'date', type: 'text' },
  { label: 'commit', type: 'text' },
  { label: 'dirty', type: 'text' },
  { label: 'primary metric', type: 'text' },
  { label: 'value', type: 'number' },
];
const TRAILING_COLUMNS: readonly Column[] = [{ label: 'status', type: 'text' }, { label: 'verify', type: 'text' }];

/** At most this many hyperparameter columns: the table must stay readable; the rest are in each run's details. */
const MAX_HP_COLUMNS = 6;

/** The hyperparameters with more than one value among the readable runs that have them (seed included: it tells trials apart). */
export const varyingHyperparameters = (runs: readonly ReportRun[]): string[] => {
  const seen = new Map<string, Set<string>>();
  for (const run of runs.filter((run) => run.readable)) {
    for (const [key, value] of Object.entries(run.hyperparameters)) {
      const values = seen.get(key) ?? new Set<string>();
      values.add(JSON.stringify(value));
      seen.set(key, values);
    }
  }
  return [...seen].filter(([, values]) => values.size > 1).map(([key]) => key).slice(0, MAX_HP_COLUMNS);
};

const statusBadge = (run: ReportRun): string =>
  run.status === 'completed' ? 'completed' : `<span class="badge fail"${run.status_reason ? ` title="${escapeHtml(run.status_reason)}"` : ''}>${escapeHtml(run.status)}</span>`;

/**
 * Rows keep to Latin-1 (entities for — ↑ ↓), so thousands of them join into a one-byte string: V8
 * stores a string with any other character at two bytes per character (bench/scale: peak RSS).
 */
const latin1Html = (html: string): string => html.replace(/[—↑↓]/g, (c) => ({ '—': '&mdash;', '↑': '&uarr;', '↓': '&darr;' })[c] ?? c);

const runRow = (run: ReportRun, hpKeys: readonly string[]): string =>
  latin1Html([
    `<tr class="run" data-tag="${escapeHtml(run.tag)}" data-group="${escapeHtml(run.group)}">`,
    cell(`<a href="#run-${escapeHtml(run.tag)}">${escapeHtml(run.tag)}</a>${run.demo ? ' <span class="badge demo">demo</span>' : ''}${run.record ? ' <span class="badge experiment">experiment</span>' : ''}`, run.tag),
    cell(dateText(run.created_at), run.created_at),
    cell(run.commit ? `<code title="${escapeHtml(run.commit)}${run.branch ? ` (${escapeHtml(run.branch)})` : ''}">${escapeHtml(run.commit.slice(0, 10))}</code>` : '—', run.commit),
    cell(run.dirty === null ? '—' : run.dirty ? '<span class="dirty">dirty</span>' : 'clean', run.dirty === null ? null : String(run.dirty)),
    cell(run.primary_metric ? `${escapeHtml(run.primary_metric)} ${direction(run, run.primary_metric)}` : '—', run.primary_metric),
    cell(formatNumber(run.primary_value), run.primary_value, ' class="num"'),
    ...hpKeys.map((key) => {
      const value = run.hyperparameters[key];
      return value === undefined ? cell('—', null) : typeof value === 'number' ? cell(formatNumber(value), value, ' class="num"') : cell(escapeHtml(typeof value === 'string' ? value : JSON.stringify(value)), typeof value === 'string' ? value : JSON.stringify(value));
    }),
    cell(statusBadge(run), run.status),
    cell(verifyBadge(run), run.verify.ok ? 'ok' : 'FAILED'),
    '</tr>',
  ].join(''));

/** mean ± half the 95 % CI, as a reviewer reads an error bar (the interval itself in the tooltip). */
const variantChip = (experiment: ExperimentSummary, variant: ExperimentSummary['variants'][number]): string => {
  const spread = variant.ci95 && variant.mean !== null ? ` ± ${formatSpread((variant.ci95[1] - variant.ci95[0]) / 2, variant.mean)}` : '';
  const title = variant.ci95 ? `${experiment.primary_metric}: mean ${variant.mean}, 95 % CI [${variant.ci95[0]}, ${variant.ci95[1]}], n = ${variant.n}` : 'no statistics recorded';
  return `<button type="button" class="variant" data-filter="experiment=${escapeHtml(experiment.name)} variant=${escapeHtml(variant.name)}" title="${escapeHtml(title)}">${escapeHtml(variant.name)}: ${formatNumber(variant.mean)}${spread}${variant.n === null ? '' : ` <small>(n = ${variant.n})</small>`}</button>`;
};

interface Group { name: string; runs: ReportRun[]; experiment: ExperimentSummary | undefined }

/** Groups in the order of their newest run (entries come newest first), each run in its group's order. */
export const groupRuns = (entries: readonly ReportEntry[]): Group[] => {
  const groups = new Map<string, Group>();
  for (const { run } of entries) {
    const group = groups.get(run.group) ?? { name: run.group, runs: [], experiment: undefined };
    group.runs.push(run);
    if (run.record && (!group.experiment || run.record.version > group.experiment.version)) group.experiment = run.record;
    groups.set(run.group, group);
  }
  return [...groups.values()];
};

const groupHeader = (group: Group, columns: number): string => {
  const experiment = group.experiment;
  const what = experiment
    ? `experiment <strong>${escapeHtml(group.name)}</strong> <span class="count">${group.runs.length} runs</span> · ${escapeHtml(experiment.primary_metric ?? 'primary metric')}, mean ± 95 % CI: ${experiment.variants.map((variant) => variantChip(experiment, variant)).join(' ')}`
    : `<strong>${escapeHtml(group.name)}</strong> <span class="count">${group.runs.length} runs</span>`;
  return `<tr class="group" data-group="${escapeHtml(group.name)}"><td colspan="${columns}"><button type="button" class="toggle" aria-expanded="true" title="show or hide this group's runs">&#9662;</button> ${what}</td></tr>`;
};

/** Rows are joined this many at a time: parts of a few hundred KB, never one string of the whole table. */
const ROWS_PER_PART = 500;

function* runsTable(entries: readonly ReportEntry[]): Generator<string> {
  const hpKeys = varyingHyperparameters(entries.map((entry) => entry.run));
  const columns: Column[] = [...FIXED_COLUMNS, ...hpKeys.map((key): Column => ({ label: `hp.${key}`, type: 'text' })), ...TRAILING_COLUMNS];
  yield `
<p class="controls"><label>filter <input id="filter" type="search" size="48" placeholder="text, or e.g. test_accuracy>=0.9 hp.training.lr=0.1 tag~^M2"></label>
<label>group <select id="group-by"><option value="group" selected>by experiment / tag prefix</option><option value="none">none</option></select></label>
<span id="filter-count" class="hint">${entries.length} runs</span> <span id="filter-error" class="fail"></span></p>
<table id="runs-table" class="runs">
<thead><tr>${columns.map((c) => `<th data-type="${c.type}"${c.type === 'number' ? ' class="num"' : ''}><button type="button">${escapeHtml(c.label)}</button></th>`).join('')}</tr></thead>
<tbody>
`;
  let rows: string[] = [];
  for (const group of groupRuns(entries)) {
    if (group.runs.length > 1 || group.experiment) rows.push(groupHeader(group, columns.length));
    for (const run of group.runs) {
      rows.push(runRow(run, hpKeys));
      if (rows.length >= ROWS_PER_PART) {
        yield `${rows.join('\n')}\n`;
        rows = [];
      }
    }
  }
  yield `${rows.join('\n')}
</tbody>
</table>`;
}

const compareSection = (entries: readonly ReportEntry[]): string => {
  const readable = entries.filter((entry) => entry.run.readable);
  if (readable.length < 2) return '<section id="compare"><h2>Compare two runs</h2><p class="empty">Needs at least two readable runs.</p></section>';
  const options = (selected: number) =>
    readable.map((entry, index) => `<option value="${escapeHtml(entry.run.tag)}"${index === selected ? ' selected' : ''}>${escapeHtml(entry.run.tag)}</option>`).join('');
  return `<section id="compare"><h2>Compare two runs</h2>
<p class="controls"><label>A (reference) <select id="compare-a">${options(1)}</select></label> <label>B <select id="compare-b">${options(0)}</select></label></p>
<div id="compare-view"><p class="empty">The comparison needs JavaScript; or run <code>dl-lab compare &lt;A&gt; &lt;B&gt;</code>.</p></div>
</section>`;
};

/** Runs serialized per part of the page's data. */
const RUNS_PER_PART = 500;

/**
 * The page's data: every run's details as compact JSON, drawn by the page's script when a run is
 * opened (thousands of runs stay a light page), written a few hundred runs at a time so the JSON of
 * 10,000 runs never exists as one string. Metric definitions repeat from run to run, so each
 * distinct one is stored once, after the runs, and runs refer to it by index.
 */
function* pageData(project: string, generatedAt: Date, entries: readonly ReportEntry[]): Generator<string> {
  const definitions: unknown[] = [];
  const index = new Map<string, number>();
  const intern = (definition: unknown): number => {
    const key = JSON.stringify(definition);
    if (!index.has(key)) index.set(key, definitions.push(definition) - 1);
    return index.get(key)!;
  };
  yield `{"project":${scriptJson(project)},"generated_at":${scriptJson(generatedAt.toISOString())},"runs":[`;
  for (let start = 0; start < entries.length; start += RUNS_PER_PART) {
    const runs = entries.slice(start, start + RUNS_PER_PART).map(({ run }) => ({ ...run, definitions: Object.fromEntries(Object.entries(run.definitions).map(([key, def]) => [key, intern(def)])) }));
    yield `${start === 0 ? '' : ','}${scriptJson(runs).slice(1, -1)}`;
  }
  yield `],"definitions":${scriptJson(definitions)}}`;
}

/** The whole report: one static, self-contained HTML page (inline CSS, JS, SVG and data; no URL is ever fetched). */
export const renderReport = (page: ReportPage): string => [...renderReportParts(page)].join('');

/**
 * The page in parts (head, runs table, data, script), made one at a time as the file is written and
 * each encoded on its own: the table and the data of 10,000 runs are one-byte strings, which one
 * template around the two-byte CSS and script would turn into a single two-byte string, and all of
 * it at once was most of the report's peak RSS (bench/scale).
 */
export function* renderReportParts({ projectName, generatedAt, entries, assets }: ReportPage): Generator<string> {
  const failed = entries.filter((entry) => !entry.run.verify.ok).length;
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${REPORT_MARKER}
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(projectName)}: dl-lab runs</title>
<style>
${assets.css}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(projectName)}: runs</h1>
<p class="summary">${entries.length} run${entries.length === 1 ? '' : 's'}${failed ? `, <span class="fail">${failed} failing verification</span>` : ', all verified'} · generated ${dateText(generatedAt.toISOString())} by dl-lab report ${PACKAGE_VERSION} · a static file: regenerate with <code>dl-lab report</code></p>
</header>
<main>
<section id="runs"><h2>All runs</h2>
${entries.length === 0 ? '<p class="empty">No runs yet: <code>dl-lab demo --seed 0</code> writes one.</p>' : `<p class="hint">Click a column header to sort; click a tag for its details; click a group's ▾ to fold it, a variant to list its runs.</p>`}`;
  if (entries.length > 0) yield* runsTable(entries);
  yield `
</section>
<section id="details"><h2>Run details</h2>
<div id="run-details"><p class="empty">Click a run's tag to see its metrics, results, curves and hyperparameters.</p></div>
</section>
${compareSection(entries)}
</main>
<script type="application/json" id="dl-lab-data">`;
  yield* pageData(projectName, generatedAt, entries);
  yield `</script>
<script>
${assets.js}
</script>
</body>
</html>
`;
}
