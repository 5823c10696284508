import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { ExperimentRecord, Interval } from '../contract/generated/experiment.js';
import type { MetricDefinition, RunSummary } from '../contract/generated/summary.js';
import { formatViolation } from '../contract/validate.js';
import { definitionDifferences } from '../compare/compare-runs.js';
import { UserError } from '../errors.js';
import { parseJson } from '../json-file.js';
import { RUNS_DIR, TAG_PATTERN, findProjectRoot } from '../project.js';
import { SharedVerifications } from '../verify/shared-verifications.js';
import { verifyRun } from '../verify/verify-run.js';
import { mean, sampleStd, welchDifference } from './statistics.js';
import { EXPERIMENT_FILE, readExperimentRecord } from './versions.js';
import { dlLabCommand } from '../invocation.js';

/** One side of an experiment comparison: a variant of a verified experiment record, and its members' values. */
export interface VariantSide {
  record: string;
  variant: string;
  run_dir: string;
  verified: boolean;
  problems: string[];
  primary_metric: string;
  /** Completed members of the variant / all its members. */
  completed: number;
  members: number;
}

interface LoadedVariant { side: VariantSide; values: Map<string, number[]>; definitions: Record<string, MetricDefinition> }

export type SignificanceVerdict = 'better' | 'worse' | 'no significant difference' | 'significant, no direction' | 'undecidable' | 'only in A' | 'only in B' | 'not comparable';

export interface KeyComparison {
  key: string;
  primary: boolean;
  unit: string | null;
  higher_is_better: boolean | null;
  a: { n: number; mean: number; std: number | null } | null;
  b: { n: number; mean: number; std: number | null } | null;
  /** mean(B) − mean(A) */
  difference: number | null;
  /** Welch 95% interval of the difference. */
  ci95: Interval | null;
  df: number | null;
  p_value: number | null;
  bootstrap_ci95: Interval | null;
  verdict: SignificanceVerdict;
}

export interface SignificanceGate {
  status: 'pass' | 'regression' | 'undecidable';
  metric: string;
  alpha: number;
  p_value: number | null;
  difference: number | null;
  reason: string;
}

export interface VariantComparison {
  kind: 'experiment';
  a: VariantSide;
  b: VariantSide;
  alpha: number;
  test: string;
  results: KeyComparison[];
  gate: SignificanceGate;
}

/** `NAME:variant` (a tag never holds ':'; unless a folder has that name), or the tag of an experiment record. */
export const isExperimentArgument = (cwd: string, given: string): boolean => {
  if (given.includes(':')) return !existsSync(resolve(cwd, given));
  const root = findProjectRoot(cwd);
  return root !== undefined && TAG_PATTERN.test(given) && existsSync(join(root, RUNS_DIR, given, EXPERIMENT_FILE));
};

const readRunJson = <T>(root: string, tag: string, file: string): T => parseJson<T>(readFileSync(join(root, RUNS_DIR, tag, file), 'utf8'), `${RUNS_DIR}/${tag}/${file}`);

/**
 * Load `NAME:variant`: the record verified (members included), and per result key the completed
 * members' values. `shared`: the command's verifications (two variants of one record verify it once).
 */
export const loadVariant = async (cwd: string, given: string, field: string, shared = new SharedVerifications(verifyRun)): Promise<LoadedVariant> => {
  const root = findProjectRoot(cwd);
  const [tag, variantGiven] = given.includes(':') ? [given.slice(0, given.indexOf(':')), given.slice(given.indexOf(':') + 1)] : [given, undefined];
  if (!root || !TAG_PATTERN.test(tag) || !existsSync(join(root, RUNS_DIR, tag, EXPERIMENT_FILE))) {
    throw new UserError(`${field}: no experiment record "${tag}" (${RUNS_DIR}/${tag}/${EXPERIMENT_FILE}; ${dlLabCommand('aggregate', tag)} writes it)`, { file: given, field });
  }
  const verification = await shared.verifyAlone(root, join(root, RUNS_DIR, tag));
  const record: ExperimentRecord = readExperimentRecord(root, tag);
  const variants = Object.keys(record.variants);
  const variant = variantGiven ?? (variants.length === 1 ? variants[0] : undefined);
  if (variant === undefined || !variants.includes(variant)) {
    throw new UserError(`${field}: ${variantGiven === undefined ? `experiment ${tag} has ${variants.length} variants; name one` : `experiment ${tag} has no variant ${variantGiven}`} (${variants.map((v) => `${tag}:${v}`).join(', ')})`, { file: given, field });
  }
  const members = record.members.filter((m) => m.variant === variant);
  const completed = members.filter((m) => m.status === 'completed');
  const values = new Map<string, number[]>();
  const definitions: Record<string, MetricDefinition> = {};
  if (verification.ok) {
    for (const member of completed) {
      const { results } = readRunJson<RunAnalysis>(root, member.tag, 'analysis.json');
      const { metric_definitions } = readRunJson<RunSummary>(root, member.tag, 'summary.json');
      for (const [key, value] of Object.entries(results)) {
        values.set(key, [...(values.get(key) ?? []), value]);
        definitions[key] ??= metric_definitions[key];
      }
    }
  }
  return {
    side: { record: tag, variant, run_dir: verification.runDir, verified: verification.ok, problems: verification.problems.map(formatViolation), primary_metric: record.primary_metric, completed: completed.length, members: members.length },
    values,
    definitions,
  };
};

const describe = (values: readonly number[] | undefined) => (values && values.length > 0 ? { n: values.length, mean: mean(values), std: sampleStd(values) } : null);

/** B's verdict: better/worse when Welch's p-value is below alpha (by the result's direction), else no significant difference. */
const verdictOf = (difference: number, pValue: number | null, higherIsBetter: boolean | null, alpha: number): SignificanceVerdict =>
  pValue === null
    ? 'undecidable'
    : pValue >= alpha
      ? 'no significant difference'
      : higherIsBetter === null // a count or a duration: a significant change, but never better or worse
        ? 'significant, no direction'
        : (difference > 0) === higherIsBetter
          ? 'better'
          : 'worse';

const keyComparison = (key: string, a: LoadedVariant, b: LoadedVariant, primary: string, alpha: number): KeyComparison => {
  const valuesA = a.values.get(key);
  const valuesB = b.values.get(key);
  const defA = a.definitions[key];
  const defB = b.definitions[key];
  const agreed = defA && defB ? definitionDifferences(defA, defB).length === 0 : false;
  const base = { key, primary: key === primary, unit: agreed ? defA.unit : null, higher_is_better: agreed ? defA.higher_is_better : null, a: describe(valuesA), b: describe(valuesB) };
  const none = { difference: null, ci95: null, df: null, p_value: null, bootstrap_ci95: null };
  if (!valuesA) return { ...base, ...none, verdict: 'only in B' };
  if (!valuesB) return { ...base, ...none, verdict: 'only in A' };
  const welch = welchDifference(valuesA, valuesB);
  const stats = { difference: welch.difference, ci95: welch.ci95, df: welch.df, p_value: welch.p_value, bootstrap_ci95: welch.bootstrap_ci95 };
  if (!agreed) return { ...base, ...stats, verdict: 'not comparable' };
  return { ...base, ...stats, verdict: verdictOf(welch.difference, welch.p_value, defA.higher_is_better, alpha) };
};

const gateOf = (a: LoadedVariant, b: LoadedVariant, primary: KeyComparison | undefined, metric: string, alpha: number): SignificanceGate => {
  const undecidable = (reason: string): SignificanceGate => ({ status: 'undecidable', metric, alpha, p_value: primary?.p_value ?? null, difference: primary?.difference ?? null, reason });
  const unverified = [a.side, b.side].filter((side) => !side.verified).map((side) => side.record);
  if (unverified.length > 0) return undecidable(`${[...new Set(unverified)].join(' and ')} fail${unverified.length === 1 ? 's' : ''} verification: a tampered record or member cannot gate anything`);
  if (a.side.primary_metric !== b.side.primary_metric) return undecidable(`the experiments rank by different primary metrics (A ${a.side.primary_metric}, B ${b.side.primary_metric})`);
  if (!primary || primary.verdict === 'only in A' || primary.verdict === 'only in B') return undecidable(`primary metric ${metric} is not a result of both variants' completed members`);
  if (primary.verdict === 'not comparable') return undecidable(`primary metric ${metric} is defined differently in A and B`);
  if (primary.higher_is_better === null) return undecidable(`primary metric ${metric} has no direction (higher_is_better: null): B cannot be better or worse by it`);
  if (primary.p_value === null) return undecidable(`Welch's test of ${metric} is undefined (fewer than 2 completed members on a side, or no variance at all)`);
  const direction = primary.higher_is_better ? 'higher is better' : 'lower is better';
  const summary = `mean(B) − mean(A) = ${primary.difference!.toPrecision(4)}, 95% CI [${primary.ci95![0].toPrecision(4)}, ${primary.ci95![1].toPrecision(4)}], Welch p = ${primary.p_value.toPrecision(3)} (${direction})`;
  if (primary.verdict === 'worse') return { status: 'regression', metric, alpha, p_value: primary.p_value, difference: primary.difference, reason: `B is significantly worse at alpha ${alpha}: ${summary}` };
  return {
    status: 'pass',
    metric,
    alpha,
    p_value: primary.p_value,
    difference: primary.difference,
    reason: `${primary.verdict === 'better' ? 'B is significantly better' : `no significant difference at alpha ${alpha}`}: ${summary}`,
  };
};

/**
 * Two variants (of one experiment or of two): per result key of their completed members, the
 * difference of means B − A with Welch's 95% interval, Welch's two-sided p-value and the bootstrap
 * interval of the difference; the gate fails only on a significant worsening of the primary metric.
 * Each run is verified once (two variants of one experiment share its record and members).
 */
export const compareVariants = async (cwd: string, givenA: string, givenB: string, alpha: number, shared = new SharedVerifications(verifyRun)): Promise<VariantComparison> => {
  const [a, b] = await Promise.all([loadVariant(cwd, givenA, 'A', shared), loadVariant(cwd, givenB, 'B', shared)]);
  const metric = b.side.primary_metric;
  const keys = [...new Set([...a.values.keys(), ...b.values.keys()])].sort((x, y) => (x === metric ? -1 : y === metric ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const results = keys.map((key) => keyComparison(key, a, b, metric, alpha));
  return {
    kind: 'experiment',
    a: a.side,
    b: b.side,
    alpha,
    test: "Welch's unequal-variance t-test (two-sided) on the completed members' values; intervals: Welch t 95% CI and percentile bootstrap 95% CI (10000 resamples, seed 0) of mean(B) − mean(A)",
    results,
    gate: gateOf(a, b, results.find((row) => row.key === metric), metric, alpha),
  };
};

/** `--alpha`: the significance level of the gate, in (0, 1). */
export const parseAlpha = (given: unknown): number => {
  if (given === undefined || given === null || given === '') return 0.05;
  const alpha = Number(given);
  if (!Number.isFinite(alpha) || alpha <= 0 || alpha >= 1) throw new UserError(`--alpha must be a number between 0 and 1 (e.g. 0.05), got ${JSON.stringify(given)}`, { field: '--alpha' });
  return alpha;
};
