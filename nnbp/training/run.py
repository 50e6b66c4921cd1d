"""A run: a config's data (in memory, streamed from the binary cache, or on a Dask
cluster), its network, its initial weights, and the executor that runs its epochs
(``prepare``; ``on_cluster`` for a cluster's)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from ..config import Config
from ..cores import cores
from ..data.parts import Dataset
from ..data.file_size import reading_needs
from ..data.room import available_memory, check_enabled, size_text
from ..data.sources import load
from ..engine.executor import Executor, executor_for
from ..engine.shares import block_rows
from ..model import check_weights, read_npz
from ..network import Network, Weights, random_weights


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


def check_network_memory(cfg: Config, net: Network, m: int) -> None:
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
    check_network_memory(cfg, net, data.train.m)
    classify = data.target.classes is not None or net.output != "linear"
    executor = executor_for(data, net, classify=classify, dtype=cfg.training.dtype,
                            client=client, cancel=cancel)
    return Run(cfg, net, data, initial_weights(cfg, net), executor)


def run_on_arrays(net: Network, Theta: Weights, X: np.ndarray, Y: np.ndarray,
                  classes: np.ndarray | None = None) -> Run:
    """A run straight from arrays: x as the network sees it (m, s_1), Y (m, K), no
    config file (an optimizer's ``model`` needs one), no normalization, nothing held out."""
    from ..data.parts import ArrayPart, Description
    from ..encoding import Normalization, Target
    from ..network import with_bias

    n, m = X.shape[1], len(X)
    description = Description([f"x{j}" for j in range(n)],
                              Target(["y"], classes, Y.shape[1]), Normalization.none(n), [],
                              np.arange(0), {"train": m})
    data = Dataset(description, {"train": ArrayPart(with_bias(X), Y, np.arange(m))})
    classify = classes is not None or net.output != "linear"
    return Run(None, net, data, Theta,
               executor_for(data, net, classify=classify, dtype=X.dtype))


@contextlib.contextmanager
def on_cluster(cfg: Config, *, cancel: Callable[[], bool] = lambda: False,
               notify: Callable[[str], None] | None = None):
    """The run on the cluster of ``cfg.training.scheduler`` (``prepare`` with its
    client), for as long as the block lasts.  With ``notify``, its epochs follow the
    cluster's workers, say what becomes of them, and wait training.worker_wait seconds
    for one when none is left."""
    from ..engine.connect import connect

    with connect(cfg.training.scheduler,
                 lambda message: cfg.error("training.scheduler", message)) as client:
        run = prepare(cfg, client=client, cancel=cancel)
        if notify is None:
            yield run
            return
        workers = run.executor.watch(notify, cfg.training.worker_wait)
        try:
            yield run
        finally:
            workers.close()


def in_memory(run: Run, **options) -> Executor:
    """An executor in memory for a run whose data is in memory (``threads``, ``rows``)."""
    return executor_for(run.data, run.net, classify=run.classifier,
                        dtype=run.data.train.X1.dtype, **options)


