import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../../core/hash.js';
import { stringifyJson } from '../../core/json-file.js';
import type { MetricsInput } from '../../core/metrics-input.js';
import { captureEnvironment } from '../../core/provenance/environment.js';
import { buildManifest, type ManifestInputs, type RunManifest } from '../../core/run/manifest.js';
import { outputEntries, runChecksums, type RunFile } from '../../core/run/outputs.js';
import { CHECKPOINT_RECORD, MANIFEST, SHA256SUMS } from '../../core/run/paths.js';
import { recordedDocuments } from '../../core/run/recorded-documents.js';

/** One run to write: everything optional but the tag (no metrics = a wiring run with placeholder numbers). */
export interface SyntheticRun {
  tag: string;
  createdAt?: Date;
  metrics?: MetricsInput;
  /** Must hold an integer `seed` (default `{seed: 0}`). */
  hyperparameters?: Record<string, unknown>;
  /** Extra summary.json / manifest.json fields (e.g. contract 1.1's `status`, `experiment`), written as given. */
  summaryExtra?: Record<string, unknown>;
  manifestExtra?: Record<string, unknown>;
  /** Further outputs (role "other"), e.g. an experiment record's experiment.json. */
  extraJson?: Record<string, unknown>;
}

/**
 * Write sealed runs straight to `<root>/artifacts/runs/<tag>/`, laid out exactly as `publishRun`
 * lays them out (documents, outputs, seal, SHA256SUMS) but without git, a Python probe per run or
 * fsyncs: thousands of runs in seconds, for tests and benchmarks at scale. Without extras they pass
 * `dl-lab verify`. `environment` defaults to this machine's, captured once.
 */
export const writeSyntheticRuns = async (root: string, runs: readonly SyntheticRun[], environment?: RunManifest['environment']): Promise<void> => {
  const env = environment ?? (await captureEnvironment());
  for (const run of runs) {
    const runDir = `artifacts/runs/${run.tag}`;
    const docs = recordedDocuments(run.tag, runDir, run.metrics, undefined);
    const files: RunFile[] = [
      { name: 'summary.json', role: 'summary', bytes: Buffer.from(stringifyJson({ ...docs.summary, ...run.summaryExtra })) },
      { name: 'analysis.json', role: 'analysis', bytes: Buffer.from(stringifyJson(docs.analysis)) },
      { name: CHECKPOINT_RECORD, role: 'checkpoint-record', bytes: Buffer.from(stringifyJson(docs.checkpointRecord)) },
      ...Object.entries(run.extraJson ?? {}).map(([name, value]): RunFile => ({ name, role: 'other', bytes: Buffer.from(stringifyJson(value)) })),
    ];
    const outputs = outputEntries(runDir, files);
    const hyperparameters = (run.hyperparameters ?? { seed: 0 }) as ManifestInputs['hyperparameters'];
    const manifest = {
      ...buildManifest(
        {
          tag: run.tag, demo: run.metrics === undefined, subcommand: 'run', command: ['dl-lab', 'run', run.tag], runDir, createdAt: run.createdAt ?? new Date(0),
          code: { git: { available: false, reason: 'synthetic run' } }, environment: env, data: [],
          config: { path: null, sha256: sha256Hex('{}') }, hyperparameters,
        },
        outputs,
      ),
      ...run.manifestExtra,
    };
    const manifestBytes = Buffer.from(stringifyJson(manifest));
    const written: Array<{ name: string; bytes: Uint8Array }> = [
      ...files.map((file) => ({ name: file.name, bytes: (file as { bytes: Uint8Array }).bytes })),
      { name: MANIFEST, bytes: manifestBytes },
      { name: SHA256SUMS, bytes: Buffer.from(runChecksums(runDir, outputs, sha256Hex(manifestBytes))) },
    ];
    for (const file of written) {
      const path = join(root, runDir, file.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.bytes);
    }
  }
};
