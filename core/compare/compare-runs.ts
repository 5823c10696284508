import type { MetricDefinition, MetricDefinitions } from '../contract/generated/summary.js';
import { formatViolation } from '../contract/validate.js';
import { describeStatus, statusOf, type RunStatus } from '../run/run-status.js';
import { dataDigests, manifestDifferences, type Difference } from './differences.js';
import { requireDocs, type LoadedRun, type RunDocs } from './run-record.js';
import { formatNumber } from './text-table.js';
import { allowedDifference, type Tolerance } from './tolerance.js';

export type Verdict = 'better' | 'worse' | 'equal' | 'no direction' | 'only in A' | 'only in B' | 'not comparable';

/** One metric or result of A and B; delta = B − A; the verdict is B's, judged by `higher_is_better`. */
export interface MetricRow {
  key: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  verdict: Verdict;
  higher_is_better: boolean | null;
  unit: string | null;
  primary: boolean;
}

export interface RunSide {
  tag: string;
  run_dir: string;
  verified: boolean;
  problems: string[];
  /** null for a run that stopped before naming one (contract 1.1). */
  primary_metric: string | null;
  /** How the run ended (summary.json `status`; absent there means completed). */
  status: RunStatus;
  status_reason: string | null;
}

/** `--fail-on-regression`: B's primary metric may not be worse than A's by more than the tolerance. */
export interface Gate {
  status: 'pass' | 'regression' | 'undecidable';
  metric: string | null;
  tolerance: Tolerance;
  /** How much worse B is than A (negative: better); null when undecidable. */
  worse_by: number | null;
  allowed: number | null;
  reason: string;
}

export interface Comparison {
  a: RunSide;
  b: RunSide;
  /** False when the numbers cannot be set side by side: different data, metric definitions or primary metric. */
  comparable: boolean;
  not_comparable_reasons: string[];
  metrics: MetricRow[];
  results: MetricRow[];
  differences: Difference[];
  gate: Gate;
}

/** What differs between two definitions of one metric key (empty when they agree; display_digits is presentation only). */
export const definitionDifferences = (a: MetricDefinition, b: MetricDefinition): string[] => [
  ...(a.higher_is_better !== b.higher_is_better ? [`higher_is_better ${a.higher_is_better} vs ${b.higher_is_better}`] : []),
  ...(a.unit !== b.unit ? [`unit '${a.unit}' vs '${b.unit}'`] : []),
  ...(a.definition !== b.definition ? [`definition "${a.definition}" vs "${b.definition}"`] : []),
];

/**
 * B's verdict for one number: better/worse by the metric's direction, equal only when exactly
 * equal. A metric without a direction (`higher_is_better: null`: an epoch index, a duration) only
 * changes: it is never better or worse.
 */
export const verdictOf = (a: number, b: number, higherIsBetter: boolean | null): Verdict =>
  a === b ? 'equal' : higherIsBetter === null ? 'no direction' : (b > a) === higherIsBetter ? 'better' : 'worse';

const rowsOf = (
  valuesA: Readonly<Record<string, number>>,
  valuesB: Readonly<Record<string, number>>,
  defsA: MetricDefinitions,
  defsB: MetricDefinitions,
  primary: string | undefined,
): MetricRow[] =>
  [...new Set([...Object.keys(valuesA), ...Object.keys(valuesB)])].map((key) => {
    const a = Object.hasOwn(valuesA, key) ? valuesA[key] : null;
    const b = Object.hasOwn(valuesB, key) ? valuesB[key] : null;
    const defA = defsA[key];
    const defB = defsB[key];
    // A key only one run defines takes that run's definition; a shared key needs both to agree.
    const agreed = defA && defB ? definitionDifferences(defA, defB).length === 0 : Boolean(defA ?? defB);
    const def = defA ?? defB;
    const verdict: Verdict =
      a === null ? 'only in B' : b === null ? 'only in A' : !agreed ? 'not comparable' : verdictOf(a, b, def.higher_is_better);
    return {
      key,
      a,
      b,
      delta: a === null || b === null ? null : b - a,
      verdict,
      higher_is_better: agreed ? def.higher_is_better : null,
      unit: agreed ? def.unit : null,
      primary: key === primary,
    };
  });

/** Why A and B cannot be compared: other data, other metric definitions, another primary metric. */
export const notComparableReasons = (a: RunDocs, b: RunDocs): string[] => {
  const reasons: string[] = [];
  const dataA = dataDigests(a.manifest);
  const dataB = dataDigests(b.manifest);
  for (const name of new Set([...Object.keys(dataA), ...Object.keys(dataB)])) {
    if (!(name in dataB)) reasons.push(`dataset ${name} is used by A only`);
    else if (!(name in dataA)) reasons.push(`dataset ${name} is used by B only`);
    else if (dataA[name] !== dataB[name]) reasons.push(`dataset ${name}: sha256 ${dataA[name].slice(0, 12)}… (A) differs from ${dataB[name].slice(0, 12)}… (B)`);
  }
  const defsA = a.summary.metric_definitions;
  const defsB = b.summary.metric_definitions;
  for (const key of Object.keys(defsA)) {
    if (!Object.hasOwn(defsB, key)) continue;
    const differences = definitionDifferences(defsA[key], defsB[key]);
    if (differences.length > 0) reasons.push(`metric ${key} is defined differently: ${differences.join('; ')}`);
  }
  if (a.summary.primary_metric !== b.summary.primary_metric) {
    reasons.push(`primary metric differs: A ranks by ${a.summary.primary_metric ?? '(none)'}, B by ${b.summary.primary_metric ?? '(none)'}`);
  }
  return reasons;
};

const primaryValue = (docs: RunDocs): number | undefined => {
  const key = docs.summary.primary_metric;
  if (key === undefined) return undefined;
  return Object.hasOwn(docs.summary.metrics, key) ? docs.summary.metrics[key] : Object.hasOwn(docs.analysis.results, key) ? docs.analysis.results[key] : undefined;
};

/** Floating-point rounding in B − A (0.9 − 0.85 = 0.05000000000000004) must not turn "at the tolerance" into a regression. */
const roundingSlack = (a: number, b: number): number => 8 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b), 1);

const gateOf = (a: LoadedRun, b: LoadedRun, docsA: RunDocs, docsB: RunDocs, reasons: readonly string[], tolerance: Tolerance): Gate => {
  const metric = docsB.summary.primary_metric ?? null;
  const undecidable = (reason: string): Gate => ({ status: 'undecidable', metric, tolerance, worse_by: null, allowed: null, reason });
  const unverified = [a, b].filter((run) => !run.verification.ok).map((run) => run.tag);
  if (unverified.length > 0) return undecidable(`${unverified.join(' and ')} fail${unverified.length === 1 ? 's' : ''} verification: a tampered or damaged run cannot gate anything`);
  const stopped = ([[a, docsA], [b, docsB]] as const).filter(([, docs]) => statusOf(docs.summary) !== 'completed');
  if (stopped.length > 0) {
    return undecidable(`${stopped.map(([run, docs]) => `${run.tag} is ${describeStatus(docs.summary)}`).join(' and ')}: a run that did not complete cannot gate anything`);
  }
  if (reasons.length > 0) return undecidable(`the runs are not comparable (${reasons.join('; ')})`);
  const valueA = primaryValue(docsA);
  const valueB = primaryValue(docsB);
  if (metric === null || valueA === undefined || valueB === undefined) {
    return undecidable(`primary metric ${metric} has no value in ${valueA === undefined ? 'A' : 'B'} (neither in metrics nor in results)`);
  }
  const higherIsBetter = docsB.summary.metric_definitions[metric].higher_is_better;
  if (higherIsBetter === null) return undecidable(`primary metric ${metric} has no direction (higher_is_better: null): B cannot be better or worse by it`);
  const worseBy = higherIsBetter ? valueA - valueB : valueB - valueA;
  const allowed = allowedDifference(tolerance, valueA);
  const regression = worseBy - allowed > roundingSlack(valueA, valueB);
  const direction = higherIsBetter ? 'higher is better' : 'lower is better';
  return {
    status: regression ? 'regression' : 'pass',
    metric,
    tolerance,
    worse_by: worseBy,
    allowed,
    reason: regression
      ? `B's ${metric} ${valueB} is worse than A's ${valueA} by ${formatNumber(worseBy)} (${direction}), more than the allowed ${formatNumber(allowed)}`
      : worseBy > 0
        ? `B's ${metric} ${valueB} is worse than A's ${valueA} by ${formatNumber(worseBy)}, within the allowed ${formatNumber(allowed)}`
        : `B's ${metric} ${valueB} is ${worseBy === 0 ? 'equal to' : 'better than'} A's ${valueA} (${direction})`,
  };
};

const sideOf = (run: LoadedRun, docs: RunDocs): RunSide => ({
  tag: run.tag,
  run_dir: run.verification.runDir,
  verified: run.verification.ok,
  problems: run.verification.problems.map(formatViolation),
  primary_metric: docs.summary.primary_metric ?? null,
  status: statusOf(docs.summary),
  status_reason: docs.summary.status_reason ?? null,
});

/** Set run B beside run A: every metric and result with its delta and verdict, what else differs, and the regression gate. */
export const compareRuns = (a: LoadedRun, b: LoadedRun, tolerance: Tolerance): Comparison => {
  const docsA = requireDocs(a, 'A');
  const docsB = requireDocs(b, 'B');
  const reasons = notComparableReasons(docsA, docsB);
  const defsA = docsA.summary.metric_definitions;
  const defsB = docsB.summary.metric_definitions;
  const primary = docsB.summary.primary_metric;
  return {
    a: sideOf(a, docsA),
    b: sideOf(b, docsB),
    comparable: reasons.length === 0,
    not_comparable_reasons: reasons,
    metrics: rowsOf(docsA.summary.metrics, docsB.summary.metrics, defsA, defsB, primary),
    results: rowsOf(docsA.analysis.results, docsB.analysis.results, defsA, defsB, primary),
    differences: manifestDifferences(docsA.manifest, docsB.manifest),
    gate: gateOf(a, b, docsA, docsB, reasons, tolerance),
  };
};

/** Exit status of `compare`: 0 fine, 2 regression, 3 the gate cannot decide (only with --fail-on-regression). */
export const COMPARE_EXIT = { ok: 0, regression: 2, undecidable: 3 } as const;

export const compareExitCode = (comparison: Comparison, failOnRegression: boolean): number =>
  !failOnRegression ? COMPARE_EXIT.ok
  : comparison.gate.status === 'regression' ? COMPARE_EXIT.regression
  : comparison.gate.status === 'undecidable' ? COMPARE_EXIT.undecidable
  : COMPARE_EXIT.ok;
