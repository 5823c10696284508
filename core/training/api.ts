/**
 * Public surface of the CPU training core behind `dl-lab demo`. (Not `index.ts`: that name would be
 * picked up as a Yeoman generator in some folders. This core never imports Yeoman.)
 */
export { DEFAULT_TRAIN_CONFIG, validateTrainConfig, type ModelTrainConfig, type TrainConfig } from './config.js';
export { canonicalBytes, generateDataset, type DataSpec, type DatasetSplits, type Split } from './dataset.js';
export { CHECKPOINT_FORMAT, type MlpCheckpoint } from './checkpoint.js';
export { Rng, RngStream } from './prng.js';
export { evaluate, train, trainInTurns, trainOnSplits, type EpochRecord, type TrainHooks, type TrainResult } from './train.js';
export type { LossAccuracy } from './mlp.js';
export type { Standardization } from './standardize.js';
