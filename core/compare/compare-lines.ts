import type { Difference } from './differences.js';
import type { Comparison, MetricRow, RunSide } from './compare-runs.js';
import { formatNumber, formatValue, textTable } from './text-table.js';
import { describeTolerance } from './tolerance.js';
import { dlLabCommand } from '../invocation.js';

/** Shown on stdout and stderr, so it is seen even when stdout is piped away. */
export const notComparableBanner = (comparison: Comparison): string[] =>
  comparison.comparable
    ? []
    : [
        '⚠ NOT COMPARABLE: A and B differ in what their numbers measure; the deltas below do not mean what they seem.',
        ...comparison.not_comparable_reasons.map((reason) => `  - ${reason}`),
      ];

export const verificationWarnings = (comparison: Comparison): string[] =>
  (['a', 'b'] as const).flatMap((side) => {
    const run = comparison[side];
    return run.verified
      ? []
      : [`⚠ ${side.toUpperCase()} (${run.tag}) FAILS VERIFICATION: its files are not as sealed; see \`${dlLabCommand('verify', run.tag)}\``, ...run.problems.slice(0, 5).map((problem) => `  - ${problem}`), ...(run.problems.length > 5 ? [`  - … ${run.problems.length - 5} more`] : [])];
  });

const sideLine = (label: string, run: RunSide): string =>
  `${label}: ${run.tag}  (${run.run_dir}; verify ${run.verified ? 'ok' : `FAILED, ${run.problems.length} problem(s)`}; primary metric ${run.primary_metric ?? '(none)'}` +
  `${run.status === 'completed' ? '' : `; status ${run.status}${run.status_reason ? `: ${run.status_reason}` : ''}`})`;

/** A run that did not complete: its numbers stop where its training stopped. */
export const statusWarnings = (comparison: Comparison): string[] =>
  (['a', 'b'] as const).flatMap((side) => {
    const run = comparison[side];
    return run.status === 'completed' ? [] : [`⚠ ${side.toUpperCase()} (${run.tag}) DID NOT COMPLETE: ${run.status}${run.status_reason ? ` (${run.status_reason})` : ''}; its numbers are those of a partial training`];
  });

const metricTable = (title: string, rows: readonly MetricRow[]): string[] =>
  rows.length === 0
    ? []
    : [
        `${title} (delta = B − A; * primary metric)`,
        ...textTable([
          ['key', 'A', 'B', 'delta', 'B vs A'],
          ...rows.map((row) => [
            `${row.key}${row.primary ? ' *' : ''}`,
            formatNumber(row.a),
            formatNumber(row.b),
            formatNumber(row.delta, true),
            row.verdict === 'not comparable' ? '⚠ not comparable' : row.verdict,
          ]),
        ]),
      ];

/** Long lists (python packages) are cut in the text; --json has them all. */
const MAX_DIFFERENCES_PER_SECTION = 15;

const differenceLines = (differences: readonly Difference[]): string[] => {
  if (differences.length === 0) return ['differences: none (same hyperparameters, config, code, data and environment)'];
  const lines = ['differences (A → B)'];
  for (const section of ['hyperparameters', 'config', 'code', 'data', 'environment'] as const) {
    const inSection = differences.filter((difference) => difference.section === section);
    const shown = inSection.slice(0, MAX_DIFFERENCES_PER_SECTION);
    lines.push(...shown.map((d) => `  ${section}: ${d.key}: ${formatValue(d.a)} → ${formatValue(d.b)}`));
    if (inSection.length > shown.length) lines.push(`  ${section}: … ${inSection.length - shown.length} more (--json lists all)`);
  }
  return lines;
};

const gateLines = (comparison: Comparison, enforced: boolean): string[] => {
  const { gate } = comparison;
  const tolerance = describeTolerance(gate.tolerance);
  if (!enforced) return gate.status === 'undecidable' ? [] : [`primary metric ${gate.metric}: ${gate.reason}`];
  const verdict = gate.status === 'pass' ? 'PASS' : gate.status === 'regression' ? 'REGRESSION' : 'CANNOT DECIDE';
  return [`regression gate (${gate.metric ?? 'no primary metric'}, tolerance ${tolerance}): ${verdict}: ${gate.reason}`];
};

/** The human-readable comparison: who is compared, warnings, the metric tables, what else differs, the gate. */
export const comparisonLines = (comparison: Comparison, failOnRegression: boolean): string[] => [
  sideLine('A', comparison.a),
  sideLine('B', comparison.b),
  ...verificationWarnings(comparison),
  ...statusWarnings(comparison),
  ...notComparableBanner(comparison),
  '',
  ...metricTable('metrics', comparison.metrics),
  ...(comparison.results.length ? ['', ...metricTable('results', comparison.results)] : []),
  '',
  ...differenceLines(comparison.differences),
  '',
  ...gateLines(comparison, failOnRegression),
];
