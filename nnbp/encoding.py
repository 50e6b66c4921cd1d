"""How a row of data becomes what the network sees, and back: x′ = (x − shift)/scale
for the features, and for the targets the rows of Y (one-hot class rows, or
standardized values) and outputs turned back into labels or the target's units.

The model file stores both, so they sit beside the lecture, below the data package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError


@dataclass
class Normalization:
    kind: str  # none | standard | minmax
    shift: np.ndarray  # x' = (x - shift) / scale, per feature
    scale: np.ndarray

    @classmethod
    def of(cls, kind: str, shift, scale, lo, hi) -> "Normalization":
        """From the columns' statistics and their least and greatest values: a constant
        column is left centred on its value (x' = 0) and not divided, whatever rounding
        left in its mean."""
        constant = lo == hi
        return cls(kind, np.where(constant, lo, shift),
                   np.where(constant | ~(scale > 0), 1.0, scale))

    @classmethod
    def none(cls, n: int) -> "Normalization":
        return cls("none", np.zeros(n), np.ones(n))

    def apply(self, X: np.ndarray) -> np.ndarray:
        return (X - self.shift) / self.scale


def plural(n: int, word: str) -> str:
    """A count in words: 1 epoch, 2 epochs."""
    return f"{n} {word}{'s' * (n != 1)}"


def label_text(v) -> str:
    """A label as written in a CSV: 3, not 3.0."""
    return str(int(v)) if isinstance(v, (int, float, np.number)) and float(v).is_integer() \
        else str(v)


def shown(v) -> str:
    """A label in a message: as written, or quoted when it holds a line break or control code."""
    text = label_text(v)
    return text if text.isprintable() else repr(text)


@dataclass
class Target:
    """How labels become the rows of Y, and outputs the target's values."""

    columns: list[str]  # target column names
    classes: np.ndarray | None  # sorted labels as written (int64 or str), or None: y as is
    K: int  # output units
    scaling: Normalization | None = None  # y' = (y - shift)/scale, for a regression network

    def index(self, labels: np.ndarray, source: str) -> np.ndarray:
        """The index in ``classes`` of each label (numbers, or strings as written).  (m,)"""
        keys = self.classes.astype(np.float64) if self.classes.dtype.kind in "iu" else self.classes
        if (labels.dtype.kind == "f") != (keys.dtype.kind == "f"):
            # numbers read from a numeric column, matched against string classes as written
            labels = np.array([label_text(v) for v in labels]) if keys.dtype.kind != "f" else labels
        idx = np.minimum(np.searchsorted(keys, labels), len(keys) - 1)
        unknown = keys[idx] != labels
        if unknown.any():
            raise DataError(f"label {shown(labels[unknown][0])} does not occur in the training "
                            f"data (classes: {', '.join(map(shown, self.classes))})", source=source)
        return idx

    def rows(self, idx: np.ndarray) -> np.ndarray:
        """Y of class indexes: one-hot rows, or y = 1 for the second class of one
        sigmoid unit.  (m, K)"""
        if self.K == 1:
            return (idx == 1).astype(np.float64)[:, None]
        return np.eye(self.K)[idx]

    def encode(self, labels: np.ndarray, source: str) -> np.ndarray:
        """Y of labels (classes) or of target values (m, K), scaled when the target is."""
        if self.classes is None:
            Y = labels.astype(np.float64).reshape(len(labels), -1)  # (m, K)
            return Y if self.scaling is None else self.scaling.apply(Y)
        return self.rows(self.index(labels, source))

    def decode(self, h: np.ndarray) -> np.ndarray:
        """Outputs h_Θ(x) in the target's own units: y = y' · scale + shift.  (m, K)"""
        return h if self.scaling is None else h * self.scaling.scale + self.scaling.shift
