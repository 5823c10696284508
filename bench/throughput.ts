/**
 * Training throughput of dl-lab's CPU trainer (the built dist/core/training, what `dl-lab demo`
 * runs), in samples × epochs per second, on the two workloads bench/reference/numpy_throughput.py
 * also runs:
 *  - logreg: the reference demo's logistic regression (6 Gaussian features, 512 train / 256 val,
 *    10 epochs, batch 64, lr 0.2) through `trainOnSplits` with hidden 0;
 *  - mlp: `dl-lab demo`'s default MLP (2 → 16 tanh → 1 on two moons, 1000 train / 250 val,
 *    40 epochs, batch 32, lr 0.5).
 * Timed like the reference's --report-throughput: the epoch loop (shuffle, SGD, then the loss and
 * accuracy of the whole train and validation sets, best-epoch bookkeeping; the reference measures
 * only the validation set), from the end of epoch 1 to the end of the last epoch (onEpoch), so
 * epochs − 1 epochs. Also reported: the whole trainOnSplits call. Data generation is not timed.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type * as TrainingApi from '../core/training/api.js';
import type { DatasetSplits, Split } from '../core/training/api.js';

type Api = typeof TrainingApi;

export const loadBuiltTrainer = async (repo: string): Promise<Api> =>
  (await import(pathToFileURL(join(repo, 'dist/core/training/api.js')).href)) as Api;

/** The reference's data: w_true ~ N(0,1)^d, x ~ N(0,1)^d, y = 1[w_true·x + N(0, 0.3²) > 0]. */
const gaussianSplits = (api: Api, seed: number): DatasetSplits => {
  const rng = new api.Rng(seed);
  const d = 6;
  const wTrue = Array.from({ length: d }, () => rng.normal());
  const split = (n: number): Split => {
    const x = new Float64Array(n * d);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let logit = 0;
      for (let k = 0; k < d; k++) logit += wTrue[k] * (x[i * d + k] = rng.normal());
      y[i] = logit + 0.3 * rng.normal() > 0 ? 1 : 0;
    }
    return { x, y, n, d };
  };
  return { train: split(512), val: split(256), test: split(256) };
};

export interface Throughput {
  /** The epoch loop, as the reference times it: from the end of epoch 1 to the end of the last (onEpoch). */
  loop: number[];
  /** The whole trainOnSplits call: also checking and standardizing the splits, the test evaluation and the dataset bytes. */
  call: number[];
}

const measure = (api: Api, splits: DatasetSplits, config: Parameters<Api['trainOnSplits']>[1], repeat: number, warmup: number): Throughput => {
  const { epochs } = config.training;
  const samplesPerEpoch = splits.train.n;
  const out: Throughput = { loop: [], call: [] };
  for (let i = 0; i < warmup + repeat; i++) {
    let firstEpochEnd = 0;
    let lastEpochEnd = 0;
    const started = performance.now();
    api.trainOnSplits(splits, config, {
      onEpoch: (record) => {
        lastEpochEnd = performance.now();
        if (record.epoch === 1) firstEpochEnd = lastEpochEnd;
      },
    });
    const ended = performance.now();
    if (i < warmup) continue;
    out.loop.push((samplesPerEpoch * (epochs - 1)) / ((lastEpochEnd - firstEpochEnd) / 1000));
    out.call.push((samplesPerEpoch * epochs) / ((ended - started) / 1000));
  }
  return out;
};

export const logregThroughput = (api: Api, repeat: number, warmup: number): Throughput =>
  measure(api, gaussianSplits(api, 0), { seed: 0, model: { hidden: 0, activation: 'tanh' }, training: { epochs: 10, batch_size: 64, lr: 0.2 } }, repeat, warmup);

export const mlpThroughput = (api: Api, repeat: number, warmup: number): Throughput => {
  const { seed, data, model, training } = api.DEFAULT_TRAIN_CONFIG;
  return measure(api, api.generateDataset(data, seed), { seed, model, training }, repeat, warmup);
};

export interface NumpyThroughput { version: string; logreg: number[]; mlp: number[] }

/** bench/reference/numpy_throughput.py under Debian's python (python3-numpy); undefined with the reason when it cannot run. */
export const numpyThroughput = (repo: string, python: string, repeat: number): NumpyThroughput | { unavailable: string } => {
  const result = spawnSync(python, [join(repo, 'bench/reference/numpy_throughput.py'), '--repeat', String(repeat)], { encoding: 'utf8' });
  if (result.status !== 0) return { unavailable: `${python}: ${(result.error?.message ?? result.stderr.trim().split('\n').at(-1)) || `exit ${result.status}`}` };
  const parsed = JSON.parse(result.stdout) as { numpy: string; logreg: number[]; mlp: number[] };
  return { version: parsed.numpy, logreg: parsed.logreg, mlp: parsed.mlp };
};
