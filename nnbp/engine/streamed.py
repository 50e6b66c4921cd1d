"""The executor for data streamed from disk: every epoch reads the rows from the
binary cache (``nnbp/data/cache.py``) block by block, never holding more than a
block per core in memory.

The plan is the in-memory executor's (``shares``): each part's rows in one
contiguous share per core, each share in blocks, the shares' sums added in a fixed
order, so a streamed run is bitwise the same from one run to the next.
Only where a block comes from differs: each share reads its block's rows from the
cache into its own buffers, in their narrow dtype, and makes them X1 for the
kernel.  The in-memory path normalizes once, x' = (x - shift)/scale; here every
epoch does, so its division is moved into Θ^(1) (``Streamed.sums``), leaving
one pass over each block: the same products, to rounding.

The parts are the data package's (``CachedPart``): the engine asks a part for its
rows and never opens a file.
"""

from __future__ import annotations

import os

import numpy as np

from ..cores import cores
from ..data.parts import CachedPart
from ..encoding import Normalization
from ..network import Network, Weights
from .kernel import Sums
from .shares import Shares, block_rows

ROWS_ENV = "NNBP_STREAM_ROWS"  # rows per block (tests force tiny blocks with it)
X1_BYTES = 1 << 22  # a share's block of [1, x - s], sized to stay in the processor's cache


def stream_rows(net: Network, dtype, available: int | None) -> int:
    """Rows per block: the in-memory executor's, or fewer, so that a share's X1 block
    (made anew from the cache for every block) takes about X1_BYTES and stays in the
    processor's cache while the kernel reads it; fewer still when an eighth of the
    memory there is, split between the cores, could not hold a share's buffers."""
    if os.environ.get(ROWS_ENV, "").strip().isdigit():
        return max(1, int(os.environ[ROWS_ENV]))
    size = np.dtype(dtype).itemsize
    rows = X1_BYTES // ((net.s(1) + 1) * size)
    if available is not None:  # X1, the cache's rows, and the kernel's z, a and δ
        per_row = size * (2 * (net.s(1) + 1) + 3 * sum(s + 1 for s in net.sizes[1:]))
        rows = min(rows, available // 8 // cores() // per_row)
    return max(64, min(block_rows(net), rows))


class Streamed:
    """Runs the kernel over parts read from the binary cache, block by block."""

    def __init__(self, net: Network, parts: dict[str, CachedPart], norm: Normalization, dtype, *,
                 classify: bool, threads: int | None = None, rows: int | None = None):
        self.net, self.parts, self.norm, self.dtype = net, parts, norm, np.dtype(dtype)
        self.shares = Shares(net, classify=classify, threads=threads, rows=rows)
        self._X1: dict[int, np.ndarray] = {}  # share k's [1, x - s] buffer

    def sums(self, Theta: Weights, part: str = "train", *, backward: bool = True,
             cost: bool = True) -> Sums:
        """The in-memory executor's sums, with the division of x' = (x - s)/c moved into
        Θ^(1): Θ^(1) [1; (x - s)/c] = Θ̃ [1; x - s] with Θ̃_ij = Θ_ij / c_j (j ≥ 1), and
        Δ^(1)_ij = Σ_t δ_i (x_j - s_j)/c_j = Δ̃_ij / c_j, Δ̃ the kernel's Δ^(1) on
        [1; x - s].  Nothing cancels: each product is the in-memory one to rounding."""
        tilde = dict(Theta)
        tilde[1] = Theta[1].copy()
        tilde[1][:, 1:] /= self.norm.scale  # Θ̃_ij = Θ_ij / c_j   (s_2, s_1 + 1)
        p = self.parts[part]
        sums = self.shares.sums(tilde, part, p.m, self.dtype,
                                lambda rows, k: self._block(p, rows, k),
                                backward=backward, cost=cost)
        if sums.Delta is not None:
            sums.Delta[1][:, 1:] /= self.norm.scale  # Δ^(1)_ij = Δ̃_ij / c_j
        return sums

    def _block(self, part: CachedPart, rows: slice, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Read the part's ``rows`` into share k's buffer as X1 = [1, x - s], and their Y."""
        x, Y = part.read(rows)
        X1 = self._x1(k, len(x))
        np.subtract(x, self.norm.shift, out=X1[:, 1:], casting="same_kind")  # x - s
        return X1, Y.astype(self.dtype, copy=False)

    def _x1(self, k: int, b: int) -> np.ndarray:
        buf = self._X1.get(k)
        if buf is None or len(buf) < b:
            buf = np.empty((max(b, self.shares.rows), self.net.s(1) + 1), self.dtype)
            buf[:, 0] = 1.0  # the bias unit's 1, kept by every block
            self._X1[k] = buf
        return buf[:b]
