import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Member, MemberStatus } from '../contract/generated/experiment.js';
import type { ExperimentPlan as Plan } from '../contract/generated/plan.js';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { RunManifest } from '../contract/generated/manifest.js';
import type { RunSummary } from '../contract/generated/summary.js';
import { formatViolation, schemaViolations, throwIfViolations } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { sha256Hex } from '../hash.js';
import { parseJson, readJsonInput } from '../json-file.js';
import { RUNS_DIR } from '../project.js';
import { MANIFEST } from '../run/paths.js';
import type { ParsedRunDocuments } from '../verify/verify-run.js';
import type { AnalysisDocument } from '../run/analysis-document.js';
import { verifyWithDocuments, type RunVerifier } from '../verify/verify-with-documents.js';
import { forEachRunDir } from '../run/read-limits.js';
import { absolute, planPath } from './layout.js';
import { historyColumns, type HistoryColumn } from './mean-history.js';
import { dlLabCommand } from '../invocation.js';

/**
 * What a trial's manifest says about its experiment (contract 1.1 `manifest.experiment`, written
 * by `dl-lab sweep`). Read structurally: a 1.0 manifest has none.
 */
export interface ManifestExperiment { name: string; variant: string; seed: number; overrides: Record<string, unknown>; exit_status: number | null }

/** What a record needs of a member's analysis.json: its results, and its history as columns (historyColumns). */
export interface MemberAnalysis {
  results: RunAnalysis['results'];
  history: HistoryColumn[];
}

export const memberAnalysis = (analysis: AnalysisDocument): MemberAnalysis => ({ results: analysis.results, history: historyColumns(analysis.history) });

/** One member as recorded, with what a record takes from its run (nothing for a missing trial). */
export interface MemberData {
  member: Member;
  demo: boolean;
  summary?: RunSummary;
  analysis?: MemberAnalysis;
}

export const manifestExperiment = (manifest: RunManifest): ManifestExperiment | undefined =>
  (manifest as RunManifest & { experiment?: ManifestExperiment }).experiment;

/** summary.json `status` (contract 1.1); absent means completed. */
const runStatus = (summary: RunSummary): { status: MemberStatus; reason?: string } => {
  const { status, status_reason: reason } = summary as RunSummary & { status?: MemberStatus; status_reason?: string };
  return { status: status ?? 'completed', ...(reason === undefined ? {} : { reason }) };
};

/** The plan of an experiment and the sha256 of its bytes, or undefined when the sweep wrote none. */
export const readPlan = (root: string, name: string): { plan: Plan; sha256: string } | undefined => {
  const file = absolute(root, planPath(name));
  if (!existsSync(file)) return undefined;
  const { value, bytes } = readJsonInput<Plan>(file, planPath(name));
  throwIfViolations(schemaViolations('plan', value, planPath(name)), `invalid ${planPath(name)}`);
  if (value.name !== name) throw new UserError(`${planPath(name)}: name '${value.name}' differs from the experiment ${name}`, { file: planPath(name), field: '/name' });
  return { plan: value, sha256: sha256Hex(bytes) };
};

const readDocument = <T>(root: string, tag: string, file: string): T => {
  const label = `${RUNS_DIR}/${tag}/${file}`;
  return parseJson<T>(readFileSync(join(root, RUNS_DIR, tag, file), 'utf8'), label);
};

/** The manifest of every run of the project that names this experiment (its trials, by their manifest). */
export const runsNamingExperiment = (root: string, tags: readonly string[], name: string): Map<string, ManifestExperiment> => {
  const found = new Map<string, ManifestExperiment>();
  for (const tag of tags) {
    let manifest: RunManifest;
    try {
      manifest = readDocument<RunManifest>(root, tag, MANIFEST);
    } catch {
      continue; // not a run (or a broken one): only runs that say they belong count
    }
    const experiment = manifestExperiment(manifest);
    if (experiment?.name === name) found.set(tag, experiment);
  }
  return found;
};

type Trial = { tag: string; variant?: string; seed?: number };

/**
 * A member from its run: the run must pass verify (a tampered member is never summarized); its
 * variant and seed come from the plan, else from its manifest, and must agree when both say.
 */
const loadMember = async (root: string, experiment: string, trial: Trial, verify: RunVerifier): Promise<MemberData> => {
  const dir = join(root, RUNS_DIR, trial.tag);
  if (!existsSync(dir)) {
    if (trial.variant === undefined || trial.seed === undefined) throw new Error(`member ${trial.tag} without a run needs its plan entry`);
    return { member: { tag: trial.tag, seal: null, variant: trial.variant, seed: trial.seed, status: 'missing', exit_status: null }, demo: false };
  }
  const { verification, documents } = await verifyWithDocuments(verify, root, dir);
  if (!verification.ok) {
    throw new UserError(`member run ${RUNS_DIR}/${trial.tag} fails verification; an experiment never summarizes a tampered run (${dlLabCommand('verify', trial.tag)})`, {
      file: verification.problems[0]?.file,
      field: verification.problems[0]?.pointer,
      details: verification.problems.slice(0, 10).map(formatViolation),
    });
  }
  return memberOfVerifiedRun(experiment, trial, documents);
};

/** The member a verified run is (`documents` as its verify parsed them), its variant and seed checked against the plan's. */
export const memberOfVerifiedRun = (experiment: string, trial: Trial, documents: ParsedRunDocuments | undefined): MemberData => {
  if (!documents) throw new Error(`member ${trial.tag} passed verify without its documents`);
  const manifest = documents.manifest as RunManifest;
  const summary = documents.summary as RunSummary;
  const analysis = documents.analysis as AnalysisDocument;
  const recorded = manifestExperiment(manifest);
  const variant = trial.variant ?? recorded?.variant;
  const seed = trial.seed ?? recorded?.seed ?? manifest.seed;
  if (variant === undefined) throw new Error(`member ${trial.tag} has no variant`);
  if (recorded && recorded.name !== experiment) {
    throw new UserError(`${RUNS_DIR}/${trial.tag}/manifest.json: a trial of experiment ${recorded.name}, not of ${experiment}`, { file: `${RUNS_DIR}/${trial.tag}/manifest.json`, field: '/experiment/name' });
  }
  if (recorded && (recorded.variant !== variant || recorded.seed !== seed)) {
    throw new UserError(
      `${RUNS_DIR}/${trial.tag}/manifest.json: experiment variant ${recorded.variant}, seed ${recorded.seed} but the plan says variant ${variant}, seed ${seed}`,
      { file: `${RUNS_DIR}/${trial.tag}/manifest.json`, field: '/experiment' },
    );
  }
  const { status, reason } = runStatus(summary);
  return {
    member: {
      tag: trial.tag,
      seal: manifest.seal.digest,
      variant,
      seed,
      status,
      exit_status: recorded?.exit_status ?? null,
      ...(reason === undefined ? {} : { status_reason: reason }),
    },
    demo: manifest.demo,
    summary,
    // The parsed rows go now: a member is held by the record's computation as columns only.
    analysis: memberAnalysis(analysis),
  };
};

/**
 * Every trial's member, in the trials' order, read as verify reads runs (read-limits.ts): a few
 * dozen at once, but members whose analysis.json is large (a history of every step) one at a time.
 */
export const loadMembers = async (root: string, experiment: string, trials: readonly Trial[], verify: RunVerifier): Promise<MemberData[]> => {
  const members: MemberData[] = new Array(trials.length);
  await forEachRunDir(trials.map((trial) => join(root, RUNS_DIR, trial.tag)), async (index) => {
    members[index] = await loadMember(root, experiment, trials[index], verify);
  });
  return members;
};

/** Members sorted by variant, then seed (the order experiment.json lists them in). */
export const sortMembers = <T extends { member: Member }>(members: T[]): T[] =>
  members.sort((a, b) => (a.member.variant < b.member.variant ? -1 : a.member.variant > b.member.variant ? 1 : a.member.seed - b.member.seed));
