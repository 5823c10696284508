import { executeDemo } from '../commands/demo.js';
import { startProvenanceCapture, type CapturedProvenance } from '../commands/provenance.js';
import { loadRun, requireDocs, type LoadedRun } from '../compare/run-record.js';
import type { Tolerance } from '../compare/tolerance.js';
import type { TrainHooks } from '../training/api.js';
import { checkReproduction, reproductionFailed, type ReproCheck } from './reproduce-check.js';
import type { ReproducePlan } from './reproduce-plan.js';

/** Exit status of `reproduce`: 0 reproduced, 2 something diverged, 3 cannot be re-executed (1: user error). */
export const REPRODUCE_EXIT = { reproduced: 0, diverged: 2, cannotReproduce: 3 } as const;

export interface ReproduceOutcome {
  status: 'reproduced' | 'diverged' | 'cannot reproduce';
  /** The new run (kind 'demo' only). */
  reproduced: LoadedRun | undefined;
  checks: ReproCheck[];
  exitCode: number;
}

/**
 * Re-run a demo run from its recorded settings into the new tag, then check it against the source.
 * `provenance` is the capture the caller started early (it overlaps with planning); started here if not.
 */
export const executeReproduce = async (
  plan: ReproducePlan,
  provenance: Promise<CapturedProvenance> | undefined,
  tolerance: Tolerance,
  hooks: TrainHooks = {},
): Promise<ReproduceOutcome> => {
  if (!plan.demo) return { status: 'cannot reproduce', reproduced: undefined, checks: [], exitCode: REPRODUCE_EXIT.cannotReproduce };
  const { target } = plan.demo;
  const { published } = await executeDemo(plan.demo, provenance ?? startProvenanceCapture(target.project?.root ?? target.root), hooks);
  const reproduced = await loadRun(plan.demo.target.root, published.targetDir);
  const checks = checkReproduction(plan.docs, requireDocs(reproduced, '--as'), tolerance);
  const failed = reproductionFailed(checks);
  return { status: failed ? 'diverged' : 'reproduced', reproduced, checks, exitCode: failed ? REPRODUCE_EXIT.diverged : REPRODUCE_EXIT.reproduced };
};
