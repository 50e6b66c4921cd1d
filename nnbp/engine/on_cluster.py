"""The executor on a Dask cluster: the same kernel, run by the workers on the
partitions of the data they hold (``nnbp/data/cluster.py``), as dask-ml and
xgboost.dask do their sums.

Each epoch Θ goes to the cluster once, as the result of a task, which every worker
fetches once (the data of a ``scatter`` would be lost for good with a worker that
dies holding it; a task's result is computed again), each partition adds its
rows into a ``Sums`` on the worker that holds it, and the partitions' sums are
added on the cluster in a tree of fixed shape, in file order: the same
cluster and data give bitwise the same result each run, wherever the tasks ran.
Only the total (Δ, the cost, the correct count) comes back to the client.  A
worker that dies takes its partitions with it; Dask reads them again from the
CSV on another worker and the epoch goes on.

Dask is imported only by these modules (``connect``, and the data package's
``cluster_source``), so nothing else pays for it.
"""

from __future__ import annotations

import threading
from typing import Callable

from ..data.parts import ClusterPart
from ..errors import TrainingFailed, UsageError
from ..network import Network, Weights
from . import EpochCancelled
from .kernel import Kernel, Sums
from .shares import block_rows, plan

FAN_IN = 8  # partitions' sums added by one task


# --- on the workers --------------------------------------------------------------

_local = threading.local()  # a kernel per worker thread, kept from epoch to epoch (the last net's)


def partition_sums(Theta: Weights, block, net: Network, classify: bool, backward: bool,
                   cost: bool) -> Sums:
    """The kernel over one partition's rows (X1, Y), block by block."""
    X1, Y = block
    rows = min(block_rows(net), len(X1))
    key = (net, X1.dtype, classify)
    if getattr(_local, "key", None) != key or _local.kernel.rows < rows:
        _local.key, _local.kernel = key, Kernel(net, rows, X1.dtype, classify)
    kernel, sums = _local.kernel, Sums()
    for b in plan(len(X1), 1, rows)[0]:
        kernel.add(Theta, X1[b], Y[b], sums, backward=backward, cost=cost)
    return sums


def theta_task(Theta: Weights) -> Weights:
    """Θ, held by a worker for the epoch's tasks.  Data scattered to the workers is lost
    for good with the last worker that holds it; a task's result, Dask computes again."""
    return Theta


def sum_of(*parts: Sums) -> Sums:
    """The sum of some partitions' sums, in order (into a new Sums: the inputs stay
    as they were, should Dask need them again)."""
    total = Sums()
    for s in parts:
        total.add(s)
    return total


# --- on the client ---------------------------------------------------------------

class OnCluster:
    """Runs the kernel over the blocks the workers hold: ``parts`` maps a part's name
    (train, val, test) to its blocks on the workers.
    ``cancel()`` true while an epoch's backward pass runs drops the epoch's tasks and
    raises ``EpochCancelled``."""

    def __init__(self, client, net: Network, parts: dict[str, ClusterPart], *, classify: bool,
                 cancel: Callable[[], bool] = lambda: False):
        self.client, self.net, self.parts, self.classify = client, net, parts, classify
        self.cancel = cancel
        self._theta = (None, None)  # the last Θ sent out, and its future

    def sums(self, Theta: Weights, part: str = "train", *, backward: bool = True,
             cost: bool = True) -> Sums:
        """The part's sums under Θ (``Kernel.add`` on every partition, added up)."""
        if self._theta[0] is not Theta:  # Θ out once: a task whose result it is
            self._theta = (Theta, self.client.submit(theta_task, Theta, pure=False))
        futures = [self.client.submit(partition_sums, self._theta[1], b, self.net,
                                      self.classify, backward, cost, pure=False)
                   for b in self.parts[part].futures]
        level, every = futures, list(futures)
        while len(level) > 1:  # a tree of fixed shape: groups of FAN_IN neighbours
            level = [self.client.submit(sum_of, *level[i:i + FAN_IN], pure=False)
                     if len(level[i:i + FAN_IN]) > 1 else level[i]
                     for i in range(0, len(level), FAN_IN)]
            every += level
        return self._wait(level[0], every, cancellable=backward)

    def _wait(self, total, futures: list, cancellable: bool) -> Sums:
        done = threading.Event()
        total.add_done_callback(lambda _: done.set())
        try:
            while not done.is_set():
                if cancellable and self.cancel():
                    raise EpochCancelled
                done.wait(0.05)  # a plain wait, that Ctrl-C's handler interrupts
            return total.result()
        except BaseException as e:
            self.client.cancel(futures)
            explained = _explained(e)
            if explained is e:
                raise
            raise explained from None

    def layout(self) -> dict:
        """Where the epochs run: the scheduler's address, the workers, the partitions."""
        return {"address": self.client.scheduler.address,
                "workers": len(self.client.scheduler_info()["workers"]),
                "partitions": len(self.parts["train"].futures)}


def _explained(e: BaseException) -> BaseException:
    """A failure on the workers as a message a user can act on."""
    from distributed import KilledWorker

    if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] == "nnbp":
        return UsageError(f"a worker of the Dask cluster cannot import nnbp ({e}): install "
                          "nnbp[dask] on every machine that runs a worker")
    if isinstance(e, KilledWorker):
        return TrainingFailed(f"Dask workers kept dying while running a task of the epoch "
                              f"({e}): out of memory, or a worker that cannot import nnbp?")
    return e
