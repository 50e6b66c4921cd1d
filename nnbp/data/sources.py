"""Where a run's rows are, and the one place that chooses: in memory (this module),
in the binary cache on disk (``cached``), or in the memory of a Dask cluster's
workers (``cluster``).  Each gives a ``Dataset``: the data described, and its parts
(train, val, test) as its backend holds them.  The engine computes on the parts;
it never opens a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from ..errors import TooBig
from .describe import (Description, Labels, at_key, check_block, check_numbers, class_of,
                       column_roles, design_matrix, labels_of, make_target, normalization,
                       split_rows, target_scaling)
from .files import MissingFile
from .header import read_header
from .reader import read_table
from .stats import Stats


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


def read_at_key(cfg, key: str, read: Callable = read_header):
    """``read(path)`` of the file at a config key (data.train, data.test): a file that
    is not there is an error at the key, other errors name the file."""
    return at_key(cfg, key, lambda: read(cfg.values[key]), MissingFile)


STREAM_FIX = ("Stream it from a binary cache instead (--stream, or data.stream: auto or true "
              "in the config), use a smaller file, or set NNBP_IGNORE_MEMORY_CHECK=1 to try "
              "in memory anyway")


def load(cfg, where="memory", notify=None) -> Dataset:
    """The config's data: ``where`` is "memory", "cache" (streamed from the binary cache
    on disk) or a Dask client (on its cluster's workers).  ``notify`` gets the events
    of building a cache (``cached.CacheProgress``)."""
    units = cfg.network.layers[-1]
    if where == "memory":
        try:
            return load_in_memory(cfg, units)
        except TooBig as e:  # training need not read it in memory
            raise e.fixed_by(STREAM_FIX) from None
    if where == "cache":
        from .cached import load_cached

        return load_cached(cfg, units, notify)
    from .cluster import load_on_cluster

    return load_on_cluster(cfg, where, units)


def load_in_memory(cfg, units_out) -> Dataset:
    """Every row of the config's files in memory: the training rows (less the validation
    rows), the validation and the test rows, as [1, x′] and Y."""
    header = read_at_key(cfg, "data.train")
    roles = column_roles(cfg, header)
    table = read_at_key(cfg, "data.train", lambda p: read_table(
        p, header.source, want=roles.want(), header=header))
    source, m = table.source, table.m
    labels = None
    if roles.classify:
        labels = Labels()
        codes = labels.code(labels_of(table, roles.targets[0]))
    else:
        check_numbers(table, roles.targets)
    target = make_target(roles, labels, cfg.network.output, units_out, source, cfg)
    check_block(table, roles)
    X = table.matrix(roles.features)  # (m, s_1)
    idx = class_of(target, labels, source)[codes] if roles.classify else None
    Y = target.rows(idx) if roles.classify else table.matrix(roles.targets)  # (m, K)
    tr, va = split_rows(idx, m, cfg.data.validation_split, cfg.network.init.seed, source)
    held = len(va) > 0
    target.scaling = target_scaling(cfg, None if roles.classify else Stats.of(Y[tr] if held else Y))
    if target.scaling is not None:
        Y = target.scaling.apply(Y)  # y′ = (y − mean)/std
    norm = normalization(cfg, Stats.of(X[tr] if held else X))
    dtype = np.dtype(cfg.training.dtype)

    def part(Xp, Yp, rows) -> ArrayPart:
        return ArrayPart(design_matrix(Xp, norm, dtype), Yp.astype(dtype), rows)

    parts = {"train": part(X[tr], Y[tr], tr) if held else part(X, Y, tr)}
    if held:
        parts["val"] = part(X[va], Y[va], va)
    del table, X, Y
    if cfg.data.test is not None:
        parts["test"] = _test_in_memory(cfg, roles, target, part)
    sizes = {name: p.m for name, p in parts.items()}
    return Dataset(Description(roles.features, target, norm, roles.ignored, va, sizes), parts)


def _test_in_memory(cfg, roles, target, part) -> ArrayPart:
    header = read_at_key(cfg, "data.test")
    test_roles = test_columns(header, roles)
    table = read_at_key(cfg, "data.test", lambda p: read_table(
        p, header.source, want=test_roles.want(), header=header))
    check_block(table, test_roles, training=False)
    Y = test_targets(table, test_roles, target)
    return part(table.matrix(roles.features), Y, np.arange(table.m))


def test_columns(header, roles):
    """The roles of a test file's columns: the training file's target and features,
    each of which it must have."""
    from .describe import Roles
    from ..errors import DataError

    for name in roles.targets:
        header.index(name, "target")
    missing = [c for c in roles.features if c not in header]
    if missing:
        raise DataError(f"missing feature column(s) {', '.join(missing)}", source=header.source)
    return Roles(roles.targets, [], roles.features, roles.classify)


def test_targets(table, roles, target) -> np.ndarray:
    """Y of a test file's rows, with the training file's classes (or target scaling)."""
    if roles.classify:
        labels = Labels()
        codes = labels.code(labels_of(table, roles.targets[0]))
        return target.rows(class_of(target, labels, table.source)[codes])
    return target.encode(table.matrix(roles.targets), table.source)
