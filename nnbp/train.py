"""Batch gradient descent: Θ^(l) := Θ^(l) - α D^(l), once per epoch over all m examples.

``prepare`` turns a config into data, a network and initial weights;
``Trainer`` runs the epochs and yields one ``Step`` per epoch, so that a caller
can log, draw progress, or stop between epochs without the library printing.
"""

from __future__ import annotations

import math
from contextlib import closing
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from .config import Config
from .data import Data, load_data
from .memory import available_memory, check_enabled, size_text
from .model import check_weights, model_arrays, read_npz
from .network import (Network, Weights, accuracy, example_costs, forward, gradient,
                      random_weights, total_cost)
from .workspace import Workspace

# Forking the helper processes and their first epoch cost some 20 ms, repaid by about
# 0.15 ms an epoch on the small nets they are for (nnbp/partner.py)
HELPERS_MIN_EPOCHS = 200


@dataclass
class Run:
    cfg: Config
    net: Network
    data: Data
    Theta: Weights  # the initial weights

    @property
    def classifier(self) -> bool:
        return self.data.target.classes is not None or self.net.output != "linear"


def build_network(cfg: Config, n_features: int, K: int) -> Network:
    layers = cfg["network.layers"]
    if layers[0] != "auto" and layers[0] != n_features:
        raise cfg.error("network.layers", f"the input layer has {layers[0]} units but the data "
                        f"has {n_features} feature columns")
    return Network((n_features, *layers[1:-1], K), cfg["network.activation"],
                   cfg["network.output"], cfg["network.cost"])


def check_memory(cfg: Config, net: Network, m: int) -> None:
    """Refuse a network far too large for the memory there is, before allocating it:
    Θ, its spare, D and Δ (4 per weight), and z, a, δ and scratch (about 6 per unit
    and example), at the dtype's size."""
    available = available_memory() if check_enabled() else None
    weights = sum(net.shape(l)[0] * net.shape(l)[1] for l in range(1, net.L))
    needed = np.dtype(cfg["training.dtype"]).itemsize * (4 * weights + 6 * m * sum(net.sizes))
    if available is not None and needed > available:
        raise cfg.error("network.layers", f"{list(net.sizes)} on {m} examples needs about "
                        f"{size_text(needed)} of memory and {size_text(available)} is available; "
                        "use fewer units, or set NNBP_IGNORE_MEMORY_CHECK=1 to try anyway")


def initial_weights(cfg: Config, net: Network) -> Weights:
    dtype = np.dtype(cfg["training.dtype"])
    w = cfg["network.init.weights"]
    if w is None:
        eps = cfg["network.init.epsilon"]
        return random_weights(net, cfg["network.init.seed"], None if eps == "auto" else eps, dtype)
    if isinstance(w, dict):
        return check_weights(w, net, f"{cfg.source}: network.init.weights", dtype)
    return check_weights(read_npz(w, "weights"), net, w, dtype)


def prepare(cfg: Config) -> Run:
    data = load_data(cfg, cfg["network.layers"][-1])
    net = build_network(cfg, len(data.features), data.target.K)
    check_memory(cfg, net, len(data.train.X))
    return Run(cfg, net, data, initial_weights(cfg, net))


def log_columns(run: Run) -> list[str]:
    metric = ["accuracy"] if run.classifier else []
    cols = ["epoch", "cost", *metric]
    for name, part in (("val", run.data.val), ("test", run.data.test)):
        if part is not None:
            cols += [f"{name}_cost", *(f"{name}_{c}" for c in metric)]
    return cols


class Step:
    """One epoch: ``epoch`` updates done (epoch 0 is before any), the log row on
    logged epochs.  ``cost`` = J(Θ) is computed when first read, from this
    epoch's buffers, so read it before asking for the next step."""

    def __init__(self, epoch: int, cost_fn: Callable[[], float], row: dict | None):
        self.epoch, self.row = epoch, row
        self._cost_fn, self._cost = cost_fn, None

    @property
    def cost(self) -> float:
        if self._cost is None:
            self._cost = self._cost_fn()
        return self._cost


@dataclass
class Trainer:
    run: Run
    epochs: int
    learning_rate: float
    lam: float
    log_every: int = 1
    should_stop: Callable[[], bool] = lambda: False
    Theta: Weights = field(init=False)  # the current (last finite) weights
    epochs_done: int = field(init=False, default=0)
    cost: float = field(init=False, default=math.nan)  # J at the last logged epoch
    accuracy: float | None = field(init=False, default=None)
    diverged: bool = field(init=False, default=False)
    last_row: dict | None = field(init=False, default=None)  # the most recent log row

    def __post_init__(self):
        self.Theta = {l: T.copy() for l, T in self.run.Theta.items()}

    def __iter__(self) -> Iterator[Step]:
        net, tr = self.run.net, self.run.data.train
        alpha, lam, E, L = self.learning_rate, self.lam, self.epochs, self.run.net.L
        # every epoch reuses these; tr.X and tr.Y stay as they are, so that helper
        # processes may run shares of the batch, on runs long enough to repay their start
        ws = Workspace(net, len(tr.X), tr.X.dtype, X1=tr.X1, helpers=E >= HELPERS_MIN_EPOCHS)
        # Θ double buffer; a copy, not empty_like, so that a non-finite cost at epoch 0
        # falls back to the initial weights rather than to uninitialized memory
        spare = {l: T.copy() for l, T in self.Theta.items()}
        # closing ws ends its helper processes, if any
        with closing(ws), np.errstate(over="ignore", invalid="ignore"):
            for e in range(E + 1):
                # BLAS keeps the shares' thread count through the epoch's work, log
                # row included, and has its own back while the caller has the step
                with ws.blas_held():
                    last = e == E
                    if last:  # after the final update only the forward pass is needed
                        z, a = forward(net, self.Theta, tr.X, ws)
                        finite = bool(np.isfinite(z[L]).all())
                    else:
                        D, z, a, _ = gradient(net, self.Theta, tr.X, tr.Y, lam, ws)
                        # J is finite when z^(L) and D are (checked on every epoch, cheaply)
                        finite = bool(np.isfinite(z[L]).all()) and all(
                            np.isfinite(D[l]).all() for l in D)
                    stop = last or self.should_stop()
                    row, J = None, None
                    if finite and (stop or e % self.log_every == 0):
                        J = total_cost(net, self.Theta, z, a, tr.Y, lam)
                        finite = math.isfinite(J)
                    if not finite:
                        self.diverged = True
                        self.Theta, spare = spare, self.Theta  # back to the last finite Θ
                        return
                    self.epochs_done = e
                    if J is not None:
                        self.cost = J
                        if self.run.classifier:
                            self.accuracy = accuracy(a[L], tr.Y)
                        row = self._row(e, J)
                yield Step(e, (lambda J=J, z=z, a=a: J if J is not None else
                               total_cost(net, self.Theta, z, a, tr.Y, lam)), row)
                if stop:
                    return
                for l in self.Theta:  # Θ^(l) := Θ^(l) - α D^(l), into the spare buffer
                    np.subtract(self.Theta[l], alpha * D[l], out=spare[l])
                self.Theta, spare = spare, self.Theta

    def _row(self, e: int, J: float) -> dict:
        row = {"epoch": e, "cost": J}
        if self.run.classifier:
            row["accuracy"] = self.accuracy
        for name, part in (("val", self.run.data.val), ("test", self.run.data.test)):
            if part is not None:
                z, a = forward(self.run.net, self.Theta, part.X)
                row.update(evaluate_split(self.run, z, a, part.Y, name))
        self.last_row = row
        return row

    def model(self) -> dict[str, np.ndarray]:
        cfg = self.run.cfg
        return model_arrays(self.run.net, self.Theta, lam=self.lam, data=self.run.data,
                            config_yaml=cfg.to_yaml(), epochs=self.epochs_done,
                            cost_final=self.cost)


def evaluate_split(run: Run, z: dict, a: dict, Y: np.ndarray, name: str) -> dict:
    """Held-out columns: the unregularized cost (λ = 0) and the accuracy."""
    out = {f"{name}_cost": float(example_costs(run.net, z, a, Y).sum()) / len(Y)}
    if run.classifier:
        out[f"{name}_accuracy"] = accuracy(a[run.net.L], Y)
    return out
