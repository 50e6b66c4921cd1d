"""How an epoch's rows are run: each part's rows in one contiguous share per core,
each share through its own thread's kernel, block by block, the shares' sums added
at the end in a fixed order, so the same data gives bitwise the same result from one
run to the next.  Where a block's rows come from (arrays in memory, the binary
cache) is the executor's: ``Shares.sums`` asks it for each block."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..cores import MAX_THREADS, cores, run_each
from ..network import Network, Weights
from .blas import blas_threads
from .kernel import Kernel, Sums

# m × Σ_l (s_l + 1) below which one share is faster than one per core: numpy passes
# the GIL between the shares at each call, and on short calls the hand-overs cost more
# than the second core gives (benchmarks/bench_epoch.py --threads)
PARALLEL_MIN = 1 << 18
# m × n × k of a product below which OpenBLAS runs it on one thread
BLAS_THREADED_MIN = 1 << 18
BLOCK_ROWS = 1024  # rows per block (benchmarks/bench_epoch.py --blocks)
BLOCK_ELEMENTS = 1 << 22  # at most this many rows × Σ_l (s_l + 1) in the kernel's buffers

BlockSource = Callable[[slice, int], tuple[np.ndarray, np.ndarray]]  # (rows, share) -> (X1, Y)


def block_rows(net: Network) -> int:
    """Rows per block: enough for the products to run at full speed, few enough that a
    block's activations stay in the processor's caches between the products, fewer
    still on very wide nets, so that the kernel's buffers stay small."""
    return max(64, min(BLOCK_ROWS, BLOCK_ELEMENTS // sum(s + 1 for s in net.sizes[1:])))


def plan(m: int, shares: int, rows: int) -> list[list[slice]]:
    """m rows in ``shares`` contiguous shares as even as can be, each cut into as few
    blocks of at most ``rows`` rows as it takes, again as even as can be."""
    plans = []
    bounds = np.linspace(0, m, shares + 1).astype(int)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        n = max(1, -(-(hi - lo) // rows))
        cuts = np.linspace(lo, hi, n + 1).astype(int)
        plans.append([slice(a, b) for a, b in zip(cuts[:-1], cuts[1:])])
    return plans


class Shares:
    """The shares and blocks of each part, and a kernel per share."""

    def __init__(self, net: Network, *, classify: bool, threads: int | None = None,
                 rows: int | None = None):
        self.net, self.classify, self.threads = net, classify, threads
        self.rows = rows or block_rows(net)
        self._plans: dict[str, list[list[slice]]] = {}
        self._kernels: list[Kernel] = []

    def small(self, m: int) -> bool:
        """Whether m rows are too few to gain from a second core."""
        return m * sum(s + 1 for s in self.net.sizes[1:]) < PARALLEL_MIN

    def one_core(self, m: int) -> bool:
        """Whether m rows run on one core, BLAS's products included: too few to gain
        from a second core, in blocks large enough that BLAS would use its threads
        (a tiny net's products never do, and leave threadpoolctl unimported)."""
        if self.threads is not None or not self.small(m):
            return False
        rows = min(m, self.rows)
        return max(rows * (a + 1) * b for a, b in zip(self.net.sizes, self.net.sizes[1:])) \
            >= BLAS_THREADED_MIN

    def count(self, m: int) -> int:
        if self.threads is not None:
            return max(1, min(self.threads, m))
        return 1 if self.small(m) else min(cores(), MAX_THREADS, m)

    def sums(self, Theta: Weights, part: str, m: int, dtype, block: BlockSource, *,
             backward: bool, cost: bool) -> Sums:
        """The part's sums under Θ (``Kernel.add`` over every block ``block`` gives)."""
        if part not in self._plans:
            self._plans[part] = plan(m, self.count(m), self.rows)
        shares = self._plans[part]
        kernels = self._kernels_for(len(shares), dtype)
        sums = [Sums() for _ in shares]

        def share(k: int) -> None:
            for rows in shares[k]:
                X1, Y = block(rows, k)
                kernels[k].add(Theta, X1, Y, sums[k], backward=backward, cost=cost)
        with blas_threads(len(shares), one_core=self.one_core(m)):
            run_each(share, len(shares))
        total = sums[0]
        for s in sums[1:]:
            total.add(s)
        return total

    def _kernels_for(self, n: int, dtype) -> list[Kernel]:
        """A kernel per share, each with buffers for the largest block of any part."""
        rows = max(b.stop - b.start for p in self._plans.values() for s in p for b in s)
        if len(self._kernels) < n or any(k.rows < rows for k in self._kernels[:n]):
            self._kernels = [Kernel(self.net, rows, dtype, self.classify)
                             for _ in range(max(n, len(self._kernels)))]
        return self._kernels
