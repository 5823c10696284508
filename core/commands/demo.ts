import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG_PATH, inMemoryConfig, loadConfig, type ExperimentConfig, type LoadedConfig } from '../config.js';
import { sha256Hex } from '../hash.js';
import type { HashFilesOptions } from '../hashing/hash-files.js';
import { demoDocuments } from '../run/demo-documents.js';
import { trainingCurveFiles } from '../run/figure-files.js';
import { buildManifest, type ManifestInputs } from '../run/manifest.js';
import { assertTargetFree, publishRun, type PublishedRun } from '../run/publish.js';
import { DEFAULT_TRAIN_CONFIG, trainInTurns, type TrainConfig, type TrainHooks, type TrainResult } from '../training/api.js';
import type { ManifestDataEntry } from '../datasets/types.js';
import { findProjectRoot, requireProject } from '../project.js';
import { checkRunDatasets } from './datasets.js';
import type { CapturedProvenance } from './provenance.js';
import { outDirRunTarget, projectRunTarget, type RunTarget } from './target.js';

export interface DemoOptions {
  cwd: string;
  seed?: number;
  tag?: string;
  outDir?: string;
  epochs?: number;
  lr?: number;
  hidden?: number;
  config?: string;
  /** A config already resolved (reproduce: a run's recorded hyperparameters); no file is read. */
  effectiveConfig?: LoadedConfig;
  /** Registered datasets to record beside the generated one (`--data`), re-checked first. */
  data?: string[];
  allowDataDrift?: boolean;
  /** Told how the hashing goes when a dataset has to be re-hashed. */
  onHashProgress?: HashFilesOptions['onProgress'];
  command: string[];
  /** The sweep trial this run is (`dl-lab sweep`), recorded in the manifest. */
  experiment?: ManifestInputs['experiment'];
}

export interface DemoPlan {
  target: RunTarget;
  config: LoadedConfig;
  overrides: Record<string, number>;
  trainConfig: TrainConfig;
  data: ManifestDataEntry[];
  command: string[];
  experiment?: ManifestInputs['experiment'];
}

/** The name and version of the data generator, recorded as the generated dataset's provenance. */
export const DEMO_DATA_GENERATOR = 'dl-lab/two_moons@1';

/** Defaults < config file < command-line flags; `data`/`model`/`training` are merged key by key. */
export const effectiveTrainConfig = (config: ExperimentConfig, overrides: DemoPlan['overrides']): TrainConfig => {
  const section = <K extends 'data' | 'model' | 'training'>(key: K): TrainConfig[K] => ({
    ...DEFAULT_TRAIN_CONFIG[key],
    ...((config[key] as object | undefined) ?? {}),
  }) as TrainConfig[K];
  const merged: TrainConfig = { seed: config.seed, data: section('data'), model: section('model'), training: section('training') };
  if (overrides.seed !== undefined) merged.seed = overrides.seed;
  if (overrides.epochs !== undefined) merged.training.epochs = overrides.epochs;
  if (overrides.lr !== undefined) merged.training.lr = overrides.lr;
  if (overrides.hidden !== undefined) merged.model.hidden = overrides.hidden;
  return merged;
};

/**
 * Resolve where the demo writes and with which settings. Inside a project (the one the user is
 * in, wherever --out-dir writes) it reads configs/default.json (or --config); outside one it uses
 * the built-in defaults.
 */
export const planDemo = async (options: DemoOptions): Promise<DemoPlan> => {
  const overrides = Object.fromEntries(
    (['seed', 'epochs', 'lr', 'hidden'] as const).flatMap((key) => (options[key] === undefined ? [] : [[key, options[key] as number]])),
  );
  const projectRoot = findProjectRoot(options.cwd);
  const defaultFile = projectRoot ? join(projectRoot, DEFAULT_CONFIG_PATH) : undefined;
  const config = options.effectiveConfig
    ? options.effectiveConfig
    : options.config
    ? loadConfig(options.config, options.cwd, projectRoot)
    : defaultFile && existsSync(defaultFile)
      ? loadConfig(DEFAULT_CONFIG_PATH, projectRoot!, projectRoot)
      : inMemoryConfig({ ...DEFAULT_TRAIN_CONFIG, data: { ...DEFAULT_TRAIN_CONFIG.data }, model: { ...DEFAULT_TRAIN_CONFIG.model }, training: { ...DEFAULT_TRAIN_CONFIG.training } });
  const trainConfig = effectiveTrainConfig(config.config, overrides);
  const tag = options.tag ?? `demo-seed${trainConfig.seed}`;
  const target = options.outDir ? outDirRunTarget(options.cwd, options.outDir, tag) : projectRunTarget(options.cwd, tag);
  await assertTargetFree(target.targetDir, target.runDir === '.');
  const data = options.data?.length ? await checkRunDatasets(requireProject(options.cwd).root, options.data, options.allowDataDrift === true, options.onHashProgress) : [];
  return { target, config, overrides, trainConfig, data, command: options.command, experiment: options.experiment };
};

export interface DemoOutcome { published: PublishedRun; result: TrainResult; durationSeconds: number }

export const executeDemo = async (plan: DemoPlan, provenance: Promise<CapturedProvenance>, hooks: TrainHooks = {}, now = new Date()): Promise<DemoOutcome> => {
  const started = performance.now();
  const result = await trainInTurns(plan.trainConfig, hooks);
  const durationSeconds = Math.round(performance.now() - started) / 1000;
  const { target, trainConfig } = plan;
  const docs = demoDocuments(target.tag, target.runDir, result, durationSeconds);
  const figures = await trainingCurveFiles(result.history, result.best.epoch);
  const captured = await provenance;
  const published = await publishRun({
    targetDir: target.targetDir,
    runDir: target.runDir,
    summary: docs.summary,
    analysis: docs.analysis,
    checkpointRecord: docs.checkpointRecord,
    extraFiles: [...figures, ...(captured.patchFile ? [captured.patchFile] : [])],
    buildManifest: (outputs) =>
      buildManifest(
        {
          tag: target.tag,
          demo: true,
          note: docs.summary.note,
          subcommand: 'demo',
          command: plan.command,
          runDir: target.runDir,
          createdAt: now,
          code: { git: captured.git },
          environment: captured.environment,
          data: [
            {
              name: trainConfig.data.generator,
              sha256: sha256Hex(result.dataset_bytes),
              bytes: result.dataset_bytes.byteLength,
              provenance: { kind: 'generated', generator: DEMO_DATA_GENERATOR, seed: trainConfig.seed, spec: { ...trainConfig.data } },
            },
            ...plan.data,
          ],
          config: { path: plan.config.path, sha256: plan.config.sha256, ...(Object.keys(plan.overrides).length ? { overrides: plan.overrides } : {}) },
          hyperparameters: { ...plan.config.config, ...trainConfig },
          experiment: plan.experiment,
        },
        outputs,
      ),
  });
  return { published, result, durationSeconds };
};
