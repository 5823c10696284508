import { CONTRACT_VERSION } from '../contract/contract-version.js';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { ExperimentRecord, SummaryStatistics, Uncertainty } from '../contract/generated/experiment.js';
import type { MetricDefinition, MetricDefinitions, RunSummary } from '../contract/generated/summary.js';
import { UserError } from '../errors.js';
import { RUNS_DIR } from '../project.js';
import { stringifyJson } from '../json-file.js';
import type { MemberData } from './members.js';
import { STAT_NAMES, experimentKey, flatStatistics, statisticDefinition } from './result-keys.js';
import { meanHistory } from './mean-history.js';
import type { HistoryTable } from '../history-table.js';
import { BOOTSTRAP, CONFIDENCE_LEVEL, DDOF, T_PROBABILITY, summarize, tQuantile } from './statistics.js';

/** What a record is, before it is written: experiment.json and the run documents. */
export interface RecordDocuments {
  experiment: ExperimentRecord;
  summary: RunSummary;
  /** analysis.json, its mean history a HistoryTable (mean-history.ts). */
  analysis: Omit<RunAnalysis, 'history'> & { history: HistoryTable };
}

export interface RecordInputs {
  name: string;
  tag: string;
  version: number;
  previousVersion: string | null;
  planSha256: string | null;
  members: readonly MemberData[];
  variants: ExperimentRecord['variants'];
}

const completed = (members: readonly MemberData[], variant: string): MemberData[] =>
  members.filter((m) => m.member.variant === variant && m.member.status === 'completed');

/** The members' one definition of each result key; two members defining a key differently cannot be pooled. */
const memberDefinitions = (members: readonly MemberData[]): Map<string, MetricDefinition> => {
  const definitions = new Map<string, { definition: MetricDefinition; tag: string }>();
  for (const { member, summary, analysis } of members) {
    if (member.status !== 'completed' || !summary || !analysis) continue;
    for (const key of Object.keys(analysis.results)) {
      const definition = summary.metric_definitions[key];
      const seen = definitions.get(key);
      if (seen && stringifyJson(seen.definition) !== stringifyJson(definition)) {
        throw new UserError(`${RUNS_DIR}/${member.tag}/summary.json defines '${key}' differently from ${RUNS_DIR}/${seen.tag}: its values cannot be pooled`, {
          file: `${RUNS_DIR}/${member.tag}/summary.json`,
          field: `/metric_definitions/${key}`,
        });
      }
      if (!seen) definitions.set(key, { definition, tag: member.tag });
    }
  }
  return new Map([...definitions].map(([key, { definition }]) => [key, definition]));
};

/** The members' primary metric (they must agree: it is what compare gates on). */
const primaryMetric = (members: readonly MemberData[]): string => {
  const primaries = new Set(members.filter((m) => m.member.status === 'completed' && m.summary).map((m) => m.summary!.primary_metric));
  if (primaries.size > 1) throw new UserError(`the member runs rank by different primary metrics (${[...primaries].join(', ')}); an experiment has one`, { field: 'primary_metric' });
  return [...primaries][0] ?? members.find((m) => m.summary)?.summary?.primary_metric ?? 'members_completed';
};

/** statistics[variant][key] over the completed members that have the key. */
export const experimentStatistics = (members: readonly MemberData[], variants: readonly string[]): ExperimentRecord['statistics'] =>
  Object.fromEntries(
    variants.map((variant) => {
      const pool = completed(members, variant);
      const keys = [...new Set(pool.flatMap((m) => Object.keys(m.analysis!.results)))].sort();
      const stats: Record<string, SummaryStatistics> = {};
      for (const key of keys) stats[key] = summarize(pool.flatMap((m) => (key in m.analysis!.results ? [m.analysis!.results[key]] : [])));
      return [variant, stats];
    }),
  );

/** How every spread was computed, with each t quantile the intervals used. */
export const uncertaintyOf = (statistics: ExperimentRecord['statistics']): Uncertainty => {
  const dfs = [...new Set(Object.values(statistics).flatMap((byKey) => Object.values(byKey).filter((s) => s.n >= 2).map((s) => s.n - 1)))].sort((a, b) => a - b);
  return {
    members: 'completed member runs only (failed, interrupted and missing trials are listed in experiment.json members, never pooled); n counts the completed members with a value of the result',
    confidence_level: CONFIDENCE_LEVEL,
    estimators: {
      mean: 'arithmetic mean',
      std: 'sample standard deviation, ddof 1 (null below n = 2)',
      sem: 'std / sqrt(n)',
      ci95: 'Student t interval of the mean: mean -/+ t(0.975, n-1) * sem',
      median: 'median (mean of the two middle values for even n)',
      bootstrap_ci95: `percentile bootstrap interval of the mean: ${BOOTSTRAP.method}`,
    },
    ddof: DDOF,
    t_quantiles: dfs.map((df) => ({ df, probability: T_PROBABILITY, value: tQuantile(T_PROBABILITY, df) })),
    bootstrap: { ...BOOTSTRAP },
  };
};

const MEMBER_COUNTS: MetricDefinitions = {
  members_total: { definition: 'Trials of the experiment: every member run, failed, interrupted and missing ones included.', unit: 'runs', higher_is_better: true, display_digits: 0 },
  members_completed: { definition: 'Member runs that completed (the only ones the statistics pool).', unit: 'runs', higher_is_better: true, display_digits: 0 },
};

/**
 * experiment.json, summary.json and analysis.json of an experiment record, from its members: a pure
 * function, so `verify` recomputes a record and compares.
 */
export const recordDocuments = (inputs: RecordInputs): RecordDocuments => {
  const members = inputs.members;
  const variants = Object.keys(inputs.variants);
  const statistics = experimentStatistics(members, variants);
  const uncertainty = uncertaintyOf(statistics);
  const definitions = memberDefinitions(members);
  const primary = primaryMetric(members);
  const results: Record<string, number> = {};
  const metricDefinitions: MetricDefinitions = { ...MEMBER_COUNTS };
  for (const [variant, byKey] of Object.entries(statistics)) {
    for (const [key, stats] of Object.entries(byKey)) {
      const flat = flatStatistics(stats);
      for (const stat of STAT_NAMES) {
        const value = flat[stat];
        if (value === null) continue;
        const flatKey = experimentKey(variant, key, stat);
        results[flatKey] = value;
        metricDefinitions[flatKey] = statisticDefinition(variant, key, stat, definitions.get(key)!);
      }
    }
  }
  const firstMean = variants.map((variant) => experimentKey(variant, primary, 'mean')).find((key) => key in results);
  const demo = members.some((m) => m.demo);
  const note = `Experiment record of ${inputs.name} (version ${inputs.version}): statistics over ${members.filter((m) => m.member.status === 'completed').length} completed of ${members.length} member runs (experiment.json).`;
  const common = { schema_version: CONTRACT_VERSION, tag: inputs.tag, demo, note };
  return {
    experiment: {
      schema_version: CONTRACT_VERSION,
      name: inputs.name,
      version: inputs.version,
      previous_version: inputs.previousVersion,
      plan_sha256: inputs.planSha256,
      primary_metric: primary,
      members: members.map((m) => m.member),
      variants: inputs.variants,
      statistics,
      uncertainty,
    },
    summary: {
      ...common,
      metrics: { members_total: members.length, members_completed: members.filter((m) => m.member.status === 'completed').length, ...results },
      metric_definitions: metricDefinitions,
      primary_metric: firstMean ?? 'members_completed',
      best_checkpoint: { path: null, selected_by: firstMean ?? 'members_completed', epoch: null, metric_value: null },
    },
    analysis: { ...common, results, history: meanHistory(variants.map((variant) => ({ variant, members: completed(members, variant).map((m) => m.analysis!.history) }))), uncertainty },
  };
};
