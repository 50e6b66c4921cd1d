"""The engine: the equations of ``nnbp/network.py``, run fast.

One kernel (``kernel.Kernel``) adds a block of rows' Δ^(l), Σ_t cost(t) and
correct count into ``Sums``; an epoch is that kernel over every block of the
batch, then J and D from the sums.  An executor decides where the blocks live
and run, and answers one question:

    executor.sums(Theta, part, *, backward, cost) -> Sums   # part: train, val, test

``memory.InMemory`` holds the data in memory and runs a share of it on each
core; ``stream.Streamed`` runs the same shares and blocks, reading each block
from a binary cache of the CSV on disk (``cache.py``) for data bigger than
memory; ``cluster.OnCluster`` runs the kernel on the workers of a Dask cluster
that hold the data.  A run that is not in memory carries its executor
(``train.Run.executor``).  The engine is tested against ``nnbp/network.py``
(tests/test_engine.py, tests/test_stream.py, tests/test_cluster.py).
"""

from .kernel import Kernel, Sums


class EpochCancelled(Exception):
    """An executor dropped the epoch in flight because training is to stop (its
    ``cancel`` said so): the trainer ends with a forward pass at the weights reached."""


__all__ = ["EpochCancelled", "Kernel", "Sums"]
