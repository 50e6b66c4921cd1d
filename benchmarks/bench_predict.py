"""predict's forward pass in blocks of ``block_rows`` rows (what ``nnbp.predict.outputs``
does, so that a file read in chunks gives the same digits) against one forward
pass over every row at once (the reference), on MNIST-shaped rows.

    python benchmarks/bench_predict.py [--rows 100000] [--repeat 7]

For each network, both are timed alternately in this process, ``--repeat`` times
each; the ratio of the medians (blocked / whole) is printed with both figures.
Target: blocked ≤ 1.05 × whole (no measurable cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnbp.network import Network, forward, random_weights  # noqa: E402
from nnbp.predict import outputs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (args.rows, 784)) * (rng.random((args.rows, 784)) < 0.2)
    X = (X - X.mean(0)) / (X.std(0) + 1.0)  # normalized as predict's rows are   (m, 784)
    for sizes, output in (((784, 25, 10), "sigmoid"), ((784, 300, 10), "softmax"),
                          ((784, 64, 32, 10), "softmax")):
        net = Network(sizes, output=output)
        model = SimpleNamespace(net=net, Theta=random_weights(net, 0))
        times = {"blocked": [], "whole": []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            outputs(model, X)
            times["blocked"].append(time.perf_counter() - t)
            t = time.perf_counter()
            forward(net, model.Theta, X)[1][net.L]
            times["whole"].append(time.perf_counter() - t)
        b, w = statistics.median(times["blocked"]), statistics.median(times["whole"])
        print(f"{'-'.join(map(str, sizes))} {output}: blocked {b:.3f} s, whole {w:.3f} s, "
              f"ratio {b / w:.3f}")


if __name__ == "__main__":
    main()
