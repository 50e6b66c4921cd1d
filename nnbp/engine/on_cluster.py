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
CSV on another worker and the epoch goes on.  A cluster left with no worker
waits for one a bounded time (``Workers``), and a stop asked for meanwhile ends
the run at once.

Dask is imported only by these modules (``connect``, and the data package's
``cluster_source``), so nothing else pays for it.
"""

from __future__ import annotations

import collections
import threading
import time
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

STOP_SECONDS = 3  # after a stop, the longest wait for a pass that is not dropped at once


class PassDropped(Exception):
    """The pass in flight was given up, and the run ends at the last one done: the
    cluster had no worker for the whole wait, or lost its scheduler (``lost``), or a
    stop came while it had no worker, or while a pass that is not cancelled (a cost, a
    held-out part's) took more than STOP_SECONDS."""

    def __init__(self, message: str, *, lost: bool):
        super().__init__(message)
        self.lost = lost


class Workers:
    """The cluster's workers, as the scheduler tells of each that joins or leaves, and
    what a run says of them (``notify``, one line each): a worker lost, and the rows it
    held that are read again; the last one lost, and the wait for another (``wait``
    seconds); one that joins during the wait.  ``rows`` gives the rows of each block's
    key.  Closed, it stops listening."""

    def __init__(self, client, notify: Callable[[str], None], wait: float, rows: dict):
        self.client, self.notify, self.wait, self.rows = client, notify, wait, rows
        self.address = client.scheduler.address
        self.since: float | None = None  # when the last worker left, while none is back
        self._events: collections.deque = collections.deque()
        client.subscribe_topic("all", self._events.append)  # appended on Dask's loop thread
        self.present = set(client.scheduler_info()["workers"])

    @property
    def waiting(self) -> bool:
        return self.since is not None

    def check(self) -> None:
        """Say what happened since the last check; raise ``PassDropped`` once the
        cluster has been without a worker for the whole wait."""
        while self._events:
            _, event = self._events.popleft()
            action, worker = event.get("action"), event.get("worker")
            if action == "remove-worker":
                self._left(worker, event.get("lost-computed-tasks") or ())
            elif action == "add-worker":
                self.present.add(worker)
                if self.since is not None:
                    self.since = None
                    self.notify(f"Worker {worker} joined the Dask cluster: the wait is over.")
        if self.since is not None and time.monotonic() - self.since >= self.wait:
            raise PassDropped(f"the Dask cluster at {self.address} has had no workers for "
                              f"{self.wait:g} s (--worker-wait, training.worker_wait)",
                              lost=True)

    def _left(self, worker: str, lost) -> None:
        self.present.discard(worker)
        if self.present:
            rows = sum(self.rows.get(key, 0) for key in lost)
            self.notify(f"Worker {worker} left the Dask cluster: " + (
                f"the {rows:,} rows it held are being read again from the file by the "
                "other workers." if rows else "it held none of the rows."))
        elif self.since is None:
            self.since = time.monotonic()
            self.notify(f"The Dask cluster at {self.address} has no workers left; waiting "
                        f"up to {self.wait:g} s for one (Ctrl-C saves the model now).")

    def close(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):  # a client already closed has no subscription
            self.client.unsubscribe_topic("all")


class OnCluster:
    """Runs the kernel over the blocks the workers hold: ``parts`` maps a part's name
    (train, val, test) to its blocks on the workers.
    ``cancel()`` true while an epoch's backward pass runs drops the epoch's tasks and
    raises ``EpochCancelled``; during another pass, it drops it and raises
    ``PassDropped`` when the cluster has no worker (``watch``) or STOP_SECONDS after
    the stop."""

    def __init__(self, client, net: Network, parts: dict[str, ClusterPart], *, classify: bool,
                 cancel: Callable[[], bool] = lambda: False):
        self.client, self.net, self.parts, self.classify = client, net, parts, classify
        self.cancel = cancel
        self._theta = (None, None)  # the last Θ sent out, and its future
        self.workers: Workers | None = None
        self._stopped: float | None = None  # when cancel() was first seen true

    def watch(self, notify: Callable[[str], None], wait: float) -> Workers:
        """Follow the cluster's workers from now on (``Workers``); close what it returns."""
        rows = {f.key: n for part in self.parts.values()
                for f, n in zip(part.futures, part.sizes)}
        self.workers = Workers(self.client, notify, wait, rows)
        return self.workers

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
        import asyncio

        # the total gathered by one coroutine on Dask's loop, which waits for it again
        # when the worker holding it is lost before it is fetched; this thread only
        # watches, so that nothing here blocks for longer than a tick
        gathered = asyncio.run_coroutine_threadsafe(
            self.client.gather(total, asynchronous=True), self.client.loop.asyncio_loop)
        done = threading.Event()
        gathered.add_done_callback(lambda _: done.set())
        try:
            while not done.is_set():
                if self.workers is not None:
                    self.workers.check()
                if self.cancel():
                    self._stopped = self._stopped or time.monotonic()
                    if cancellable:
                        raise EpochCancelled
                    if self.workers is not None and self.workers.waiting:
                        raise PassDropped("stopped while the cluster had no workers",
                                          lost=False)
                    if time.monotonic() - self._stopped > STOP_SECONDS:
                        raise PassDropped(f"stopped, and the pass in flight had not ended "
                                          f"{STOP_SECONDS} s later", lost=False)
                else:
                    self._stopped = None
                done.wait(0.05)  # a plain wait, that Ctrl-C's handler interrupts
            return gathered.result()
        except BaseException as e:
            gathered.cancel()
            if getattr(e, "reason", None) == "scheduler-connection-lost":  # Dask cancelled it
                raise PassDropped(f"the Dask scheduler at {self.client.scheduler.address} "
                                  "has gone (its connection was lost)", lost=True) from None
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
