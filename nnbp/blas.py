"""The number of threads BLAS uses for each product.

Training splits the batch into one share of rows per core and runs each share's
forward and backward pass, matrix products included, on its own thread (see
``workspace.py``).  For that, each share's products must use only its part of
the cores, or the shares and BLAS's own threads would compete for the same
cores.  OpenBLAS can be told its thread count while it runs; this module finds
the OpenBLAS that numpy has loaded, under its plain names or the prefixed ones
of numpy's wheels.  The setting is the whole process's, so it is
changed once around the shares' work and put back after.  With any other BLAS,
or where it cannot be found, ``blas().threads`` is None and training keeps one
share, leaving the threading of the products to BLAS.
"""

from __future__ import annotations

import ctypes
import os
from contextlib import contextmanager
from functools import lru_cache
from typing import Callable, Iterator, NamedTuple

import numpy as np  # noqa: F401  (loads the BLAS library that is looked for below)

# OpenBLAS's calls, under their plain names and the prefixed ones of numpy's wheels
SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
           "scipy_openblas_set_num_threads")
GETTERS = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_",
           "scipy_openblas_get_num_threads")


class Blas(NamedTuple):
    threads: int | None  # BLAS's thread count when found; None: it cannot be set
    set: Callable[[int], int] | None  # sets the count, returns the old one
    get: Callable[[], int] | None  # the count now


def _loaded_libraries() -> list[str]:
    """Paths of the shared libraries this process has loaded (Linux; [] elsewhere)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            fields = [line.split(None, 5) for line in f]
    except OSError:
        return []
    paths = {f[5].strip() for f in fields if len(f) == 6}
    return sorted(p for p in paths if p.startswith("/") and ".so" in os.path.basename(p))


def _first(lib, names: tuple[str, ...]):
    return next((getattr(lib, n) for n in names if hasattr(lib, n)), None)


@lru_cache(maxsize=1)
def blas() -> Blas:
    for path in _loaded_libraries():
        if "openblas" not in os.path.basename(path).lower():
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        set_, get = _first(lib, SETTERS), _first(lib, GETTERS)
        if set_ is None or get is None:
            continue
        set_.argtypes, set_.restype = [ctypes.c_int], None
        get.argtypes, get.restype = [], ctypes.c_int

        def set_threads(n: int, set_=set_, get=get) -> int:
            old = int(get())
            set_(n)
            return old
        return Blas(max(1, int(get())), set_threads, get)
    return Blas(None, None, None)


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """BLAS products use n threads until the block ends (None: leave BLAS as it is)."""
    set_ = blas().set
    if n is None or set_ is None:
        yield
        return
    old = set_(n)
    try:
        yield
    finally:
        set_(old)
