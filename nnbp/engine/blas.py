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
from functools import lru_cache

from ..cores import cores


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
