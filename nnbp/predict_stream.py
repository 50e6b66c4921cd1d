"""evaluate and predict on a CSV file bigger than memory: its chunks one at a time
(``csvio.read_csv_chunks``), through the in-memory functions of ``predict.py``;
evaluate adds up its sums over the chunks, predict gives its rows as each chunk
is done.  Those functions take the rows in blocks of ``block_rows`` counted from
the first row; the chunks are regrouped into whole blocks (the rows past a
chunk's last whole block go with the next chunk), so that every block, and so
every figure, is the one of the file read whole."""

from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator

import numpy as np

from .csvio import column_text_rows, read_csv_chunks, reading_needs
from .memory import available_memory
from .model import SavedModel
from .engine.memory import block_rows
from .predict import (Batch, check_rows, cut, evaluation_result, evaluation_sums, joined,
                      outputs, predictions, table_batch)
from .streamed import chunk_bytes


def too_big(path: str) -> bool:
    """Whether reading the file in memory, with the three arrays evaluate and predict
    make of it (x, x' and [1, x']), would take more than half the memory there is."""
    available = available_memory()
    return available is not None and reading_needs(path, copies=3) > available / 2


def evaluate_stream(model: SavedModel, path: str, rows: np.ndarray | None = None,
                    source: str | None = None) -> dict:
    """``evaluate`` on the file's rows (all, or the 0-based ``rows``), chunk by chunk."""
    rows = None if rows is None else np.sort(rows)
    sums, start = None, 0

    def batches():
        nonlocal start
        for table, _ in read_csv_chunks(path, chunk_bytes(available_memory())):
            b = len(table.values)
            mine = None
            if rows is not None:  # the chunk's share of the rows, counted from its first
                mine = rows[np.searchsorted(rows, start):np.searchsorted(rows, start + b)] - start
            start += b
            if mine is None or len(mine):
                yield table_batch(model, table, with_target=True, rows=mine, source=source)

    for parts in whole_blocks(batches(), block_rows(model.net)):
        for part in parts:
            sums = evaluation_sums(model, part, sums)
    check_rows(rows, start, path)
    return evaluation_result(model, sums)


def predict_stream(model: SavedModel, path: str, proba: bool = False,
                   keep: list[str] = ()) -> Iterator[list[list]]:
    """predict's rows (``predictions``, after the ``keep`` columns as written), a
    chunk of the file at a time (never none)."""
    kept = column_text_rows(path, keep)[1] if keep else None
    batches = (table_batch(model, table, with_target=False, known=keep)
               for table, _ in read_csv_chunks(path, chunk_bytes(available_memory())))
    for parts in whole_blocks(batches, block_rows(model.net)):
        rows = [r for part in parts for r in predictions(model, outputs(model, part.X), proba)[1]]
        if kept is not None:
            rows = [[*k, *r] for k, r in zip(islice(kept, len(rows)), rows)]
        if rows:
            yield rows


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
            held, batch = joined(held, cut(batch, slice(0, need))), cut(batch, slice(need, None))
            if len(held.X) < size:
                yield parts
                continue
            parts.append(held)
        n = len(batch.X) // size * size
        if n:
            parts.append(cut(batch, slice(0, n)))
        # a copy: a view would keep the whole chunk in memory while the next is read
        held = cut(batch, slice(n, None), copy=True) if n < len(batch.X) else None
        yield parts
    if held is not None:
        yield [held]
