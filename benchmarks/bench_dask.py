"""Time a training epoch on a Dask LocalCluster of 2 single-threaded worker
processes against the in-memory engine on the same 2 cores: 784-64-10 on
m = 200000 rows read from a CSV, and the cluster's fixed cost per epoch (an
epoch of 200 rows, where the arithmetic is nothing).

    python benchmarks/bench_dask.py            # about 3 minutes, 314 MB of CSV in a temp folder
    python benchmarks/bench_dask.py --quick    # fewer rounds

Both run whole epochs of nnbp's gradient descent (Θ := Θ - αD, J left unlogged as between
log rows) on the same data and initial weights.  Reports the ratio cluster / in
memory (medians over rounds that time each once, one after another), the fixed
cost as a ratio of the in-memory epoch, the bytes that move per epoch, and
checks that the cluster's cost after 3 epochs equals the in-memory one.
"""

from __future__ import annotations

import argparse
import logging
import math
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_epoch import interleaved_ms  # noqa: E402
from nnbp.config import parse_config  # noqa: E402
from nnbp.data.cluster_source import PARTITION_BYTES  # noqa: E402
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare  # noqa: E402

WORKERS = 2
M, M_TINY, FEATURES, CLASSES = 200_000, 200, 784, 10
ALPHA, LAM = 0.5, 1.0


def write_csv(path: Path, m: int, seed: int = 0) -> None:
    """A header, then m rows of 784 one-digit features and a label 0 … 9 (the width
    of MNIST; the values do not change the time of an epoch)."""
    rng = np.random.default_rng(seed)
    body = np.empty((m, 2 * (FEATURES + 1)), dtype=np.uint8)
    body[:, 0::2] = rng.integers(0, 10, (m, FEATURES + 1), dtype=np.uint8) + ord("0")
    body[:, 1::2] = ord(",")
    body[:, -1] = ord("\n")
    header = ",".join([f"x{j}" for j in range(1, FEATURES + 1)] + ["label"]) + "\n"
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(body.tobytes())


def config(csv: Path):
    return parse_config(f"data:\n  train: {csv}\n  target: label\n"
                        f"network:\n  layers: [auto, 64, auto]\n"
                        f"training:\n  learning_rate: {ALPHA}\n  lambda: {LAM}\n")


def epochs(run, executor):
    """One more epoch per call; the first (epoch 0, logged) is run here, untimed."""
    it = iter(GradientDescent(run, 10**9, ALPHA, LAM, log_every=10**9, executor=executor))
    next(it)
    return lambda: next(it)


def cost_after(run, executor, n: int) -> float:
    trainer = GradientDescent(run, n, ALPHA, LAM, log_every=n, executor=executor)
    for _ in trainer:
        pass
    return trainer.cost


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds")
    args = p.parse_args()
    rounds = 3 if args.quick else 7
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                         dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        runners, checks = {}, {}
        for name, m in (("big", M), ("tiny", M_TINY)):
            csv = Path(tmp) / f"{name}.csv"
            write_csv(csv, m)
            cfg = config(csv)
            here = prepare(cfg)
            there = prepare(cfg, client=client)
            executor = there.executor
            J, J_cluster = cost_after(here, None, 3), cost_after(there, executor, 3)
            checks[name] = abs(J_cluster - J) / abs(J)
            runners[f"memory_{name}"] = epochs(here, None)
            runners[f"cluster_{name}"] = epochs(there, executor)
            if name == "big":
                partitions = executor.layout()["partitions"]
                theta_bytes = sum(T.nbytes for T in here.Theta.values())
                csv_bytes = csv.stat().st_size
            print(f"prepared {name}: m = {m}", file=sys.stderr)
        big = interleaved_ms({k: runners[k] for k in ("memory_big", "cluster_big")}, 2, rounds)
        tiny = interleaved_ms({k: runners[k] for k in ("memory_tiny", "cluster_tiny")}, 20,
                              rounds, 3)
    ratio = statistics.median(c / m for c, m in zip(big["cluster_big"], big["memory_big"]))
    memory_ms = statistics.median(big["memory_big"])
    overhead = statistics.median(tiny["cluster_tiny"]) / memory_ms
    compute = ratio - overhead  # the cluster's epoch less its fixed cost, in in-memory epochs
    print(f"784-64-10 on {M} rows, float64; {WORKERS} single-threaded worker processes against "
          f"the in-memory engine on the same {WORKERS} cores; {partitions} partitions; medians "
          f"over {rounds} rounds.\n")
    print("| cluster epoch / in-memory epoch | fixed cost per epoch / in-memory epoch "
          "| cost after 3 epochs, cluster vs in memory (m = 200000; m = 200) |")
    print("|---|---|---|")
    print(f"| {ratio:.2f} | {overhead:.3f} | {checks['big']:.1e}; {checks['tiny']:.1e} |")
    print(f"\nThe in-memory epoch took {memory_ms:.0f} ms here.  Θ is {theta_bytes / 1e3:.0f} "
          "kB: it goes to each worker once per epoch; each partition's Δ (as large) moves at "
          "most once, to the worker adding it, and the total once to the client.\n")
    print("| machines (2 workers each) | bytes per epoch, at most | network at 1 Gbit/s "
          "/ in-memory epoch | epoch / one machine's in-memory epoch | speed-up |")
    print("|---|---|---|---|---|")
    for machines in (1, 2, 4, 8):
        # each machine's workers take 1/machines of the rows; the fixed cost stays; one
        # partition per worker at least, and Θ out to every worker, Δ back from each
        workers = WORKERS * machines
        parts = workers * math.ceil(csv_bytes / (workers * PARTITION_BYTES))  # as nnbp cuts
        moved = theta_bytes * (workers + parts + 1) if machines > 1 else 0
        network = moved * 8 / 1e9 * 1e3 / memory_ms
        t = compute / machines + overhead + network
        print(f"| {machines} | {moved / 1e6:.1f} MB | {network:.3f} | {t:.2f} | {1 / t:.1f}× |")


if __name__ == "__main__":
    main()
