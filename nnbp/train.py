"""Batch gradient descent: Θ^(l) := Θ^(l) - α D^(l), once per epoch over all m examples.

``prepare`` turns a config into data, a network, initial weights and the executor
that runs the epochs (``on_cluster`` the same on a Dask cluster);
``Trainer`` runs the epochs on an executor of the engine (``nnbp/engine/``) and
yields one ``Step`` per epoch, so that a caller can log, draw progress, or stop
between epochs without the library printing.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple

import numpy as np

from .config import Config
from .data.room import available_memory, check_enabled, reading_needs, size_text
from .data.parts import Dataset
from .data.sources import load
from .engine import EpochCancelled
from .engine.executor import Executor, executor_for
from .engine.in_memory import InMemory
from .engine.shares import block_rows
from .cores import cores
from .errors import NnbpError
from .model import check_weights, model_arrays, read_npz
from .network import Network, Weights, random_weights


@dataclass
class Run:
    cfg: Config
    net: Network
    data: Dataset
    Theta: Weights  # the initial weights
    executor: Executor  # where the epochs run

    @property
    def classifier(self) -> bool:
        return self.data.target.classes is not None or self.net.output != "linear"


def build_network(cfg: Config, n_features: int, K: int) -> Network:
    layers = cfg.network.layers
    if layers[0] != "auto" and layers[0] != n_features:
        raise cfg.error("network.layers", f"the input layer has {layers[0]} units but the data "
                        f"has {n_features} feature columns")
    return Network((n_features, *layers[1:-1], K), cfg.network.activation,
                   cfg.network.output, cfg.network.cost)


def check_memory(cfg: Config, net: Network, m: int) -> None:
    """Refuse a network far too large for the memory there is, before allocating it:
    Θ, the next Θ, D, and Δ for each core's share (3 + cores per weight), and each
    core's block of z, a and δ (3 per unit and row), at the dtype's size."""
    available = available_memory() if check_enabled() else None
    n = cores()
    weights = sum(net.shape(l)[0] * net.shape(l)[1] for l in range(1, net.L))
    rows = min(m, n * block_rows(net))
    needed = np.dtype(cfg.training.dtype).itemsize * (
        (3 + n) * weights + 3 * rows * sum(s + 1 for s in net.sizes[1:]))
    if available is not None and needed > available:
        raise cfg.error("network.layers", f"{list(net.sizes)} on {m} examples needs about "
                        f"{size_text(needed)} of memory and {size_text(available)} is available; "
                        "use fewer units, or set NNBP_IGNORE_MEMORY_CHECK=1 to try anyway")


def initial_weights(cfg: Config, net: Network) -> Weights:
    dtype = np.dtype(cfg.training.dtype)
    w = cfg.network.init.weights
    if w is None:
        eps = cfg.network.init.epsilon
        return random_weights(net, cfg.network.init.seed, None if eps == "auto" else eps, dtype)
    if isinstance(w, dict):
        return check_weights(w, net, f"{cfg.source}: network.init.weights", dtype)
    return check_weights(read_npz(w, "weights"), net, w, dtype)


class Streaming(NamedTuple):
    """Event: the run streams its data, and why (data.stream: auto)."""
    reason: str


def stream_reason(cfg) -> str | None:
    """Why data.stream: auto streams this config's data, or None when it fits: reading
    the files in memory, and the arrays training makes of them, would take more than
    half the memory there is."""
    available = available_memory()
    if available is None:
        return None
    files = [f for f in (cfg.data.train, cfg.data.test) if f is not None]
    needed = sum(reading_needs(f, copies=2) for f in files)  # the table, X1, and X[tr]
    if needed <= available / 2:
        return None
    return (f"streaming the data from a binary cache: reading {' and '.join(files)} in memory "
            f"and training on {'them' if len(files) > 1 else 'it'} would take about {size_text(needed)}, more than half of the "
            f"{size_text(available)} available (data.stream: auto)")


def prepare(cfg: Config, stream: bool | str = False, notify=None, *, client=None,
            cancel: Callable[[], bool] = lambda: False) -> Run:
    """The run of a config: its data, network, initial weights and executor.
    ``stream``: False reads the data in memory, True streams it from a binary cache,
    "auto" streams when it would not fit in half the memory there is; a Dask
    ``client`` reads it on its cluster's workers (whose epochs ``cancel`` can stop).
    ``notify`` gets the events of streaming: ``Streaming(reason)`` when auto chose it,
    and ``CacheProgress`` while a cache is built."""
    if client is None and stream == "auto":
        reason = stream_reason(cfg)
        stream = reason is not None
        if stream and notify is not None:
            notify(Streaming(reason))
    where = client if client is not None else "cache" if stream else "memory"
    data = load(cfg, where, notify)
    net = build_network(cfg, len(data.features), data.target.K)
    check_memory(cfg, net, data.train.m)
    classify = data.target.classes is not None or net.output != "linear"
    executor = executor_for(data, net, classify=classify, dtype=cfg.training.dtype,
                            client=client, cancel=cancel)
    return Run(cfg, net, data, initial_weights(cfg, net), executor)


def run_on_arrays(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray,
                  classes: np.ndarray | None = None) -> Run:
    """A run straight from arrays: x as the network sees it (m, s_1), Y (m, K), no
    config file (``Trainer.model`` needs one), no normalization, nothing held out."""
    from .data.parts import Description
    from .data.parts import ArrayPart
    from .encoding import Normalization, Target
    from .network import with_bias

    n, m = X.shape[1], len(X)
    description = Description([f"x{j}" for j in range(n)],
                              Target(["y"], classes, Y.shape[1]), Normalization.none(n), [],
                              np.arange(0), {"train": m})
    data = Dataset(description, {"train": ArrayPart(with_bias(X), Y, np.arange(m))})
    classify = classes is not None or net.output != "linear"
    return Run(None, net, data, Theta,
               executor_for(data, net, classify=classify, dtype=X.dtype))


@contextlib.contextmanager
def on_cluster(cfg: Config, *, fail: Callable[[str], NnbpError], cancel: Callable[[], bool]):
    """The run on the cluster of ``cfg.training.scheduler`` (``prepare`` with its
    client), for as long as the block lasts."""
    from .engine.connect import connect

    with connect(cfg.training.scheduler, fail) as client:
        yield prepare(cfg, client=client, cancel=cancel)


def log_columns(run: Run) -> list[str]:
    metric = ["accuracy"] if run.classifier else []
    cols = ["epoch", "cost", *metric]
    for name in ("val", "test"):
        if name in run.data.parts:
            cols += [f"{name}_cost", *(f"{name}_{c}" for c in metric)]
    return cols + ["passes"]  # columns only ever get added, at the end


def log_row(run: Run, executor, Theta: Weights, e: int, J: float, accuracy: float | None,
            passes: int) -> dict:
    """The log row of epoch (or iteration) e: J(Θ), the training accuracy, the held-out
    parts' data term (λ = 0) and accuracy under Θ, and ``passes``, the passes over the
    training rows so far that computed J (and D), the one at this Θ included."""
    row = {"epoch": e, "cost": J}
    if run.classifier:
        row["accuracy"] = accuracy
    for name in ("val", "test"):
        if name in run.data.parts:
            sums = executor.sums(Theta, name, backward=False)
            row[f"{name}_cost"] = sums.cost / sums.m  # held out: the data term, λ = 0
            if run.classifier:
                row[f"{name}_accuracy"] = sums.correct / sums.m
    row["passes"] = passes
    return row


class Step(NamedTuple):
    """One epoch: ``epoch`` updates done (epoch 0 is before any), J(Θ) then, and the
    log row.  J's logs are a good part of a small network's epoch, so it is computed
    only on the logged epochs and those the caller asks for (``Trainer.cost_wanted``,
    for a progress bar); on the others ``cost`` is None, and ``row`` is None but on
    logged epochs."""

    epoch: int
    cost: float | None
    row: dict | None


def in_memory(run: Run, **options) -> InMemory:
    """An executor in memory for a run whose data is in memory (``threads``, ``rows``)."""
    return executor_for(run.data, run.net, classify=run.classifier,
                        dtype=run.data.train.X1.dtype, **options)


@dataclass
class Trainer:
    run: Run
    epochs: int
    learning_rate: float
    lam: float
    log_every: int = 1
    should_stop: Callable[[], bool] = lambda: False
    executor: Executor | None = None  # where the epochs run (default: the run's)
    # epochs on which J is wanted besides the logged ones (a progress bar's redraws)
    cost_wanted: Callable[[int], bool] = lambda e: False
    Theta: Weights = field(init=False)  # the current (last finite) weights
    epochs_done: int = field(init=False, default=0)
    cost: float = field(init=False, default=math.nan)  # J(Θ) when last computed
    accuracy: float | None = field(init=False, default=None)
    diverged: bool = field(init=False, default=False)
    last_row: dict | None = field(init=False, default=None)  # the most recent log row

    def __post_init__(self):
        self.Theta = {l: T.copy() for l, T in self.run.Theta.items()}
        if self.executor is None:
            self.executor = self.run.executor

    def __iter__(self) -> Iterator[Step]:
        alpha, lam, E = self.learning_rate, self.lam, self.epochs
        previous = self.Theta  # the weights before the last update
        with np.errstate(over="ignore", invalid="ignore"):
            for e in range(E + 1):
                last = e == E  # after the final update only the forward pass is needed
                stop = last or self.should_stop()
                logged = stop or e % self.log_every == 0
                costed = logged or self.cost_wanted(e)
                try:
                    sums = self.executor.sums(self.Theta, "train", backward=not stop,
                                              cost=costed)
                except EpochCancelled:  # stopped mid-epoch: end here, with this Θ's cost
                    stop = logged = costed = True
                    sums = self.executor.sums(self.Theta, "train", backward=False)
                J = sums.J(self.Theta, lam) if costed else None
                D = None if stop else sums.gradient(self.Theta, lam)
                # a non-finite J shows in D too, on the epochs that do not compute J
                if not ((J is None or math.isfinite(J)) and
                        (D is None or all(np.isfinite(D[l]).all() for l in D))):
                    self.diverged = True
                    self.Theta = previous  # back to the last weights with a finite cost
                    return
                self.epochs_done = e
                row = None
                if costed:
                    self.cost = J
                    if self.run.classifier:
                        self.accuracy = sums.correct / sums.m
                if logged:
                    row = self._row(e, J)
                yield Step(e, J, row)
                if stop:
                    return
                previous = self.Theta
                self.Theta = {l: T - alpha * D[l] for l, T in self.Theta.items()}  # Θ := Θ - αD

    def _row(self, e: int, J: float) -> dict:
        # epoch e is the (e + 1)th pass: the one at Θ after e updates
        self.last_row = log_row(self.run, self.executor, self.Theta, e, J, self.accuracy, e + 1)
        return self.last_row

    def model(self) -> dict[str, np.ndarray]:
        cfg = self.run.cfg
        return {**model_arrays(self.run.net, self.Theta, lam=self.lam, data=self.run.data.description,
                               config_yaml=cfg.to_yaml(), epochs=self.epochs_done,
                               cost_final=self.cost), "optimizer": np.array("gd")}
