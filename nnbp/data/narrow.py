"""Features stored exactly in as few bytes as they need: the narrowest of the
integer types that holds their range, else float32 when it holds every value,
else float64, decided as the rows come, a block at a time (MNIST's pixels, 0 …
255, take one byte each, an eighth of float64)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .stats import Stats

NARROW = [np.dtype(t) for t in ("uint8", "int8", "uint16", "int16", "uint32", "int32")]


def narrowest(integral: bool, lo: float, hi: float, float32_exact: bool) -> np.dtype:
    """The narrowest dtype that holds values exactly: integers in the smallest integer
    type of their range, else float32 when it holds them all, else float64."""
    if integral:
        for t in NARROW:
            if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max:
                return t
    return np.dtype(np.float32 if float32_exact else np.float64)


class NarrowFile:
    """A file of rows written a block at a time, in the narrowest dtype that holds
    every value so far (rewritten in a wider one when a block needs it), and the
    statistics of its columns."""

    def __init__(self, path: Path):
        self.path = path
        self.rows, self.dtype, self.stats = 0, None, None
        self.integral, self.lo, self.hi, self.float32 = True, np.inf, -np.inf, True

    def add(self, X: np.ndarray) -> None:
        """Append the rows of X (b, n), float64."""
        if self.stats is None:
            self.stats = Stats.empty(X.shape[1])
        self.lo, self.hi = min(self.lo, float(X.min())), max(self.hi, float(X.max()))
        narrow = None
        if self.integral:  # integers in a type of their range: cast, and check the cast
            narrow = X.astype(narrowest(True, self.lo, self.hi, False))
            self.integral = narrow.dtype.kind in "iu" and bool((narrow == X).all())
        if self.integral:
            self.stats.merge(column_stats(narrow))
        else:
            with np.errstate(over="ignore"):  # beyond float32's range: inf, not equal
                self.float32 = self.float32 and bool((X.astype(np.float32) == X).all())
            self.stats.add(X)
        dtype = narrowest(self.integral, self.lo, self.hi, self.float32)
        if self.dtype is not None and dtype != self.dtype:  # a wider type for what came before
            _retype(self.path, self.dtype, dtype, self.rows * X.shape[1])
        self.dtype = dtype
        with open(self.path, "ab") as f:
            (narrow if self.integral and narrow.dtype == dtype else X.astype(dtype)).tofile(f)
        self.rows += len(X)


def column_stats(X: np.ndarray) -> Stats:
    """``Stats.of`` X (b, n); integers of 1 or 2 bytes from their exact sums, without a
    float64 copy: Σ(x - mean)² = (bΣx² - (Σx)²)/b, the numerator in Python's integers,
    then rounded once.  (The squares of 4-byte integers would overflow int64: those,
    and floats, go the general way.)"""
    if X.dtype.kind not in "iu" or X.dtype.itemsize > 2:
        return Stats.of(X)
    b = len(X)
    S = X.sum(axis=0, dtype=np.int64)
    square = {"uint8": np.uint16, "int8": np.int16}.get(X.dtype.name, np.int64)  # 255² < 2^16
    sq = X.astype(square)
    sq *= sq
    S2 = sq.sum(axis=0, dtype=np.int64)  # ≤ b · 2^32: exact for any file's chunk
    M2 = np.array([(b * int(s2) - int(s) * int(s)) / b for s, s2 in zip(S, S2)])
    return Stats(b, S / b, M2, X.min(axis=0).astype(np.float64), X.max(axis=0).astype(np.float64))


def _retype(path: Path, old: np.dtype, new: np.dtype, count: int, step: int = 1 << 22) -> None:
    """Rewrite ``count`` values of ``path`` from dtype ``old`` to ``new``, a block at a time."""
    out = path.with_suffix(".new")
    with open(path, "rb") as f, open(out, "wb") as g:
        for start in range(0, count, step):
            np.fromfile(f, old, min(step, count - start)).astype(new).tofile(g)
    os.replace(out, path)
