"""The work on a Dask cluster's workers that reading a data file takes: each
partition (a byte range of a CSV file cut at line ends, or a row group of a Parquet
file) read by nnbp's own reader and checked by the same rules as in memory, its
labels encoded, its training rows' statistics, and the blocks [1, x′] and y that the
epochs multiply.  ``cluster`` runs them and gathers what needs the whole file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..encoding import Normalization
from ..errors import DataError
from .csvfile import line_breaks, parse
from .describe import Roles, check_block, design_matrix, labels_of
from .header import Header
from .stats import Stats
from .table import Table, Text
from .utf8 import check_text


@dataclass
class Partition:
    """One partition, read: x (float64) and the labels (classification) or the target's
    values (m_p, K); its count of lines, to number the lines of the ones after it; or
    the first error in it, with where it is (a line counted in the partition, or a row
    of the file)."""

    lines: int
    X: np.ndarray | None = None
    labels: Text | np.ndarray | None = None
    error: tuple[str, dict] | None = None
    Y: np.ndarray | None = None  # y rows, once encoded

    @property
    def m(self) -> int:
        return 0 if self.X is None else len(self.X)


def open_quote_line(block: bytes) -> int:
    """The line (0 for the block's first) on which the quote left open at the block's
    end opens: after it the count of quotes stays odd.  (Only for an error.)"""
    odd, opened = False, 0
    for i, line in enumerate(block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
                             .split(b"\n")):
        if line.count(b'"') % 2:
            odd = not odd
            if odd:
                opened = i
    return opened


def _read(table: Table | None, lines: int, roles: Roles, training: bool) -> Partition:
    if table is None:
        return Partition(lines)  # no rows here (blank lines, or past the file's end)
    check_block(table, roles, training=training)
    X = np.ascontiguousarray(table.matrix(roles.features))
    labels = labels_of(table, roles.targets[0]) if roles.classify else \
        np.ascontiguousarray(table.matrix(roles.targets))
    return Partition(lines, X, labels)


def read_csv_partition(block: bytes, first: bool, header: Header, source: str, roles: Roles,
                       training: bool) -> Partition:
    """Read a partition of a CSV file as the whole file is read in memory.  Its lines are
    numbered from its first (1; 2 in the first partition, after the header): the client
    adds the lines of the partitions before it."""
    lines = line_breaks(block)
    try:
        if first:
            check_text(block[:65536], source)
            block = block[header.start:]
        if block.count(b'"') % 2:  # a quoted field cut in two where the file was cut
            return Partition(lines, error=(
                "a field opens a quote (\") on this line that is not closed on it: on a Dask "
                "cluster the file is cut into partitions at line ends, so a quoted field "
                "cannot span lines: close the quote, take the line breaks out of it, or train "
                "without --scheduler", {"line": open_quote_line(block) + (2 if first else 1)}))
        table = parse(block, header, roles.want(), 2 if first else 1, source=source)
        return _read(table, lines, roles, training)
    except DataError as e:
        return Partition(lines, error=(e.message, e.where()))


def read_parquet_partition(url: str, group: int, first_row: int, header: Header, source: str,
                           roles: Roles, training: bool) -> Partition:
    """Read a row group of a Parquet file (a path or a URL fsspec opens)."""
    import fsspec
    import pyarrow.parquet as pq

    from .parquetfile import from_arrow, with_partitions

    want = roles.want()
    names = want.columns(header)
    try:
        with fsspec.open(url, "rb") as f:
            file = pq.ParquetFile(f)
            arrow = with_partitions(lambda cols: file.read_row_group(
                group, columns=cols, use_threads=False), names, header, url)
        table = from_arrow(arrow, names, set(want.text), header, source, first_row)
        return _read(table, 0, roles, training)
    except DataError as e:
        return Partition(0, error=(e.message, e.where()))
    except (OSError, ValueError) as e:
        return Partition(0, error=(f"cannot be read: {e}", {}))


def summary(p: Partition) -> tuple[int, int, tuple | None, list[str] | None]:
    """What the client needs of a read partition: m, lines, error, distinct labels."""
    distinct = list(p.labels.values) if isinstance(p.labels, Text) else None
    return p.m, p.lines, p.error, distinct


def encode(p: Partition, classes: dict[str, int] | None, target) -> Partition:
    """y rows for the partition's labels, by each label's class index (``classes``), or
    of its target values."""
    if classes is None:
        return Partition(p.lines, p.X, None, None, target.encode(p.labels, ""))
    index = np.array([classes[v] for v in p.labels.values], dtype=np.int64)
    return Partition(p.lines, p.X, None, None, target.rows(index[p.labels.codes]))


def rows_of(p: Partition) -> int:
    return p.m


def label_codes(p: Partition) -> np.ndarray:
    """Each row's class index (its one-hot column, or y for one sigmoid unit)."""
    codes = p.Y.argmax(axis=1) if p.Y.shape[1] > 1 else p.Y[:, 0]
    return codes.astype(np.int32)


def _rows(p: Partition, val: np.ndarray, part: str):
    """The partition's training rows (all but ``val``) or its validation rows."""
    if part == "val":
        return val
    if len(val) == 0:
        return slice(None)
    keep = np.ones(p.m, dtype=bool)
    keep[val] = False
    return keep


def statistics(p: Partition, val: np.ndarray, of_y: bool) -> tuple:
    """The statistics of the partition's training rows' x (and y, with ``of_y``)."""
    rows = _rows(p, val, "train")
    return Stats.of(p.X[rows]), Stats.of(p.Y[rows]) if of_y else None


def block(p: Partition, val: np.ndarray, part: str, norm: Normalization, scaling, dtype):
    """(X1, Y) of the partition's training or validation rows, as in memory."""
    rows = _rows(p, val, part)
    Y = p.Y[rows] if scaling is None else scaling.apply(p.Y[rows])
    return design_matrix(p.X[rows], norm, dtype), Y.astype(dtype)
