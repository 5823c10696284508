import { chmodSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from '../config.js';
import { UserError, isUserError } from '../errors.js';
import type { HashFilesOptions } from '../hashing/hash-files.js';
import { loadMetricsInput, type LoadedMetrics, type MetricsInput } from '../metrics-input.js';
import { finishMove, intakeCheckpoint, type CheckpointIntake } from '../run/checkpoint-intake.js';
import type { ParentLink } from '../run/parent.js';
import { resolveOutcome, type RunOutcome, type RunStatus } from '../run/run-status.js';
import { openStaging, type Staging } from '../run/staging.js';
import { resolveParent } from './parent.js';
import { trainingCurveFiles } from '../run/figure-files.js';
import { buildManifest, type ManifestInputs } from '../run/manifest.js';
import type { RunFile } from '../run/outputs.js';
import { assertTargetFree, publishRun, type PublishedRun } from '../run/publish.js';
import { captureTrainingPython } from '../provenance/python.js';
import type { PythonInfo } from '../provenance/types.js';
import { checkpointCopyName, recordedDocuments, type CheckpointSource } from '../run/recorded-documents.js';
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
  /** `--move-checkpoint`: link the checkpoint into the run and remove its old name once published (same filesystem). */
  moveCheckpoint?: boolean;
  /**
   * A folder of the caller's own (a sweep trial's `{out}`, emptied before each attempt): a checkpoint
   * inside it is moved into the run where it can be (CheckpointIntake 'move-or-copy'), not copied:
   * a sweep of 20 seeds with 5 GB checkpoints would otherwise leave 100 GB of copies behind.
   */
  scratchDir?: string;
  /** Registered datasets the run used (`--data`), re-checked before anything runs. */
  data?: string[];
  allowDataDrift?: boolean;
  /** Told how the hashing goes when a dataset has to be re-hashed. */
  onHashProgress?: HashFilesOptions['onProgress'];
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
  /**
   * Called once the cheap checks passed, before the datasets are re-checked (one stat per file,
   * 100,000 for a large dataset): the caller starts the provenance capture there, so its child
   * processes run meanwhile.
   */
  beforeDataCheck?: (projectRoot: string) => void;
  /** Files the caller adds to the run beside the recorded ones (a sweep trial's `logs/tail.log`). */
  extraFiles?: readonly RunFile[];
}

export interface RecordPlan {
  target: RunTarget;
  config: LoadedConfig;
  metrics: LoadedMetrics | undefined;
  checkpointGiven: string | undefined;
  checkpointPath: string | undefined;
  checkpointIntake: CheckpointIntake;
  data: ManifestDataEntry[];
  command: string[];
  outcome: RunOutcome;
  parent: ParentLink | undefined;
  experiment?: ManifestInputs['experiment'];
  extraFiles: readonly RunFile[];
  /** The training's own interpreter, when the metrics file names it: described instead of PATH's python3. */
  trainingPython: Promise<PythonInfo> | undefined;
}

/** Every check that needs no heavy work, before anything runs: tag, project, config, metrics, checkpoint. */
export const planRecord = async (options: RecordOptions): Promise<RecordPlan> => {
  const target = projectRunTarget(options.cwd, options.tag);
  await assertTargetFree(target.targetDir);
  const config = options.config
    ? loadConfig(options.config, options.cwd, target.root)
    : loadConfig(DEFAULT_CONFIG_PATH, target.root, target.root);
  const metrics = options.metrics ? loadMetricsInput(resolve(options.cwd, options.metrics), options.metrics) : undefined;
  // Started now, so its probe runs beside the rest of the run (it never rejects).
  const trainingPython = metrics?.input.python && captureTrainingPython(metrics.input.python.executable, options.metrics ?? '--metrics');
  const checkpointGiven = options.checkpoint ?? metrics?.input.best_checkpoint?.path;
  const checkpointPath = options.checkpoint ? resolve(options.cwd, options.checkpoint) : metrics?.checkpointPath;
  if (options.moveCheckpoint && !checkpointPath) {
    throw new UserError('--move-checkpoint needs a checkpoint (--checkpoint or best_checkpoint.path in the metrics file)', { field: '--move-checkpoint' });
  }
  const outcome = resolveOutcome(metrics?.input, { status: options.status, reason: options.statusReason }, options.metrics ?? '--metrics');
  const parent = await planParent(target.root, options.parent, metrics?.input.parent, options.metrics);
  if (checkpointPath && checkpointGiven) await assertReadableFile(checkpointPath, checkpointGiven);
  options.beforeDataCheck?.(target.root);
  const data = await checkRunDatasets(target.root, options.data ?? [], options.allowDataDrift === true, options.onHashProgress);
  const inScratch = options.scratchDir !== undefined && checkpointPath !== undefined && isInside(checkpointPath, resolve(options.cwd, options.scratchDir));
  const checkpointIntake: CheckpointIntake = options.moveCheckpoint ? 'move' : inScratch ? 'move-or-copy' : 'copy';
  return { target, config, metrics, checkpointGiven, checkpointPath, checkpointIntake, data, command: options.command, outcome, parent, experiment: options.experiment, extraFiles: options.extraFiles ?? [], trainingPython };
};

/** The parent link from `--parent` and/or the metrics file's `parent` (the logger's resumed_from), which must agree. */
const planParent = async (root: string, flag: string | undefined, logged: MetricsInput['parent'], metricsLabel: string | undefined): Promise<ParentLink | undefined> => {
  if (flag !== undefined && logged !== undefined && flag !== logged.tag) {
    throw new UserError(`--parent ${flag} contradicts ${metricsLabel}: /parent/tag "${logged.tag}"`, { file: metricsLabel, field: '/parent/tag' });
  }
  const tag = flag ?? logged?.tag;
  return tag === undefined ? undefined : resolveParent(root, tag, logged?.checkpoint_sha256, flag !== undefined ? '--parent' : `${metricsLabel}: /parent`);
};

/** Whether `path` is below the folder `dir` (both absolute). */
const isInside = (path: string, dir: string): boolean => {
  const below = relative(dir, path);
  return below !== '' && !below.startsWith('..') && !isAbsolute(below);
};

/** Fails before any work when the checkpoint is missing or not a file (it is read only once, later). */
const assertReadableFile = async (path: string, given: string): Promise<void> => {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`checkpoint ${given}: cannot read (${error.code ?? error.message})`, { file: given, field: '--checkpoint' });
  });
  if (!stats.isFile()) throw new UserError(`checkpoint ${given}: not a regular file`, { file: given, field: '--checkpoint' });
};

/**
 * The checkpoint, put into the staging folder (copied, cloned or linked) and hashed in the same
 * single read; `linked`: its old name is to go once the run is published.
 */
const placeCheckpoint = async (plan: RecordPlan, staging: Staging, onProgress: RecordProgress['onCheckpointProgress']): Promise<(CheckpointSource & { linked: boolean }) | undefined> => {
  const { checkpointPath: path, checkpointGiven: given } = plan;
  if (!path || !given) return undefined;
  const to = join(staging.dir, checkpointCopyName(path));
  const { mode, size } = await stat(path);
  const onBytes = onProgress && ((bytes: number): void => onProgress({ files: bytes === size ? 1 : 0, bytes, totalFiles: 1, totalBytes: size }));
  onBytes?.(0);
  const { sha256, bytes, linked } = await intakeCheckpoint({ from: path, to, given, mode: plan.checkpointIntake, onBytes });
  // Publishing makes the run's files read-only, and a linked checkpoint shares its inode with the original.
  if (linked) staging.onDiscard(() => chmodSync(path, mode & 0o7777));
  return { path, given, sha256, size: bytes, linked };
};

/** What `executeRecord` tells as it goes. */
export interface RecordProgress {
  /** How the checkpoint's single read (copy and hash) goes: a checkpoint can be tens of GB. */
  onCheckpointProgress?: HashFilesOptions['onProgress'];
}

export const executeRecord = async (plan: RecordPlan, provenance: Promise<CapturedProvenance>, progress: RecordProgress = {}): Promise<PublishedRun> => {
  const { target } = plan;
  const staging = await openStaging(target.targetDir);
  try {
    const { published, checkpoint } = await stageAndPublish(plan, provenance, staging, progress);
    if (checkpoint?.linked) {
      // The run is published and holds the checkpoint; failing to drop the old name loses nothing.
      await finishMove(checkpoint.path).catch((error: NodeJS.ErrnoException) =>
        process.stderr.write(`warning: the run has the checkpoint, but ${checkpoint.given} could not be removed (${error.code ?? error.message})\n`),
      );
    }
    return published;
  } catch (error) {
    await staging.discard();
    throw error;
  }
};

const stageAndPublish = async (
  plan: RecordPlan,
  provenance: Promise<CapturedProvenance>,
  staging: Staging,
  progress: RecordProgress,
): Promise<{ published: PublishedRun; checkpoint: Awaited<ReturnType<typeof placeCheckpoint>> }> => {
  const now = new Date();
  const { target } = plan;
  const checkpoint = await placeCheckpoint(plan, staging, progress.onCheckpointProgress);
  const docs = recordedDocuments(target.tag, target.runDir, plan.metrics?.input, checkpoint, plan.outcome);
  const figures = await trainingCurveFiles(docs.analysis.history, docs.summary.best_checkpoint?.epoch ?? undefined);
  const captured = await provenance;
  const environment = plan.trainingPython ? { ...captured.environment, python: await plan.trainingPython } : captured.environment;
  const published = await publishRun({
    staging,
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
          environment,
          data: plan.data,
          config: { path: plan.config.path, sha256: plan.config.sha256 },
          hyperparameters: plan.config.config,
          ...(plan.parent === undefined ? {} : { parent: plan.parent }),
          experiment: plan.experiment,
        },
        outputs,
      ),
  });
  return { published, checkpoint };
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
 * `status` is the caller's reading of the process (an exit status); a file the training closed
 * itself as interrupted or failed knows better (dl_lab_log on SIGTERM exits 143 with "interrupted"),
 * and resolveOutcome never turns one of those into the other: the file's status is sealed, its
 * reason followed by `reason`.
 */
export const planUnfinishedRecord = async (options: UnfinishedRecordOptions): Promise<RecordPlan> => {
  const { status, reason, ...rest } = options;
  let unusable: string | undefined;
  let logged: Pick<MetricsInput, 'status' | 'status_reason'> | undefined;
  if (rest.metrics !== undefined) {
    try {
      logged = loadMetricsInput(resolve(rest.cwd, rest.metrics), rest.metrics).input;
    } catch (error) {
      if (!isUserError(error)) throw error;
      unusable = error.message.split('\n')[0];
    }
  }
  if (unusable === undefined) {
    if (logged?.status !== 'interrupted' && logged?.status !== 'failed') return planRecord({ ...rest, status, statusReason: reason });
    // The training's own account first (which signal, which exception), then the process's (exit status, last log line).
    const statusReason = logged.status_reason ? `${logged.status_reason}; ${reason}` : reason;
    return planRecord({ ...rest, status: logged.status, statusReason });
  }
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
