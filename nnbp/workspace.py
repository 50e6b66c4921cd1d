"""Buffers for one batch, allocated once per training run and reused every epoch,
and the row-parallel execution of elementwise work.

numpy runs an elementwise operation on one core; it releases the GIL while it
does, so splitting the rows of a large batch across threads runs the
activations and their derivatives on every core, as BLAS already does for the
matrix products.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

PARALLEL_MIN = 1 << 17  # elements per layer below which threads cost more than they save
_pool: ThreadPoolExecutor | None = None


def _threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Workspace:
    def __init__(self, net, m: int, dtype, backward: bool = True):
        dtype = np.dtype(dtype)
        L = net.L
        self.z = {l: np.empty((m, net.s(l)), dtype) for l in range(2, L + 1)}  # z^(l)
        self.a = {l: np.empty((m, net.s(l)), dtype) for l in range(2, L + 1)}  # a^(l)
        if backward:
            self.delta = {l: np.empty((m, net.s(l)), dtype) for l in range(2, L + 1)}  # δ^(l)
            self.tmp = {l: np.empty((m, net.s(l)), dtype) for l in range(2, L)}  # g'(z^(l))
            self.D = {l: np.empty(net.shape(l), dtype) for l in range(1, L)}  # D^(l)
        widest = max(net.sizes[1:])
        n = min(_threads(), 4) if m * widest >= PARALLEL_MIN else 1
        bounds = np.linspace(0, m, n + 1).astype(int)
        self.chunks = [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]

    def each_chunk(self, fn) -> None:
        """fn(rows) for each slice of rows, in parallel when the batch is large."""
        global _pool
        if len(self.chunks) == 1:
            fn(slice(None))
            return
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_threads(), thread_name_prefix="nnbp")
        for f in [_pool.submit(fn, rows) for rows in self.chunks]:
            f.result()
