"""An example as the network sees it, x′ and y, from a row of the training file or
typed on the command line, with the example as written beside it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data.describe import Labels, Roles, check_block, class_of, design_matrix, labels_of
from .data.table import Table
from .encoding import Normalization, Target
from .errors import UsageError
from .explanation import Example, Written


@dataclass(eq=False)
class Encoding:
    """How a row as written becomes x′ and y: the training data's normalization and
    target (classes, or the targets' scaling), in the training dtype."""

    features: list[str]
    target: Target
    norm: Normalization
    dtype: np.dtype

    def written(self, x: list[float], y: list) -> Written:
        return Written(list(self.features), x, list(self.target.columns), y, self.norm.kind)


def from_row(enc: Encoding, roles: Roles, row: Table, t: int) -> Example:
    """x^(t), y^(t) of a one-row table of the training file, by training's rules."""
    check_block(row, roles)
    x = row.matrix(roles.features)
    x_prime = design_matrix(x, enc.norm, enc.dtype)[0, 1:]  # as training writes it
    if roles.classify:
        labels = Labels()
        codes = labels.code(labels_of(row, roles.targets[0]))
        index = class_of(enc.target, labels, row.source)[codes]
        Y = enc.target.rows(index)
        y_raw = [_plain(enc.target.classes[index[0]])]
    else:
        values = row.matrix(roles.targets)
        scaling = enc.target.scaling
        Y = values if scaling is None else scaling.apply(values)
        y_raw = [float(v) for v in values[0]]
    return Example(t, x_prime.astype(np.float64), Y[0].astype(enc.dtype).astype(np.float64),
                   enc.written([float(v) for v in x[0]], y_raw))


def typed(enc: Encoding, x_text: str, y_text: str | None) -> Example:
    """An example typed on the command line, normalized like the training data."""
    s1 = len(enc.features)
    x = _numbers(x_text, "--x")
    if len(x) != s1:
        raise UsageError(f"--x has {len(x)} values, the network has {s1} inputs "
                         f"({', '.join(enc.features)})")
    X = enc.norm.apply(np.array(x)[None, :])[0]
    target = enc.target
    if y_text is None:
        raise UsageError("--x needs --y, the example's label (or target values)")
    if target.classes is None:
        y = _numbers(y_text, "--y")
        if len(y) != target.K:
            raise UsageError(f"--y has {len(y)} values, the network has {target.K} outputs")
        Y = target.encode(np.array([y]), "--y")  # y′, scaled as in training
        return Example(None, X, Y[0], enc.written(x, y))
    label = y_text.strip()
    labels = [str(c) for c in target.classes]
    if label not in labels:
        raise UsageError(f"--y {label!r} is not one of the classes: {', '.join(labels)}")
    k = labels.index(label)
    Y = target.encode(target.classes[[k]], "--y")
    return Example(None, X, Y[0], enc.written(x, [_plain(target.classes[k])]))


def _plain(label):
    """A class label as a plain Python value (int or str)."""
    return label.item() if hasattr(label, "item") else label


def _numbers(text: str, option: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected comma-separated numbers") from None
    if not all(np.isfinite(values)):
        raise UsageError(f"{option} {text!r}: values must be finite")
    return values
