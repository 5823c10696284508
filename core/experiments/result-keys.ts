import type { SummaryStatistics } from '../contract/generated/experiment.js';
import type { MetricDefinition } from '../contract/generated/summary.js';

/**
 * The citable key of one statistic in an experiment record's analysis.json `results`:
 * `<variant>.<result key>.<stat>` (e.g. `base.test_accuracy.mean`). Variants and result keys may
 * both contain dots, so a key is split with the record's variant names (`parseExperimentKey`).
 */
export const STAT_NAMES = ['n', 'mean', 'std', 'sem', 'ci95_low', 'ci95_high', 'median', 'min', 'max', 'bootstrap_ci95_low', 'bootstrap_ci95_high'] as const;
export type StatName = (typeof STAT_NAMES)[number];

export const experimentKey = (variant: string, key: string, stat: StatName): string => `${variant}.${key}.${stat}`;

/** `<variant>.<key>.<stat>` back into its parts, given the record's variants (the longest variant that fits wins). */
export const parseExperimentKey = (flat: string, variants: readonly string[]): { variant: string; key: string; stat: StatName } | undefined => {
  const stat = STAT_NAMES.find((name) => flat.endsWith(`.${name}`));
  if (!stat) return undefined;
  const rest = flat.slice(0, -(stat.length + 1));
  const variant = [...variants].sort((a, b) => b.length - a.length).find((v) => rest.startsWith(`${v}.`) && rest.length > v.length + 1);
  return variant === undefined ? undefined : { variant, key: rest.slice(variant.length + 1), stat };
};

/** The value of each flat statistic (null when undefined, e.g. std of one value). */
export const flatStatistics = (stats: SummaryStatistics): Record<StatName, number | null> => ({
  n: stats.n,
  mean: stats.mean,
  std: stats.std,
  sem: stats.sem,
  ci95_low: stats.ci95?.[0] ?? null,
  ci95_high: stats.ci95?.[1] ?? null,
  median: stats.median,
  min: stats.min,
  max: stats.max,
  bootstrap_ci95_low: stats.bootstrap_ci95?.[0] ?? null,
  bootstrap_ci95_high: stats.bootstrap_ci95?.[1] ?? null,
});

const WHAT: Record<StatName, string> = {
  n: 'Number of completed member runs with a value',
  mean: 'Mean',
  std: 'Sample standard deviation (ddof 1)',
  sem: 'Standard error of the mean (std / sqrt(n))',
  ci95_low: 'Lower end of the Student t 95% confidence interval of the mean (mean - t(0.975, n-1) * sem)',
  ci95_high: 'Upper end of the Student t 95% confidence interval of the mean (mean + t(0.975, n-1) * sem)',
  median: 'Median',
  min: 'Minimum',
  max: 'Maximum',
  bootstrap_ci95_low: 'Lower end of the percentile bootstrap 95% interval of the mean (analysis.json uncertainty.bootstrap)',
  bootstrap_ci95_high: 'Upper end of the percentile bootstrap 95% interval of the mean (analysis.json uncertainty.bootstrap)',
};

/** What a flat statistic means, derived from the member runs' definition of the result. */
export const statisticDefinition = (variant: string, key: string, stat: StatName, member: MetricDefinition): MetricDefinition => {
  const over = `over the completed seeds of variant '${variant}'`;
  if (stat === 'n') return { definition: `${WHAT.n} of '${key}' ${over}.`, unit: 'runs', higher_is_better: true, display_digits: 0 };
  const spread = stat === 'std' || stat === 'sem';
  return {
    definition: `${WHAT[stat]} ${over} of '${key}': ${member.definition}`,
    unit: member.unit,
    // A smaller spread is better whichever way the result points.
    higher_is_better: spread ? false : member.higher_is_better,
    ...(member.display_digits === undefined ? {} : { display_digits: member.display_digits }),
  };
};
