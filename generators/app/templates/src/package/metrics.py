"""What is measured and what each number means: train.py defines every key with dl_lab_log before logging it."""
import torch
from torch import nn

# Every key train.py reports, with its meaning, unit and direction (dl-lab refuses undefined keys).
METRIC_DEFINITIONS = {
    "train_loss": {"definition": "Mean binary cross-entropy (with logits) on the train split after the epoch.", "unit": "nats", "higher_is_better": False, "display_digits": 3},
    "val_loss": {"definition": "Mean binary cross-entropy on the validation split after the epoch; its lowest value selects the checkpoint.", "unit": "nats", "higher_is_better": False, "display_digits": 3},
    "val_accuracy": {"definition": "Fraction of validation samples classified correctly after the epoch.", "unit": "fraction", "higher_is_better": True, "display_digits": 3},
    "train_loss_best": {"definition": "train_loss at the selected checkpoint (lowest val_loss, earliest on ties).", "unit": "nats", "higher_is_better": False, "display_digits": 3},
    "val_loss_best": {"definition": "Lowest val_loss over all epochs: the selected checkpoint's.", "unit": "nats", "higher_is_better": False, "display_digits": 3},
    "val_accuracy_best": {"definition": "val_accuracy at the selected checkpoint.", "unit": "fraction", "higher_is_better": True, "display_digits": 3},
    "best_epoch": {"definition": "Epoch (from 1) of the selected checkpoint.", "unit": "epoch", "higher_is_better": None, "display_digits": 0},
    "test_loss": {"definition": "Mean binary cross-entropy on the held-out test split, measured once, at the selected checkpoint.", "unit": "nats", "higher_is_better": False, "display_digits": 3},
    "test_accuracy": {"definition": "Fraction of held-out test samples classified correctly, measured once, at the selected checkpoint.", "unit": "fraction", "higher_is_better": True, "display_digits": 3},
}
PRIMARY_METRIC = "test_accuracy"
SELECTED_BY = "val_loss"
# The headline numbers a paper may quote (analysis.json:results.<key>).
RESULT_KEYS = ("test_accuracy", "test_loss", "val_accuracy_best")

_loss = nn.BCEWithLogitsLoss()


@torch.no_grad()
def evaluate(model, features, labels):
    """(mean loss, accuracy) of `model` on one split, as Python floats."""
    model.eval()
    logits = model(features).squeeze(1)
    accuracy = ((logits > 0).float() == labels).float().mean()
    return _loss(logits, labels).item(), accuracy.item()
