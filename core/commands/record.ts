import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from '../config.js';
import { UserError, isUserError } from '../errors.js';
import { sha256File } from '../hashing/sha256-file.js';
import { loadMetricsInput, type LoadedMetrics, type MetricsInput } from '../metrics-input.js';
import type { ParentLink } from '../run/parent.js';
import { resolveOutcome, type RunOutcome, type RunStatus } from '../run/run-status.js';
import { resolveParent } from './parent.js';
import { trainingCurveFiles } from '../run/figure-files.js';
import { buildManifest, type ManifestInputs } from '../run/manifest.js';
import type { RunFile } from '../run/outputs.js';
import { assertTargetFree, publishRun, type PublishedRun } from '../run/publish.js';
import { recordedDocuments, type CheckpointSource } from '../run/recorded-documents.js';
import type { ManifestDataEntry } from '../datasets/types.js';
import { checkRunDatasets } from './datasets.js';
import { startProvenanceCapture, type CapturedProvenance } from './provenance.js';
import { projectRunTarget, type RunTarget } from './target.js';

export interface RecordOptions {
  cwd: string;
  tag: string;
  config?: string;
  metrics?: string;
  checkpoint?: string;
  /** Registered datasets the run used (`--data`), re-checked before anything runs. */
  data?: string[];
  allowDataDrift?: boolean;
  /** argv recorded in the manifest. */
  command: string[];
  /** `--status`: how the run ended, when the metrics file cannot say (see resolveOutcome). */
  status?: RunStatus;
  /** `--status-reason`: why it did not complete. */
  statusReason?: string;
  /** `--parent`: the run this one resumed from. */
  parent?: string;
  /** The sweep trial this run is (`dl-lab sweep`), recorded in the manifest. */
  experiment?: ManifestInputs['experiment'];
  /** Files the caller adds to the run beside the recorded ones (a sweep trial's `logs/tail.log`). */
  extraFiles?: readonly RunFile[];
}

export interface RecordPlan {
  target: RunTarget;
  config: LoadedConfig;
  metrics: LoadedMetrics | undefined;
  checkpointGiven: string | undefined;
  checkpointPath: string | undefined;
  data: ManifestDataEntry[];
  command: string[];
  outcome: RunOutcome;
  parent: ParentLink | undefined;
  experiment?: ManifestInputs['experiment'];
  extraFiles: readonly RunFile[];
}

/** Every check that needs no heavy work, before anything runs: tag, project, config, metrics, checkpoint. */
export const planRecord = async (options: RecordOptions): Promise<RecordPlan> => {
  const target = projectRunTarget(options.cwd, options.tag);
  await assertTargetFree(target.targetDir);
  const config = options.config
    ? loadConfig(options.config, options.cwd, target.root)
    : loadConfig(DEFAULT_CONFIG_PATH, target.root, target.root);
  const metrics = options.metrics ? loadMetricsInput(resolve(options.cwd, options.metrics), options.metrics) : undefined;
  const checkpointGiven = options.checkpoint ?? metrics?.input.best_checkpoint?.path;
  const checkpointPath = options.checkpoint ? resolve(options.cwd, options.checkpoint) : metrics?.checkpointPath;
  const outcome = resolveOutcome(metrics?.input, { status: options.status, reason: options.statusReason }, options.metrics ?? '--metrics');
  const parent = await planParent(target.root, options.parent, metrics?.input.parent, options.metrics);
  const data = await checkRunDatasets(target.root, options.data ?? [], options.allowDataDrift === true);
  return { target, config, metrics, checkpointGiven, checkpointPath, data, command: options.command, outcome, parent, experiment: options.experiment, extraFiles: options.extraFiles ?? [] };
};

/** The parent link from `--parent` and/or the metrics file's `parent` (the logger's resumed_from), which must agree. */
const planParent = async (root: string, flag: string | undefined, logged: MetricsInput['parent'], metricsLabel: string | undefined): Promise<ParentLink | undefined> => {
  if (flag !== undefined && logged !== undefined && flag !== logged.tag) {
    throw new UserError(`--parent ${flag} contradicts ${metricsLabel}: /parent/tag "${logged.tag}"`, { file: metricsLabel, field: '/parent/tag' });
  }
  const tag = flag ?? logged?.tag;
  return tag === undefined ? undefined : resolveParent(root, tag, logged?.checkpoint_sha256, flag !== undefined ? '--parent' : `${metricsLabel}: /parent`);
};

const hashCheckpoint = async (path: string, given: string): Promise<CheckpointSource> => {
  try {
    const { sha256, bytes } = await sha256File(path);
    return { path, given, sha256, size: bytes };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`checkpoint ${given}: cannot read (${code ?? (error as Error).message})`, { file: given, field: '--checkpoint' });
  }
};

export const executeRecord = async (plan: RecordPlan, provenance: Promise<CapturedProvenance>, now = new Date()): Promise<PublishedRun> => {
  const { target } = plan;
  const checkpoint = plan.checkpointPath && plan.checkpointGiven ? await hashCheckpoint(plan.checkpointPath, plan.checkpointGiven) : undefined;
  const docs = recordedDocuments(target.tag, target.runDir, plan.metrics?.input, checkpoint, plan.outcome);
  const figures = await trainingCurveFiles(docs.analysis.history, docs.summary.best_checkpoint?.epoch ?? undefined);
  const captured = await provenance;
  return publishRun({
    targetDir: target.targetDir,
    runDir: target.runDir,
    summary: docs.summary,
    analysis: docs.analysis,
    checkpointRecord: docs.checkpointRecord,
    extraFiles: [...figures, ...docs.extraFiles, ...plan.extraFiles, ...(captured.patchFile ? [captured.patchFile] : [])],
    buildManifest: (outputs) =>
      buildManifest(
        {
          tag: target.tag,
          demo: docs.summary.demo,
          ...(docs.summary.note === undefined ? {} : { note: docs.summary.note }),
          subcommand: 'run',
          command: plan.command,
          runDir: target.runDir,
          createdAt: now,
          code: { git: captured.git },
          environment: captured.environment,
          data: plan.data,
          config: { path: plan.config.path, sha256: plan.config.sha256 },
          hyperparameters: plan.config.config,
          ...(plan.parent === undefined ? {} : { parent: plan.parent }),
          experiment: plan.experiment,
        },
        outputs,
      ),
  });
};

/** Plan, capture provenance and seal in one call: `dl-lab run` for callers other than the generator. */
export const recordRun = async (options: RecordOptions): Promise<PublishedRun> => {
  const plan = await planRecord(options);
  const provenance = startProvenanceCapture(plan.target.root);
  provenance.catch(() => {}); // awaited by executeRecord; never an unhandled rejection meanwhile
  return executeRecord(plan, provenance);
};

export type UnfinishedRecordOptions = Omit<RecordOptions, 'status' | 'statusReason'> & { status: 'interrupted' | 'failed'; reason: string };

/**
 * Plan the seal of a run whose training did not complete (a sweep's trial that crashed, was
 * killed, or wrote no or an invalid metrics file), so it is a record, not an absence. The metrics
 * file is used when it is there and valid (its numbers so far, its history); otherwise the run is
 * sealed with no metrics at all — never placeholder numbers — and `reason` says why the file was left out.
 */
export const planUnfinishedRecord = async (options: UnfinishedRecordOptions): Promise<RecordPlan> => {
  const { status, reason, ...rest } = options;
  let unusable: string | undefined;
  if (rest.metrics !== undefined) {
    try {
      loadMetricsInput(resolve(rest.cwd, rest.metrics), rest.metrics);
    } catch (error) {
      if (!isUserError(error)) throw error;
      unusable = error.message.split('\n')[0];
    }
  }
  if (unusable === undefined) return planRecord({ ...rest, status, statusReason: reason });
  const { metrics: _left, checkpoint: _unselected, ...withoutMetrics } = rest;
  return planRecord({ ...withoutMetrics, status, statusReason: `${reason}; metrics file left out: ${unusable}` });
};

/**
 * Seal a run whose training did not complete (see planUnfinishedRecord). `provenance` lets a caller
 * sealing many runs (a sweep) capture it once; without it, it is captured here.
 */
export const recordUnfinishedRun = async (options: UnfinishedRecordOptions, provenance?: Promise<CapturedProvenance>): Promise<PublishedRun> => {
  const plan = await planUnfinishedRecord(options);
  if (provenance) return executeRecord(plan, provenance);
  const captured = startProvenanceCapture(plan.target.root);
  captured.catch(() => {}); // awaited by executeRecord; never an unhandled rejection meanwhile
  return executeRecord(plan, captured);
};
