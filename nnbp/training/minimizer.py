"""Batch optimizers beside gradient descent: SciPy's L-BFGS-B and CG on J and D.

The course hands the J and D of backprop to an advanced optimizer (``fmincg``,
``fminunc``); here ``scipy.optimize.minimize`` gets them, over the whole batch, from
whichever executor runs the passes (``executor.sums``), with SciPy's defaults except
``maxiter`` = training.epochs.  Θ^(1) … Θ^(L-1) are one vector to SciPy: each
matrix's rows in turn (C order), Θ^(1) first.

``minimize`` is one blocking call that reports each iteration to a callback.  To
look like gradient descent (one ``Step`` per iteration, the caller free to stop
between them), it runs on a thread of its own in lockstep with the caller
(``handoff.py``): the callback hands the iterate over and waits until the caller
asks for the next one.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from contextlib import closing
from dataclasses import dataclass, field
from typing import Callable, Iterator, NamedTuple

import numpy as np

from ..engine.blas import one_blas_thread
from ..engine.executor import Executor
from ..network import Weights
from .handoff import Channel, lockstep
from .log import Step, log_row
from .optimizer import model_of, start
from .run import Run

METHODS = {"lbfgs": "L-BFGS-B", "cg": "CG"}  # training.optimizer -> SciPy's method


class Flat:
    """Θ as SciPy's one vector x, and back: each Θ^(l) in C order, Θ^(1) first."""

    def __init__(self, Theta: Weights):
        self.shapes = {l: T.shape for l, T in Theta.items()}
        sizes = [T.size for T in Theta.values()]
        self.bounds = dict(zip(Theta, zip(np.cumsum([0, *sizes[:-1]]), np.cumsum(sizes))))

    def vector(self, Theta: Weights) -> np.ndarray:
        x = np.concatenate([Theta[l].ravel() for l in self.shapes])
        return x.astype(np.float64, copy=False)

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


class _NonFinite(Exception):
    """J or D is not finite at a point SciPy asked for."""


@dataclass
class Minimizer:
    """SciPy's L-BFGS-B or CG on J(Θ) and D, an ``Optimizer`` as gradient descent is;
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
    executor: Executor | None = None  # where the passes run (default: the run's)
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
        self.name, self.method = self.optimizer, METHODS[self.optimizer]
        self.Theta, self.executor = start(self.run, self.executor)

    def __iter__(self) -> Iterator[Step]:
        last, logged = None, True
        try:
            # every BLAS on one thread, set here on the caller's thread (OpenBLAS may
            # ignore a count set on minimize's): SciPy's vector work is too short for a
            # second thread, which would only wait (README, "L-BFGS and conjugate gradients")
            import importlib

            importlib.import_module("scipy.optimize")  # its BLAS loaded, to be limited

            with one_blas_thread(), \
                    closing(lockstep(self._minimize, "nnbp-minimize")) as iterates:
                for last in iterates:
                    self.Theta, self.epochs_done, self.passes = last.Theta, last.k, last.passes
                    self.cost, self.accuracy = last.J, last.accuracy
                    stop = self.should_stop()
                    logged = stop or last.k % self.log_every == 0 or last.k == self.epochs
                    yield self._step(last, logged)
                    if stop:
                        self.outcome = "stopped"
                        return
        except _NonFinite as e:
            self.diverged, self.outcome, self.passes = True, "diverged", e.args[0]
            return
        finally:
            self.outcome = self.outcome or "stopped"  # the caller left early
        if not logged:  # ended between logged iterations: the last iterate's row
            yield self._step(last, True)

    def _step(self, it: Iterate, logged: bool) -> Step:
        if not logged:
            return Step(it.k, None, None)
        self.last_row = log_row(self.run, self.executor, it.Theta, it.k, it.J, it.accuracy,
                                it.passes)
        return Step(it.k, it.J, self.last_row)

    def _minimize(self, channel: Channel) -> None:
        """On the optimizer's thread: minimize, posting each iterate; then set
        ``outcome`` and ``message`` (read once the thread has ended)."""
        from scipy.optimize import minimize

        flat = Flat(self.Theta)
        dtype = next(iter(self.Theta.values())).dtype
        seen: OrderedDict[bytes, Iterate] = OrderedDict()  # the recent evaluations
        passes = iterations = 0

        def evaluate(x: np.ndarray, backward: bool = True) -> tuple[Iterate, Weights]:
            nonlocal passes
            channel.check()  # the caller has gone: no more passes
            Theta = flat.weights(x, dtype)
            sums = self.executor.sums(Theta, "train", backward=backward)
            passes += 1
            J = sums.J(Theta, self.lam)
            D = sums.gradient(Theta, self.lam) if backward else {}
            if not (math.isfinite(J) and all(np.isfinite(D[l]).all() for l in D)):
                raise _NonFinite(passes)
            accuracy = sums.correct / sums.m if self.run.classifier else None
            it = seen[x.tobytes()] = Iterate(0, Theta, J, accuracy, passes)
            while len(seen) > self.recent:
                seen.popitem(last=False)
            if passes == 1:  # at Θ as given: row 0, before any iteration
                channel.post(it)
            return it, D

        def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
            it, D = evaluate(x)
            return it.J, flat.vector(D)  # SciPy works in float64 whatever the dtype

        def callback(intermediate_result) -> None:
            nonlocal iterations
            iterations += 1
            x = intermediate_result.x
            it = seen.get(x.tobytes())
            if it is None:  # not among the recent evaluations: J again
                it, _ = evaluate(x, backward=False)
            channel.post(it._replace(k=iterations, passes=passes))  # Stopped ends minimize

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = minimize(fun, flat.vector(self.Theta), jac=True, method=self.method,
                              callback=callback, options={"maxiter": self.epochs})
        # 0: converged, 1: the iteration limit (L-BFGS-B: or its evaluation limit);
        # anything else a failure (a line search that found no lower J, lost precision)
        self.outcome = {0: "converged", 1: "limit"}.get(result.status, "failed")
        self.message = str(result.message)

    def model(self) -> dict[str, np.ndarray]:
        return model_of(self)
