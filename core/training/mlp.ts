/**
 * A one-hidden-layer perceptron, input d → hidden H (tanh) → 1 logit, trained with mean binary
 * cross-entropy on the logit. H = 0 drops the hidden layer: the logit is an affine function of
 * the input, i.e. logistic regression.
 *
 * All parameters live in one Float64Array (and the gradients in another with the same layout),
 * so snapshotting the best weights, an SGD step, and a finite-difference check are flat loops.
 * Layout, matching the checkpoint and numpy's `x @ W1` convention:
 *   W1: d×H row-major (W1[k*H + j] connects input k to hidden unit j) | b1: H | W2: H (or d when
 *   H = 0) | b2: 1
 * The per-sample loops, the whole cost of training, are in kernels.ts.
 */
import { accumulateHidden, accumulateLogistic, measureHidden, measureLogistic, type LossAccuracy } from './kernels.js';
import type { Rng } from './prng.js';

export type { LossAccuracy } from './kernels.js';

export class Mlp {
  readonly inputs: number;
  readonly hidden: number;
  readonly params: Float64Array;
  /** Sums (not means) of per-sample gradients since the last `zeroGrad`. */
  readonly grads: Float64Array;
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  private readonly gw1: Float64Array;
  private readonly gb1: Float64Array;
  private readonly gw2: Float64Array;
  private readonly gb2: Float64Array;
  /** tanh outputs of the last forward pass, reused by backprop. */
  private readonly activations: Float64Array;

  constructor(inputs: number, hidden: number) {
    this.inputs = inputs;
    this.hidden = hidden;
    const w1Size = inputs * hidden;
    const w2Size = hidden === 0 ? inputs : hidden;
    const total = w1Size + hidden + w2Size + 1;
    this.params = new Float64Array(total);
    this.grads = new Float64Array(total);
    const views = (array: Float64Array): Float64Array[] => [
      array.subarray(0, w1Size),
      array.subarray(w1Size, w1Size + hidden),
      array.subarray(w1Size + hidden, w1Size + hidden + w2Size),
      array.subarray(total - 1, total),
    ];
    [this.w1, this.b1, this.w2, this.b2] = views(this.params) as [Float64Array, Float64Array, Float64Array, Float64Array];
    [this.gw1, this.gb1, this.gw2, this.gb2] = views(this.grads) as [Float64Array, Float64Array, Float64Array, Float64Array];
    this.activations = new Float64Array(hidden);
  }

  /**
   * Glorot/Xavier uniform: weights ~ U(−a, a) with a = sqrt(6 / (fan_in + fan_out)), drawn in
   * storage order (W1 then W2); biases start at 0. Keeps tanh units out of saturation at the start.
   */
  initGlorot(rng: Rng): void {
    this.params.fill(0);
    const { inputs, hidden } = this;
    fillUniform(this.w1, Math.sqrt(6 / (inputs + hidden)), rng);
    fillUniform(this.w2, Math.sqrt(6 / ((hidden === 0 ? inputs : hidden) + 1)), rng);
  }

  /**
   * Adds the loss gradients of rows order[start..end) to `grads`, using dL/dz = σ(z) − y. The loss
   * itself is not computed here (its log1p would cost ~20% of a logistic-regression epoch).
   */
  accumulateBatch(x: Float64Array, y: Uint8Array, order: Uint32Array, start: number, end: number): void {
    if (this.hidden === 0) {
      this.gb2[0] += accumulateLogistic(x, y, order, start, end, this.inputs, this.w2, this.b2[0], this.gw2);
    } else {
      this.gb2[0] += accumulateHidden(x, y, order, start, end, this.inputs, this.hidden, this.w1, this.b1, this.w2, this.b2[0], this.activations, this.gw1, this.gb1, this.gw2);
    }
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** params −= scale · grads; pass lr / batch size, since `grads` holds sums. */
  step(scale: number): void {
    const params = this.params;
    const grads = this.grads;
    for (let i = 0; i < params.length; i++) params[i] -= scale * grads[i];
  }

  /** Mean loss and accuracy over a whole split; a logit of exactly 0 predicts class 0. */
  measure(x: Float64Array, y: Uint8Array, n: number): LossAccuracy {
    return this.hidden === 0
      ? measureLogistic(x, y, n, this.inputs, this.w2, this.b2[0])
      : measureHidden(x, y, n, this.inputs, this.hidden, this.w1, this.b1, this.w2, this.b2[0]);
  }
}

function fillUniform(target: Float64Array, limit: number, rng: Rng): void {
  for (let i = 0; i < target.length; i++) target[i] = (2 * rng.uniform() - 1) * limit;
}
