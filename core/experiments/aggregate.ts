import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentRecord } from '../contract/generated/experiment.js';
import type { ExperimentPlan as Plan } from '../contract/generated/plan.js';
import type { RunManifest } from '../contract/generated/manifest.js';
import { startProvenanceCapture, type CapturedProvenance } from '../commands/provenance.js';
import { recordedCommand } from '../cli-options.js';
import { collectGarbage } from '../collect-garbage.js';
import { UserError } from '../errors.js';
import { sha256Hex } from '../hash.js';
import { parseJson, stringifyJson } from '../json-file.js';
import { RUNS_DIR, validateTag } from '../project.js';
import { buildManifest } from '../run/manifest.js';
import { publishRun, type PublishedRun } from '../run/publish.js';
import { CONTRACT_VERSION } from '../contract/contract-version.js';
import { listRunTags } from '../verify/verify-project.js';
import { verifyRun } from '../verify/verify-run.js';
import { experimentFigureFiles } from './figures.js';
import { loadMembers, readPlan, runsNamingExperiment, sortMembers, type ManifestExperiment, type MemberData } from './members.js';
import { recordDocuments, type RecordDocuments } from './record.js';
import { BOOTSTRAP } from './statistics.js';
import { EXPERIMENT_FILE, existingRecordVersions, recordTag } from './versions.js';
import { dlLabCommand } from '../invocation.js';

export interface AggregateOptions {
  /** argv recorded in the manifest (default: this process's, as `dl-lab aggregate` or `dl-lab sweep` ran). */
  command?: string[];
  now?: Date;
  /** Provenance of the aggregation (git, environment); default: captured now. */
  provenance?: Promise<CapturedProvenance>;
}

export type AggregateResult =
  | { kind: 'written'; tag: string; version: number; documents: RecordDocuments; published: PublishedRun }
  | { kind: 'up-to-date'; tag: string; version: number; documents: RecordDocuments };

/** The trials to look for: the plan's, then any other run whose manifest names the experiment. */
const memberTrials = (plan: Plan | undefined, named: ReadonlyMap<string, ManifestExperiment>): Array<{ tag: string; variant?: string; seed?: number }> => {
  const planned = plan?.trials ?? [];
  const inPlan = new Set(planned.map((trial) => trial.tag));
  return [...planned, ...[...named.keys()].filter((tag) => !inPlan.has(tag)).map((tag) => ({ tag }))];
};

const variantsOf = (plan: Plan | undefined, named: ReadonlyMap<string, ManifestExperiment>, members: readonly MemberData[]): ExperimentRecord['variants'] => {
  const variants: ExperimentRecord['variants'] = {};
  for (const variant of plan?.variants ?? []) variants[variant.name] = { overrides: variant.overrides };
  for (const experiment of named.values()) variants[experiment.variant] ??= { overrides: experiment.overrides };
  for (const { member } of members) variants[member.variant] ??= { overrides: {} };
  return Object.fromEntries(Object.keys(variants).sort().map((name) => [name, variants[name]]));
};

/** Whether a new version would say nothing the latest does not: same plan, same members with the same seals and statuses. */
const sameAsLatest = (latest: ExperimentRecord, documents: RecordDocuments): boolean =>
  latest.plan_sha256 === documents.experiment.plan_sha256 && stringifyJson(latest.members) === stringifyJson(documents.experiment.members);

/** The datasets of the members, each once. */
const memberData = (root: string, members: readonly MemberData[]): RunManifest['data'] => {
  const seen = new Map<string, RunManifest['data'][number]>();
  for (const { member } of members) {
    if (member.seal === null) continue;
    const manifest = parseJson<RunManifest>(readFileSync(join(root, RUNS_DIR, member.tag, 'manifest.json'), 'utf8'), `${RUNS_DIR}/${member.tag}/manifest.json`);
    for (const entry of manifest.data) seen.set(stringifyJson(entry), entry);
  }
  return [...seen.values()];
};

/**
 * `dl-lab aggregate NAME`: the sealed experiment record `artifacts/runs/<NAME>/` (`<NAME>.v2`, … once
 * one exists: a record is never edited). Members are the plan's trials (missing ones included) and
 * every run whose manifest names the experiment; each must pass verify. When nothing changed since
 * the latest version, nothing is written.
 */
export const aggregateExperiment = async (root: string, name: string, options: AggregateOptions = {}): Promise<AggregateResult> => {
  validateTag(name, 'NAME');
  const planned = readPlan(root, name);
  const named = runsNamingExperiment(root, await listRunTags(root), name);
  const trials = memberTrials(planned?.plan, named);
  if (trials.length === 0) {
    throw new UserError(`no experiment named ${name}: artifacts/experiments/${name}/plan.json does not exist and no run's manifest names it (run: ${dlLabCommand('sweep', name)})`, { field: 'NAME' });
  }
  const members = sortMembers(await loadMembers(root, name, trials, verifyRun));
  const versions = existingRecordVersions(root, name);
  const latest = versions.at(-1);
  const version = (latest?.version ?? 0) + 1;
  const tag = recordTag(name, version);
  const documents = recordDocuments({
    name,
    tag,
    version,
    previousVersion: latest?.tag ?? null,
    planSha256: planned?.sha256 ?? null,
    members,
    variants: variantsOf(planned?.plan, named, members),
  });
  // The mean history is computed: the members' own columns (43 MB for three 300,000-step logs) are
  // not needed by what follows, which reads their statuses and manifests.
  for (const { analysis } of members) if (analysis) analysis.history = [];
  collectGarbage(); // those columns, and what computing the mean left, before the figure is drawn
  if (latest && sameAsLatest(latest.record, documents)) {
    return { kind: 'up-to-date', tag: latest.tag, version: latest.version, documents: { ...documents, experiment: latest.record } };
  }

  const provenance = options.provenance ?? startProvenanceCapture(root);
  const completedByVariant = new Map(Object.keys(documents.experiment.variants).map((v) => [v, members.filter((m) => m.member.variant === v && m.member.status === 'completed').length] as const));
  const figures = await experimentFigureFiles(name, documents.analysis.history, new Map([...completedByVariant].filter(([, n]) => n > 0)));
  const captured = await provenance;
  const runDir = `${RUNS_DIR}/${tag}`;
  const hyperparameters = { seed: BOOTSTRAP.seed, bootstrap_resamples: BOOTSTRAP.resamples, experiment: name, variants: documents.experiment.variants };
  const published = await publishRun({
    targetDir: join(root, RUNS_DIR, tag),
    runDir,
    summary: documents.summary,
    analysis: documents.analysis,
    checkpointRecord: { schema_version: CONTRACT_VERSION, format: 'none', note: 'An experiment record holds no checkpoint: each member run holds its own (experiment.json members).' },
    extraFiles: [
      ...figures,
      { name: EXPERIMENT_FILE, role: 'other', bytes: Buffer.from(stringifyJson(documents.experiment)) },
      ...(captured.patchFile ? [captured.patchFile] : []),
    ],
    buildManifest: (outputs) =>
      buildManifest(
        {
          tag,
          demo: documents.summary.demo,
          note: documents.summary.note,
          subcommand: 'aggregate',
          command: options.command ?? recordedCommand(),
          runDir,
          createdAt: options.now ?? new Date(),
          code: { git: captured.git },
          environment: captured.environment,
          data: memberData(root, members),
          // The plan is what an aggregation is configured by; without one, the canonical JSON of what it pooled.
          config: planned ? { path: `artifacts/experiments/${name}/plan.json`, sha256: planned.sha256 } : { path: null, sha256: sha256Hex(stringifyJson(hyperparameters)) },
          hyperparameters,
        },
        outputs,
      ),
  });
  return { kind: 'written', tag, version, documents, published };
};
