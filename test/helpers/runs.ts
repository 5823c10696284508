import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGenerator } from './generators.js';
import { runDirOf } from './project.js';

/** A metrics file as a training script writes it (schemas/metrics-input.schema.json). */
export interface MetricsFile {
  metrics: Record<string, number>;
  metric_definitions: Record<string, { definition: string; unit: string; higher_is_better: boolean | null }>;
  primary_metric: string;
  results: Record<string, number>;
  history?: Array<Record<string, number>>;
}

export const ACCURACY = { definition: 'Top-1 accuracy on the validation split', unit: 'fraction', higher_is_better: true };
export const LOSS = { definition: 'Mean cross-entropy on the validation split', unit: 'nats', higher_is_better: false };

/** Metrics of a typical run: accuracy (higher is better) is primary, loss (lower is better) is also tracked. */
export const metricsFile = (accuracy: number, loss: number, changes: Partial<MetricsFile> = {}): MetricsFile => ({
  metrics: { val_accuracy: accuracy, val_loss: loss },
  metric_definitions: { val_accuracy: ACCURACY, val_loss: LOSS },
  primary_metric: 'val_accuracy',
  results: { val_accuracy: accuracy },
  ...changes,
});

/** Seal a run of "training outside dl-lab" with `dl-lab run <tag> --metrics` (tmp/ is git-ignored, so the tree stays clean). */
export const sealMetricsRun = async (root: string, tag: string, metrics: MetricsFile): Promise<void> => {
  mkdirSync(join(root, 'tmp'), { recursive: true });
  writeFileSync(join(root, 'tmp', `${tag}.json`), JSON.stringify(metrics));
  await captureOutput(() => runGenerator('run', { cwd: root, args: [tag], options: { metrics: `tmp/${tag}.json` } }));
};

/** Edit a sealed (read-only) file of a run in place, as someone tampering with it would. */
export const tamperRunFile = (root: string, tag: string, file: string, edit: (text: string) => string): void => {
  const path = join(runDirOf(root, tag), file);
  chmodSync(path, 0o644);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
};

/** stdout and stderr written while `action` runs (the generators print their report with process.stdout.write). */
export const captureOutput = async (action: () => Promise<unknown>): Promise<{ stdout: string; stderr: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    await action();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  return { stdout: out.join(''), stderr: err.join('') };
};
