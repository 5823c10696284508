#!/usr/bin/env python3
"""Time the reference commands (stdlib only).

Creates a throw-away git project (one commit, clean tree) in a temp dir and,
with that as the working directory, times N runs each of:

  dl_lab_ref.py demo --out-dir <fresh dir> --seed 0
  dl_lab_ref.py run --tag bench-<i> --project-root <project>
  python3 -m pip freeze            (the environment-capture cost inside both)
  python3 -c pass                  (interpreter start-up, for context)

and collects the training throughput from N extra `demo --report-throughput`
runs. The cases are run round-robin (one of each per round). Wall time is measured around subprocess.run with time.perf_counter.

Usage: python3 bench/reference/measure.py [-n 15] [--warmup 2] [--json]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "dl_lab_ref.py")


def timed(argv, cwd):
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit("command failed (%d): %s\n%s" % (proc.returncode, " ".join(argv), proc.stderr))
    return dt, proc


def stats(xs):
    return {
        "median": statistics.median(xs),
        "min": min(xs),
        "max": max(xs),
        "n": len(xs),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="dl_lab_ref_bench_") as tmp:
        proj = os.path.join(tmp, "project")
        os.makedirs(proj)
        with open(os.path.join(proj, "README.md"), "w") as f:
            f.write("bench project\n")
        with open(os.path.join(proj, ".gitignore"), "w") as f:
            f.write("/out/\n")  # demo out-dirs live here; keep the tree clean
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        subprocess.run(["git", "init", "-q", proj], check=True)
        subprocess.run(git + ["add", "-A"], cwd=proj, check=True)
        subprocess.run(git + ["commit", "-qm", "init"], cwd=proj, check=True)

        counter = {"demo": 0, "run": 0}

        def demo_cmd(extra=()):
            counter["demo"] += 1
            out = os.path.join(proj, "out", "d%d" % counter["demo"])
            return [py, REF, "demo", "--out-dir", out, "--seed", "0"] + list(extra)

        def run_cmd():
            counter["run"] += 1
            return [py, REF, "run", "--tag", "bench-%d" % counter["run"], "--project-root", proj]

        cases = {
            "python_startup": lambda: [py, "-c", "pass"],
            "pip_freeze": lambda: [py, "-m", "pip", "freeze"],
            "demo": demo_cmd,
            "run": run_cmd,
        }
        cases["demo_throughput"] = lambda: demo_cmd(["--report-throughput"])

        # Round-robin so that background load drifts hit every case alike.
        for _ in range(args.warmup):
            for make in cases.values():
                timed(make(), proj)
        samples = {name: [] for name in cases}
        tputs = []
        for _ in range(args.n):
            for name, make in cases.items():
                dt, proc = timed(make(), proj)
                samples[name].append(dt)
                if name == "demo_throughput":
                    m = re.search(r"train_throughput_samples_per_s=([0-9.]+)", proc.stderr)
                    tputs.append(float(m.group(1)))
        results = {name: stats(xs) for name, xs in samples.items() if name != "demo_throughput"}
        results["train_throughput_samples_per_s"] = stats(tputs)
        results["load_avg_after"] = os.getloadavg()

    pf = results["pip_freeze"]["median"]
    results["pip_freeze_share"] = {
        "demo": pf / results["demo"]["median"],
        "run": pf / results["run"]["median"],
    }
    results["python"] = sys.version.split()[0]
    results["cpus"] = os.cpu_count()

    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
        return
    print("python %s, %d CPUs, n=%d (warmup %d)" % (results["python"], results["cpus"], args.n, args.warmup))
    for name in ("python_startup", "pip_freeze", "demo", "run"):
        s = results[name]
        print("%-16s median %7.1f ms  (min %7.1f, max %7.1f)" % (
            name, s["median"] * 1e3, s["min"] * 1e3, s["max"] * 1e3))
    t = results["train_throughput_samples_per_s"]
    print("train throughput median %.0f samples/s  (min %.0f, max %.0f)" % (t["median"], t["min"], t["max"]))
    print("load average after: %.2f %.2f %.2f" % tuple(results["load_avg_after"]))
    print("pip freeze share of wall: demo %.0f%%, run %.0f%%" % (
        100 * results["pip_freeze_share"]["demo"], 100 * results["pip_freeze_share"]["run"]))


if __name__ == "__main__":
    main()
