#!/usr/bin/env python3
"""Training throughput of numpy on the benchmark's two workloads (for bench/run-all.ts).

  logreg: the reference demo's logistic regression (dl_lab_ref.py): 6 Gaussian features,
          512 train / 256 val, 10 epochs, batch 64, lr 0.2.
  mlp:    dl-lab demo's default MLP shapes: 2 inputs -> 16 tanh -> 1 logit, 1000 train /
          250 val, 40 epochs, batch 32, lr 0.5.

Each epoch does what the timed loops on the other sides do: shuffle, minibatch SGD on the mean
BCE-with-logits loss, then the loss and accuracy on the validation set and best-epoch
bookkeeping (the MLP also measures the whole train set, as dl-lab does). Only that loop is
timed (time.perf_counter), not data generation or interpreter start-up.
Throughput = train samples x epochs / seconds. Prints one JSON object:
{"numpy": version, "logreg": [samples/s per repeat], "mlp": [...]}.

Needs numpy: run it with Debian's /usr/bin/python3 (python3-numpy).
Usage: /usr/bin/python3 bench/reference/numpy_throughput.py [--repeat 50] [--warmup 5]
"""

import argparse
import json
import time

import numpy as np


def bce_and_accuracy(z, y):
    loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(loss.mean()), float(((z > 0.0) == (y > 0.5)).mean())


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def logreg_data(rng, d=6, n_train=512, n_val=256, noise=0.3):
    w_true = rng.standard_normal(d)

    def sample(n):
        x = rng.standard_normal((n, d))
        y = ((x @ w_true + noise * rng.standard_normal(n)) > 0.0).astype(np.float64)
        return x, y

    return sample(n_train), sample(n_val)


def minibatches(rng, x, y, batch):
    """One epoch's minibatches of (x, y), in a fresh random order."""
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch):
        idx = order[start:start + batch]
        yield x[idx], y[idx]


def train_logreg(rng, train_set, val_set, epochs=10, batch=64, lr=0.2):
    (x, y), (vx, vy) = train_set, val_set
    d = x.shape[1]
    w = np.zeros(d)
    b = 0.0
    best = None
    for epoch in range(1, epochs + 1):
        for xb, yb in minibatches(rng, x, y, batch):
            err = sigmoid(xb @ w + b) - yb
            w -= lr * (xb.T @ err) / len(xb)
            b -= lr * err.sum() / len(xb)
        val_loss, _ = bce_and_accuracy(vx @ w + b, vy)
        if best is None or val_loss < best[0]:
            best = (val_loss, epoch, w.copy(), b)
    return best


def moons_like_data(rng, n_train=1000, n_val=250):
    def sample(n):
        t = rng.uniform(0.0, np.pi, n)
        upper = rng.random(n) < 0.5
        x = np.where(upper[:, None], np.stack([np.cos(t), np.sin(t)], 1), np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], 1))
        x = x + 0.2 * rng.standard_normal((n, 2))
        return x, (~upper).astype(np.float64)

    return sample(n_train), sample(n_val)


def train_mlp(rng, train_set, val_set, hidden=16, epochs=40, batch=32, lr=0.5):
    (x, y), (vx, vy) = train_set, val_set
    d = x.shape[1]
    a1 = np.sqrt(6.0 / (d + hidden))
    a2 = np.sqrt(6.0 / (hidden + 1))
    w1 = rng.uniform(-a1, a1, (d, hidden))
    b1 = np.zeros(hidden)
    w2 = rng.uniform(-a2, a2, hidden)
    b2 = 0.0

    def logits(inputs):
        return np.tanh(inputs @ w1 + b1) @ w2 + b2

    best = None
    for epoch in range(1, epochs + 1):
        for xb, yb in minibatches(rng, x, y, batch):
            h = np.tanh(xb @ w1 + b1)
            g = (sigmoid(h @ w2 + b2) - yb) / len(xb)
            gh = np.outer(g, w2) * (1.0 - h * h)
            w2 -= lr * (h.T @ g)
            b2 -= lr * g.sum()
            w1 -= lr * (xb.T @ gh)
            b1 -= lr * gh.sum(0)
        bce_and_accuracy(logits(x), y)
        val_loss, _ = bce_and_accuracy(logits(vx), vy)
        if best is None or val_loss < best[0]:
            best = (val_loss, epoch, w1.copy(), b1.copy(), w2.copy(), b2)
    return best


def throughput(train_fn, make_data, samples, repeat, warmup):
    rng = np.random.default_rng(0)
    train_set, val_set = make_data(rng)
    rates = []
    for i in range(warmup + repeat):
        t0 = time.perf_counter()
        train_fn(rng, train_set, val_set)
        seconds = time.perf_counter() - t0
        if i >= warmup:
            rates.append(samples / seconds)
    return rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps({
        "numpy": np.__version__,
        "logreg": throughput(train_logreg, logreg_data, 512 * 10, args.repeat, args.warmup),
        "mlp": throughput(train_mlp, moons_like_data, 1000 * 40, args.repeat, args.warmup),
    }))


if __name__ == "__main__":
    main()
