"""Time one full-batch training epoch of nnbp against PyTorch, scikit-learn and
the GEMM floor, on the same data and initial weights, in the same run.

    python benchmarks/bench_epoch.py            # every net, markdown table on stdout
    python benchmarks/bench_epoch.py --quick    # fewer repeats, for a smoke run

Reports medians of repeated runs as ms per epoch and the ratios nnbp/other
(timings on shared machines are noisy: read the ratios, not the seconds).
Also checks that nnbp's cost after 5 epochs equals PyTorch's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnbp.data import Data, Normalization, Split, Target  # noqa: E402
from nnbp.network import Network, random_weights  # noqa: E402
from nnbp.train import Run, Trainer  # noqa: E402
from nnbp.workspace import with_ones  # noqa: E402

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


def median_ms(fn, repeats, inner=1):
    """Median ms of one call of fn, timed over ``inner`` calls at a time."""
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t) / inner * 1e3)
    return statistics.median(times)


def per_epoch_ms(make, k, repeats):
    """Median ms per epoch of a training run: (time of 2k epochs - time of k epochs) / k,
    so that what a run does once (allocating, the last cost) is not counted per epoch."""
    short, long = make(k), make(2 * k)
    long()  # warm up
    diffs = []
    for _ in range(repeats):
        t = time.perf_counter()
        short()
        t_short = time.perf_counter() - t
        t = time.perf_counter()
        long()
        diffs.append((time.perf_counter() - t - t_short) / k * 1e3)
    return statistics.median(diffs)


def nnbp_runner(net, Theta, X, Y, epochs):
    m = len(X)
    X1 = with_ones(X)  # training data carries its bias column, as nnbp's loader makes it
    target = Target(["y"], np.arange(net.sizes[-1]), net.sizes[-1])
    data = Data([f"x{i}" for i in range(net.sizes[0])], target,
                Normalization("none", np.zeros(net.sizes[0]), np.ones(net.sizes[0])),
                Split(X1[:, 1:], Y, np.arange(m), X1), None, None, np.empty(0))
    run = Run(None, net, data, Theta)

    def go():
        tr = Trainer(run, epochs, ALPHA, LAM, log_every=epochs)
        for _ in tr:
            pass
        return tr
    return go


def gemm_floor(net, Theta, X, Y):
    """The matrix products of one epoch alone (forward, δ, Δ), in numpy."""
    W = {l: np.ascontiguousarray(T[:, 1:]) for l, T in Theta.items()}
    L = net.L

    def go():
        a = {1: X}
        for l in range(1, L):
            a[l + 1] = a[l] @ W[l].T
        d = {L: a[L]}
        for l in range(L - 1, 1, -1):
            d[l] = d[l + 1] @ W[l]
        for l in range(1, L):
            d[l + 1].T @ a[l]
    return go


def torch_runners(net, Theta, X, Y, epochs):
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
        for _ in range(epochs):
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
        return W, b

    def auto():
        W, b = fresh()
        for l in W:
            W[l].requires_grad_(True)
            b[l].requires_grad_(True)
        for _ in range(epochs):
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
        return W, b, float(J.detach())

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
    return lambda: clf.partial_fit(X, labels)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    p.add_argument("--only", type=int, nargs="*", help="row numbers (1-based) to run")
    args = p.parse_args()
    repeats = 3 if args.quick else 7
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
    for k, (label, sizes, hidden, output, m, dtype) in enumerate(NETS, start=1):
        if args.only and k not in args.only:
            continue
        net = Network(sizes, hidden, output, "cross_entropy")
        X, Y, labels = make_problem(sizes, m, dtype)
        Theta = random_weights(net, 0, dtype=np.dtype(dtype))
        small = m * sizes[0] < 1e6
        k = 40 if small else 2
        t_nnbp = per_epoch_ms(lambda e: nnbp_runner(net, Theta, X, Y, e), k, repeats)
        t_gemm = median_ms(gemm_floor(net, Theta, X, Y), repeats, 40 if small else 1)
        row = {"net": f"{label}, {dtype}", "nnbp": t_nnbp, "gemm": t_gemm}
        check = ""
        if have_torch:
            row["torch_hand"] = per_epoch_ms(lambda e: torch_runners(net, Theta, X, Y, e)[0], k,
                                             repeats)
            row["torch_auto"] = per_epoch_ms(lambda e: torch_runners(net, Theta, X, Y, e)[1], k,
                                             repeats)
            tr = nnbp_runner(net, Theta, X, Y, 5)()
            W, b = torch_runners(net, Theta, X, Y, 5)[0]()
            J_torch = torch_cost(net, W, b, X, Y)
            rel = abs(tr.cost - J_torch) / abs(J_torch)
            tol = 1e-10 if dtype == "float64" else 1e-4
            check = f"{rel:.1e} {'ok' if rel < tol else 'MISMATCH'}"
            row["check"] = check
        if have_sklearn and output == "sigmoid" or have_sklearn and output == "softmax":
            row["sklearn"] = median_ms(sklearn_runner(net, X, labels), max(3, repeats // 2))
        rows.append(row)
        print(f"done: {row['net']}", file=sys.stderr)
    print_table(rows)


def print_table(rows) -> None:
    def ratio(r, key):
        return f"{r['nnbp'] / r[key]:.2f}" if key in r else "–"

    print(f"nnbp epoch time as a ratio of each reference (lower is better; < 1 means nnbp "
          f"is faster); {os.cpu_count()} cores, {THREADS} threads, median of repeated runs.\n")
    print("| net | nnbp ms | / torch hand-written | / torch autograd | / GEMM floor "
          "| / sklearn | cost after 5 epochs vs torch |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['net']} | {r['nnbp']:.2f} | {ratio(r, 'torch_hand')} | "
              f"{ratio(r, 'torch_auto')} | {ratio(r, 'gemm')} | {ratio(r, 'sklearn')} | "
              f"{r.get('check', '–')} |")


if __name__ == "__main__":
    main()
