"""Predictions of a saved model for every row of a data file: the label (or, for
regression, one value per target in its own units), with ``proba`` the outputs h_Θ(x)
per class, after any kept columns as written.  A file bigger than memory is read
and predicted a block at a time, its rows given out as each block is done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .data.header import read_header
from .encoding import label_text
from .engine.shares import block_rows
from .errors import NoRows, UsageError
from .inputs import check_columns, keep_names, read_batch, read_blocks, too_big, whole_blocks
from .model import SavedModel
from .network import forward, predict_index


@dataclass
class Predictions:
    """predict's CSV: its header, its rows a block at a time (as they are done), and the
    columns of the file that were left out, to report."""

    header: list[str]
    blocks: Iterator[list[list]]
    unknown: list[str]
    blockwise: bool = False  # read and predicted a block at a time (it would not fit)


def outputs(model: SavedModel, X: np.ndarray) -> np.ndarray:
    """h_Θ(x) for every row, a block of ``block_rows`` rows at a time.  (m, s_L)

    A row's z^(l) from BLAS can differ in its last bits with the rows multiplied
    beside it, so the rows go through in fixed blocks counted from the first: a file
    read in blocks gives each row the same blocks, and the same h."""
    B, L = block_rows(model.net), model.net.L
    h = np.empty((len(X), model.net.s(L)))  # (m, s_L)
    for s in range(0, len(X), B):
        h[s:s + B] = forward(model.net, model.Theta, X[s:s + B])[1][L]
    return h


def predictions(model: SavedModel, h: np.ndarray, proba: bool = False):
    """The header and rows of predict's CSV: the labels (or, for regression, one
    column per target, in its units), then with ``proba`` one p_<class> column
    per class."""
    if not model.classifier:
        return list(model.target_names), model.target.decode(h).tolist()
    labels = model.labels
    header, cols = ["prediction"], [labels[predict_index(h)].tolist()]
    if proba:
        P = np.hstack([1.0 - h, h]) if h.shape[1] == 1 else h  # one unit: h = P(classes[1])
        header += [f"p_{label_text(c)}" for c in labels]
        cols += list(P.T.tolist())
    return header, [list(r) for r in zip(*cols)]


def predict(model: SavedModel, path: str, *, proba: bool = False,
            keep: list[str] = ()) -> Predictions:
    """The predictions for every row of ``path``; ``keep`` (predict --keep's values)
    names columns of it to copy ahead of them, as written."""
    if proba and not model.classifier:
        raise UsageError("--proba needs a classifier; this model predicts numbers (output "
                         f"{model.net.output}, targets {', '.join(model.target_names)})")
    header = read_header(path)
    kept = keep_names(list(keep), header.columns, path) if keep else []
    unknown = check_columns(model, header, kept)
    names = predictions(model, np.zeros((0, model.net.s(model.net.L))), proba)[0]
    twice = [c for c in kept if c in names]
    if twice:
        raise UsageError(f"--keep {twice[0]}: the predictions are written in a column of that "
                         "name; keep other columns, or compare with the targets by nnbp evaluate")
    blockwise = too_big(path)
    if blockwise:  # rows given out as blocks of the file are done
        parts = whole_blocks(read_blocks(model, path, with_target=False, keep=kept),
                             block_rows(model.net))
        groups = ([p for p in group] for group in parts)
    else:
        try:
            groups = iter([[read_batch(model, path, with_target=False, keep=kept)]])
        except NoRows:  # nothing to predict: the header alone
            groups = iter([])

    def rows() -> Iterator[list[list]]:
        try:
            for group in groups:
                out = []
                for batch in group:
                    done = predictions(model, outputs(model, batch.X), proba)[1]
                    if batch.kept is not None:
                        done = [[*k, *r] for k, r in zip(zip(*batch.kept), done)]
                    out += done
                if out:
                    yield out
        except NoRows:  # read a block at a time, and there were none
            return
    return Predictions(kept + names, rows(), unknown, blockwise)
