"""Batch gradient descent: Θ^(l) := Θ^(l) − αD^(l), once per epoch over all m examples,
yielding one ``Step`` per epoch, so that a caller can log, draw progress, or stop
between epochs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from ..engine import EpochCancelled
from ..engine.executor import Executor
from ..network import Weights
from .log import Step, log_row
from .optimizer import model_of, start
from .run import Run


@dataclass
class GradientDescent:
    run: Run
    epochs: int
    learning_rate: float
    lam: float
    log_every: int = 1
    should_stop: Callable[[], bool] = lambda: False
    executor: Executor | None = None  # where the epochs run (default: the run's)
    # epochs on which J is wanted besides the logged ones (a progress bar's redraws)
    cost_wanted: Callable[[int], bool] = lambda e: False
    Theta: Weights = field(init=False)  # the current (last finite) weights
    epochs_done: int = field(init=False, default=0)
    cost: float = field(init=False, default=math.nan)  # J(Θ) when last computed
    accuracy: float | None = field(init=False, default=None)
    diverged: bool = field(init=False, default=False)
    last_row: dict | None = field(init=False, default=None)  # the most recent log row

    name = "gd"

    def __post_init__(self):
        self.Theta, self.executor = start(self.run, self.executor)

    @property
    def passes(self) -> int:
        return self.epochs_done + 1  # each epoch one pass, epoch 0's included

    def __iter__(self) -> Iterator[Step]:
        lam, E = self.lam, self.epochs
        previous = self.Theta  # the weights before the last update
        with np.errstate(over="ignore", invalid="ignore"):
            for e in range(E + 1):
                last = e == E  # after the final update only the forward pass is needed
                stop = last or self.should_stop()
                logged = stop or e % self.log_every == 0
                costed = logged or self.cost_wanted(e)
                try:
                    sums = self.executor.sums(self.Theta, "train", backward=not stop,
                                              cost=costed)
                except EpochCancelled:  # stopped mid-epoch: end here, with this Θ's cost
                    stop = logged = costed = True
                    sums = self.executor.sums(self.Theta, "train", backward=False)
                J = sums.J(self.Theta, lam) if costed else None
                D = None if stop else sums.gradient(self.Theta, lam)
                # a non-finite J shows in D too, on the epochs that do not compute J
                if not ((J is None or math.isfinite(J)) and
                        (D is None or all(np.isfinite(D[l]).all() for l in D))):
                    self.diverged = True
                    self.Theta = previous  # back to the last weights with a finite cost
                    return
                self.epochs_done = e
                row = None
                if costed:
                    self.cost = J
                    if self.run.classifier:
                        self.accuracy = sums.correct / sums.m
                if logged:
                    row = self._row(e, J)
                yield Step(e, J, row)
                if stop:
                    return
                previous = self.Theta
                self.Theta = {l: T - self.learning_rate * D[l]  # Θ := Θ − αD
                              for l, T in self.Theta.items()}

    def settle(self) -> None:
        """J and the accuracy at Θ, when the epoch the run ended on did not compute
        them (a caller stopped it on an epoch not logged): a forward pass."""
        sums = self.executor.sums(self.Theta, "train", backward=False)
        self.cost = sums.J(self.Theta, self.lam)
        if self.run.classifier:
            self.accuracy = sums.correct / sums.m

    def _row(self, e: int, J: float) -> dict:
        # epoch e is the (e + 1)th pass: the one at Θ after e updates
        self.last_row = log_row(self.run, self.executor, self.Theta, e, J, self.accuracy, e + 1)
        return self.last_row

    def model(self) -> dict[str, np.ndarray]:
        return model_of(self)
