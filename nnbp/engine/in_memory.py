"""The executor for data held in memory: each part's [1, x′] and Y run in shares and
blocks (``shares``), each block a view of the arrays."""

from __future__ import annotations

import numpy as np

from ..network import Network, Weights
from .kernel import Sums
from .shares import Shares


class InMemory:
    """Runs the kernel over parts held in memory: ``parts`` maps a name (train, val,
    test) to (X1, Y), X1 = [1, x′] per row (m, s_1 + 1) and Y (m, K)."""

    def __init__(self, net: Network, parts: dict[str, tuple[np.ndarray, np.ndarray]], *,
                 classify: bool, threads: int | None = None, rows: int | None = None):
        self.parts = parts
        self.shares = Shares(net, classify=classify, threads=threads, rows=rows)

    def sums(self, Theta: Weights, part: str = "train", *, backward: bool = True,
             cost: bool = True) -> Sums:
        """The part's sums under Θ (``Kernel.add`` over its blocks)."""
        X1, Y = self.parts[part]
        return self.shares.sums(Theta, part, len(X1), X1.dtype,
                                lambda rows, k: (X1[rows], Y[rows]),
                                backward=backward, cost=cost)
