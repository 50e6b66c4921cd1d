"""Time one full-batch training epoch of nnbp against PyTorch, scikit-learn and
the GEMM floor, on the same data and initial weights, in the same run.

    python benchmarks/bench_epoch.py            # every net, markdown table on stdout
    python benchmarks/bench_epoch.py --quick    # fewer repeats, for a smoke run

Reports ms per epoch and the ratios nnbp/other, as medians over rounds in which
every runner is timed once, one after another (timings on shared machines are
noisy and drift: read the ratios, not the seconds).
Also checks that nnbp's cost after 5 epochs equals PyTorch's.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnbp.engine.in_memory import InMemory
from nnbp.engine.shares import Shares, block_rows, plan  # noqa: E402
from nnbp.cores import run_each  # noqa: E402
from nnbp.engine.blas import blas_threads  # noqa: E402
from nnbp.network import Network, random_weights, with_bias  # noqa: E402
from nnbp.training.descent import GradientDescent
from nnbp.training.run import run_on_arrays  # noqa: E402

THREADS = 2
ALPHA, LAM = 0.5, 1.0

NETS = [  # (label, sizes, hidden, output, m, dtype)
    ("64-25-10, m=1797", (64, 25, 10), "sigmoid", "sigmoid", 1797, "float64"),
    ("784-256-10, m=20000", (784, 256, 10), "sigmoid", "sigmoid", 20000, "float64"),
    ("784-512-256-10, m=20000", (784, 512, 256, 10), "sigmoid", "sigmoid", 20000, "float64"),
    ("784-512-256-10, m=20000", (784, 512, 256, 10), "sigmoid", "sigmoid", 20000, "float32"),
    ("784-256-10 tanh/softmax, m=20000", (784, 256, 10), "tanh", "softmax", 20000, "float64"),
]


def make_problem(sizes, m, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    labels = rng.integers(0, sizes[-1], size=m)
    Y = np.eye(sizes[-1], dtype=dtype)[labels]
    return X, Y, labels


def interleaved_ms(steps, n, rounds, samples=1, settle=0.2):
    """ms per epoch of every runner, in rounds.  ``steps[name]()`` trains one more epoch
    of that runner (its setup done once, beforehand, and not timed).  Within a round the
    runners are timed one after another, so that each ratio compares runs made with the
    machine in the same state; before each, a pause lets the previous runner's threads
    spin down, and one untimed epoch warms the caches.  Each time is the least of
    ``samples`` runs of n epochs (noise only ever adds time)."""
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            time.sleep(settle)
            step()
            best = math.inf
            for _ in range(samples):
                t = time.perf_counter()
                for _ in range(n):
                    step()
                best = min(best, time.perf_counter() - t)
            times[name].append(best / n * 1e3)
    return times


def nnbp_run(net, Theta, X, Y):
    return run_on_arrays(net, Theta, X, Y, classes=np.arange(net.sizes[-1]))


def nnbp_epochs(net, Theta, X, Y):
    """One more epoch of nnbp's trainer per call (J left unlogged, as between log rows)."""
    it = iter(GradientDescent(nnbp_run(net, Theta, X, Y), 10**9, ALPHA, LAM, log_every=10**9))
    return lambda: next(it)


def nnbp_cost(net, Theta, X, Y, epochs):
    tr = GradientDescent(nnbp_run(net, Theta, X, Y), epochs, ALPHA, LAM, log_every=epochs)
    for _ in tr:
        pass
    return tr.cost


def gemm_floor(net, Theta, X, Y, shares=1):
    """The matrix products of one epoch alone (forward, δ, Δ), in numpy: on the whole
    batch with BLAS's own threads (shares=1), or on nnbp's shares of the rows, each
    share's products on its own thread, their Δ summed (shares=None: as many as nnbp
    would use)."""
    W = {l: np.ascontiguousarray(T[:, 1:]) for l, T in Theta.items()}
    L = net.L
    n = Shares(net, classify=True).count(len(X)) if shares is None else shares
    rows = [s[0].start for s in plan(len(X), n, len(X))] + [len(X)]
    Delta = [{l: np.empty((net.s(l + 1), net.s(l)), X.dtype) for l in W} for _ in range(n)]

    def share(k):
        a = {1: X[rows[k]:rows[k + 1]]}
        for l in range(1, L):
            a[l + 1] = a[l] @ W[l].T
        d = {L: a[L]}
        for l in range(L - 1, 1, -1):
            d[l] = d[l + 1] @ W[l]
        for l in range(1, L):
            np.matmul(d[l + 1].T, a[l], out=Delta[k][l])

    def go():
        with blas_threads(n):
            run_each(share, n)
        for l in W:
            for D in Delta[1:]:
                Delta[0][l] += D[l]
    return go


def product_flops(sizes, m):
    """Floating-point operations of one epoch's matrix products, as gemm_floor runs
    them: forward and Δ through every layer, δ for every hidden layer."""
    pairs = [a * b for a, b in zip(sizes, sizes[1:])]
    return 2 * m * (2 * sum(pairs) + sum(pairs[1:]))


def torch_runners(net, Theta, X, Y):
    """Generators of PyTorch training, hand-written and autograd: each next() is one more
    epoch, and yields the weights and biases."""
    import torch

    torch.set_num_threads(THREADS)
    dt = torch.float64 if X.dtype == np.float64 else torch.float32
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    m, L = len(X), net.L
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}[net.activation]

    def fresh():
        return ({l: torch.from_numpy(np.ascontiguousarray(T[:, 1:])).clone() for l, T in Theta.items()},
                {l: torch.from_numpy(np.ascontiguousarray(T[:, 0])).clone() for l, T in Theta.items()})

    def out_fn(z):
        return torch.softmax(z, dim=1) if net.output == "softmax" else torch.sigmoid(z)

    def hand():
        W, b = fresh()
        while True:
            a = {1: Xt}
            for l in range(1, L):
                z = torch.addmm(b[l], a[l], W[l].T)
                a[l + 1] = out_fn(z) if l + 1 == L else act(z)
            d = a[L] - Yt
            for l in range(L - 1, 0, -1):
                gW = d.T @ a[l] / m + (LAM / m) * W[l]
                gb = d.sum(0) / m
                if l > 1:
                    g = a[l] * (1 - a[l]) if net.activation == "sigmoid" else 1 - a[l] * a[l]
                    d = (d @ W[l]) * g
                W[l] -= ALPHA * gW
                b[l] -= ALPHA * gb
            yield W, b

    def auto():
        W, b = fresh()
        for l in W:
            W[l].requires_grad_(True)
            b[l].requires_grad_(True)
        while True:
            a = Xt
            for l in range(1, L):
                z = torch.addmm(b[l], a, W[l].T)
                a = act(z) if l + 1 < L else z
            if net.output == "softmax":
                data = torch.nn.functional.cross_entropy(a, Yt, reduction="sum") / m
            else:
                data = torch.nn.functional.binary_cross_entropy_with_logits(a, Yt, reduction="sum") / m
            J = data + LAM / (2 * m) * sum((w * w).sum() for w in W.values())
            for p in (*W.values(), *b.values()):
                p.grad = None
            J.backward()
            with torch.no_grad():
                for l in W:
                    W[l] -= ALPHA * W[l].grad
                    b[l] -= ALPHA * b[l].grad
            yield W, b

    return hand, auto, dt


def torch_cost(net, W, b, X, Y):
    import torch

    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    m, a = len(X), Xt
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}[net.activation]
    with torch.no_grad():
        for l in range(1, net.L):
            z = torch.addmm(b[l], a, W[l].T)
            a = act(z) if l + 1 < net.L else z
        if net.output == "softmax":
            data = torch.nn.functional.cross_entropy(a, Yt, reduction="sum") / m
        else:
            data = torch.nn.functional.binary_cross_entropy_with_logits(a, Yt, reduction="sum") / m
        return float(data + LAM / (2 * m) * sum((w * w).sum() for w in W.values()))


def sklearn_runner(net, X, labels):
    from sklearn.neural_network import MLPClassifier

    act = {"sigmoid": "logistic", "tanh": "tanh"}[net.activation]
    clf = MLPClassifier(hidden_layer_sizes=net.sizes[1:-1], activation=act, solver="sgd",
                        batch_size=len(X), learning_rate_init=ALPHA, momentum=0.0,
                        nesterovs_momentum=False, alpha=LAM / len(X), shuffle=False,
                        random_state=0)
    classes = np.arange(net.sizes[-1])
    clf.partial_fit(X, labels, classes=classes)
    return lambda: clf.partial_fit(X, labels)  # one epoch: batch_size = m


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    p.add_argument("--only", type=int, nargs="*", help="row numbers (1-based) to run")
    p.add_argument("--blocks", action="store_true", help="instead: the engine's epoch at "
                   "several block sizes, as ratios to its default")
    p.add_argument("--threads", action="store_true", help="instead: the engine's epoch on "
                   "one thread and on one per core, at several batch sizes")
    p.add_argument("--busy", type=int, default=0, metavar="N", help="with --threads: N "
                   "processes spinning on the CPU meanwhile, as on a shared machine")
    args = p.parse_args()
    repeats = 3 if args.quick else 7
    if args.blocks or args.threads:
        import subprocess

        spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                    for _ in range(args.busy)]
        try:
            sweep(args, repeats)
        finally:
            for s in spinners:
                s.kill()
        return
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch not installed: its columns are skipped (pip install torch==2.13.0)",
              file=sys.stderr)
    try:
        import sklearn  # noqa: F401
        have_sklearn = True
    except ImportError:
        have_sklearn = False
        print("scikit-learn not installed: its column is skipped", file=sys.stderr)

    rows = []
    for n, (label, sizes, hidden, output, m, dtype) in enumerate(NETS, start=1):
        if args.only and n not in args.only:
            continue
        net = Network(sizes, hidden, output, "cross_entropy")
        X, Y, labels = make_problem(sizes, m, dtype)
        Theta = random_weights(net, 0, dtype=np.dtype(dtype))
        steps = {"nnbp": nnbp_epochs(net, Theta, X, Y),
                 "gemm_blas": gemm_floor(net, Theta, X, Y, shares=1),
                 "gemm_shares": gemm_floor(net, Theta, X, Y, shares=None)}
        row = {"net": f"{label}, {dtype}"}
        if have_torch:
            hand, auto, _ = torch_runners(net, Theta, X, Y)
            steps["torch_hand"] = hand().__next__
            steps["torch_auto"] = auto().__next__
            W, b = next(itertools.islice(hand(), 4, None))  # after 5 epochs
            J_torch = torch_cost(net, W, b, X, Y)
            rel = abs(nnbp_cost(net, Theta, X, Y, 5) - J_torch) / abs(J_torch)
            tol = 1e-10 if dtype == "float64" else 1e-4
            row["check"] = f"{rel:.1e} {'ok' if rel < tol else 'MISMATCH'}"
        if have_sklearn:
            steps["sklearn"] = sklearn_runner(net, X, labels)
        small = m * sizes[0] < 1e6
        times = interleaved_ms(steps, 40 if small else 2, repeats, 3 if small else 1)
        # the floor: the faster of the two ways of running the products, round by round
        times["gemm"] = [min(a, b) for a, b in zip(times.pop("gemm_blas"),
                                                    times.pop("gemm_shares"))]
        for name, ts in times.items():
            row[name] = statistics.median(ts)
            # the ratio of each round's pair of runs, then the median over rounds
            row[f"{name}_ratio"] = statistics.median(a / b for a, b in zip(times["nnbp"], ts))
        row["floor_gflops"] = product_flops(sizes, m) / row["gemm"] / 1e6  # ms → GFLOP/s
        if have_sklearn:
            row["floor_sklearn"] = statistics.median(
                a / b for a, b in zip(times["gemm"], times["sklearn"]))
        rows.append(row)
        print(f"done: {row['net']}", file=sys.stderr)
    print_table(rows)


def sweep(args, repeats) -> None:
    """The engine's own choices against their alternatives, each timed round by round
    against the default: block sizes (``--blocks``), or one thread against one per
    core (``--threads``) at a few batch sizes of each net.  By default a batch below
    ``PARALLEL_MIN`` runs as one share with BLAS on one thread; "1 thread, BLAS as set"
    is one share with BLAS's threads as the environment left them."""
    for n, (label, sizes, hidden, output, m, dtype) in enumerate(NETS, start=1):
        if args.only and n not in args.only:
            continue
        net = Network(sizes, hidden, output, "cross_entropy")
        Theta = random_weights(net, 0, dtype=np.dtype(dtype))
        batches = [m] if args.blocks else sorted({max(500, m // 8), m // 2, m, 4 * m})
        for mm in batches:
            X, Y, _ = make_problem(sizes, mm, dtype)
            parts = {"train": (with_bias(X), Y)}
            if args.blocks:
                default = block_rows(net)
                choices = {f"{r} rows": dict(rows=r) for r in (256, 512, 2048, 4096)}
                choices["a whole share"] = dict(rows=mm)
                choices = {f"{default} rows (default)": dict(rows=default), **choices}
            else:
                # threads=1: one share, with BLAS's threads left as they are
                choices = {"default": {}, "1 thread, BLAS as set": dict(threads=1),
                           f"{THREADS} threads": dict(threads=THREADS)}
            runners = {name: InMemory(net, parts, classify=True, **o) for name, o in
                       choices.items()}
            steps = {name: (lambda e=e: e.sums(Theta, cost=False)) for name, e in runners.items()}
            small = mm * sizes[0] < 1e6
            times = interleaved_ms(steps, 40 if small else 2, repeats, 3 if small else 1)
            first = next(iter(times))
            print(f"{label.split(',')[0]}, m = {mm}, {dtype}: "
                  f"default {runners[first].shares.count(mm)} share(s) of {runners[first].shares.rows} rows "
                  "a block; ms, and ratio to the first:", flush=True)
            for name, ts in times.items():
                ratio = statistics.median(a / b for a, b in zip(ts, times[first]))
                print(f"    {name:>22}: {statistics.median(ts):9.2f}  {ratio:.2f}", flush=True)


def print_table(rows) -> None:
    def ratio(r, key):
        return f"{r[key + '_ratio']:.2f}" if key in r else "–"

    print(f"nnbp epoch time as a ratio of each reference (lower is better; < 1 means nnbp "
          f"is faster); {os.cpu_count()} cores, {THREADS} threads; medians over rounds that "
          "time every runner once, one after another.\n")
    print("| net | nnbp ms | / torch hand-written | / torch autograd | / GEMM floor "
          "| / sklearn | GEMM floor / sklearn | GEMM floor GFLOP/s | cost after 5 epochs vs torch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        floor = f"{r['floor_sklearn']:.2f}" if "floor_sklearn" in r else "–"
        print(f"| {r['net']} | {r['nnbp']:.2f} | {ratio(r, 'torch_hand')} | "
              f"{ratio(r, 'torch_auto')} | {ratio(r, 'gemm')} | {ratio(r, 'sklearn')} | "
              f"{floor} | {r['floor_gflops']:.0f} | {r.get('check', '–')} |")
    print("\nGEMM floor: the epoch's matrix products alone in numpy, the faster of two ways "
          "of running them (on the whole batch with BLAS's threads, or on nnbp's shares of "
          "the rows in parallel, BLAS given its part of the cores).  GEMM floor / sklearn: that time as a ratio of "
          "scikit-learn's whole epoch; no implementation of the same products can have a "
          "lower ratio to scikit-learn than this.  GEMM floor GFLOP/s: the rate at which "
          "the floor runs the products, to set beside the CPU's peak (cores × "
          "flops per cycle × clock).", flush=True)


if __name__ == "__main__":
    main()
