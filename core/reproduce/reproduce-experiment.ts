import { startProvenanceCapture } from '../commands/provenance.js';
import { requireDocs } from '../compare/run-record.js';
import type { Tolerance } from '../compare/tolerance.js';
import type { ExperimentRecord } from '../contract/generated/experiment.js';
import type { MetricDefinitions } from '../contract/generated/summary.js';
import { memberAnalysis, type MemberData } from '../experiments/members.js';
import { experimentStatistics } from '../experiments/record.js';
import { experimentKey, flatStatistics, STAT_NAMES } from '../experiments/result-keys.js';
import type { TrainHooks } from '../training/api.js';
import { notReproducible, numberStatus, reproductionFailed, type ReproCheck } from './reproduce-check.js';
import { planReproduce, type ReproducePlan } from './reproduce-plan.js';
import { executeReproduce, REPRODUCE_EXIT, type ReproduceOutcome } from './reproduce-run.js';

/**
 * `reproduce` of an experiment record (`dl-lab aggregate`): it trained nothing itself, so each of
 * its completed members is reproduced as `reproduce <member>` would (into `<member>-repro`), and
 * the record's statistics are computed again from the reproductions, as `aggregate` computes
 * them, and checked: the mean ± CI a paper quotes comes back, not only each run's numbers.
 */
export interface ExperimentReproduction {
  members: { plan: ReproducePlan; outcome: ReproduceOutcome }[];
  /** Every statistic of the record (`<variant>.<key>.<stat>`) against its recomputation. */
  statistics: ReproCheck[];
  status: 'reproduced' | 'diverged';
  exitCode: number;
}

/** The reproduction plan of each completed member; undefined unless dl-lab can re-run every one of them (demo trials). */
export const planMemberReproductions = async (plan: ReproducePlan, command: string[]): Promise<ReproducePlan[] | undefined> => {
  const completed = (plan.experiment?.members ?? []).filter((member) => member.status === 'completed');
  const plans: ReproducePlan[] = [];
  for (const member of completed) plans.push(await planReproduce({ cwd: plan.source.root, source: member.tag, command }));
  return plans.length > 0 && plans.every((memberPlan) => memberPlan.kind === 'demo') ? plans : undefined;
};

export const executeExperimentReproduction = async (
  plan: ReproducePlan,
  memberPlans: readonly ReproducePlan[],
  tolerance: Tolerance,
  hooks: TrainHooks = {},
): Promise<ExperimentReproduction> => {
  const experiment = plan.experiment as ExperimentRecord;
  // One capture for all of them: the code and machine are the same for every member reproduced now.
  const provenance = startProvenanceCapture(plan.source.root);
  provenance.catch(() => {});
  const members: ExperimentReproduction['members'] = [];
  for (const memberPlan of memberPlans) members.push({ plan: memberPlan, outcome: await executeReproduce(memberPlan, provenance, tolerance, hooks) });
  const reproduced: MemberData[] = members.map(({ plan: memberPlan, outcome }) => {
    const docs = requireDocs(outcome.reproduced!, 'TAG');
    const recorded = experiment.members.find((member) => member.tag === memberPlan.docs.manifest.tag)!;
    return { member: { ...recorded, tag: docs.manifest.tag, seal: docs.manifest.seal.digest }, demo: docs.manifest.demo, summary: docs.summary, analysis: memberAnalysis(docs.analysis) };
  });
  // The members' own definitions say which results are not reproducible (the record's define its statistics).
  const definitions = Object.assign({}, ...memberPlans.map((memberPlan) => memberPlan.docs.summary.metric_definitions)) as MetricDefinitions;
  const statistics = statisticChecks(experiment.statistics, experimentStatistics(reproduced, Object.keys(experiment.statistics)), definitions, tolerance);
  const failed = members.some(({ outcome }) => outcome.status !== 'reproduced') || reproductionFailed(statistics);
  return { members, statistics, status: failed ? 'diverged' : 'reproduced', exitCode: failed ? REPRODUCE_EXIT.diverged : REPRODUCE_EXIT.reproduced };
};

/**
 * Each recorded statistic against the same one computed again: identical, within tolerance,
 * diverged, or missing; a statistic of a result not reproducible by definition (per the members'
 * `definitions`, as the demo's `duration_seconds` is) is reported so and never fails.
 */
export const statisticChecks = (
  recorded: ExperimentRecord['statistics'],
  again: ExperimentRecord['statistics'],
  definitions: MetricDefinitions,
  tolerance: Tolerance,
): ReproCheck[] =>
  Object.entries(recorded).flatMap(([variant, keys]) =>
    Object.entries(keys).flatMap(([key, stats]) => {
      const source = flatStatistics(stats);
      const computed = again[variant]?.[key] === undefined ? undefined : flatStatistics(again[variant][key]);
      return STAT_NAMES.map((stat): ReproCheck => {
        const a = source[stat];
        const b = computed === undefined ? undefined : computed[stat];
        const status: ReproCheck['status'] = notReproducible(definitions, key)
          ? 'not reproducible by definition'
          : b === undefined
            ? 'missing'
            : a === null || b === null
              ? a === b ? 'identical' : 'diverged'
              : numberStatus(a, b, tolerance);
        return { kind: 'statistic', name: experimentKey(variant, key, stat), status, source: a, reproduced: b ?? null };
      });
    }),
  );
