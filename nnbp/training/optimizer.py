"""What an optimizer is to the code that runs it: gradient descent and the SciPy
methods both iterate ``Step``s and hold these attributes; and what they share."""

from __future__ import annotations

from typing import Iterator, Protocol

import numpy as np

from ..engine.executor import Executor
from ..model import model_arrays
from ..network import Weights
from .log import Step


class Optimizer(Protocol):
    name: str  # gd | lbfgs | cg
    run: object  # the Run it trains
    Theta: Weights  # the current weights (the last with a finite cost)
    epochs: int  # the epochs (iterations) asked for
    epochs_done: int
    cost: float  # J(Θ) when last computed
    accuracy: float | None
    diverged: bool
    last_row: dict | None

    @property
    def passes(self) -> int: ...

    def __iter__(self) -> Iterator[Step]: ...

    def model(self) -> dict[str, np.ndarray]: ...


def start(run, executor: Executor | None) -> tuple[Weights, Executor]:
    """An optimizer's first weights (a copy of the run's) and its executor (the run's,
    unless another is given)."""
    return {l: T.copy() for l, T in run.Theta.items()}, executor or run.executor


def model_of(optimizer: Optimizer) -> dict[str, np.ndarray]:
    """The arrays of the model file of an optimizer's weights."""
    run = optimizer.run
    return {**model_arrays(run.net, optimizer.Theta, lam=optimizer.lam,
                           data=run.data.description, config_yaml=run.cfg.to_yaml(),
                           epochs=optimizer.epochs_done, cost_final=optimizer.cost),
            "optimizer": np.array(optimizer.name)}
