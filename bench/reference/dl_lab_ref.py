#!/usr/bin/env python3
"""Reference stand-in for the original Python "deep-learning-lab" tool.

Written from the tool's published description (SKILL.md) because the original
scripts are not available. Python 3 standard library only (no numpy), so the
numbers it produces are a fair baseline for a plain-Python research script.

Sub-commands:

  demo  -- like scripts/bin/dl_lab_demo_run.py: train logistic regression on
           synthetic Gaussian data and write manifest/summary/analysis JSON plus
           the best checkpoint into --out-dir.
  run   -- like scripts/make_artifacts.py --tag: write a placeholder
           artifacts/runs/<TAG>/ record under --project-root.

Usage:

  python3 dl_lab_ref.py demo --out-dir /tmp/dl_run --seed 0 [--report-throughput]
  python3 dl_lab_ref.py run --tag M0-demo [--project-root .]
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import subprocess
import sys
import time

SCHEMA_VERSION = "1.0"

# Demo workload (fixed; see README.md).
N_FEATURES = 6
N_TRAIN = 512
N_VAL = 256
LABEL_NOISE_STD = 0.3
EPOCHS = 10
BATCH_SIZE = 64
LR = 0.2

METRIC_DEFINITIONS = {
    "best_epoch": {
        "definition": "1-based epoch with the lowest validation loss (earliest wins ties)",
        "unit": "epoch",
        "higher_is_better": False,
    },
    "best_val_loss": {
        "definition": "mean binary cross-entropy (with logits) on the validation set at the best epoch",
        "unit": "nats",
        "higher_is_better": False,
    },
    "best_val_accuracy": {
        "definition": "fraction of validation samples classified correctly (logit > 0) at the best epoch",
        "unit": "fraction",
        "higher_is_better": True,
    },
    "final_train_loss": {
        "definition": "mean binary cross-entropy (with logits) over the training minibatches of the last epoch",
        "unit": "nats",
        "higher_is_better": False,
    },
    "final_train_accuracy": {
        "definition": "fraction of training samples classified correctly during the last epoch",
        "unit": "fraction",
        "higher_is_better": True,
    },
    "final_val_loss": {
        "definition": "mean binary cross-entropy (with logits) on the validation set after the last epoch",
        "unit": "nats",
        "higher_is_better": False,
    },
    "final_val_accuracy": {
        "definition": "fraction of validation samples classified correctly after the last epoch",
        "unit": "fraction",
        "higher_is_better": True,
    },
}


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def run_cmd(argv, cwd=None):
    """Run a command; return stripped stdout, or None if it fails."""
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip()


def git_info(root):
    commit = run_cmd(["git", "rev-parse", "HEAD"], cwd=root)
    branch = run_cmd(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=root)
    if branch is None:
        # Repository without commits yet.
        branch = run_cmd(["git", "symbolic-ref", "--short", "HEAD"], cwd=root)
    status = run_cmd(["git", "status", "--porcelain"], cwd=root)
    return {
        "commit": commit,
        "branch": branch,
        "dirty": None if status is None else bool(status),
    }


def environment_info():
    freeze = run_cmd([sys.executable, "-m", "pip", "freeze"])
    packages = [] if freeze is None else [line for line in freeze.splitlines() if line.strip()]
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "packages": packages,
    }


def build_manifest(tag, seed, git, data, hyperparameters, outputs):
    return {
        "schema_version": SCHEMA_VERSION,
        "tag": tag,
        "created_at": utc_now(),
        "command": {"argv": [sys.executable] + sys.argv},
        "code": {"git": git},
        "environment": environment_info(),
        "data": data,
        "hyperparameters": hyperparameters,
        "seed": seed,
        "outputs": [{"path": p} for p in outputs],
    }


# ---------------------------------------------------------------------------
# Demo: logistic regression on synthetic data
# ---------------------------------------------------------------------------

def make_data(rng):
    """Gaussian features; label = 1[w_true . x + noise > 0]."""
    w_true = [rng.gauss(0.0, 1.0) for _ in range(N_FEATURES)]

    def sample(n):
        xs, ys = [], []
        for _ in range(n):
            x = [rng.gauss(0.0, 1.0) for _ in range(N_FEATURES)]
            logit = sum(wi * xi for wi, xi in zip(w_true, x)) + rng.gauss(0.0, LABEL_NOISE_STD)
            xs.append(x)
            ys.append(1.0 if logit > 0.0 else 0.0)
        return xs, ys

    train = sample(N_TRAIN)
    val = sample(N_VAL)
    return w_true, train, val


def bce_with_logits(z, y):
    # Numerically stable: max(z, 0) - z*y + log(1 + exp(-|z|))
    return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))


def sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict_logit(w, b, x):
    return sum(wi * xi for wi, xi in zip(w, x)) + b


def evaluate(w, b, xs, ys):
    total_loss = 0.0
    correct = 0
    for x, y in zip(xs, ys):
        z = predict_logit(w, b, x)
        total_loss += bce_with_logits(z, y)
        if (z > 0.0) == (y > 0.5):
            correct += 1
    n = len(xs)
    return total_loss / n, correct / n


def train(rng, train_set, val_set):
    xs, ys = train_set
    val_xs, val_ys = val_set
    n = len(xs)
    w = [0.0] * N_FEATURES
    b = 0.0
    order = list(range(n))
    history = []
    best = None

    for epoch in range(1, EPOCHS + 1):
        rng.shuffle(order)
        epoch_loss = 0.0
        epoch_correct = 0
        for start in range(0, n, BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            m = len(batch)
            grad_w = [0.0] * N_FEATURES
            grad_b = 0.0
            for i in batch:
                x = xs[i]
                y = ys[i]
                z = predict_logit(w, b, x)
                epoch_loss += bce_with_logits(z, y)
                if (z > 0.0) == (y > 0.5):
                    epoch_correct += 1
                err = sigmoid(z) - y
                for j in range(N_FEATURES):
                    grad_w[j] += err * x[j]
                grad_b += err
            # Mean loss over the batch -> gradients divided by batch size.
            for j in range(N_FEATURES):
                w[j] -= LR * grad_w[j] / m
            b -= LR * grad_b / m

        val_loss, val_acc = evaluate(w, b, val_xs, val_ys)
        record = {
            "epoch": epoch,
            "train_loss": epoch_loss / n,
            "train_accuracy": epoch_correct / n,
            "val_loss": val_loss,
            "val_accuracy": val_acc,
        }
        history.append(record)
        if best is None or val_loss < best["val_loss"]:
            best = dict(record, weights=list(w), bias=b)

    return w, b, history, best


def cmd_demo(args):
    out_dir = os.path.abspath(args.out_dir)
    git = git_info(os.getcwd())  # before we write anything
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(args.seed)

    w_true, train_set, val_set = make_data(rng)

    t0 = time.perf_counter()
    w, b, history, best = train(rng, train_set, val_set)
    train_seconds = time.perf_counter() - t0

    final = history[-1]
    metrics = {
        "best_epoch": best["epoch"],
        "best_val_loss": best["val_loss"],
        "best_val_accuracy": best["val_accuracy"],
        "final_train_loss": final["train_loss"],
        "final_train_accuracy": final["train_accuracy"],
        "final_val_loss": final["val_loss"],
        "final_val_accuracy": final["val_accuracy"],
    }

    ckpt_rel = "checkpoints/best.json"
    outputs = ["manifest.json", "summary.json", "analysis.json", ckpt_rel]

    write_json(os.path.join(out_dir, ckpt_rel), {
        "model": "logistic_regression",
        "epoch": best["epoch"],
        "weights": best["weights"],
        "bias": best["bias"],
        "n_features": N_FEATURES,
    })

    write_json(os.path.join(out_dir, "summary.json"), {
        "schema_version": SCHEMA_VERSION,
        "tag": args.tag,
        "metrics": metrics,
        "metric_definitions": METRIC_DEFINITIONS,
        "best_checkpoint": {
            "path": ckpt_rel,
            "epoch": best["epoch"],
            "metric": "val_loss",
            "metric_value": best["val_loss"],
        },
    })

    write_json(os.path.join(out_dir, "analysis.json"), {
        "schema_version": SCHEMA_VERSION,
        "tag": args.tag,
        "results": dict(metrics),
        "history": history,
    })

    data = {
        "generator": "synthetic_gaussian_logistic",
        "seed": args.seed,
        "spec": {
            "n_features": N_FEATURES,
            "n_train": N_TRAIN,
            "n_val": N_VAL,
            "features": "iid standard normal (random.Random(seed).gauss)",
            "label_rule": "y = 1[w_true . x + N(0, noise_std^2) > 0], w_true ~ N(0, 1)",
            "label_noise_std": LABEL_NOISE_STD,
            "w_true": w_true,
        },
    }
    hyperparameters = {
        "model": "logistic_regression",
        "init": "zeros",
        "optimizer": "sgd",
        "loss": "bce_with_logits (mean over batch)",
        "lr": LR,
        "batch_size": BATCH_SIZE,
        "epochs": EPOCHS,
        "shuffle": "per epoch",
        "selection": "min val_loss",
    }
    manifest = build_manifest(args.tag, args.seed, git, data,
                              hyperparameters, outputs)
    write_json(os.path.join(out_dir, "manifest.json"), manifest)

    print("demo %s: best epoch %d val_loss=%.4f val_acc=%.4f -> %s" % (
        args.tag, best["epoch"], best["val_loss"], best["val_accuracy"], out_dir))

    if args.report_throughput:
        samples = N_TRAIN * EPOCHS
        print("train_throughput_samples_per_s=%.1f samples=%d train_seconds=%.6f" % (
            samples / train_seconds, samples, train_seconds), file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------
# Run: placeholder artifacts record (make_artifacts.py --tag)
# ---------------------------------------------------------------------------

def cmd_run(args):
    if not args.tag or args.tag in (".", "..") or "/" in args.tag or os.sep in args.tag:
        print("error: invalid tag: %r" % args.tag, file=sys.stderr)
        return 2
    root = os.path.abspath(args.project_root)
    run_rel = os.path.join("artifacts", "runs", args.tag)
    run_dir = os.path.join(root, run_rel)
    if os.path.exists(run_dir):
        print("error: run directory already exists: %s (tags are immutable)" % run_dir,
              file=sys.stderr)
        return 2
    git = git_info(root)  # before we write anything
    os.makedirs(run_dir)

    note = "Demo placeholder numbers; not produced by training. Replace with a real run."
    metrics = {
        "best_epoch": 1,
        "best_val_loss": 0.5,
        "best_val_accuracy": 0.75,
        "final_train_loss": 0.5,
        "final_train_accuracy": 0.75,
        "final_val_loss": 0.5,
        "final_val_accuracy": 0.75,
    }
    ckpt_rel = os.path.join(run_rel, "checkpoints", "best.json")
    outputs = [os.path.join(run_rel, name)
               for name in ("manifest.json", "summary.json", "analysis.json")] + [ckpt_rel]

    write_json(os.path.join(root, ckpt_rel), {
        "demo": True,
        "note": note,
        "model": "placeholder",
        "epoch": 1,
        "weights": [0.0] * N_FEATURES,
        "bias": 0.0,
    })

    write_json(os.path.join(run_dir, "summary.json"), {
        "schema_version": SCHEMA_VERSION,
        "tag": args.tag,
        "demo": True,
        "note": note,
        "metrics": metrics,
        "metric_definitions": METRIC_DEFINITIONS,
        "best_checkpoint": {
            "path": ckpt_rel,
            "epoch": 1,
            "metric": "val_loss",
            "metric_value": metrics["best_val_loss"],
        },
    })

    write_json(os.path.join(run_dir, "analysis.json"), {
        "schema_version": SCHEMA_VERSION,
        "tag": args.tag,
        "demo": True,
        "note": note,
        "results": dict(metrics),
        "history": [{
            "epoch": 1,
            "train_loss": metrics["final_train_loss"],
            "train_accuracy": metrics["final_train_accuracy"],
            "val_loss": metrics["final_val_loss"],
            "val_accuracy": metrics["final_val_accuracy"],
        }],
    })

    data = {
        "generator": "none (placeholder)",
        "seed": args.seed,
        "spec": {"note": note},
    }
    hyperparameters = {"demo": True}
    manifest = build_manifest(args.tag, args.seed, git, data,
                              hyperparameters, outputs)
    manifest["demo"] = True
    manifest["note"] = note
    write_json(os.path.join(run_dir, "manifest.json"), manifest)

    print("run %s: wrote %s (demo placeholders)" % (args.tag, run_dir))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Reference stand-in for the original deep-learning-lab Python tool")
    sub = parser.add_subparsers(dest="command", required=True)

    p_demo = sub.add_parser("demo", help="CPU smoke test: train logistic regression on synthetic data")
    p_demo.add_argument("--out-dir", required=True)
    p_demo.add_argument("--seed", type=int, default=0)
    p_demo.add_argument("--tag", default="demo")
    p_demo.add_argument("--report-throughput", action="store_true",
                        help="print training throughput (samples*epochs/s) on stderr")
    p_demo.set_defaults(func=cmd_demo)

    p_run = sub.add_parser("run", help="write a placeholder artifacts/runs/<TAG>/ record")
    p_run.add_argument("--tag", required=True)
    p_run.add_argument("--project-root", default=".")
    p_run.add_argument("--seed", type=int, default=0)
    p_run.set_defaults(func=cmd_run)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
