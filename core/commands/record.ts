import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadConfig, type LoadedConfig } from '../config.js';
import { UserError } from '../errors.js';
import { sha256File } from '../hashing/sha256-file.js';
import { loadMetricsInput, type LoadedMetrics } from '../metrics-input.js';
import { trainingCurveFiles } from '../run/figure-files.js';
import { buildManifest, type ManifestInputs } from '../run/manifest.js';
import { assertTargetFree, publishRun, type PublishedRun } from '../run/publish.js';
import { recordedDocuments, type CheckpointSource } from '../run/recorded-documents.js';
import type { ManifestDataEntry } from '../datasets/types.js';
import { checkRunDatasets } from './datasets.js';
import type { CapturedProvenance } from './provenance.js';
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
  /** The sweep trial this run is (`dl-lab sweep`), recorded in the manifest. */
  experiment?: ManifestInputs['experiment'];
}

export interface RecordPlan {
  target: RunTarget;
  config: LoadedConfig;
  metrics: LoadedMetrics | undefined;
  checkpointGiven: string | undefined;
  checkpointPath: string | undefined;
  data: ManifestDataEntry[];
  command: string[];
  experiment?: ManifestInputs['experiment'];
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
  const data = await checkRunDatasets(target.root, options.data ?? [], options.allowDataDrift === true);
  return { target, config, metrics, checkpointGiven, checkpointPath, data, command: options.command, experiment: options.experiment };
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
  const docs = recordedDocuments(target.tag, target.runDir, plan.metrics?.input, checkpoint);
  const figures = await trainingCurveFiles(docs.analysis.history, docs.summary.best_checkpoint.epoch ?? undefined);
  const captured = await provenance;
  return publishRun({
    targetDir: target.targetDir,
    runDir: target.runDir,
    summary: docs.summary,
    analysis: docs.analysis,
    checkpointRecord: docs.checkpointRecord,
    extraFiles: [...figures, ...docs.extraFiles, ...(captured.patchFile ? [captured.patchFile] : [])],
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
          experiment: plan.experiment,
        },
        outputs,
      ),
  });
};
