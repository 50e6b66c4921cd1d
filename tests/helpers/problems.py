"""Small problems the tests train and differentiate on: random arrays for every
(output, cost) pair, and a regression config with its CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from nnbp.training.run import run_on_arrays

# every (output, cost) pair the cost table allows, and every hidden activation
PAIRS = [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"),
         ("sigmoid", "squared_error"), ("linear", "squared_error")]
ACTIVATIONS = ["sigmoid", "tanh", "relu"]


def random_problem(output, m=7, sizes=(3, 5, 4, 3), seed=0):
    """A 3-5-4-3 network's weights (ε = 1, so the units are not all linear) and m examples."""
    rng = np.random.default_rng(seed)
    K = sizes[-1]
    X = rng.normal(size=(m, sizes[0]))
    if output == "linear":
        Y = rng.normal(size=(m, K))
    elif output == "softmax":
        Y = np.eye(K)[rng.integers(0, K, m)]
    else:  # sigmoid: independent 0/1 labels per unit (one-vs-all)
        Y = (rng.random((m, K)) < 0.5).astype(np.float64)
    return X, Y


def make_run(net, Theta, X, Y):
    """A Run straight from arrays: no config, no normalization, no held-out splits."""
    return run_on_arrays(net, Theta, X, Y)  # cfg is only read by model()


def regression_files(folder: Path, **training) -> Path:
    """A small linear regression problem (y = 2 x1 - x2 + 0.5) and its config:
    linear output, squared error, no accuracy column."""
    rows = [f"{a / 4},{b / 4},{2 * a / 4 - b / 4 + 0.5}" for a in range(5) for b in range(5)]
    (folder / "reg.csv").write_text("x1,x2,y\n" + "\n".join(rows) + "\n")
    init = training.pop("init", {"seed": 0})
    cfg = {"data": {"train": "reg.csv", "target": "y"},
           "network": {"layers": [2, 3, 1], "output": "linear", "cost": "squared_error",
                       "init": init},
           "training": {"epochs": 50, "lambda": 0.0, **training}}
    (folder / "reg.yaml").write_text(yaml.safe_dump(cfg))
    return folder / "reg.yaml"
