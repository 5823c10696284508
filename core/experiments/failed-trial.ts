/**
 * Sealing a trial that did not complete (failed or interrupted) as a run of its own, so an
 * experiment lists it instead of silently dropping it.
 *
 * TEMPORARY (sweep side of issue 15): the Python-logger work (issue 16) adds `status` to the
 * metrics input and a core function that seals a failed run; once that is on main, replace
 * `sealUnfinishedTrial` by it. The summary fields written here (`status`, `status_reason`,
 * contract 1.1) are the shared design's.
 */
import type { RunSummary } from '../contract/generated/summary.js';
import { planRecord } from '../commands/record.js';
import type { CapturedProvenance } from '../commands/provenance.js';
import type { MetricsInput } from '../metrics-input.js';
import { buildManifest, type ManifestInputs } from '../run/manifest.js';
import { publishRun, type PublishedRun } from '../run/publish.js';
import { recordedDocuments } from '../run/recorded-documents.js';

/** The run file holding the end of the trial's log. */
export const LOG_TAIL_FILE = 'logs/tail.log';

/** A failed trial measured nothing: one defined, never-filled key, so the run satisfies the contract and has no number to cite. */
const NO_MEASUREMENT: MetricsInput = {
  metrics: {},
  metric_definitions: {
    no_measurement: {
      definition: 'This trial did not complete (see status and status_reason); it records the failure, not a measurement.',
      unit: '1',
      higher_is_better: true,
    },
  },
  primary_metric: 'no_measurement',
  results: {},
  notes: 'A sweep trial that did not complete: see summary.json status and status_reason, and logs/tail.log.',
};

export interface UnfinishedTrial {
  root: string;
  tag: string;
  /** The trial's config, relative to the project root. */
  config: string;
  status: Exclude<RunSummary['status'], 'completed' | undefined>;
  reason: string;
  logTail: string;
  experiment: NonNullable<ManifestInputs['experiment']>;
  command: string[];
}

export const sealUnfinishedTrial = async (trial: UnfinishedTrial, provenance: Promise<CapturedProvenance>, now = new Date()): Promise<PublishedRun> => {
  const plan = await planRecord({ cwd: trial.root, tag: trial.tag, config: trial.config, command: trial.command, experiment: trial.experiment });
  const { target } = plan;
  const docs = recordedDocuments(target.tag, target.runDir, NO_MEASUREMENT, undefined);
  const summary: RunSummary = { ...docs.summary, status: trial.status, status_reason: trial.reason };
  const captured = await provenance;
  const logFile = trial.logTail ? [{ name: LOG_TAIL_FILE, role: 'other' as const, bytes: Buffer.from(trial.logTail) }] : [];
  return publishRun({
    targetDir: target.targetDir,
    runDir: target.runDir,
    summary,
    analysis: docs.analysis,
    checkpointRecord: docs.checkpointRecord,
    extraFiles: [...logFile, ...(captured.patchFile ? [captured.patchFile] : [])],
    buildManifest: (outputs) =>
      buildManifest(
        {
          tag: target.tag,
          demo: false,
          note: NO_MEASUREMENT.notes,
          subcommand: 'sweep',
          command: plan.command,
          runDir: target.runDir,
          createdAt: now,
          code: { git: captured.git },
          environment: captured.environment,
          data: [],
          config: { path: plan.config.path, sha256: plan.config.sha256 },
          hyperparameters: plan.config.config,
          experiment: trial.experiment,
        },
        outputs,
      ),
  });
};
