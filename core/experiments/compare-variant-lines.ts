import { COMPARE_EXIT } from '../compare/compare-runs.js';
import { formatNumber, textTable } from '../compare/text-table.js';
import type { KeyComparison, VariantComparison, VariantSide } from './compare-variants.js';
import { dlLabCommand } from '../invocation.js';

const sideLine = (label: string, side: VariantSide): string =>
  `${label}: ${side.record}:${side.variant}  (${side.run_dir}; verify ${side.verified ? 'ok' : `FAILED, ${side.problems.length} problem(s)`}; ${side.completed} of ${side.members} members completed; primary metric ${side.primary_metric})`;

const interval = (ci: readonly [number, number] | null): string => (ci ? `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : '—');
const meanStd = (side: KeyComparison['a']): string => (side ? `${formatNumber(side.mean)} ± ${formatNumber(side.std)} (n=${side.n})` : '—');

export const variantWarnings = (comparison: VariantComparison): string[] =>
  (['a', 'b'] as const).flatMap((label) => {
    const side = comparison[label];
    return side.verified ? [] : [`⚠ ${label.toUpperCase()} (${side.record}) FAILS VERIFICATION; see \`${dlLabCommand('verify', side.record)}\``, ...side.problems.slice(0, 5).map((p) => `  - ${p}`)];
  });

/** The comparison of two variants as text: sides, one row per result (mean ± std, difference, its intervals, p-value, verdict), the gate. */
export const variantComparisonLines = (comparison: VariantComparison, enforced: boolean): string[] => {
  const { gate } = comparison;
  const verdict = gate.status === 'pass' ? 'PASS' : gate.status === 'regression' ? 'REGRESSION' : 'CANNOT DECIDE';
  return [
    sideLine('A', comparison.a),
    sideLine('B', comparison.b),
    ...variantWarnings(comparison),
    '',
    `results (mean ± std over completed seeds; difference = mean(B) − mean(A); * primary metric; alpha ${comparison.alpha})`,
    ...textTable([
      ['key', 'A', 'B', 'difference', '95% CI (Welch)', 'p (Welch)', 'bootstrap 95% CI', 'B vs A'],
      ...comparison.results.map((row) => [
        `${row.key}${row.primary ? ' *' : ''}`,
        meanStd(row.a),
        meanStd(row.b),
        formatNumber(row.difference, true),
        interval(row.ci95),
        row.p_value === null ? '—' : row.p_value.toPrecision(3),
        interval(row.bootstrap_ci95),
        row.verdict,
      ]),
    ]),
    '',
    `test: ${comparison.test}`,
    enforced ? `regression gate (${gate.metric}, alpha ${gate.alpha}): ${verdict}: ${gate.reason}` : `primary metric ${gate.metric}: ${gate.reason}`,
  ];
};

export const variantExitCode = (comparison: VariantComparison, failOnRegression: boolean): number =>
  !failOnRegression ? COMPARE_EXIT.ok
  : comparison.gate.status === 'regression' ? COMPARE_EXIT.regression
  : comparison.gate.status === 'undecidable' ? COMPARE_EXIT.undecidable
  : COMPARE_EXIT.ok;
