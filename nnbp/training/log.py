"""The cost log: its columns, and the row of an epoch (or iteration)."""

from __future__ import annotations

from typing import NamedTuple

from ..network import Weights


def log_columns(run) -> list[str]:
    metric = ["accuracy"] if run.classifier else []
    cols = ["epoch", "cost", *metric]
    for name in ("val", "test"):
        if name in run.data.parts:
            cols += [f"{name}_cost", *(f"{name}_{c}" for c in metric)]
    return cols + ["passes"]  # columns only ever get added, at the end


def log_row(run, executor, Theta: Weights, e: int, J: float, accuracy: float | None,
            passes: int) -> dict:
    """The log row of epoch (or iteration) e: J(Θ), the training accuracy, the held-out
    parts' data term (λ = 0) and accuracy under Θ, and ``passes``, the passes over the
    training rows so far that computed J (and D), the one at this Θ included."""
    row = {"epoch": e, "cost": J}
    if run.classifier:
        row["accuracy"] = accuracy
    for name in ("val", "test"):
        if name in run.data.parts:
            sums = executor.sums(Theta, name, backward=False)
            row[f"{name}_cost"] = sums.cost / sums.m  # held out: the data term, λ = 0
            if run.classifier:
                row[f"{name}_accuracy"] = sums.correct / sums.m
    row["passes"] = passes
    return row


class Step(NamedTuple):
    """One epoch: ``epoch`` updates done (epoch 0 is before any), J(Θ) then, and the
    log row.  J's logs are a good part of a small network's epoch, so it is computed
    only on the logged epochs and those the caller asks for (``GradientDescent.cost_wanted``,
    for a progress bar); on the others ``cost`` is None, and ``row`` is None but on
    logged epochs."""

    epoch: int
    cost: float | None
    row: dict | None
