"""Every row of a config's files in memory: read whole (``reader.read_table``),
described by the rules (``describe``), as [1, x′] and Y for each part."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .describe import (Labels, Roles, at_key, check_block, check_numbers, class_of,
                       column_roles, constant_features, design_matrix, labels_of, make_target,
                       normalization, split_rows, target_scaling)
from .files import MissingFile
from .header import read_header
from .parts import ArrayPart, Dataset, Description
from .reader import read_table
from .stats import Stats


def read_at_key(cfg, key: str, path: str, read: Callable = read_header):
    """``read(path)`` of the file at a config key (data.train, data.test): a file that
    is not there is an error at the key, other errors name the file."""
    return at_key(cfg, key, lambda: read(path), MissingFile)


def load_in_memory(cfg, units_out) -> Dataset:
    """Every row of the config's files in memory: the training rows (less the validation
    rows), the validation and the test rows, as [1, x′] and Y."""
    header = read_at_key(cfg, "data.train", cfg.data.train)
    roles = column_roles(cfg, header)
    table = read_at_key(cfg, "data.train", cfg.data.train, lambda p: read_table(
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
    xstats = Stats.of(X[tr] if held else X)
    norm = normalization(cfg, xstats)
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
    return Dataset(Description(roles.features, target, norm, roles.ignored, va, sizes,
                                   constant_features(roles.features, xstats)), parts)


def _test_in_memory(cfg, roles, target, part) -> ArrayPart:
    header = read_at_key(cfg, "data.test", cfg.data.test)
    test_roles = test_columns(header, roles)
    table = read_at_key(cfg, "data.test", cfg.data.test, lambda p: read_table(
        p, header.source, want=test_roles.want(), header=header))
    check_block(table, test_roles, training=False)
    Y = test_targets(table, test_roles, target)
    return part(table.matrix(roles.features), Y, np.arange(table.m))


def test_columns(header, roles):
    """The roles of a test file's columns: the training file's target and features,
    each of which it must have."""
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
