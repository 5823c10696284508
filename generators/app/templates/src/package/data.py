"""Two-moons data made from the seed: no download, the same points on every machine."""
import math

import numpy as np
import torch

SPLITS = ("train", "val", "test")


def two_moons(n, noise, rng):
    """n points on two interleaving half circles (label 0 upper, 1 lower) plus Gaussian noise."""
    labels = rng.integers(0, 2, size=n)
    angle = rng.uniform(0.0, math.pi, size=n)
    x = np.where(labels == 0, np.cos(angle), 1.0 - np.cos(angle))
    y = np.where(labels == 0, np.sin(angle), 0.5 - np.sin(angle))
    points = np.stack([x, y], axis=1) + rng.normal(0.0, noise, size=(n, 2))
    return points, labels


def make_splits(sizes, noise, seed):
    """{split: (features, labels)} as float32 tensors, standardized with the train split's statistics only."""
    rng = np.random.default_rng(seed)
    raw = {split: two_moons(sizes[split], noise, rng) for split in SPLITS}
    mean, std = raw["train"][0].mean(axis=0), raw["train"][0].std(axis=0)
    return {
        split: (torch.from_numpy(((x - mean) / std).astype(np.float32)), torch.from_numpy(y.astype(np.float32)))
        for split, (x, y) in raw.items()
    }
