"""The work on a Dask cluster's workers that reading a CSV file takes: each
partition (a byte range of the file cut at line ends) parsed by nnbp's own reader,
its columns checked, its labels encoded, its training rows' statistics, and the
blocks [1, x'] and y that the epochs multiply.  ``cluster_data`` runs them and
gathers what needs the whole file."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..csvio import first_non_numeric, parse_lines, text_start
from ..data import (Normalization, check_numeric_features, design_matrix, feature_matrix,
                    raw_labels)
from ..errors import DataError
from ..stats import Stats


@dataclass
class Partition:
    """One partition of a file, parsed: x (float64) and the labels (classification)
    or the target's values (m_p, K); its count of lines, to number the lines of the
    ones after it; or the first error in it, with its line in ``text``."""

    lines: int
    X: np.ndarray | None = None
    labels: np.ndarray | None = None
    error: tuple[str, int | None] | None = None
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


def read_partition(block: bytes, first: bool, last: bool, columns: list[str], delimiter: str,
                   source: str, features: list[str], target: list[str], classify: bool,
                   ignored: list[str] | None) -> Partition:
    """Parse a partition as ``load_data`` parses the whole file: the target columns
    (labels as read, or numbers), then the features (with ``ignored``: the training
    file, whose text columns get the data.ignore hint).  Its lines are numbered from
    its first (1; 2 in the first partition, after the header): the client adds the
    lines of the partitions before it."""
    if first:
        block = text_start(block, source)
    # its lines as read_csv counts them: CRLF, LF and a lone CR each end one
    lines = block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
    if block.count(b'"') % 2:  # a quoted field cut in two where the file was cut
        return Partition(lines, error=(
            "a field opens a quote (\") on this line that is not closed on it: on a Dask "
            "cluster the file is cut into partitions at line ends, so a quoted field cannot "
            "span lines: close the quote, take the line breaks out of it, or train without "
            "--scheduler", open_quote_line(block) + 1))  # the header is line 1 of the first
    try:
        table = parse_lines(block, columns, source, delimiter, first_line=2 if first else 1,
                            last=last, header=first)
        if table is None:
            return Partition(lines)  # no rows here (blank lines, or past the file's end)
        ty = [table.column_index(c, "target") for c in target]
        if classify:
            labels = raw_labels(table, ty[0])
        else:
            for j in ty:
                if j in table.text:
                    raise first_non_numeric(table, j)
            labels = table.values[:, ty]
        if ignored is not None:
            check_numeric_features(table, features, ignored)
        X = np.ascontiguousarray(feature_matrix(table, features))
    except DataError as e:
        return Partition(lines, error=(e.message, e.line))
    return Partition(lines, X, np.array(labels))


def summary(p: Partition) -> tuple[int, int, tuple | None, np.ndarray | None]:
    """What the client needs of a read partition: m, lines, error, distinct labels."""
    distinct = None if p.labels is None or p.labels.ndim != 1 else np.unique(p.labels)
    return p.m, p.lines, p.error, distinct


def encode(p: Partition, target, source: str) -> Partition:
    """y rows for the partition's labels (``Target.encode``)."""
    return Partition(p.lines, p.X, None, None, target.encode(p.labels, source))


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
    """(X1, Y) of the partition's training or validation rows, as ``load_data`` makes them."""
    rows = _rows(p, val, part)
    Y = p.Y[rows] if scaling is None else scaling.apply(p.Y[rows])
    return design_matrix(p.X[rows], norm, dtype), Y.astype(dtype)
