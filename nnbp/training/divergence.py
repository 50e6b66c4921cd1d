"""A watch on the cost while training: is it going up when it should go down?

Batch gradient descent with a small enough learning rate α lowers J(Θ) at every
step, so a training cost that keeps rising says α is too large (a non-finite
cost, the extreme case, stops training on its own).  ``CostWatch`` is fed the
cost of each logged epoch; it answers once, with a ``Rise``, when over the
last ``patience`` checks

- the cost rose at every check, and ends more than ``margin`` (a fraction)
  above the lowest cost seen, or
- the cost stayed more than ``factor`` times the lowest cost seen.

One step up is not enough: a large α may overshoot once and still converge.
Rises smaller than a millionth of the first cost are round-off, never a
reason: a converged run wobbles in its last digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rise:
    """Why the watch spoke: the cost at ``epoch`` against the lowest, at ``best_epoch``."""

    epoch: int
    cost: float
    best_epoch: int
    best: float
    checks: int  # logged epochs in a row at which the cost went up (or stayed high)
    rising: bool  # True: it went up at each; False: it stayed over factor × best
    factor: float

    def __str__(self) -> str:
        how = "rose at each" if self.rising else f"stayed over {self.factor:g} times its lowest " \
            "for each"
        return (f"the cost {how} of the last {self.checks} logged epochs: {self.cost:.6g} at "
                f"epoch {self.epoch}, against {self.best:.6g} at epoch {self.best_epoch}")


class CostWatch:
    def __init__(self, patience: int = 5, margin: float = 0.01, factor: float = 2.0):
        self.patience, self.margin, self.factor = patience, margin, factor
        self.first: float | None = None
        self.best, self.best_epoch = math.inf, 0
        self.previous = math.inf
        self.rises = 0  # consecutive checks with a higher cost than the one before
        self.high = 0  # consecutive checks with a cost over factor × best
        self.fired = False

    def update(self, epoch: int, cost: float) -> Rise | None:
        """Take the cost of a logged epoch; a Rise the first time the cost is going up."""
        if self.fired or not math.isfinite(cost):
            return None
        if self.first is None:
            self.first = cost
        self.rises = self.rises + 1 if cost > self.previous else 0
        self.previous = cost
        if cost <= self.best:
            self.best, self.best_epoch, self.high = cost, epoch, 0
            return None
        above = cost - self.best
        noise = 1e-6 * abs(self.first)  # a rise below this is round-off
        self.high = self.high + 1 if above > max((self.factor - 1) * self.best, noise) else 0
        rising = self.rises >= self.patience and above > max(self.margin * self.best, noise)
        if rising or self.high >= self.patience:
            self.fired = True
            return Rise(epoch, cost, self.best_epoch, self.best,
                        self.rises if rising else self.high, rising, self.factor)
        return None
