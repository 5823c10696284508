"""The model: a one-hidden-layer MLP with one logit out (hidden = 0 is logistic regression)."""
from torch import nn


def build_model(n_features, hidden):
    if hidden == 0:
        return nn.Linear(n_features, 1)
    return nn.Sequential(nn.Linear(n_features, hidden), nn.Tanh(), nn.Linear(hidden, 1))
