"""Scoring a saved model on labelled rows: J at the model's λ and at λ = 0, and the
confusion matrix and per-class scores of a classifier, or the MSE and R² of a
regression network in the target's own units.  The rows are a data file, or without
one the model's test file or its validation rows; a file bigger than memory is read
a block at a time (``inputs``) with the same figures, to the last bit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data.header import read_header
from .engine.shares import block_rows
from .inputs import (Batch, check_columns, read_batch, read_blocks, slice_batch, too_big,
                     whole_blocks)
from .metrics import confusion, per_class, regression_from_sums
from .model import SavedModel
from .network import example_costs, forward, predict_index, regularization
from .data.stats import Stats


@dataclass
class Evaluation:
    """What ``evaluate`` scores, known before any row is read: the kind of rows (data
    file, test file, validation rows), the data file, which of its rows (None: all),
    how to name them (None: the path), and the file's columns the model does not know
    (to report); ``scores()`` reads the rows and scores the model on them."""

    model: SavedModel
    kind: str
    path: str
    rows: np.ndarray | None
    source: str | None
    unknown: list[str]

    @property
    def described(self) -> str:
        return self.source or self.path

    @property
    def blockwise(self) -> bool:
        """Whether the rows are read a block at a time (the file would not fit)."""
        return too_big(self.path)

    def scores(self) -> dict:
        """J at the model's λ and at λ = 0, and the metrics of the model's kind;
        ``data`` (the file, or None for validation rows) and ``source`` (the kind of
        rows) as ``evaluate --json`` gives them."""
        model = self.model
        if self.blockwise:  # a block at a time
            batches = read_blocks(model, self.path, with_target=True, rows=self.rows,
                                  source=self.source)
            sums = None
            for parts in whole_blocks(batches, block_rows(model.net)):
                for part in parts:
                    sums = evaluation_sums(model, part, sums)
        else:
            sums = evaluation_sums(model, read_batch(model, self.path, with_target=True,
                                                     rows=self.rows, source=self.source))
        result = evaluation_result(model, sums)
        result.update(data=None if self.kind == "validation rows" else self.path,
                      source=self.kind)
        return result


def evaluate(model: SavedModel, path: str | None = None) -> Evaluation:
    """The evaluation of the model on DATA when given; else on the model's test file,
    else its validation rows.  A missing feature is an error, said before any row is
    read."""
    if path is not None:
        kind, rows, source = "data file", None, None
    else:
        kind, path, rows = model.default_data()
        if kind == "test":
            kind, source = "test file", f"{path} (the model's test file)"
        else:
            kind, rows = "validation rows", np.sort(rows)
            source = f"the {len(rows)} validation rows of {path} held out in training"
    return Evaluation(model, kind, path, rows, source,
                      check_columns(model, read_header(path)))


def evaluation_sums(model: SavedModel, batch: Batch, sums: dict | None = None) -> dict:
    """What an evaluation adds up over the rows of a batch, a block of ``block_rows``
    rows at a time, into ``sums`` (None: from nothing).  The blocks are added one by
    one in order, so rows read in blocks add up to the same figures, to the last bit,
    as the rows in memory."""
    B = block_rows(model.net)
    for s in range(0, len(batch.X), B):
        block = block_sums(model, slice_batch(batch, slice(s, s + B)))
        sums = block if sums is None else add_block_sums(sums, block)
    return sums


def block_sums(model: SavedModel, batch: Batch) -> dict:
    """What an evaluation adds up over the rows of a block: m, Σ_t cost(t), and the
    confusion matrix, or SS_res and the targets' statistics (``add_block_sums`` adds two)."""
    net, m = model.net, len(batch.X)
    z, a = forward(net, model.Theta, batch.X)
    h = a[net.L]  # (m, s_L)
    sums = {"m": m, "cost": float(example_costs(net, z, a, batch.Y).sum())}  # Σ_t cost(t)
    if model.classifier:  # rows true, columns predicted
        sums["confusion"] = confusion(batch.true, predict_index(h), len(model.labels))
    else:  # in the target's own units
        y = batch.Y if batch.y is None else batch.y
        r = model.target.decode(h) - y  # (m, K)
        sums.update(ss_res=(r * r).sum(axis=0), y=Stats.of(y))
    return sums


def add_block_sums(a: dict, b: dict) -> dict:
    """Two blocks' ``evaluation_sums`` added, into ``a``."""
    a["m"] += b["m"]
    a["cost"] += b["cost"]
    if "confusion" in a:
        a["confusion"] += b["confusion"]
    else:
        a["ss_res"] = a["ss_res"] + b["ss_res"]
        a["y"].merge(b["y"])
    return a


def evaluation_result(model: SavedModel, sums: dict) -> dict:
    """The result of ``evaluate`` from the evaluation's sums."""
    m = sums["m"]
    J0 = sums["cost"] / m  # (1/m) Σ_t cost(t)
    out = {"cost": J0 + regularization(model.Theta, model.lam, m), "cost_unregularized": J0}
    if model.classifier:
        C = sums["confusion"]
        pc = per_class(C)
        out.update(accuracy=int(np.trace(C)) / m, classes=model.labels.tolist(),
                   confusion=C.tolist(),
                   per_class=[{"class": c, **{k: v[k_].item() for k, v in pc.items()}}
                              for k_, c in enumerate(model.labels.tolist())])
    else:  # MSE and R² in the target's own units; J in the units trained on
        out.update(regression_from_sums(sums["ss_res"], sums["y"].M2, m),
                   targets=list(model.target_names))
        scaling = model.target_scaling  # what J's units are: y' = (y - shift)/scale
        out.update(target_shift=None if scaling is None else scaling.shift.tolist(),
                   target_scale=None if scaling is None else scaling.scale.tolist())
    out.update(examples=m, **{"lambda": model.lam})
    return out
