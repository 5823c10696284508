import { formatNumber } from '../compare/text-table.js';
import { curveFigureFromHistory, renderSvg } from '../figures/training-curves.js';
import { PACKAGE_VERSION } from '../version.js';
import type { ReportEntry, ReportRun } from './report-data.js';

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

const COLUMNS: ReadonlyArray<{ label: string; type: 'text' | 'number' }> = [
  { label: 'tag', type: 'text' },
  { label: 'date', type: 'text' },
  { label: 'commit', type: 'text' },
  { label: 'dirty', type: 'text' },
  { label: 'primary metric', type: 'text' },
  { label: 'value', type: 'number' },
  { label: 'verify', type: 'text' },
];

const runRow = (run: ReportRun): string =>
  [
    `<tr data-tag="${escapeHtml(run.tag)}">`,
    cell(`<a href="#run-${escapeHtml(run.tag)}">${escapeHtml(run.tag)}</a>${run.demo ? ' <span class="badge demo">demo</span>' : ''}`, run.tag),
    cell(dateText(run.created_at), run.created_at),
    cell(run.commit ? `<code title="${escapeHtml(run.commit)}${run.branch ? ` (${escapeHtml(run.branch)})` : ''}">${escapeHtml(run.commit.slice(0, 10))}</code>` : '—', run.commit),
    cell(run.dirty === null ? '—' : run.dirty ? '<span class="dirty">dirty</span>' : 'clean', run.dirty === null ? null : String(run.dirty)),
    cell(run.primary_metric ? `${escapeHtml(run.primary_metric)} ${direction(run, run.primary_metric)}` : '—', run.primary_metric),
    cell(formatNumber(run.primary_value), run.primary_value, ' class="num"'),
    cell(verifyBadge(run), run.verify.ok ? 'ok' : 'FAILED'),
    '</tr>',
  ].join('');

const runsTable = (entries: readonly ReportEntry[]): string => `
<table id="runs-table" class="runs">
<thead><tr>${COLUMNS.map((c) => `<th data-type="${c.type}"${c.type === 'number' ? ' class="num"' : ''}><button type="button">${c.label}</button></th>`).join('')}</tr></thead>
<tbody>
${entries.map((entry) => runRow(entry.run)).join('\n')}
</tbody>
</table>`;

const numberTable = (run: ReportRun, title: string, values: Record<string, number>): string => {
  const keys = Object.keys(values);
  if (keys.length === 0) return '';
  const rows = keys.map((key) => {
    const def = run.definitions[key];
    const primary = key === run.primary_metric ? ' class="primary"' : '';
    return `<tr${primary}><td><code>${escapeHtml(key)}</code></td><td class="num" title="${values[key]}">${formatNumber(values[key])}</td><td>${escapeHtml(def?.unit ?? '')}</td><td>${direction(run, key)}</td><td class="definition">${escapeHtml(def?.definition ?? '')}</td></tr>`;
  });
  return `<table class="numbers"><caption>${title}</caption><thead><tr><th>key</th><th class="num">value</th><th>unit</th><th>better</th><th>definition</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
};

/** The training curves, drawn here from the history by the same renderer as the run's own figures. */
const curves = (entry: ReportEntry): string => {
  if (entry.history.length === 0) return '<p class="empty">No history recorded: no curves.</p>';
  const bestEpoch = entry.run.best_epoch ?? undefined;
  const svg = renderSvg(curveFigureFromHistory(entry.history, bestEpoch === undefined ? {} : { bestEpoch }));
  return `<figure class="curves">${svg}<figcaption>Training history (${entry.history.length} epochs)${bestEpoch ? `, best epoch ${bestEpoch}` : ''}</figcaption></figure>`;
};

const keyValues = (title: string, values: Record<string, unknown>): string => {
  const keys = Object.keys(values);
  if (keys.length === 0) return '';
  const rows = keys.map((key) => `<tr><td><code>${escapeHtml(key)}</code></td><td>${escapeHtml(typeof values[key] === 'string' ? (values[key] as string) : JSON.stringify(values[key]))}</td></tr>`);
  return `<details><summary>${title}</summary><table class="kv"><tbody>${rows.join('')}</tbody></table></details>`;
};

const runDetails = (entry: ReportEntry): string => {
  const { run } = entry;
  const problems = run.verify.ok ? '' : `<ul class="problems">${run.verify.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`;
  if (!run.readable) {
    return `<article class="run" id="run-${escapeHtml(run.tag)}"><h3>${escapeHtml(run.tag)} ${verifyBadge(run)}</h3><p>This run's files cannot be read (<code>${escapeHtml(run.run_dir)}</code>).</p>${problems}</article>`;
  }
  const meta: Array<[string, string]> = [
    ['folder', `<code>${escapeHtml(run.run_dir)}</code>`],
    ['created', dateText(run.created_at)],
    ['commit', run.commit ? `<code>${escapeHtml(run.commit)}</code>${run.branch ? ` on ${escapeHtml(run.branch)}` : ''}${run.dirty ? ' <span class="dirty">dirty</span>' : ''}` : 'no git information'],
    ['primary metric', run.primary_metric ? `<code>${escapeHtml(run.primary_metric)}</code> = ${formatNumber(run.primary_value)} ${direction(run, run.primary_metric)}` : '—'],
    ['data', Object.entries(run.data).map(([name, digest]) => `${escapeHtml(name)} <code title="${escapeHtml(digest)}">${escapeHtml(digest.slice(0, 12))}…</code>`).join(', ') || 'none recorded'],
    ['environment', escapeHtml(Object.entries(run.environment).map(([key, value]) => `${key} ${value}`).join(' · '))],
  ];
  return `<article class="run" id="run-${escapeHtml(run.tag)}">
<h3>${escapeHtml(run.tag)} ${verifyBadge(run)}${run.demo ? ' <span class="badge demo">demo</span>' : ''}</h3>
${run.note ? `<p class="note">${escapeHtml(run.note)}</p>` : ''}${problems}
<dl class="meta">${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
${curves(entry)}
<div class="tables">${numberTable(run, 'metrics (summary.json)', run.metrics)}${numberTable(run, 'results (analysis.json)', run.results)}</div>
${keyValues('hyperparameters', run.hyperparameters)}
</article>`;
};

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

/** The whole report: one static, self-contained HTML page (inline CSS, JS, SVG and data; no URL is ever fetched). */
export const renderReport = ({ projectName, generatedAt, entries, assets }: ReportPage): string => {
  const failed = entries.filter((entry) => !entry.run.verify.ok).length;
  const data = { project: projectName, generated_at: generatedAt.toISOString(), runs: entries.map((entry) => entry.run) };
  return `<!doctype html>
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
${entries.length === 0 ? '<p class="empty">No runs yet: <code>dl-lab demo --seed 0</code> writes one.</p>' : `<p class="hint">Click a column header to sort; click a tag for its details.</p>${runsTable(entries)}`}
</section>
${compareSection(entries)}
<section id="details"><h2>Run details</h2>
${entries.map(runDetails).join('\n')}
</section>
</main>
<script type="application/json" id="dl-lab-data">${scriptJson(data)}</script>
<script>
${assets.js}
</script>
</body>
</html>
`;
};
