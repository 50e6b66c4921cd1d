"""A data file's rows as a saved model's inputs: the feature columns matched by name
and normalized as in training, and the targets when the rows are to be scored.
Columns ignored in training are skipped; any other column the model does not know
is reported, not refused.

A file that fits in memory is read whole; one that does not (``too_big``), a block
at a time, in bounded memory.  Either way the rows go through the network in the
same blocks of ``block_rows`` counted from the first row (``whole_blocks``): BLAS
may round a row's products otherwise beside other rows, and the figures of a file
read in blocks are then those of the file read whole, to the last bit.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np

from .data.cache_source import chunk_bytes
from .data.csvfile import Want
from .data.describe import check_numbers, labels_of
from .data.header import Header, did_you_mean, read_header
from .data.reader import blocks, read_table
from .data.file_size import reading_needs
from .data.room import available_memory
from .data.stats import Stats
from .data.table import Table, is_number
from .encoding import label_text
from .errors import DataError, UsageError
from .model import SavedModel
from .network import predict_index


@dataclass
class Batch:
    X: np.ndarray  # (m, s_1), normalized as in training
    Y: np.ndarray | None  # (m, K), y as the network sees it; None without target columns
    true: np.ndarray | None  # (m,) true class index, for classifiers with targets
    source: str  # what the rows are, for people
    unknown: list[str]  # columns of the file that the model does not know
    y: np.ndarray | None = None  # (m, K) regression targets in their own units
    path: str | None = None  # the data file; None for a model's validation rows
    kind: str = "data file"  # data file | test file | validation rows
    kept: list[list[str]] | None = None  # the kept columns' values, as written, by row


def too_big(path: str) -> bool:
    """Whether reading the file in memory, with the three arrays evaluate and predict
    make of it (x, x' and [1, x']), would take more than half the memory there is."""
    available = available_memory()
    return available is not None and reading_needs(path, copies=3) > available / 2


def check_columns(model: SavedModel, header: Header, known: list[str] = ()) -> list[str]:
    """Every feature present (else a DataError); the columns that are neither
    features, targets, ignored in training nor ``known``, to be reported."""
    missing = [c for c in model.feature_names if c not in header]
    expected = {*model.feature_names, *model.target_names, *model.ignored, *known}
    unknown = [c for c in header.columns if c not in expected]
    if missing:  # the unknown columns may be the missing ones, misspelt or renamed
        extra = f"; unknown column(s) {_some(list(map(repr, unknown)))}" if unknown else ""
        raise DataError(f"missing feature column(s) {_some(missing)}{extra} (the model's "
                        f"features are {_some(model.feature_names)}; its target "
                        f"{_some(model.target_names)})", source=header.source)
    return unknown


def keep_names(values: list[str], columns: list[str], path: str) -> list[str]:
    """The columns that ``predict --keep`` values name among a file's ``columns``: a value
    that is a column's whole name is that column (a comma in it included), another is
    names separated by commas.  A name the file does not have is an error with the
    closest."""
    names: list[str] = []
    for value in values:
        parts = [value.strip()] if value.strip() in columns else \
            [c.strip() for c in value.split(",")]
        if any(not c for c in parts):
            raise UsageError(f"--keep {value!r}: expected distinct column names separated by "
                             "commas, such as --keep id,name")
        for name in parts:
            if name in names:
                raise UsageError(f"--keep {value!r}: column {name!r} is kept twice; name each "
                                 "column once")
            if name not in columns:
                comma = [c for c in columns if "," in c]
                hint = ("; a name with a comma is kept by a --keep of its own, such as "
                        f"--keep {shlex.quote(comma[0])}") if comma and "," in value else ""
                shown = [repr(c) if "," in c else c for c in columns]
                raise DataError(f"has no column {name!r} to keep (--keep)"
                                f"{did_you_mean(name, columns)}; its columns are: "
                                f"{_some(shown)}{hint}", source=path)
            names.append(name)
    return names


def _some(names: list[str], most: int = 8) -> str:
    return ", ".join(names) if len(names) <= most else \
        f"{', '.join(names[:most])}, … ({len(names)} in all)"


def _want(model: SavedModel, header: Header, with_target: bool, keep: list[str]) -> Want:
    """The columns to read: the features (and, to score, the targets) as numbers or a
    label as text, and the kept columns as text."""
    numbers, text = list(model.feature_names), [c for c in keep if c not in model.feature_names]
    if with_target:
        missing = [c for c in model.target_names if c not in header]
        if missing:
            raise DataError(f"has no target column {', '.join(model.target_names)}; evaluate "
                            "compares the predictions with it", source=header.source)
        if model.classes is not None:
            text += [c for c in model.target_names if c not in text]
        else:
            numbers += model.target_names
    return Want(tuple(numbers), tuple(c for c in text if c not in numbers), ignorable=False)


def table_batch(model: SavedModel, table: Table, *, with_target: bool,
                rows: np.ndarray | None = None, source: str | None = None,
                unknown: list[str] = (), path: str | None = None,
                keep: list[str] = ()) -> Batch:
    """The rows of a table (a whole file, or a block of one; all, or the 0-based
    ``rows``) as the model's inputs, and ``with_target`` its targets."""
    check_numbers(table, model.feature_names)
    X = table.matrix(model.feature_names)  # (m, s_1) in the model's order
    sel = np.arange(len(X)) if rows is None else rows
    check_rows(rows, len(X), table.source)
    X = model.norm.apply(X[sel])  # x' = (x - shift) / scale   (m, s_1)
    kept = [_text(table, c)[sel].tolist() for c in keep] if keep else None
    if not with_target:  # predict: a target column, if any, is not read at all
        return Batch(X, None, None, source or table.source, list(unknown), path=path,
                     kept=kept)
    y = None
    if model.classes is not None:
        true = class_index(model, table, model.target_names[0], sel)
        Y = model.target.encode(model.classes[true], table.source)  # (m, K)
    else:
        check_numbers(table, model.target_names)
        y = table.matrix(model.target_names)[sel]  # (m, K), in the target's units
        Y = model.target.encode(y, table.source)  # y as the network sees it
        true = predict_index(Y) if model.classifier else None
    return Batch(X, Y, true, source or table.source, list(unknown), y, path, kept=kept)


def _text(table: Table, name: str):
    """A kept column's values as written."""
    j = table.position(name)
    if j in table.text:
        return np.array(table.text[j].tolist(), dtype=object)
    raise AssertionError(f"{name} was not read as text")


def check_rows(rows: np.ndarray | None, m: int, source: str) -> None:
    """The model's validation rows must be rows of the file's m."""
    if rows is not None and len(rows) and rows.max() >= m:
        raise DataError(f"has {m} data rows, but the model's validation rows go up to row "
                        f"{rows.max() + 1}; has the file changed since training?", source=source)


def class_index(model: SavedModel, table: Table, name: str, rows: np.ndarray) -> np.ndarray:
    """The index in ``model.classes`` of each row's label, matched as written
    (a numeric column's 3.0 is the class 3 or "3")."""
    text = labels_of(table, name)
    numeric = all(is_number(v) for v in text.values)
    written = [label_text(float(v)) if numeric else v for v in text.values]
    index = {label_text(c): k for k, c in enumerate(model.classes)}
    pos = np.array([index.get(w, -1) for w in written], dtype=np.int64)
    idx = pos[text.codes[rows]] if len(pos) else np.zeros(len(rows), np.int64)  # (m,)
    if (idx < 0).any():
        i = int(np.flatnonzero(idx < 0)[0])
        raise DataError(f"label {written[text.codes[rows[i]]]!r} in column {name!r} is not "
                        f"one of the model's classes ({', '.join(map(label_text, model.classes))})",
                        source=table.source, **table.where(int(rows[i])))
    return idx


def read_batch(model: SavedModel, path: str, *, with_target: bool,
               rows: np.ndarray | None = None, source: str | None = None,
               keep: list[str] = ()) -> Batch:
    """The rows of a data file, read whole, as the model's inputs (``table_batch``);
    ``keep`` columns come as written, and are not reported as unknown."""
    header = read_header(path)
    unknown = check_columns(model, header, keep)
    want = _want(model, header, with_target, keep)
    table = read_table(path, want=want, header=header)
    batch = table_batch(model, table, with_target=with_target, rows=rows, source=source,
                        unknown=unknown, path=path,
                        keep=[c for c in keep if c in want.text])
    if rows is not None:
        check_trained_rows(model, trained_stats(model, table, rows), path)
    if any(c not in want.text for c in keep):  # a kept column that is also read as numbers
        batch.kept = _kept_apart(path, header, keep, rows)
    return batch


def _kept_apart(path, header, keep, rows) -> list[list[str]]:
    table = read_table(path, want=Want((), tuple(keep)), header=header)
    sel = slice(None) if rows is None else rows
    return [_text(table, c)[sel].tolist() for c in keep]


def read_blocks(model: SavedModel, path: str, *, with_target: bool,
                rows: np.ndarray | None = None, source: str | None = None,
                keep: list[str] = ()) -> Iterator[Batch]:
    """``read_batch`` a block of the file at a time (for a file bigger than memory):
    the rows of each block, or of ``rows`` (0-based, sorted) those in it; a block
    without any of them is left out."""
    header = read_header(path)
    unknown = check_columns(model, header, keep)
    want = _want(model, header, with_target, keep)
    size = chunk_bytes(available_memory())
    apart = [c for c in keep if c not in want.text]
    others = blocks(path, Want((), tuple(keep)), size, header) if apart else None
    start, stats = 0, Stats.empty(len(model.feature_names))
    for table, _ in blocks(path, want, size, header):
        b = table.m
        mine = None
        if rows is not None:  # the block's share of the rows, counted from its first
            mine = rows[np.searchsorted(rows, start):np.searchsorted(rows, start + b)] - start
            stats.merge(trained_stats(model, table, mine))
        start += b
        kept_table = next(others)[0] if others is not None else None
        if mine is None or len(mine):
            batch = table_batch(model, table, with_target=with_target, rows=mine, source=source,
                                unknown=unknown, path=path,
                                keep=[c for c in keep if c in want.text])
            if kept_table is not None:
                sel = slice(None) if mine is None else mine
                batch.kept = [_text(kept_table, c)[sel].tolist() for c in keep]
            yield batch
    check_rows(rows, start, path)
    if rows is not None:
        check_trained_rows(model, stats, path)


def trained_stats(model: SavedModel, table: Table, val: np.ndarray) -> Stats:
    """The statistics of the features of a table's rows that are not ``val`` (0-based):
    the rows of the training file that the model was trained on."""
    if model.norm.kind not in ("standard", "minmax"):
        return Stats.empty(len(model.feature_names))
    check_numbers(table, model.feature_names)
    trained = np.ones(table.m, bool)
    trained[val[val < table.m]] = False
    return Stats.of(table.matrix(model.feature_names)[trained])


def check_trained_rows(model: SavedModel, stats: Stats, source: str) -> None:
    """The rows of the training file other than the validation rows are those the model
    was trained on, as far as their normalization statistics tell (data.normalize
    standard or minmax): else the validation rows' numbers name other rows."""
    if model.norm.kind not in ("standard", "minmax") or stats.n == 0:
        return
    fitted = stats.fit(model.norm.kind)
    tol = 1e-9 * (np.abs(model.norm.shift) + model.norm.scale)
    off = (np.abs(fitted.shift - model.norm.shift) > tol) | \
        (np.abs(fitted.scale - model.norm.scale) > tol)
    if off.any():
        j = int(np.flatnonzero(off)[0])
        what = ("mean", "standard deviation") if model.norm.kind == "standard" else \
            ("least value", "range")
        k = int(abs(fitted.shift[j] - model.norm.shift[j]) <= tol[j])
        now, then = ((fitted.shift[j], model.norm.shift[j]), (fitted.scale[j],
                                                                  model.norm.scale[j]))[k]
        raise DataError(f"has changed since training: its rows other than the model's "
                        f"validation rows have a {what[k]} of {now:.6g} in column "
                        f"{model.feature_names[j]!r}, the rows trained on had {then:.6g} "
                        "(rows reordered, added or replaced?); evaluate the model on a data "
                        "file instead: nnbp evaluate MODEL DATA", source=source)


def whole_blocks(batches: Iterable[Batch], size: int) -> Iterator[list[Batch]]:
    """For each batch, its rows as parts of whole blocks of ``size`` rows counted from
    the first row of the first batch: the rows held over from the batches before,
    made a block with the first of this one's; then this one's whole blocks.  The
    rest is held over; after the last batch it is a part of its own."""
    held = None  # fewer than ``size`` rows
    for batch in batches:
        parts = []
        if held is not None:
            need = size - len(held.X)
            held = joined(held, slice_batch(batch, slice(0, need)))
            batch = slice_batch(batch, slice(need, None))
            if len(held.X) < size:
                yield parts
                continue
            parts.append(held)
        n = len(batch.X) // size * size
        if n:
            parts.append(slice_batch(batch, slice(0, n)))
        # a copy: a view would keep the whole block in memory while the next is read
        held = slice_batch(batch, slice(n, None), copy=True) if n < len(batch.X) else None
        yield parts
    if held is not None:
        yield [held]


def slice_batch(batch: Batch, rows: slice, copy: bool = False) -> Batch:
    """The ``rows`` of a batch: views into its arrays, or with ``copy`` arrays of their own."""
    out = replace(batch, **{k: None if v is None else v[rows].copy() if copy else v[rows]
                            for k, v in _arrays(batch).items()})
    if batch.kept is not None:
        out.kept = [c[rows] for c in batch.kept]
    return out


def joined(a: Batch, b: Batch) -> Batch:
    """The rows of ``a`` then those of ``b``, as one batch (``b``'s description)."""
    out = replace(b, **{k: None if v is None else np.concatenate([v, _arrays(b)[k]])
                        for k, v in _arrays(a).items()})
    if a.kept is not None:
        out.kept = [x + y for x, y in zip(a.kept, b.kept)]
    return out


def _arrays(batch: Batch) -> dict:
    return {"X": batch.X, "Y": batch.Y, "true": batch.true, "y": batch.y}
