"""Where a dataset's rows are, as the engine takes them: a part (train, val, test)
in memory, in the binary cache on disk, or on a Dask cluster's workers, and the
dataset, its description and its parts.  Nothing here reads a file: the data
package's sources make these, and the engine computes on them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from ..encoding import Normalization, Target
from ..errors import CacheError


@dataclass(frozen=True)
class Description:
    """The data of a run, described: what training, the model file and explain need
    to know of it, whichever backend holds its rows."""

    features: list[str]
    target: Target
    norm: Normalization
    ignored: list[str]
    val_rows: np.ndarray  # rows of the training file held out (0-based, sorted); may be empty
    sizes: dict[str, int]  # rows of each part: train, and val and test when there are some
    constant: dict[str, float] = field(default_factory=dict)  # features one value in every
    # training row, with that value: they carry nothing to learn from

    @property
    def classifier(self) -> bool:
        return self.target.classes is not None

    def has(self, part: str) -> bool:
        return self.sizes.get(part, 0) > 0


class Part(Protocol):
    """A part's rows, wherever they are: how many, and which rows of its file."""

    rows: np.ndarray

    @property
    def m(self) -> int: ...


@dataclass
class ArrayPart:
    """Rows in memory: X1 = [1, x′] (m, s_1 + 1), Y (m, K), and their rows in the file."""

    X1: np.ndarray
    Y: np.ndarray
    rows: np.ndarray

    @property
    def m(self) -> int:
        return len(self.X1)

    @property
    def X(self) -> np.ndarray:
        """x′, a view of X1 without the bias column.  (m, s_1)"""
        return self.X1[:, 1:]


@dataclass
class FileRows:
    """Rows of an open binary file, ``width`` values of ``dtype`` each, read on request
    (positioned reads: threads may read the same file at once)."""

    file: object  # an open binary file
    dtype: np.dtype
    width: int

    def read(self, lo: int, hi: int, out: np.ndarray | None = None) -> np.ndarray:
        """Rows lo … hi-1, into ``out`` (at least hi - lo rows) when given.  (hi - lo, width)"""
        n = hi - lo
        out = np.empty((n, self.width), self.dtype) if out is None else out[:n]
        row = self.dtype.itemsize * self.width
        got = _pread(self.file.fileno(), memoryview(out).cast("B"), lo * row) if n else 0
        if got != n * row:
            raise CacheError(f"is shorter than its {hi} rows; remove it to build it anew",
                             source=self.file.name)
        return out


def _pread(fd: int, into: memoryview, offset: int) -> int:
    """Read into a buffer from a position of a file, whatever other threads read."""
    if hasattr(os, "preadv"):  # straight into the buffer
        return os.preadv(fd, [into], offset)
    data = os.pread(fd, len(into), offset)  # where there is no preadv: a copy
    into[:len(data)] = data
    return len(data)


@dataclass
class CachedPart:
    """A part's rows in the cache: features ``x`` and labels or targets ``y``, the rows
    of the file that are this part's, in order, whether they are every row of ``x``
    and ``y`` (``whole``), and what makes Y of y's rows."""

    x: FileRows
    y: FileRows
    rows: np.ndarray
    whole: bool
    Y: Callable[[np.ndarray], np.ndarray]  # y's rows -> Y (b, K) float64

    @property
    def m(self) -> int:
        return len(self.rows)

    def read(self, rows: slice) -> tuple[np.ndarray, np.ndarray]:
        """The part's ``rows``: x in the cache's dtype (b, s_1), and Y (b, K)."""
        b = rows.stop - rows.start
        if self.whole:
            lo, hi, pick = rows.start, rows.stop, None
        else:  # the part's rows within the span of the file that holds them
            r = self.rows[rows]
            lo, hi = int(r[0]), int(r[-1]) + 1
            pick = None if hi - lo == b else r - lo
        x, y = self.x.read(lo, hi), self.y.read(lo, hi)
        if pick is not None:
            x, y = x[pick], y[pick]
        return x, self.Y(y)


@dataclass
class ClusterPart:
    """A part's rows on the workers: the futures of its blocks (X1, Y), in file order,
    their rows, and the rows of the file that are the part's."""

    futures: list
    sizes: list[int]
    rows: np.ndarray

    @property
    def m(self) -> int:
        return len(self.rows)


@dataclass
class Dataset:
    """The data described, and its parts (train, and val and test when there are
    some) as a backend holds them."""

    description: Description
    parts: dict[str, Part]

    @property
    def features(self) -> list[str]:
        return self.description.features

    @property
    def target(self):
        return self.description.target

    @property
    def norm(self):
        return self.description.norm

    @property
    def ignored(self) -> list[str]:
        return self.description.ignored

    @property
    def train(self) -> Part:
        return self.parts["train"]

    @property
    def val(self) -> Part | None:
        return self.parts.get("val")

    @property
    def test(self) -> Part | None:
        return self.parts.get("test")
