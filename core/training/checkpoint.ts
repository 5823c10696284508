/**
 * The JSON-safe form of a trained model: architecture, the standardization it expects its raw
 * inputs to go through, and the weights (plain number arrays; JSON round-trips doubles exactly).
 */
import { UserError } from '../errors.js';
import { Mlp } from './mlp.js';
import type { Standardization } from './standardize.js';

export const CHECKPOINT_FORMAT = 'dl-lab-mlp/v1';

/** Weight layout as in mlp.ts: W1 input×hidden row-major; with hidden = 0, W1/b1 are empty and W2 is input×1. */
export interface MlpCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  epoch: number;
  architecture: { input: number; hidden: number; output: 1; activation: 'tanh' };
  standardization: Standardization;
  weights: { W1: number[]; b1: number[]; W2: number[]; b2: number[] };
}

/** Captures the model's current parameters. */
export function toCheckpoint(model: Mlp, epoch: number, standardization: Standardization): MlpCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    epoch,
    architecture: { input: model.inputs, hidden: model.hidden, output: 1, activation: 'tanh' },
    standardization: { mean: [...standardization.mean], std: [...standardization.std] },
    weights: { W1: Array.from(model.w1), b1: Array.from(model.b1), W2: Array.from(model.w2), b2: Array.from(model.b2) },
  };
}

/** Rebuilds the model; checkpoints may come from disk, so every shape and number is checked. */
export function fromCheckpoint(checkpoint: MlpCheckpoint): Mlp {
  if (checkpoint?.format !== CHECKPOINT_FORMAT) {
    throw new UserError(`checkpoint format must be "${CHECKPOINT_FORMAT}"`, { field: '/format' });
  }
  const { input, hidden } = checkpoint.architecture ?? {};
  if (!Number.isInteger(input) || input < 1) throw new UserError('checkpoint input size must be an integer >= 1', { field: '/architecture/input' });
  if (!Number.isInteger(hidden) || hidden < 0) throw new UserError('checkpoint hidden size must be an integer >= 0', { field: '/architecture/hidden' });
  if (checkpoint.architecture.activation !== 'tanh') throw new UserError('checkpoint activation must be "tanh"', { field: '/architecture/activation' });
  requireNumbers(checkpoint.standardization?.mean, input, '/standardization/mean');
  requireNumbers(checkpoint.standardization?.std, input, '/standardization/std');
  if (!checkpoint.standardization.std.every((s) => s > 0)) {
    throw new UserError('checkpoint standardization std values must be > 0', { field: '/standardization/std' });
  }
  // Shapes are checked before allocating, so a tampered size cannot request a huge model.
  const { W1, b1, W2, b2 } = checkpoint.weights ?? {};
  requireNumbers(W1, input * hidden, '/weights/W1');
  requireNumbers(b1, hidden, '/weights/b1');
  requireNumbers(W2, hidden === 0 ? input : hidden, '/weights/W2');
  requireNumbers(b2, 1, '/weights/b2');
  const model = new Mlp(input, hidden);
  model.w1.set(W1);
  model.b1.set(b1);
  model.w2.set(W2);
  model.b2.set(b2);
  return model;
}

function requireNumbers(values: unknown, length: number, field: string): asserts values is number[] {
  if (!Array.isArray(values) || values.length !== length || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new UserError(`checkpoint ${field} must be ${length} finite numbers`, { field });
  }
}
