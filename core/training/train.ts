/**
 * Minibatch SGD for the MLP, and evaluation of checkpoints. Deterministic: a config fully decides
 * the data, the initial weights and the batch order (each from its own PRNG stream of the seed),
 * and all arithmetic runs in a fixed order, so the same config gives bit-identical results.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { fromCheckpoint, toCheckpoint, type MlpCheckpoint } from './checkpoint.js';
import { validateModelTrainConfig, validateTrainConfig, type ModelTrainConfig, type TrainConfig } from './config.js';
import { canonicalBytes, generateDataset, SPLIT_NAMES, type DatasetSplits, type Split } from './dataset.js';
import { Mlp, type LossAccuracy } from './mlp.js';
import { Rng, RngStream } from './prng.js';
import { fitStandardization, standardizeSplit } from './standardize.js';

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Measured on the whole split with the weights at the end of the epoch (not a running average). */
  train_loss: number;
  val_loss: number;
  train_accuracy: number;
  val_accuracy: number;
}

export interface TrainResult {
  history: EpochRecord[];
  /** The epoch with the lowest val_loss (the earliest on ties). */
  best: { epoch: number; val_loss: number; checkpoint: MlpCheckpoint };
  /** Measured once, with the best checkpoint. */
  test_accuracy: number;
  test_loss: number;
  /** `canonicalBytes` of the raw data trained on; hash it to identify the data of a run. */
  dataset_bytes: Uint8Array;
  /** Gradient evaluations, i.e. epochs × train size. */
  samples_seen: number;
}

export interface TrainHooks {
  onEpoch?: (record: EpochRecord, total: number) => void;
}

/** Generates the configured dataset from the seed and trains on it. */
export function train(config: TrainConfig, hooks: TrainHooks = {}): TrainResult {
  validateTrainConfig(config);
  return runToEnd(trainingEpochs(generateDataset(config.data, config.seed), config, hooks));
}

/**
 * `train`, returning to the event loop after each epoch (the same arithmetic, so the same result).
 * Why: child processes and file reads started before training (the provenance capture of a run:
 * git and the Python probe, one step after another) only move on when the event loop turns; a
 * training that holds the thread for its whole length leaves them waiting until after it.
 */
export async function trainInTurns(config: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  validateTrainConfig(config);
  const epochs = trainingEpochs(generateDataset(config.data, config.seed), config, hooks);
  for (let step = epochs.next(); ; step = epochs.next()) {
    if (step.done) return step.value;
    await yieldToEventLoop();
  }
}

/** Trains on caller-supplied raw splits (e.g. benchmark data); `config.seed` still drives init and batch order. */
export function trainOnSplits(splits: DatasetSplits, config: ModelTrainConfig, hooks: TrainHooks = {}): TrainResult {
  validateModelTrainConfig(config);
  validateSplits(splits);
  return runToEnd(trainingEpochs(splits, config, hooks));
}

/** Mean loss and accuracy of a checkpoint on a raw split (standardized with the checkpoint's statistics). */
export function evaluate(checkpoint: MlpCheckpoint, split: Split): LossAccuracy {
  const model = fromCheckpoint(checkpoint);
  if (split.d !== model.inputs) throw new RangeError(`split has d=${split.d}, checkpoint expects ${model.inputs} inputs`);
  const standardized = standardizeSplit(split, checkpoint.standardization);
  return model.measure(standardized.x, standardized.y, standardized.n);
}

function runToEnd(epochs: Generator<EpochRecord, TrainResult>): TrainResult {
  for (let step = epochs.next(); ; step = epochs.next()) if (step.done) return step.value;
}

/** The training of a validated config, one epoch per step (each yields its record); returns the result. */
function* trainingEpochs(splits: DatasetSplits, config: ModelTrainConfig, hooks: TrainHooks): Generator<EpochRecord, TrainResult> {
  const { epochs, batch_size: batchSize, lr } = config.training;
  const standardization = fitStandardization(splits.train);
  const trainSet = standardizeSplit(splits.train, standardization);
  const valSet = standardizeSplit(splits.val, standardization);
  const n = trainSet.n;

  const model = new Mlp(trainSet.d, config.model.hidden);
  model.initGlorot(new Rng(config.seed, RngStream.init));
  const shuffler = new Rng(config.seed, RngStream.shuffle);
  // Reshuffled in place every epoch (not reset to identity first): part of the reproducible order.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;

  const bestParams = new Float64Array(model.params.length);
  let bestEpoch = 0;
  let bestValLoss = Infinity;
  const history: EpochRecord[] = [];

  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffler.shuffle(order);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      model.zeroGrad();
      model.accumulateBatch(trainSet.x, trainSet.y, order, start, end);
      model.step(lr / (end - start));
    }
    const trainMetrics = model.measure(trainSet.x, trainSet.y, n);
    const valMetrics = model.measure(valSet.x, valSet.y, valSet.n);
    if (!Number.isFinite(trainMetrics.loss) || !Number.isFinite(valMetrics.loss)) {
      // NaN/Infinity cannot be recorded as JSON and means the weights blew up.
      throw new UserError(`training diverged in epoch ${epoch} (loss is not finite); lower /training/lr (now ${lr})`, {
        field: '/training/lr',
      });
    }
    const record: EpochRecord = {
      epoch,
      train_loss: trainMetrics.loss,
      val_loss: valMetrics.loss,
      train_accuracy: trainMetrics.accuracy,
      val_accuracy: valMetrics.accuracy,
    };
    history.push(record);
    if (valMetrics.loss < bestValLoss) {
      bestValLoss = valMetrics.loss;
      bestEpoch = epoch;
      bestParams.set(model.params);
    }
    hooks.onEpoch?.(record, epochs);
    yield record;
  }

  model.params.set(bestParams);
  const checkpoint = toCheckpoint(model, bestEpoch, standardization);
  const test = evaluate(checkpoint, splits.test);
  return {
    history,
    best: { epoch: bestEpoch, val_loss: bestValLoss, checkpoint },
    test_accuracy: test.accuracy,
    test_loss: test.loss,
    dataset_bytes: canonicalBytes(splits),
    samples_seen: epochs * n,
  };
}

/** Caller-supplied splits are a programming interface, so shape errors are RangeErrors, not UserErrors. */
function validateSplits(splits: DatasetSplits): void {
  const d = splits?.train?.d;
  if (!Number.isInteger(d) || d < 1) throw new RangeError('splits.train.d must be an integer >= 1');
  for (const name of SPLIT_NAMES) {
    const split = splits[name];
    if (!split || split.d !== d) throw new RangeError(`splits.${name} must have d=${d}`);
    if (!Number.isInteger(split.n) || split.n < 1) throw new RangeError(`splits.${name}.n must be an integer >= 1`);
    if (!(split.x instanceof Float64Array) || split.x.length !== split.n * d) {
      throw new RangeError(`splits.${name}.x must be a Float64Array of n·d = ${split.n * d} values`);
    }
    if (!(split.y instanceof Uint8Array) || split.y.length !== split.n) throw new RangeError(`splits.${name}.y must be a Uint8Array of n = ${split.n} labels`);
    if (!allFinite(split.x)) throw new RangeError(`splits.${name}.x must hold only finite numbers`);
    for (let i = 0; i < split.n; i++) {
      if (split.y[i] > 1) throw new RangeError(`splits.${name}.y[${i}] is ${split.y[i]}, labels must be 0 or 1`);
    }
  }
}

/** v·0 is 0 for every finite v and NaN otherwise; one multiply-add per value keeps this cheap. */
function allFinite(values: Float64Array): boolean {
  let probe = 0;
  for (let i = 0; i < values.length; i++) probe += values[i] * 0;
  return probe === 0;
}
