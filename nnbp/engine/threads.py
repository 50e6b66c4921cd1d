"""The cores work runs on: a pool of threads beside the caller's, one per core,
and BLAS's thread count held down while they run their own products.

numpy releases the GIL inside its loops and matrix products, so threads that
each take a share of the rows run in parallel.  While they do, each share's
products get only its part of the cores from BLAS (threadpoolctl, which knows
OpenBLAS, MKL and BLIS), or the shares and BLAS's own threads would compete
for the same cores.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from functools import lru_cache
from typing import Callable

MAX_THREADS = 8
_pool = None  # a concurrent.futures.ThreadPoolExecutor, made at the first call of pool()


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool():
    """The threads that work runs on beside the caller's, made once."""
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # not at start-up: one share needs none

        _pool = ThreadPoolExecutor(max_workers=min(cores(), MAX_THREADS),
                                   thread_name_prefix="nnbp")
    return _pool


def run_each(fn: Callable[[int], None], n: int) -> None:
    """fn(k) for k = 0 … n-1 in parallel: 0 on this thread, the others on the pool's,
    each in a copy of this thread's context (numpy's error settings live there).  An
    exception reaches the caller once every call has ended."""
    if n == 1:
        fn(0)
        return
    futures = [pool().submit(contextvars.copy_context().run, fn, k) for k in range(1, n)]
    try:
        fn(0)
    finally:
        for f in futures:  # every call has finished writing before anyone reads
            f.exception()
    for f in futures:
        f.result()


@lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def blas_threads(shares: int, *, one_core: bool = False):
    """A block in which BLAS gives each of ``shares`` parallel shares its part of the
    cores; with ``one_core``, a single thread (for a batch too small to gain from a
    second core: BLAS's threads would only wait for each other, and for whatever else
    the machine runs); otherwise nothing changes for one share."""
    if one_core:
        return _controller().limit(limits=1, user_api="blas")
    if shares <= 1:
        return contextlib.nullcontext()
    return _controller().limit(limits=max(1, cores() // shares), user_api="blas")


def one_blas_thread():
    """A block in which every BLAS the process has loaded runs on one thread (SciPy
    brings its own OpenBLAS beside numpy's), looked up afresh."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().limit(limits=1, user_api="blas")
