"""Buffers for one batch, allocated once per training run and reused every epoch,
and the execution of elementwise work in cache-sized blocks of rows, on every core.

``A[l]`` holds [1; a^(l)] for every example, the bias unit's 1 stored in column 0,
so that z^(l+1) = Θ^(l) [1; a^(l)] and Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ are each
one matrix product, as on paper, with no bias added or summed separately.

numpy runs an elementwise operation on one core, but releases the GIL while it
does; splitting the rows of a large batch across threads runs the activations
and their derivatives on every core, as BLAS already does for the products.
Within a thread, rows go in blocks small enough to stay in cache across the
several operations applied to them.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BLOCK = 1 << 15  # elements per block: a few blocks fit in a core's L2 cache
PARALLEL_MIN = 1 << 16  # elements per layer below which threads cost more than they save
_pool: ThreadPoolExecutor | None = None


def threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def with_ones(X: np.ndarray) -> np.ndarray:
    """[1, x] for every row: a new (m, n + 1) array whose column 0 is 1."""
    X1 = np.empty((X.shape[0], X.shape[1] + 1), X.dtype)
    X1[:, 0] = 1.0
    X1[:, 1:] = X
    return X1


def is_tail_of(X: np.ndarray, X1: np.ndarray | None) -> bool:
    """Whether X is the view X1[:, 1:] (the data already has its bias column)."""
    return (X1 is not None and X.shape == (X1.shape[0], X1.shape[1] - 1)
            and X.strides == X1.strides and X.dtype == X1.dtype
            and X.__array_interface__["data"][0] == X1.__array_interface__["data"][0] + X1.itemsize)


class Workspace:
    def __init__(self, net, m: int, dtype, backward: bool = True, X1: np.ndarray | None = None):
        dtype = np.dtype(dtype)
        L = net.L
        self.X1 = X1  # [1, x] of the training data, when the caller has it
        self.A = {l: np.empty((m, net.s(l) + 1), dtype) for l in range(2, L)}  # [1; a^(l)]
        for A in self.A.values():
            A[:, 0] = 1.0  # the bias unit a_0^(l) = 1, set once
        # [0; z^(l)] likewise for hidden layers, so that g runs over whole contiguous rows
        # (column 0 gives g(0), then reset to the bias unit's 1)
        self.Z = {l: np.zeros((m, net.s(l) + 1), dtype) for l in range(2, L)}
        self.z = {l: self.Z[l][:, 1:] for l in range(2, L)}  # z^(l), a view into Z[l]
        self.z[L] = np.empty((m, net.s(L)), dtype)
        self.a = {l: self.A[l][:, 1:] for l in range(2, L)}  # a^(l), a view into A[l]
        self.a[L] = np.empty((m, net.s(L)), dtype)  # the output layer has no bias unit
        if backward:
            self.delta = {l: np.empty((m, net.s(l)), dtype) for l in range(2, L + 1)}  # δ^(l)
            self.D = {l: np.empty(net.shape(l), dtype) for l in range(1, L)}  # D^(l)
        widest = max(net.sizes[1:]) + 1
        rows = max(1, BLOCK // widest)
        n = min(threads(), 4) if m * widest >= PARALLEL_MIN else 1
        bounds = np.linspace(0, m, n + 1).astype(int)
        # per thread: its blocks of rows, and a scratch block for temporaries
        self.parts = [[slice(b, min(b + rows, hi)) for b in range(lo, hi, rows)]
                      for lo, hi in zip(bounds[:-1], bounds[1:])]
        self.scratch = [np.empty(rows * widest, dtype) for _ in range(n)]

    def A1(self, X: np.ndarray) -> np.ndarray:
        """[1, x] for the batch X: the caller's, or a copy made here."""
        if is_tail_of(X, self.X1):
            return self.X1
        self.X1 = with_ones(X)
        return self.X1

    def each_block(self, fn) -> None:
        """fn(rows, scratch) for every block of rows; the threads' parts in parallel."""
        global _pool
        if len(self.parts) == 1:
            self._run(fn, 0)
            return
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="nnbp")
        for f in [_pool.submit(self._run, fn, k) for k in range(len(self.parts))]:
            f.result()

    def _run(self, fn, k: int) -> None:
        scratch = self.scratch[k]
        for rows in self.parts[k]:
            fn(rows, scratch)
