"""Data bigger than memory: the config's data described as in memory, by the same
rules, with the rows left in a binary cache on disk (``cache.py``) and read every
epoch a block at a time (``CachedPart.read``).

The cache's one pass gathers the labels and each column's statistics; what depends
on the validation split (drawn from the labels, as in memory) is the statistics of
the training rows, taken in a second pass over the cache, which also copies the
validation rows to a temporary file beside it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from ..errors import BuildInterrupted
from . import cache
from .csvfile import CHUNK_BYTES
from .describe import (Labels, Roles, check_block, class_of, column_roles, constant_features,
                       labels_of, make_target, normalization, split_rows, target_scaling)
from .narrow import column_stats
from .reader import blocks, total_bytes
from .room import available_memory
from .memory_source import read_at_key, test_columns
from .parts import CachedPart, Dataset, Description, FileRows
from .stats import Stats

CHUNK_ENV = "NNBP_STREAM_CHUNK_BYTES"  # bytes of CSV per block (tests force small ones)
# values per block of the pass over the cache: its statistics take a few float64 copies
# of a block (2 MiB each), whatever the row's width
STATS_VALUES = 1 << 18
CHUNK_MEMORY = 40  # bytes of memory per byte of a block of CSV: its text, its table and
# the next one's, the parser's buffers, and evaluate's and predict's arrays of it


class CacheProgress(NamedTuple):
    """Event: the cache of ``path`` is being built, ``done`` of ``total`` bytes read."""
    path: str
    done: int
    total: int


class CacheReady(NamedTuple):
    """Event: the cache of ``path`` is ready, ``built`` now (in ``seconds``) or found;
    its rows, and its bytes on disk."""
    path: str
    rows: int
    size: int
    seconds: float
    built: bool


def chunk_bytes(available: int | None = None) -> int:
    """Bytes of a file per block: $NNBP_STREAM_CHUNK_BYTES, else the reader's 4 MB, or
    less, so that a block takes at most half of the ``available`` memory."""
    text = os.environ.get(CHUNK_ENV, "").strip()
    if text.isdigit():
        return max(1, int(text))
    if available is None:
        return CHUNK_BYTES
    return max(1 << 16, min(CHUNK_BYTES, available // 2 // CHUNK_MEMORY))


def _entry(path: str, options: dict, roles: Roles, notify, training: bool) -> cache.Entry:
    """The cache entry of ``path``, built now when there is none."""
    import time

    entry = cache.open_entry(Path(path), options)
    if entry is not None:
        if notify is not None:
            notify(CacheReady(path, entry.rows, entry.size, 0.0, False))
        return entry
    started = time.perf_counter()
    entry = _build(path, options, roles, notify, training)
    if notify is not None:
        notify(CacheReady(path, entry.rows, entry.size, time.perf_counter() - started, True))
    return entry


def _build(path: str, options: dict, roles: Roles, notify, training: bool) -> cache.Entry:
    total = total_bytes(path)
    report = None if notify is None else lambda done: notify(CacheProgress(path, done, total))
    if report:
        report(0)
    want = roles.want()

    def tables():
        for table, done in blocks(path, want, chunk_bytes(available_memory())):
            check_block(table, roles, training=training)
            yield table, done
    try:
        return cache.build(Path(path), options, tables(), roles, report)
    except KeyboardInterrupt:  # the build removed what it had written
        raise BuildInterrupted(path) from None


def _y_of(target, remap: np.ndarray | None) -> Callable[[np.ndarray], np.ndarray]:
    """y's rows (codes, or target values) -> Y as ``Target.encode`` makes it."""
    if target.classes is None:
        return lambda y: y if target.scaling is None else target.scaling.apply(y)
    return lambda codes: target.rows(remap[codes[:, 0]])


def _options(roles: Roles) -> dict:
    return {"features": roles.features, "targets": roles.targets,
            "kind": "classes" if roles.classify else "values"}


def load_cached(cfg, units_out, notify=None) -> Dataset:
    """The data of ``load_in_memory``, described, and the parts the streamed executor
    reads from the cache."""
    header = read_at_key(cfg, "data.train", cfg.data.train)
    roles = column_roles(cfg, header)
    source = header.source
    target = None if roles.classify else \
        make_target(roles, None, cfg.network.output, units_out, source, cfg)
    entry = _entry(cfg.data.train, _options(roles), roles, notify, True)
    m = entry.rows
    remap = None
    if roles.classify:
        labels = Labels()
        labels.add(entry.labels)
        target = make_target(roles, labels, cfg.network.output, units_out, source, cfg)
        remap = class_of(target, labels, source)
    x, y = entry.x(), entry.y()
    fraction = cfg.data.validation_split
    idx = remap[y.read(0, m)[:, 0]] if fraction and roles.classify else None
    tr, va = split_rows(idx, m, fraction, cfg.network.init.seed, source)
    del idx
    values = not roles.classify
    if len(va):
        xstats, ystats, val_x, val_y = _split_pass(x, y, m, va, values)
    else:
        xstats, ystats = entry.stats("x"), entry.stats("y") if values else None
    target.scaling = target_scaling(cfg, ystats)
    norm = normalization(cfg, xstats)
    Y = _y_of(target, remap)
    parts = {"train": CachedPart(x, y, tr, not len(va), Y)}
    if len(va):
        parts["val"] = CachedPart(val_x, val_y, va, True, Y)
    if cfg.data.test is not None:
        parts["test"] = _test_part(cfg, roles, target, notify)
    sizes = {name: p.m for name, p in parts.items()}
    return Dataset(Description(roles.features, target, norm, roles.ignored, va, sizes,
                                   constant_features(roles.features, xstats)), parts)


def _split_pass(x: FileRows, y: FileRows, m: int, va: np.ndarray, values: bool):
    """One pass over the cache: the statistics of the training rows, and the validation
    rows copied to temporary files (gone when closed, or when the process ends)."""
    folder = cache.cache_dir()
    held = np.zeros(m, dtype=bool)
    held[va] = True
    xstats = Stats.empty(x.width)
    ystats = Stats.empty(y.width) if values else None
    step = max(1, STATS_VALUES // max(x.width, y.width))
    try:
        val_x, val_y = (tempfile.TemporaryFile(dir=folder) for _ in range(2))
        for lo in range(0, m, step):
            hi = min(m, lo + step)
            xs, ys, h = x.read(lo, hi), y.read(lo, hi), held[lo:hi]
            xstats.merge(column_stats(xs[~h]))  # as the cache's build took them
            if values:
                ystats.add(ys[~h])
            xs[h].tofile(val_x)
            ys[h].tofile(val_y)
        for f in (val_x, val_y):
            f.flush()
    except OSError as e:  # the cache's folder is full, or read-only
        raise cache.cache_error(folder, e) from None
    return xstats, ystats, FileRows(val_x, x.dtype, x.width), FileRows(val_y, y.dtype, y.width)


def _test_part(cfg, roles: Roles, target, notify) -> CachedPart:
    """The test file, in its own cache entry, encoded with the training classes."""
    path = cfg.data.test
    header = read_at_key(cfg, "data.test", cfg.data.test)
    test_roles = test_columns(header, roles)
    entry = _entry(path, _options(roles), test_roles, notify, False)
    remap = None
    if roles.classify:
        labels = Labels()
        labels.add(entry.labels)
        remap = class_of(target, labels, header.source)
    return CachedPart(entry.x(), entry.y(), np.arange(entry.rows), True, _y_of(target, remap))


__all__ = ["CacheProgress", "CacheReady", "chunk_bytes", "load_cached"]
