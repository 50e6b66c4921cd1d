"""The engine's one unit of work: given Θ and a block of rows, add that block's
Δ^(l), its summed cost and its count of correct predictions into ``Sums``.

An epoch is this kernel over every block of the batch, then D from the sums
(``Sums.gradient``): the gradient is a sum over examples, so nothing about it
needs the blocks together, in one place, or in one process.

The equations are those of ``nnbp/network.py``; what differs is where the
numbers live.  A ``Kernel`` owns buffers for one block, allocated once and
reused for every block and epoch:

- ``A[l]`` holds [1; a^(l)], the bias unit's 1 stored in column 0, so that
  z^(l+1) = Θ^(l) [1; a^(l)] and Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ are each one
  matrix product, with no bias added or summed on the side.  The block's
  inputs come the same way, as X1 = [1, x] (the executor makes them).
- ``Z[l]`` holds [0; z^(l)] for hidden layers, so that g runs over whole
  contiguous rows of Z into A (column 0 gives g(0), then is reset to 1).
- Elementwise work goes over sub-blocks of rows small enough to stay in cache
  across the several operations applied to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..costs import COSTS
from ..network import D_of, J_of, Network, Weights, predict_index

CACHE_ELEMENTS = 1 << 15  # a sub-block: a few of them fit in a core's L2 cache


@dataclass
class Sums:
    """What blocks add up to: m examples, Σ_t cost(t) and the correct predictions
    (when asked for: the cost's logs are a good part of a small net's epoch), and
    after a backward pass Δ^(l) = Σ_t δ^(l+1) [1; a^(l)]ᵀ."""

    m: int = 0
    cost: float | None = None
    correct: int | None = None
    Delta: Weights | None = None

    def add(self, other: "Sums") -> "Sums":
        """These sums plus ``other``'s, in place; Δ is added when both have it."""
        self.m += other.m
        if other.cost is not None:
            self.cost = (self.cost or 0.0) + other.cost
        if other.correct is not None:
            self.correct = (self.correct or 0) + other.correct
        if self.Delta is None:
            self.Delta = None if other.Delta is None else \
                {l: D.copy() for l, D in other.Delta.items()}
        elif other.Delta is not None:
            for l in self.Delta:
                self.Delta[l] += other.Delta[l]
        return self

    def J(self, Theta: Weights, lam: float) -> float:
        """J(Θ) of the sums (``network.J_of``)."""
        return J_of(self.cost, self.m, Theta, lam)

    def gradient(self, Theta: Weights, lam: float) -> Weights:
        """D^(l) of the sums (``network.D_of``)."""
        return D_of(self.Delta, self.m, Theta, lam)


class Kernel:
    """Buffers for a block of up to ``rows`` rows, and the pass over one block."""

    def __init__(self, net: Network, rows: int, dtype, classify: bool):
        dtype = np.dtype(dtype)
        L, self.net, self.rows, self.classify = net.L, net, rows, classify
        self.A = {l: np.empty((rows, net.s(l) + 1), dtype) for l in range(2, L)}  # [1; a^(l)]
        self.Z = {l: np.empty((rows, net.s(l) + 1), dtype) for l in range(2, L)}  # [0; z^(l)]
        for l in self.A:
            self.A[l][:, 0], self.Z[l][:, 0] = 1.0, 0.0  # set once, kept by every block
        self.z = {l: self.Z[l][:, 1:] for l in self.Z}  # z^(l), a view into Z[l]
        self.z[L] = np.empty((rows, net.s(L)), dtype)
        self.a = {l: self.A[l][:, 1:] for l in self.A}  # a^(l), a view into A[l]
        self.a[L] = np.empty((rows, net.s(L)), dtype)  # the output layer has no bias unit
        self.delta = {l: np.empty((rows, net.s(l)), dtype) for l in range(2, L + 1)}  # δ^(l)
        widest = max(net.sizes[1:]) + 1
        self.sub = max(1, CACHE_ELEMENTS // widest)  # rows per sub-block
        self.scratch = np.empty(self.sub * widest, dtype)
        self.product = {l: np.empty(net.shape(l), dtype) for l in range(1, L)}  # one block's Δ

    def add(self, Theta: Weights, X1: np.ndarray, Y: np.ndarray, sums: Sums, *,
            backward: bool = True, cost: bool = True) -> None:
        """Add the block (X1 = [1, x] and Y, up to ``rows`` rows) into ``sums``: its m;
        with ``cost`` Σ_t cost(t) and (classifiers) the correct count; with
        ``backward`` its Δ^(l)."""
        b, L = X1.shape[0], self.net.L
        A = {1: X1, **{l: A[:b] for l, A in self.A.items()}}
        self._forward(Theta, A, b)
        sums.m += b
        if cost:
            z, h = self.z[L][:b], self.a[L][:b]  # z^(L) and h_Θ(x) = a^(L)
            c = float(COSTS[self.net.cost].fn(self.net.output, z, h, Y).sum())
            sums.cost = (sums.cost or 0.0) + c
            if self.classify:
                right = int(np.count_nonzero(predict_index(h) == predict_index(Y)))
                sums.correct = (sums.correct or 0) + right
        if not backward:
            return
        self._backward(Theta, A, Y, b)
        first = sums.Delta is None
        if first:
            sums.Delta = {l: np.empty_like(P) for l, P in self.product.items()}
        for l in range(1, L):  # Δ^(l) += Σ_t δ^(l+1) [1; a^(l)]ᵀ over the block
            out = sums.Delta[l] if first else self.product[l]
            np.matmul(self.delta[l + 1][:b].T, A[l], out=out)  # (s_{l+1}, s_l + 1)
            if not first:
                sums.Delta[l] += out

    def _sub_blocks(self, b: int):
        return (slice(i, min(i + self.sub, b)) for i in range(0, b, self.sub))

    def _forward(self, Theta: Weights, A: dict, b: int) -> None:
        L = self.net.L
        for l in range(1, L):
            np.matmul(A[l], Theta[l].T, out=self.z[l + 1][:b])  # z^(l+1) = Θ^(l) [1; a^(l)]
            g = self.net.g(l + 1).g
            if l + 1 == L:
                g(self.z[L][:b], out=self.a[L][:b])  # h_Θ(x) = a^(L) = g(z^(L))
                continue
            for s in self._sub_blocks(b):  # a^(l+1) = g(z^(l+1)), on whole rows of [0; z]
                g(self.Z[l + 1][s], out=A[l + 1][s])
                A[l + 1][s, 0] = 1.0  # into [1; a], then the bias unit's 1 back

    def _backward(self, Theta: Weights, A: dict, Y: np.ndarray, b: int) -> None:
        L, delta = self.net.L, self.delta
        COSTS[self.net.cost].delta(self.net.output, self.z[L][:b], self.a[L][:b], Y,
                                   out=delta[L][:b])  # δ^(L)   (b, s_L)
        for l in range(L - 1, 1, -1):
            # δ^(l) = (Θ^(l)ᵀ δ^(l+1))_{drop row 0} ⊙ g'(z^(l)); dropping row 0 of the
            # product is the same as using Θ^(l) without its bias column.   (b, s_l)
            np.matmul(delta[l + 1][:b], Theta[l][:, 1:], out=delta[l][:b])
            g_prime = self.net.g(l).g_prime
            for s in self._sub_blocks(b):  # g' on whole rows of [0; z] and [1; a]
                d = delta[l][s]
                out = self.scratch[:d.shape[0] * (d.shape[1] + 1)].reshape(d.shape[0], -1)
                d *= g_prime(self.Z[l][s], A[l][s], out=out)[:, 1:]  # column 0: the bias unit
