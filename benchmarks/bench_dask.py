"""Time a training epoch on a Dask LocalCluster of 2 single-threaded worker
processes against the in-memory engine on the same 2 cores: 784-64-10 on
m = 200000 rows read from a CSV, and the cluster's fixed cost per epoch (an
epoch of 200 rows, where the arithmetic is nothing).

    python benchmarks/bench_dask.py            # about 3 minutes, 314 MB of CSV in a temp folder
    python benchmarks/bench_dask.py --quick    # fewer rounds
    python benchmarks/bench_dask.py --threads  # workers of several threads instead (5 minutes)

Both run whole epochs of nnbp's gradient descent (Θ := Θ - αD, J left unlogged as between
log rows) on the same data and initial weights.  Reports the ratio cluster / in
memory (medians over rounds that time each once, one after another), the fixed
cost as a ratio of the in-memory epoch, the bytes that move per epoch, and
checks that the cluster's cost after 3 epochs equals the in-memory one.

``--threads`` times the same epoch on clusters of other shapes, as
`dask worker --nworkers P --nthreads T` makes them (P processes of T threads each,
on the same 2 cores): each epoch against the in-memory one, in the same rounds.  A
worker runs T tasks at once, one partition each, on its threads; the BLAS thread
count each process runs with is read from the workers and shown.
"""

from __future__ import annotations

import argparse
import contextlib
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
from nnbp.cores import cores  # noqa: E402
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


LAYOUTS = ((2, 1), (1, 2), (2, 2), (1, 1))  # worker processes × threads each


def blas_threads() -> int:
    """On a worker: the threads its BLAS would use for a product."""
    from threadpoolctl import threadpool_info

    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


def threads(rounds: int) -> None:
    """The epoch on clusters of P processes × T threads, against the in-memory epoch."""
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as clusters:
        csv = Path(tmp) / "big.csv"
        write_csv(csv, M)
        cfg = config(csv)
        here = prepare(cfg)
        runners, blas, parts = {"memory": epochs(here, None)}, {}, {}
        for workers, per in LAYOUTS:
            cluster = clusters.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=per, processes=True,
                dashboard_address=":0", silence_logs=logging.ERROR))
            client = clusters.enter_context(Client(cluster))
            there = prepare(cfg, client=client)
            runners[workers, per] = epochs(there, there.executor)
            blas[workers, per] = sorted(set(client.run(blas_threads).values()))
            parts[workers, per] = there.executor.layout()["partitions"]
            print(f"prepared {workers} × {per}", file=sys.stderr)
        times = interleaved_ms(runners, 2, rounds)
    memory = times.pop("memory")
    ratio = {k: [c / m for c, m in zip(v, memory)] for k, v in times.items()}
    base = ratio[LAYOUTS[0]]
    print(f"784-64-10 on {M} rows, float64, on {cores()} cores; medians over {rounds} rounds; "
          f"the in-memory epoch took {statistics.median(memory):.0f} ms.\n")
    print("| worker processes × threads each | partitions | BLAS threads per process "
          "| epoch / in-memory epoch | epoch / 2 × 1's |")
    print("|---|---|---|---|---|")
    for (workers, per), r in ratio.items():
        print(f"| {workers} × {per} | {parts[workers, per]} | "
              f"{', '.join(map(str, blas[workers, per]))} | {statistics.median(r):.2f} | "
              f"{statistics.median(a / b for a, b in zip(r, base)):.2f} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer rounds")
    p.add_argument("--threads", action="store_true", help="clusters of workers of several "
                   "threads, P processes × T threads, instead")
    args = p.parse_args()
    rounds = 3 if args.quick else 7
    if args.threads:
        threads(rounds)
        return
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
