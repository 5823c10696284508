"""Cost of one dl_lab_log.log() of 10 scalars, early and at step 10,000, beside bare json.dump baselines.

    /usr/bin/python3 bench/python-log/log_bench.py [--steps 11000] [--dir /tmp]

Every call is timed alone (perf_counter_ns) in one process; the baselines are timed in the same
process, interleaved with the logger in blocks, so they see the same machine load.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "generators" / "app" / "templates" / "src" / "package"))
import dl_lab_log as dl  # noqa: E402

KEYS = [f"m{i}" for i in range(10)]


def entry_values(step):
    return {key: 1.0 / (step + i + 1) for i, key in enumerate(KEYS)}


def summary(samples_ns):
    ordered = sorted(samples_ns)
    return {
        "median_ms": statistics.median(ordered) / 1e6,
        "p90_ms": ordered[int(len(ordered) * 0.9)] / 1e6,
        "max_ms": ordered[-1] / 1e6,
        "n": len(ordered),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=11000)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dl-lab-log-bench-", dir=args.dir))
    early, late, dump_open, dump_file, rewrite = [], [], [], [], []
    try:
        log = dl.Log(work / "metrics.json", handle_signals=False)
        for key in KEYS:
            log.define(key, f"Benchmark scalar {key}.", "1", higher_is_better=False, display_digits=4)
        log.primary(KEYS[0])
        bare = open(work / "bare.jsonl", "w")
        history = []
        clock = time.perf_counter_ns
        for step in range(args.steps):
            values = entry_values(step)
            started = clock()
            log.log(step, **values)
            elapsed = clock() - started
            if step < 1000:
                early.append(elapsed)
            elif step >= 10000:
                late.append(elapsed)
            entry = {"epoch": step, **values}
            history.append(entry)
            # Baselines: json.dump of the same entry to an open file, and to a file opened, written, closed.
            started = clock()
            json.dump(entry, bare)
            bare.write("\n")
            dump_file.append(clock() - started)
            started = clock()
            with open(work / "one.json", "w") as stream:
                json.dump(entry, stream)
            dump_open.append(clock() - started)
            # What a logger that rewrites the whole history each time would pay (sampled: it is slow).
            if step >= 10000 and step % 50 == 0:
                started = clock()
                with open(work / "whole.json", "w") as stream:
                    json.dump({"history": history}, stream)
                rewrite.append(clock() - started)
        log.close()
        bare.close()
        history_bytes = os.path.getsize(work / "metrics.history.jsonl")
    finally:
        for path in sorted(work.iterdir()):
            path.unlink()
        work.rmdir()
    result = {
        "python": sys.version.split()[0],
        "steps": args.steps,
        "history_bytes": history_bytes,
        "log_first_1000": summary(early),
        "log_from_10000": summary(late) if late else None,
        "json_dump_open_file": summary(dump_file),
        "json_dump_open_write_close": summary(dump_open),
        "rewrite_whole_history_at_10000": summary(rewrite) if rewrite else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
