/**
 * Training configuration, its default, and validation. Configs may come from user-edited JSON, so
 * every value is checked at runtime and reported as a UserError pointing at the offending field.
 */
import { UserError } from '../errors.js';
import type { DataSpec } from './dataset.js';

export interface TrainConfig {
  seed: number;
  data: DataSpec;
  /** hidden = 0 means no hidden layer: plain logistic regression. */
  model: { hidden: number; activation: 'tanh' };
  training: { epochs: number; batch_size: number; lr: number };
}

/** What training needs besides the data, for callers that bring their own splits. */
export type ModelTrainConfig = Pick<TrainConfig, 'seed' | 'model' | 'training'>;

/**
 * Tuned so that, for every seed 0..19, the best validation accuracy is at least 0.9 (measured
 * 0.952–0.984, mean 0.967) while logistic regression (hidden 0) on the same data reaches only
 * 0.828–0.936 (mean 0.867; 0.044 below the MLP at worst for one seed), and a whole `train` call
 * takes ~35 ms on a 2-core VM. Frozen, because callers share this one object.
 */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = deepFreeze({
  seed: 0,
  data: { generator: 'two_moons', n_train: 1000, n_val: 250, n_test: 250, noise: 0.2 },
  model: { hidden: 16, activation: 'tanh' },
  training: { epochs: 40, batch_size: 32, lr: 0.5 },
});

/** Guards against typos that would allocate gigabytes or run for hours, not against real use. */
const MAX_SPLIT_SIZE = 10_000_000;
const MAX_HIDDEN = 4096;
const MAX_EPOCHS = 1_000_000;

export function validateTrainConfig(config: TrainConfig): void {
  requireObject(config, '', 'the training config');
  validateModelTrainConfig(config);
  validateDataSpec(config.data, config.seed);
}

export function validateModelTrainConfig(config: ModelTrainConfig): void {
  requireObject(config, '', 'the training config');
  requireInteger(config.seed, '/seed', 0, Number.MAX_SAFE_INTEGER);
  requireObject(config.model, '/model', 'model');
  requireInteger(config.model.hidden, '/model/hidden', 0, MAX_HIDDEN);
  if (config.model.activation !== 'tanh') {
    throw new UserError(`/model/activation must be "tanh", got ${show(config.model.activation)}`, { field: '/model/activation' });
  }
  requireObject(config.training, '/training', 'training');
  requireInteger(config.training.epochs, '/training/epochs', 1, MAX_EPOCHS);
  requireInteger(config.training.batch_size, '/training/batch_size', 1, Number.MAX_SAFE_INTEGER);
  const lr = config.training.lr;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new UserError(`/training/lr must be a finite number > 0, got ${show(lr)}`, { field: '/training/lr' });
  }
}

/** Also checks the seed, because generating data needs both. */
export function validateDataSpec(spec: DataSpec, seed: number): void {
  requireInteger(seed, '/seed', 0, Number.MAX_SAFE_INTEGER);
  requireObject(spec, '/data', 'data');
  if (spec.generator !== 'two_moons') {
    throw new UserError(`/data/generator must be "two_moons", got ${show(spec.generator)}`, { field: '/data/generator' });
  }
  requireInteger(spec.n_train, '/data/n_train', 1, MAX_SPLIT_SIZE);
  requireInteger(spec.n_val, '/data/n_val', 1, MAX_SPLIT_SIZE);
  requireInteger(spec.n_test, '/data/n_test', 1, MAX_SPLIT_SIZE);
  if (typeof spec.noise !== 'number' || !Number.isFinite(spec.noise) || spec.noise < 0) {
    throw new UserError(`/data/noise must be a finite number >= 0, got ${show(spec.noise)}`, { field: '/data/noise' });
  }
}

function requireInteger(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a safe integer >= ${min}` : `an integer in ${min}..${max}`;
    throw new UserError(`${field} must be ${range}, got ${show(value)}`, { field });
  }
}

function requireObject(value: unknown, field: string, what: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${what} must be an object, got ${show(value)}`, { field });
  }
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
