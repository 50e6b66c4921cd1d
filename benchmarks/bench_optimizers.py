"""Gradient descent against L-BFGS and CG on the bundled digits network (64-25-10).

    python benchmarks/bench_optimizers.py

Two questions, answered in the same run:

1. Passes to a test accuracy: how many passes over the training rows (evaluations
   of J and D; one gd epoch is one) each optimizer needs until the test accuracy
   first reaches what 500 epochs of gd reach (the digits config as it is), and
   its best test accuracy within 500 passes.
2. The cost of a pass: time per pass of lbfgs and cg over that of gd, each the
   least of several rounds in which each is timed once (noise only ever adds
   time), on digits and on a 784-256-10 network with
   20000 random rows (lbfgs and cg compute J on every pass, gd only on the epochs it
   logs; they also pay SciPy's bookkeeping and the hand-over between threads, a
   fixed cost per iteration).  Shared machines are noisy: read the ratios, not the
   seconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench_epoch import nnbp_run  # noqa: E402
from nnbp.config import load_config  # noqa: E402
from nnbp.network import Network, random_weights  # noqa: E402
from nnbp.training.minimizer import Minimizer  # noqa: E402
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare  # noqa: E402

LAM = 1.0


def optimizer(run, name: str, epochs: int, log_every: int):
    if name == "gd":
        return GradientDescent(run, epochs, 1.0, LAM, log_every)
    return Minimizer(run, name, epochs, LAM, log_every)


def large_run():
    """784-256-10 on 20000 random rows, as benchmarks/bench_epoch.py makes its nets."""
    rng = np.random.default_rng(0)
    net = Network((784, 256, 10))
    Y = np.eye(10)[rng.integers(0, 10, 20000)]
    return nnbp_run(net, random_weights(net, 0), rng.random((20000, 784)), Y)


def curve(run, name: str, epochs: int) -> list[dict]:
    return [s.row for s in optimizer(run, name, epochs, 1) if s.row is not None]


def seconds_per_pass(run, name: str, epochs: int) -> float:
    opt = optimizer(run, name, epochs, epochs)
    start = time.perf_counter()
    for _ in opt:
        pass
    passes = opt.passes if name != "gd" else opt.epochs_done + 1
    return (time.perf_counter() - start) / passes


def main(rounds: int = 5) -> None:
    run = prepare(load_config("digits"))
    assert run.cfg.training.lam == LAM
    target = curve(run, "gd", 500)[-1]["test_accuracy"]
    print(f"digits, 64-25-10, m = {len(run.data.train.X)}: the test accuracy of 500 gd epochs "
          f"is {target:.2%}\n")
    print("| optimizer | passes to reach it | iterations | best test accuracy in 500 passes |")
    print("|---|---|---|---|")
    for name in ("gd", "lbfgs", "cg"):
        rows = [r for r in curve(run, name, 500) if r["passes"] <= 500]
        first = next((r for r in rows if r["test_accuracy"] >= target), None)
        reached = f"{first['passes']} | {first['epoch']}" if first else "not within 500 | –"
        print(f"| {name} | {reached} | {max(r['test_accuracy'] for r in rows):.2%} |")

    print("\n| net | lbfgs time per pass / gd's | cg time per pass / gd's |")
    print("|---|---|---|")
    for label, net_run, epochs in (("64-25-10, m = 1438", run, 200),
                                   ("784-256-10, m = 20000", large_run(), 10)):
        times = {name: [] for name in ("gd", "lbfgs", "cg")}
        for _ in range(rounds):
            for name in times:
                times[name].append(seconds_per_pass(net_run, name, epochs))
        gd = min(times["gd"])
        print(f"| {label} | {min(times['lbfgs']) / gd:.2f} | {min(times['cg']) / gd:.2f} |")


if __name__ == "__main__":
    main()
