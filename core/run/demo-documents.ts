import { CONTRACT_VERSION } from '../contract/contract-version.js';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { MlpCheckpointRecord } from '../contract/generated/checkpoint.js';
import type { MetricDefinitions, RunSummary } from '../contract/generated/summary.js';
import type { TrainResult } from '../training/train.js';
import { CHECKPOINT_RECORD, runFilePath } from './paths.js';

/** What every demo metric means; the 'best' values are those of the selected checkpoint's epoch. */
export const DEMO_METRIC_DEFINITIONS: MetricDefinitions = {
  train_loss_best: { definition: 'Mean binary cross-entropy (with logits) on the train split at the selected checkpoint (lowest validation loss).', unit: 'nats', higher_is_better: false, display_digits: 3 },
  val_loss_best: { definition: 'Lowest mean binary cross-entropy on the validation split over all epochs; it selects the checkpoint.', unit: 'nats', higher_is_better: false, display_digits: 3 },
  train_accuracy_best: { definition: 'Fraction of train samples classified correctly at the selected checkpoint.', unit: 'fraction', higher_is_better: true, display_digits: 3 },
  val_accuracy_best: { definition: 'Fraction of validation samples classified correctly at the selected checkpoint.', unit: 'fraction', higher_is_better: true, display_digits: 3 },
  best_epoch: { definition: 'Epoch (from 1) of the selected checkpoint: the lowest validation loss, earliest on ties.', unit: 'epoch', higher_is_better: null, display_digits: 0 },
  test_accuracy: { definition: 'Fraction of held-out test samples classified correctly, measured once, at the selected checkpoint.', unit: 'fraction', higher_is_better: true, display_digits: 3 },
  test_loss: { definition: 'Mean binary cross-entropy on the test split, measured once, at the selected checkpoint.', unit: 'nats', higher_is_better: false, display_digits: 3 },
  duration_seconds: { definition: 'Wall-clock time of data generation plus training plus evaluation (not reproducible; never a result).', unit: 's', higher_is_better: null, display_digits: 2 },
};

/** Headline numbers: every deterministic metric (duration is excluded so results are byte-reproducible). */
const DEMO_RESULT_KEYS = ['test_accuracy', 'test_loss', 'val_accuracy_best', 'val_loss_best', 'train_accuracy_best', 'train_loss_best', 'best_epoch'] as const;

export interface DemoDocuments { summary: RunSummary; analysis: RunAnalysis; checkpointRecord: MlpCheckpointRecord }

export const demoDocuments = (tag: string, runDir: string, result: TrainResult, durationSeconds: number): DemoDocuments => {
  const best = result.history[result.best.epoch - 1];
  const metrics: Record<string, number> = {
    train_loss_best: best.train_loss,
    val_loss_best: best.val_loss,
    train_accuracy_best: best.train_accuracy,
    val_accuracy_best: best.val_accuracy,
    best_epoch: result.best.epoch,
    test_accuracy: result.test_accuracy,
    test_loss: result.test_loss,
    duration_seconds: durationSeconds,
  };
  const note = 'Built-in demo: a one-hidden-layer MLP trained on generated two-moons data; it proves the wiring, not a research result.';
  return {
    summary: {
      schema_version: CONTRACT_VERSION,
      tag,
      demo: true,
      note,
      metrics,
      metric_definitions: DEMO_METRIC_DEFINITIONS,
      primary_metric: 'test_accuracy',
      best_checkpoint: { path: runFilePath(runDir, CHECKPOINT_RECORD), selected_by: 'val_loss_best', epoch: result.best.epoch, metric_value: best.val_loss },
    },
    analysis: {
      schema_version: CONTRACT_VERSION,
      tag,
      demo: true,
      note,
      results: Object.fromEntries(DEMO_RESULT_KEYS.map((key) => [key, metrics[key]])),
      history: result.history.map((record) => ({ ...record })),
    },
    checkpointRecord: { schema_version: CONTRACT_VERSION, ...result.best.checkpoint },
  };
};
