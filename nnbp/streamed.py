"""Data bigger than memory: the config's data described as ``data.load_data``
describes it (features, target, classes, normalization, validation rows, test
file), by the same rules, with the rows left in a binary cache on disk
(``nnbp/engine/cache.py``) and read every epoch by ``engine.stream.Streamed``.

The cache's one pass gathers the labels and each column's statistics; what
depends on the validation split (drawn from the labels, as in memory) is the
statistics of the training rows, taken in a second pass over the cache, which
also copies the validation rows to a temporary file beside it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from .csvio import Table, first_non_numeric, read_csv_chunks, read_header
from .data import (Data, Split, Target, check_numeric_features, column_roles, feature_matrix,
                   label_text, make_target, raw_labels, read_at_key, split_rows)
from .engine import cache
from .engine.cache import FileRows
from .engine.narrow import column_stats
from .errors import BuildInterrupted
from .memory import available_memory
from .engine.stream import Part
from .stats import Stats

CHUNK_ENV = "NNBP_STREAM_CHUNK_BYTES"  # bytes of CSV per chunk (tests force small ones)
# values per block of the pass over the cache: its statistics take a few float64 copies
# of a block (2 MiB each), whatever the row's width
STATS_VALUES = 1 << 18


class CacheProgress(NamedTuple):
    """Event: the cache of ``path`` is being built, ``done`` of ``total`` bytes read."""
    path: str
    done: int
    total: int


CHUNK_BYTES = 1 << 24  # at most
CHUNK_MEMORY = 40  # bytes of memory per byte of a chunk of CSV: its text, its table and
# the next one's, the parser's buffers, and evaluate's and predict's arrays of it (measured:
# 27 to 40 on MNIST-shaped integers, the most with the smallest chunks)


def chunk_bytes(available: int | None = None) -> int:
    """Bytes of CSV per chunk: $NNBP_STREAM_CHUNK_BYTES, else 16 MB, or less, so that
    a chunk takes at most half of the ``available`` memory."""
    import os

    text = os.environ.get(CHUNK_ENV, "").strip()
    if text.isdigit():
        return max(1, int(text))
    if available is None:
        return CHUNK_BYTES
    return max(1 << 16, min(CHUNK_BYTES, available // 2 // CHUNK_MEMORY))


def _entry(path: str, options: dict, extract, notify) -> cache.Entry:
    """The cache entry of ``path``, built now when there is none."""
    entry = cache.open_entry(Path(path), options)
    if entry is not None:
        return entry
    total = Path(path).stat().st_size
    report = None if notify is None else lambda done: notify(CacheProgress(path, done, total))
    if report:
        report(0)
    try:
        chunks = read_csv_chunks(path, chunk_bytes(available_memory()))
        return cache.build(Path(path), options, chunks, extract, report)
    except KeyboardInterrupt:  # the build removed what it had written
        raise BuildInterrupted(path) from None


def _labels(values: list) -> np.ndarray:
    """The labels of a cache entry as ``raw_labels`` gives them: numbers, or strings
    when the column holds text (numbers then as written: 3, not 3.0)."""
    if any(isinstance(v, str) for v in values):
        return np.array([v if isinstance(v, str) else label_text(v) for v in values])
    return np.array(values, dtype=np.float64)


def class_index(target: Target, labels: np.ndarray, source: str) -> np.ndarray:
    """The index in ``target.classes`` of each label, by ``Target.encode`` (an unknown
    label is its error)."""
    Y = target.encode(labels, source)
    return Y[:, 0].astype(np.int64) if target.K == 1 else Y.argmax(axis=1)


def _y_of(target: Target, remap: np.ndarray | None) -> Callable[[np.ndarray], np.ndarray]:
    """y's rows (codes, or target values) -> Y as ``Target.encode`` makes it."""
    if target.classes is None:
        return lambda y: y if target.scaling is None else target.scaling.apply(y)
    K = target.K

    def Y(codes: np.ndarray) -> np.ndarray:
        idx = remap[codes[:, 0]]
        return (idx == 1).astype(np.float64)[:, None] if K == 1 else np.eye(K)[idx]
    return Y


def load_streamed(cfg, units_out, notify=None) -> tuple[Data, dict[str, Part]]:
    """The data of ``load_data``, described, and the parts the streamed executor reads."""
    header = read_at_key(cfg, "data.train", read_header)
    tcols, ignored, features = column_roles(cfg, header)
    values = len(tcols) > 1 or cfg.network.output == "linear"
    target = make_target(header, tcols, cfg.network.output, units_out, cfg) if values else None

    def extract(table: Table):
        check_numeric_features(table, features, ignored)
        return _extract(table, features, tcols, values)

    names = [header.columns[j] for j in tcols]
    options = {"features": features, "targets": names, "kind": "values" if values else "classes"}
    entry = _entry(cfg.data.train, options, extract, notify)
    m, source = entry.rows, header.source
    remap = None
    if not values:
        labels = _labels(entry.labels)
        stub = Table(source, [names[0]], labels[:, None] if labels.dtype.kind == "f"
                     else np.full((len(labels), 1), np.nan),
                     {} if labels.dtype.kind == "f" else {0: labels.tolist()})
        target = make_target(stub, [0], cfg.network.output, units_out, cfg)
        remap = class_index(target, labels, source)
    x, y = entry.x(), entry.y()
    fraction = cfg.data.validation_split
    idx = None
    if fraction and not values:  # each row's class index, for the stratified split
        idx = remap[y.read(0, m)[:, 0]]
    tr, va = split_rows(idx, m, fraction, cfg.network.init.seed, source)
    del idx
    if len(va):
        xstats, ystats, val_x, val_y = _split_pass(x, y, m, va, values)
    else:
        xstats, ystats = entry.stats("x"), entry.stats("y") if values else None
    if values and cfg.network.output == "linear" and cfg.data.normalize_target == "standard":
        target.scaling = ystats.fit("standard")  # y' = (y - mean)/std
    norm = xstats.fit(cfg.data.normalize)
    Y = _y_of(target, remap)
    parts = {"train": Part(x, y, len(tr), tr if len(va) else None, Y)}
    val = test = None
    if len(va):
        parts["val"] = Part(val_x, val_y, len(va), None, Y)
        val = Split(None, None, va)
    if cfg.data.test is not None:
        parts["test"] = _test_part(cfg, features, names, target, values, notify)
        test = Split(None, None, np.arange(parts["test"].m))
    return Data(features, target, norm, Split(None, None, tr), val, test, np.empty(0),
                ignored), parts


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


def _extract(table: Table, features: list[str], tcols: list[int], values: bool):
    """A chunk's features, and its targets: the values of the target columns, or the
    labels of the one target column (``values`` False)."""
    if not values:
        return feature_matrix(table, features), raw_labels(table, tcols[0])
    for j in tcols:
        if j in table.text:
            raise first_non_numeric(table, j)
    return feature_matrix(table, features), table.values[:, tcols]


def _test_part(cfg, features: list[str], names: list[str], target: Target,
               values: bool, notify) -> Part:
    """The test file, in its own cache entry, encoded with the training classes."""
    path = cfg.data.test
    header = read_at_key(cfg, "data.test", read_header)
    ty = [header.column_index(c, "target") for c in names]

    def extract(table: Table):
        return _extract(table, features, ty, values)

    options = {"features": features, "targets": names, "kind": "values" if values else "classes"}
    entry = _entry(path, options, extract, notify)
    remap = None if values else class_index(target, _labels(entry.labels), header.source)
    return Part(entry.x(), entry.y(), entry.rows, None, _y_of(target, remap))

