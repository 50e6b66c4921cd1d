"""What an executor is, and which one runs a dataset's epochs: chosen by where the
data package left its rows (in memory, in the binary cache, on a Dask cluster)."""

from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from ..data.parts import ArrayPart, CachedPart, Dataset
from ..network import Network, Weights
from .kernel import Sums


class Executor(Protocol):
    def sums(self, Theta: Weights, part: str = "train", *, backward: bool = True,
             cost: bool = True) -> Sums:
        """The part's sums under Θ: m, Σ_t cost(t) and the correct count (with ``cost``),
        Δ^(l) (with ``backward``)."""


def executor_for(data: Dataset, net: Network, *, classify: bool, dtype, client=None,
                 cancel: Callable[[], bool] = lambda: False, rows: int | None = None,
                 threads: int | None = None) -> Executor:
    """The executor for the parts of ``data``: in memory, streamed from the cache, or
    on the cluster of ``client``."""
    train = data.parts["train"]
    if isinstance(train, ArrayPart):
        from .in_memory import InMemory

        return InMemory(net, {name: (p.X1, p.Y) for name, p in data.parts.items()},
                        classify=classify, threads=threads, rows=rows)
    if isinstance(train, CachedPart):
        from ..data.room import available_memory
        from .streamed import Streamed, stream_rows

        rows = rows or stream_rows(net, dtype, available_memory())
        return Streamed(net, data.parts, data.norm, np.dtype(dtype), classify=classify,
                        threads=threads, rows=rows)
    from .on_cluster import OnCluster

    return OnCluster(client, net, data.parts, classify=classify, cancel=cancel)
