"""Train the example model and write what `dl-lab run` seals.

    python train.py --config configs/default.json --out tmp/run
    dl-lab run M1-baseline --metrics tmp/run/metrics.json --checkpoint tmp/run/best.pt

Logs through dl_lab_log as it trains: <out>/metrics.json (schemas/metrics-input.schema.json) with its
history <out>/metrics.history.jsonl is complete and valid after every epoch, so a crash or a kill
still leaves a run dl-lab can seal (as failed or interrupted). <out>/best.pt is the checkpoint with
the lowest validation loss so far, <out>/config.json the config as trained (after --seed). Every RNG
is seeded from the config: on the CPU the same seed gives the same metrics files, byte for byte.
Under torchrun the model is trained with DistributedDataParallel and only rank 0 writes.
"""
import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from <%- pythonPackage %> import dl_lab_log as dl  # noqa: E402
from <%- pythonPackage %>.data import SPLITS, make_splits  # noqa: E402
from <%- pythonPackage %>.metrics import METRIC_DEFINITIONS, PRIMARY_METRIC, RESULT_KEYS, SELECTED_BY, evaluate  # noqa: E402
from <%- pythonPackage %>.model import build_model  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Train the example MLP; write the files `dl-lab run` seals.")
    parser.add_argument("--config", default="configs/default.json", help="hyperparameters (default: %(default)s)")
    parser.add_argument("--out", default="tmp/run", help="output folder (default: %(default)s, git-ignored)")
    parser.add_argument("--seed", type=int, help="override the config's seed (e.g. $SLURM_ARRAY_TASK_ID); seal with --config <out>/config.json")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help="cpu or cuda (default: %(default)s)")
    return parser.parse_args(argv)


def setting(config, path, kind):
    """config["a"]["b"] for path "a.b", checked, so a bad config names its field."""
    value = config
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise SystemExit(f"train.py: the config has no '{path}' (see configs/default.json)")
        value = value[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise SystemExit(f"train.py: config '{path}' must be {kind.__name__}, got {value!r}")
    return value


def seed_everything(seed, device):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # the CPU and every CUDA device
    if device.type == "cuda":
        # cuBLAS reads this at its first call; deterministic mode refuses to run on the GPU without it.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)


def start_distributed(device):
    """(rank, world_size, device): torchrun sets WORLD_SIZE; a plain `python train.py` is rank 0 of 1."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, device
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return torch.distributed.get_rank(), world, device


def train(config, device, rank=0, world=1, log=print, on_epoch=lambda entry, best_state: None):
    """Train; after each epoch `on_epoch(entry, best_state)`, with best_state set when the epoch is the new best."""
    seed = setting(config, "seed", int)
    sizes = {split: setting(config, f"data.n_{split}", int) for split in SPLITS}
    if setting(config, "data.generator", str) != "two_moons":
        raise SystemExit("train.py: only data.generator 'two_moons' is built in; load your own data in data.py")
    splits = make_splits(sizes, float(setting(config, "data.noise", (int, float))), seed)
    splits = {name: (x.to(device), y.to(device)) for name, (x, y) in splits.items()}
    epochs, batch_size = setting(config, "training.epochs", int), setting(config, "training.batch_size", int)

    model = build_model(2, setting(config, "model.hidden", int)).to(device)
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    optimizer = torch.optim.SGD(net.parameters(), lr=float(setting(config, "training.lr", (int, float))))
    loss_sum = torch.nn.BCEWithLogitsLoss(reduction="sum")
    order = torch.Generator().manual_seed(seed)  # batch order: the same on every rank
    x_train, y_train = splits["train"]
    best, best_state = None, None
    for epoch in range(1, epochs + 1):
        net.train()
        permutation = torch.randperm(len(x_train), generator=order).to(device)
        for start in range(0, len(x_train), batch_size):
            batch = permutation[start:start + batch_size]
            part = torch.tensor_split(batch, world)[rank]
            optimizer.zero_grad()
            # Scaled so that DDP's average over ranks is the gradient of the whole batch's mean loss.
            loss = loss_sum(net(x_train[part]).squeeze(1), y_train[part]) * (world / len(batch))
            loss.backward()
            optimizer.step()
        train_loss, _ = evaluate(model, *splits["train"])
        val_loss, val_accuracy = evaluate(model, *splits["val"])
        entry = {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "val_accuracy": val_accuracy}
        improved = best is None or entry[SELECTED_BY] < best[SELECTED_BY]
        if improved:
            # A CPU copy: the checkpoint loads anywhere, without map_location.
            best, best_state = entry, {key: value.detach().cpu().clone() for key, value in model.state_dict().items()}
        on_epoch(entry, best_state if improved else None)
        log(f"epoch {epoch}/{epochs}  train_loss {train_loss:.4f}  val_loss {val_loss:.4f}  val_accuracy {val_accuracy:.4f}")
    model.load_state_dict(best_state)
    test = evaluate(model, *splits["test"])  # once, at the selected checkpoint
    return best, test


def write_json(path, value):
    """Written beside, then renamed: a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def save_checkpoint(path, value):
    """Like write_json: a kill while saving leaves the previous best.pt whole."""
    partial = path.with_name(path.name + ".partial")
    torch.save(value, partial)
    os.replace(partial, path)


def main(argv=None):
    args = parse_args(argv)
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    if args.seed is not None:
        config["seed"] = args.seed
    device = torch.device(args.device)
    rank, world, device = start_distributed(device)
    out = Path(args.out)
    notes = f"train.py: MLP on two-moons, device {device.type}, world size {world}, torch {torch.__version__}"
    # From here on <out>/metrics.json is valid on disk whatever happens: an exception marks the run
    # failed, SIGTERM/SIGINT interrupted. Only rank 0 writes; on the other ranks dl.* does nothing.
    with dl.start(out / "metrics.json", notes=notes, rank=rank) as run:
        for key, definition in METRIC_DEFINITIONS.items():
            dl.define(key, **definition)
        dl.primary(PRIMARY_METRIC)
        if rank == 0:
            write_json(out / "config.json", config)
        seed_everything(setting(config, "seed", int), device)
        started = time.perf_counter()
        log = (lambda line: print(line, file=sys.stderr)) if rank == 0 else (lambda line: None)

        def on_epoch(entry, best_state):
            dl.log(entry["epoch"], **{key: value for key, value in entry.items() if key != "epoch"})
            if best_state is not None and rank == 0:
                save_checkpoint(out / "best.pt", {"model": best_state, "epoch": entry["epoch"], "config": config})
                # The selected checkpoint and its numbers: an interrupted run keeps its best so far.
                dl.checkpoint(out / "best.pt", SELECTED_BY, entry["epoch"], entry[SELECTED_BY], best_epoch=entry["epoch"],
                              **{f"{key}_best": value for key, value in entry.items() if key != "epoch"})

        best, test = train(config, device, rank, world, log, on_epoch)
        final = {
            "train_loss_best": best["train_loss"],
            "val_loss_best": best["val_loss"],
            "val_accuracy_best": best["val_accuracy"],
            "best_epoch": best["epoch"],
            "test_loss": test[0],
            "test_accuracy": test[1],
        }
        for key, value in final.items():
            (dl.result if key in RESULT_KEYS else dl.metric)(key, value)
    if world > 1:
        torch.distributed.destroy_process_group()
    if rank != 0:
        return  # only rank 0 writes (and only rank 0 calls `dl-lab run`)
    # Timing goes to the terminal only: the metrics file must not change between identical runs.
    log(f"trained in {time.perf_counter() - started:.2f} s")
    for key, value in run.metrics.items():
        print(f"{key} = {value!r}")
    print(f"wrote {out / 'metrics.json'} and {out / 'best.pt'} (epoch {best['epoch']})")
    print(f"next: dl-lab run <TAG> --metrics {out / 'metrics.json'} --checkpoint {out / 'best.pt'}")


if __name__ == "__main__":
    main()
