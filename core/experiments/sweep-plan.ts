import { writeFileAtomic } from '../atomic-write.js';
import type { ExperimentConfig, LoadedConfig } from '../config.js';
import { assertValid, schemaViolations, throwIfViolations } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { stringifyJson } from '../json-file.js';
import { validateTag } from '../project.js';
import { applyOverrides } from './overrides.js';
import { gridVariants, type GridAxis, type Variant } from './grid.js';
import { readPlan } from './members.js';
import { absolute, planPath, trialConfigPath } from './layout.js';
import { trialTag } from './trial-tag.js';

export interface PlannedTrial { tag: string; variant: string; seed: number }

/**
 * `artifacts/experiments/<NAME>/plan.json`: every trial of a sweep, written before the first one
 * runs (the shared experiment design; `dl-lab aggregate` reads it to find missing trials).
 * `command` is the trial command with its `{seed}`/`{config}`/`{out}` placeholders, or null for
 * the built-in demo.
 */
export interface SweepPlan {
  name: string;
  created_at: string;
  command: string[] | null;
  base_config: { path: string | null; sha256: string };
  seeds: number[];
  grid: GridAxis[];
  variants: Variant[];
  trials: PlannedTrial[];
}

export interface SweepRequest {
  name: string;
  seeds: number[];
  grid: GridAxis[];
  command: string[] | null;
  baseConfig: LoadedConfig;
  now?: Date;
}

/** Trials = every variant × every seed, variant by variant. */
export const buildSweepPlan = (request: SweepRequest): SweepPlan => {
  validateTag(request.name, 'NAME');
  const variants = gridVariants(request.grid);
  return {
    name: request.name,
    created_at: (request.now ?? new Date()).toISOString(),
    command: request.command,
    base_config: { path: request.baseConfig.path, sha256: request.baseConfig.sha256 },
    seeds: request.seeds,
    grid: request.grid,
    variants,
    trials: variants.flatMap((variant) => request.seeds.map((seed) => ({ tag: trialTag(request.name, variant.name, seed), variant: variant.name, seed }))),
  };
};

/** The config one trial runs with: the base config, its variant's overrides, then its seed. */
export const trialConfig = (plan: SweepPlan, base: ExperimentConfig, trial: PlannedTrial): ExperimentConfig => {
  const variant = plan.variants.find((v) => v.name === trial.variant)!;
  const config = { ...applyOverrides(base, variant.overrides, '--grid', plan.base_config.path ?? undefined), seed: trial.seed };
  return assertValid<ExperimentConfig>('config', config, `config of variant ${variant.name} (--grid)`);
};

/** Two plans describe the same sweep when everything but the creation time agrees. */
const samePlan = (a: SweepPlan, b: SweepPlan): boolean => stringifyJson({ ...a, created_at: '' }) === stringifyJson({ ...b, created_at: '' });

/**
 * The plan already on disk under this NAME: none, or the same sweep (which then resumes: it runs
 * the trials that have no run yet). A different sweep under the same NAME is refused, so one NAME
 * never means two experiments.
 */
export const existingPlan = (root: string, plan: SweepPlan): SweepPlan | undefined => {
  const existing = readPlan(root, plan.name)?.plan as SweepPlan | undefined;
  if (!existing) return undefined;
  if (!samePlan(existing, plan)) {
    throw new UserError(
      `${planPath(plan.name)} already holds a different sweep named ${plan.name} (other seeds, grid, command or base config); choose another NAME`,
      { file: planPath(plan.name), field: 'NAME' },
    );
  }
  return existing;
};

/** Write each trial's config, then plan.json (last: a plan on disk means its configs are complete). */
export const writeSweepFiles = async (root: string, plan: SweepPlan, base: ExperimentConfig): Promise<void> => {
  throwIfViolations(schemaViolations('plan', plan, planPath(plan.name)), `the plan of sweep ${plan.name} does not satisfy plan.schema.json; nothing was written`);
  for (const trial of plan.trials) await writeFileAtomic(absolute(root, trialConfigPath(plan.name, trial.tag)), stringifyJson(trialConfig(plan, base, trial)));
  await writeFileAtomic(absolute(root, planPath(plan.name)), stringifyJson(plan));
};

/** plan.json of an experiment (checked against plan.schema.json), for a Slurm task. */
export const readSweepPlan = (root: string, name: string): SweepPlan => {
  validateTag(name, 'NAME');
  const planned = readPlan(root, name);
  if (!planned) throw new UserError(`${planPath(name)} does not exist: no sweep named ${name} was planned here`, { file: planPath(name), field: 'NAME' });
  return planned.plan as SweepPlan;
};
