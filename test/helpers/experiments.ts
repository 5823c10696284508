import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../core/hash.js';
import { stringifyJson } from '../../core/json-file.js';
import { runChecksums, sealDigest } from '../../core/run/outputs.js';
import { runDirOf } from './project.js';
import { metricsFile, sealMetricsRun, type MetricsFile } from './runs.js';

/**
 * An experiment as `dl-lab sweep` leaves it, built from existing pieces: plan.json
 * (schemas/plan.schema.json) and one sealed run per trial, tag
 * `<NAME>-<variant>-s<seed>`, sealed by `dl-lab run --metrics` with the given accuracy and a
 * short history (the trials' manifests then carry no `experiment` field: the plan names them).
 */
export interface Trial {
  variant: string;
  seed: number;
  accuracy?: number;
  /** Fields of the metrics file to replace (another primary metric, other results). */
  changes?: Partial<MetricsFile>;
}

export const writePlan = (root: string, name: string, variants: Record<string, Record<string, unknown>>, seeds: number[]): void => {
  const dir = join(root, 'artifacts', 'experiments', name);
  mkdirSync(dir, { recursive: true });
  const plan = {
    name,
    created_at: '2026-12-05T10:00:00.000Z',
    command: ['python', 'train.py', '--config', '{config}', '--out', '{out}'],
    base_config: { path: 'configs/default.json', sha256: '0'.repeat(64) },
    seeds,
    grid: [],
    variants: Object.entries(variants).map(([variant, overrides]) => ({ name: variant, overrides })),
    trials: Object.keys(variants).flatMap((variant) => seeds.map((seed) => ({ tag: `${name}-${variant}-s${seed}`, variant, seed }))),
  };
  writeFileSync(join(dir, 'plan.json'), stringifyJson(plan));
};

/** A trial's run: accuracy a, loss 1 − a, a three-epoch history that ends at them. */
export const sealTrial = async (root: string, name: string, { variant, seed, accuracy = 0.9, changes = {} }: Trial): Promise<string> => {
  const tag = `${name}-${variant}-s${seed}`;
  const history = [1, 2, 3].map((epoch) => ({ epoch, val_accuracy: accuracy - 0.1 * (3 - epoch), val_loss: 1 - accuracy + 0.1 * (3 - epoch) }));
  await sealMetricsRun(root, tag, metricsFile(accuracy, 1 - accuracy, { history, ...changes }));
  return tag;
};

/**
 * Re-seal a run after its files were edited, as a forger with dl-lab's own pieces would: fresh
 * sha256 and size per output, a new seal and SHA256SUMS. Byte checks then pass; only checks of
 * meaning (an experiment's statistics recomputed from its members) can catch the edit.
 */
export const resealRun = (root: string, tag: string): void => {
  const dir = runDirOf(root, tag);
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  for (const output of manifest.outputs) {
    const bytes = readFileSync(join(root, output.path));
    output.sha256 = sha256Hex(bytes);
    output.bytes = bytes.length;
  }
  manifest.seal.digest = sealDigest(manifest.outputs);
  const manifestText = stringifyJson(manifest);
  for (const file of ['manifest.json', 'SHA256SUMS']) chmodSync(join(dir, file), 0o644);
  writeFileSync(manifestPath, manifestText);
  writeFileSync(join(dir, 'SHA256SUMS'), runChecksums(manifest.run_dir, manifest.outputs, sha256Hex(manifestText)));
};
