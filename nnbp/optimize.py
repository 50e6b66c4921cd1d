"""Batch optimizers beside gradient descent: SciPy's L-BFGS-B and CG on J and D.

The course hands the J and D of backprop to an advanced optimizer (``fmincg``,
``fminunc``); here ``scipy.optimize.minimize`` gets them, over the whole batch, from
whichever executor runs the passes (``executor.sums``), with SciPy's defaults except
``maxiter`` = training.epochs.  Θ^(1) … Θ^(L-1) are one vector to SciPy: each
matrix's rows in turn (C order), Θ^(1) first.

``minimize`` is one blocking call that reports each iteration to a callback.  To
look like a ``Trainer`` (one ``Step`` per iteration, the caller free to stop
between them), it runs on a thread of its own in lockstep with the caller: the
callback hands the iterate over and waits until the caller asks for the next one,
or tells it to stop (the callback then raises StopIteration, which ends
``minimize``).  Only one of the two threads works at a time.
"""

from __future__ import annotations

import math
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple

import numpy as np

from .model import model_arrays
from .network import Weights
from .train import Run, Step, Trainer, in_memory, log_row

METHODS = {"lbfgs": "L-BFGS-B", "cg": "CG"}  # training.optimizer -> SciPy's method


def make_trainer(run: Run, *, should_stop: Callable[[], bool] = lambda: False,
                 executor=None):
    """The config's optimizer for the run: a ``Trainer`` (gd) or a ``Minimizer``."""
    t = run.cfg.training
    if t.optimizer == "gd":
        return Trainer(run, t.epochs, t.learning_rate, t.lam, t.log_every, should_stop, executor)
    return Minimizer(run, t.optimizer, t.epochs, t.lam, t.log_every, should_stop, executor)


class Flat:
    """Θ as SciPy's one vector x, and back: each Θ^(l) in C order, Θ^(1) first."""

    def __init__(self, Theta: Weights):
        self.shapes = {l: T.shape for l, T in Theta.items()}
        sizes = [T.size for T in Theta.values()]
        self.bounds = dict(zip(Theta, zip(np.cumsum([0, *sizes[:-1]]), np.cumsum(sizes))))

    def vector(self, Theta: Weights) -> np.ndarray:
        return np.concatenate([Theta[l].ravel() for l in self.shapes]).astype(np.float64)

    def weights(self, x: np.ndarray, dtype) -> Weights:
        """Θ from x, copied (SciPy may change x in place afterwards)."""
        return {l: x[a:b].reshape(self.shapes[l]).astype(dtype, copy=True)
                for l, (a, b) in self.bounds.items()}


class Iterate(NamedTuple):
    """Θ after k iterations, its J and training accuracy, and the passes made so far."""

    k: int
    Theta: Weights
    J: float
    accuracy: float | None
    passes: int


class _Stopped(Exception):
    """The caller asked the optimizer to stop (raised inside an evaluation of J)."""


class _NonFinite(Exception):
    """J or D is not finite at the point SciPy asked for."""


class _Handoff:
    """The optimizer's thread posts to the caller and waits for its answer."""

    def __init__(self):
        self.posts: queue.SimpleQueue = queue.SimpleQueue()  # worker -> caller
        self._go = threading.Semaphore(0)
        self.stopped = threading.Event()

    def post_and_wait(self, item) -> None:
        """Hand ``item`` over and wait; raise _Stopped when told to stop."""
        if not self.stopped.is_set():
            self.posts.put(item)
            self._go.acquire()
        if self.stopped.is_set():
            raise _Stopped

    def resume(self) -> None:
        self._go.release()

    def stop(self) -> None:
        self.stopped.set()
        self._go.release()


@dataclass
class Minimizer:
    """SciPy's L-BFGS-B or CG on J(Θ) and D, with the attributes of a ``Trainer``;
    iterating yields one ``Step`` per iteration (``epoch`` = iterations done), row 0
    before any.  A run that ends (converges, fails) between logged iterations
    yields its last iteration once more, with its row.  When it has ended,
    ``outcome`` says how: converged, limit (SciPy's iteration or evaluation limit),
    failed (``message`` is SciPy's), stopped (by ``should_stop`` or the caller) or
    diverged (J or D not finite; ``Theta`` is the last iterate)."""

    run: Run
    optimizer: str  # lbfgs | cg
    epochs: int  # maxiter
    lam: float
    log_every: int = 1
    should_stop: Callable[[], bool] = lambda: False
    executor: object = None  # where the passes run (default: ``in_memory(run)``)
    Theta: Weights = field(init=False)  # the last iterate
    epochs_done: int = field(init=False, default=0)  # iterations done
    passes: int = field(init=False, default=0)  # evaluations of J and D so far
    cost: float = field(init=False, default=math.nan)  # J(Θ) at the last iterate
    accuracy: float | None = field(init=False, default=None)
    diverged: bool = field(init=False, default=False)
    last_row: dict | None = field(init=False, default=None)
    outcome: str | None = field(init=False, default=None)
    message: str = field(init=False, default="")
    recent = 4  # evaluations kept, to find an iterate's J and accuracy without a pass

    def __post_init__(self):
        self.method = METHODS[self.optimizer]
        self.Theta = {l: T.copy() for l, T in self.run.Theta.items()}
        if self.executor is None:
            self.executor = in_memory(self.run)

    def __iter__(self) -> Iterator[Step]:
        hand = _Handoff()
        worker = threading.Thread(target=self._minimize, args=(hand,), daemon=True,
                                  name="nnbp-minimize")
        worker.start()
        last, logged = None, True
        try:
            while True:
                kind, value = hand.posts.get()
                if kind == "iterate":
                    last = value
                    self.Theta, self.epochs_done, self.passes = last.Theta, last.k, last.passes
                    self.cost, self.accuracy = last.J, last.accuracy
                    stop = self.should_stop()
                    logged = stop or last.k % self.log_every == 0 or last.k == self.epochs
                    yield self._step(last, logged)
                    if stop:
                        self.outcome = "stopped"
                        return
                    hand.resume()
                elif kind == "end":
                    self.outcome, self.message = value
                    if not logged:  # the last iterate's row
                        yield self._step(last, True)
                    return
                elif kind == "diverged":
                    self.diverged, self.outcome, self.passes = True, "diverged", value
                    return
                else:  # an error in the optimizer's thread, raised here
                    raise value
        finally:
            if self.outcome is None:
                self.outcome = "stopped"
            hand.stop()
            worker.join()

    def _step(self, it: Iterate, logged: bool) -> Step:
        if not logged:
            return Step(it.k, None, None)
        self.last_row = log_row(self.run, self.executor, it.Theta, it.k, it.J, it.accuracy,
                                it.passes)
        return Step(it.k, it.J, self.last_row)

    def _minimize(self, hand: _Handoff) -> None:
        """The optimizer's thread: minimize, posting each iterate, then how it ended."""
        from scipy.optimize import minimize

        flat = Flat(self.Theta)
        dtype = next(iter(self.Theta.values())).dtype
        seen: OrderedDict[bytes, Iterate] = OrderedDict()  # the recent evaluations
        passes = 0

        def evaluate(x: np.ndarray, backward: bool = True):
            nonlocal passes
            if hand.stopped.is_set():
                raise _Stopped
            Theta = flat.weights(x, dtype)
            sums = self.executor.sums(Theta, "train", backward=backward)
            passes += 1
            J = sums.J(Theta, self.lam)
            D = sums.gradient(Theta, self.lam) if backward else {}
            if not (math.isfinite(J) and all(np.isfinite(D[l]).all() for l in D)):
                raise _NonFinite
            accuracy = sums.correct / sums.m if self.run.classifier else None
            it = seen[x.tobytes()] = Iterate(0, Theta, J, accuracy, passes)
            while len(seen) > self.recent:
                seen.popitem(last=False)
            if passes == 1:  # at Θ as given: row 0, before any iteration
                hand.post_and_wait(("iterate", it))
            return it, D

        def fun(x: np.ndarray):
            it, D = evaluate(x)
            return it.J, flat.vector(D)  # SciPy works in float64 whatever the dtype

        iterations = 0

        def callback(intermediate_result):
            nonlocal iterations
            iterations += 1
            x = intermediate_result.x
            it = seen.get(x.tobytes())
            if it is None:  # not among the recent evaluations: J again
                it, _ = evaluate(x, backward=False)
            try:
                hand.post_and_wait(("iterate", it._replace(k=iterations, passes=passes)))
            except _Stopped:
                raise StopIteration from None  # minimize ends, with this iterate

        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                result = minimize(fun, flat.vector(self.Theta), jac=True, method=self.method,
                                  callback=callback, options={"maxiter": self.epochs})
            hand.posts.put(("end", (_outcome(self.method, result.status), str(result.message))))
        except _Stopped:
            pass
        except _NonFinite:
            hand.posts.put(("diverged", passes))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            hand.posts.put(("error", e))

    def model(self) -> dict[str, np.ndarray]:
        cfg = self.run.cfg
        return {**model_arrays(self.run.net, self.Theta, lam=self.lam, data=self.run.data,
                               config_yaml=cfg.to_yaml(), epochs=self.epochs_done,
                               cost_final=self.cost), "optimizer": np.array(self.optimizer)}


def _outcome(method: str, status: int) -> str:
    """SciPy's status as converged, limit or failed.  Both methods give 0 for
    convergence and 1 for the iteration limit (L-BFGS-B: or its evaluation limit);
    99 is our callback's stop, anything else a failure (a line search that found no
    lower J, lost precision)."""
    return {0: "converged", 1: "limit", 99: "stopped"}.get(status, "failed")


def unused_settings(cfg, command_line: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """What the config's optimizer will not use although it was set: α for lbfgs and
    cg, when the file or the command line (``command_line``, dotted keys) sets it."""
    key = "training.learning_rate"
    if cfg.training.optimizer == "gd":
        return []
    if key in command_line:
        where = "on the command line"
    elif key in cfg.lines:
        where = f"in {cfg.source}, line {cfg.lines[key]}"
    else:
        return []
    return [f"{key} (set {where}) is not used by {cfg.training.optimizer}: "
            f"{METHODS[cfg.training.optimizer]} chooses each step by a line search."]
