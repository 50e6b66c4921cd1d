"""Buffers for one batch, allocated once per training run and reused every epoch,
and the batch split into one share of rows per core.

``A[l]`` holds [1; a^(l)] for every example, the bias unit's 1 stored in column 0,
so that z^(l+1) = Θ^(l) [1; a^(l)] and Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ are each
one matrix product, as on paper, with no bias added or summed separately.

Every example's forward and backward pass is independent of the others until
Δ sums over them, so each core takes a share of the rows and runs both passes on
it, matrix products included, and Δ^(l) is the sum of the shares' Δ^(l).  numpy
releases the GIL inside its loops and products, so the shares run in parallel;
while they do, BLAS gives each product only its share of the threads (``nnbp/blas.py``).
Within a share, elementwise work goes in blocks of rows small enough to stay in
cache across the several operations applied to them.

On a small batch the shares after the first can run in helper processes instead
of threads (``nnbp/partner.py``): the buffers are then allocated in memory the
helpers share, and Θ is copied there before each run (``shared``).
"""

from __future__ import annotations

import contextvars
import os
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import partner
from .blas import blas, blas_threads

BLOCK = 1 << 15  # elements per block: a few blocks fit in a core's L2 cache
PARALLEL_MIN = 1 << 14  # elements of the widest layer below which one share is faster
MAX_SHARES = 8
# elements of [1; a^(l)] over all layers up to which helper processes run the shares
# (above it each call is long enough that threads hand over as fast)
PROCESS_MAX = 1 << 21
_pool: ThreadPoolExecutor | None = None


def threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool() -> ThreadPoolExecutor:
    """The threads that work runs on beside the caller's, one per core, made once."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=min(threads(), MAX_SHARES),
                                   thread_name_prefix="nnbp")
    return _pool


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
    def __init__(self, net, m: int, dtype, backward: bool = True, X1: np.ndarray | None = None,
                 shares: int | None = None, helpers: bool = False):
        """helpers: on a small batch, helper processes may run the shares (``each_share``'s
        key says when); the caller calls ``close`` when done with the workspace."""
        dtype = np.dtype(dtype)
        L = net.L
        self.X1 = X1  # [1, x] of the training data, when the caller has it
        widest = max(net.sizes[1:]) + 1
        blas_n = blas().threads  # None: BLAS's thread count cannot be set
        if shares is None:  # one per core, unless BLAS cannot be told or the batch is small
            shares = (min(threads(), blas_n, MAX_SHARES)
                      if blas_n and m * widest >= PARALLEL_MIN else 1)
        n = max(1, min(shares, m))
        self.processes = (helpers and n > 1 and partner.available()
                          and m * sum(s + 1 for s in net.sizes) <= PROCESS_MAX)
        new = partner.shared_empty if self.processes else np.empty
        self.A = {l: new((m, net.s(l) + 1), dtype) for l in range(2, L)}  # [1; a^(l)]
        for A in self.A.values():
            A[:, 0] = 1.0  # the bias unit a_0^(l) = 1, set once
        # [0; z^(l)] likewise for hidden layers, so that g runs over whole contiguous rows
        # (column 0 gives g(0), then reset to the bias unit's 1)
        self.Z = {l: new((m, net.s(l) + 1), dtype) for l in range(2, L)}
        for Z in self.Z.values():
            Z[:, 0] = 0.0
        self.z = {l: self.Z[l][:, 1:] for l in range(2, L)}  # z^(l), a view into Z[l]
        self.z[L] = new((m, net.s(L)), dtype)
        self.a = {l: self.A[l][:, 1:] for l in range(2, L)}  # a^(l), a view into A[l]
        self.a[L] = new((m, net.s(L)), dtype)  # the output layer has no bias unit
        if backward:
            self.delta = {l: new((m, net.s(l)), dtype) for l in range(2, L + 1)}  # δ^(l)
            self.D = {l: np.empty(net.shape(l), dtype) for l in range(1, L)}  # D^(l)
        # Θ as the helpers see it, copied in before each run (``shared``)
        self.Theta = ({l: new(net.shape(l), dtype) for l in range(1, L)}
                      if self.processes else None)
        self._helpers = _Helpers()
        self._key: tuple | None = None  # what the helpers' function reads, as at their fork
        bounds = np.linspace(0, m, n + 1).astype(int)
        self.shares = [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]
        self.blas_threads = max(1, min(blas_n or 1, threads()) // n) if n > 1 else None
        rows = max(1, BLOCK // widest)
        # per share: its blocks of rows, a scratch block for temporaries, and its Δ
        self.blocks = [[slice(b, min(b + rows, s.stop)) for b in range(s.start, s.stop, rows)]
                       for s in self.shares]
        self.scratch = [np.empty(rows * widest, dtype) for _ in range(n)]
        if backward:
            self.Delta = [self.D] + [  # share 0 writes Δ into D, the others into their own
                {l: new(net.shape(l), dtype) for l in range(1, L)} for _ in range(1, n)]

    def A1(self, X: np.ndarray) -> np.ndarray:
        """[1, x] for the batch X: the caller's, or a copy made here."""
        if is_tail_of(X, self.X1):
            return self.X1
        self.X1 = with_ones(X)
        return self.X1

    def shared(self, Theta: dict) -> dict:
        """Θ where the helper processes see it (a copy), or Θ itself when there are none."""
        if not self.processes:
            return Theta
        for l, T in Theta.items():
            np.copyto(self.Theta[l], T)
        return self.Theta

    def each_share(self, fn, key: tuple | None = None) -> None:
        """fn(k) for every share k, in parallel: share 0 on this thread, the others on
        the pool's, each in a copy of this thread's context (numpy's errstate is there).

        With a key, and helper processes allowed, the shares after the first run in
        helpers forked at the first such call, each running the fn of that call.  The
        key holds the objects that fn reads besides this workspace's buffers (Θ goes
        through ``shared``); a call whose key is not made of the same objects runs on
        threads.  The caller must not change those objects in place meanwhile."""
        if len(self.shares) == 1:
            fn(0)
            return
        if key is not None and self.processes:
            if self._key is None:
                self._fork(fn, key)
            if self._key is not None and len(key) == len(self._key) and all(
                    a is b for a, b in zip(key, self._key)):
                self._each_share_in_processes(fn)
                return
        with blas_threads(self.blas_threads):
            futures = [pool().submit(contextvars.copy_context().run, fn, k)
                       for k in range(1, len(self.shares))]
            try:
                fn(0)
            finally:
                for f in futures:  # every share has finished writing before anyone reads
                    f.exception()
        for f in futures:
            f.result()

    def blas_held(self):
        """A block in which every BLAS product uses the shares' thread count, not only
        the shares' own: training runs each epoch in one, so that no BLAS thread left
        idle by a product between the shares spins on a core that a share needs."""
        return blas_threads(self.blas_threads)

    def _fork(self, fn, key: tuple) -> None:
        helpers = self._helpers
        weakref.finalize(self, helpers.close)
        try:
            for k in range(1, len(self.shares)):
                helpers.partners.append(partner.Partner(lambda k=k: fn(k), self.blas_threads))
        except OSError:  # no fork allowed (limits): threads do the work
            self.close()
            return
        self._key = key

    def _each_share_in_processes(self, fn) -> None:
        started = []
        try:
            for p in self._helpers.partners:
                p.start()
                started.append(p)
            error = None
            try:
                fn(0)
            except Exception as e:  # noqa: BLE001 (raised once every share has ended)
                error = e
            for p in started:
                try:
                    p.finish()
                except partner.PartnerGone:
                    raise
                except Exception as e:  # noqa: BLE001
                    error = error or e
        except partner.PartnerGone:
            # a helper is gone: this call's shares run again here, and threads take
            # over from now on; nothing it wrote is kept
            self.close()
            self.each_share(fn)
            return
        except BaseException:  # interrupted while helpers run: they are out of step
            self.close()
            raise
        if error is not None:
            raise error

    def close(self) -> None:
        """End the helper processes, if any; later calls run their shares on threads."""
        self._helpers.close()
        self.processes = False
        self._key = None


class _Helpers:
    """A workspace's helper processes (apart from it, so that a finalizer can end them)."""

    def __init__(self):
        self.partners: list[partner.Partner] = []

    def close(self) -> None:
        for p in self.partners:
            p.close()
        self.partners.clear()
