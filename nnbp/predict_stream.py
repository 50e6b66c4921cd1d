"""evaluate and predict on a CSV file bigger than memory: its chunks one at a time
(``csvio.read_csv_chunks``), each through the in-memory functions of
``predict.py``; evaluate adds up its sums over the chunks, predict gives its
rows as each chunk is done."""

from __future__ import annotations

from itertools import islice
from typing import Iterator

import numpy as np

from .csvio import column_text_rows, read_csv_chunks, reading_needs
from .memory import available_memory
from .model import SavedModel
from .predict import (add_sums, check_rows, evaluation_result, evaluation_sums, outputs,
                      predictions, table_batch)
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
    for table, _ in read_csv_chunks(path, chunk_bytes(available_memory())):
        b = len(table.values)
        mine = None
        if rows is not None:  # the chunk's share of the rows, counted from its first
            mine = rows[np.searchsorted(rows, start):np.searchsorted(rows, start + b)] - start
        start += b
        if mine is not None and len(mine) == 0:
            continue
        s = evaluation_sums(model, table_batch(model, table, with_target=True, rows=mine,
                                               source=source))
        sums = s if sums is None else add_sums(sums, s)
    check_rows(rows, start, path)
    return evaluation_result(model, sums)


def predict_stream(model: SavedModel, path: str, proba: bool = False,
                   keep: list[str] = ()) -> Iterator[list[list]]:
    """predict's rows (``predictions``, after the ``keep`` columns as written), a
    chunk of the file at a time."""
    kept = column_text_rows(path, keep)[1] if keep else None
    for table, _ in read_csv_chunks(path, chunk_bytes(available_memory())):
        batch = table_batch(model, table, with_target=False, known=keep)
        rows = predictions(model, outputs(model, batch.X), proba)[1]
        if kept is not None:
            rows = [[*k, *r] for k, r in zip(islice(kept, len(rows)), rows)]
        yield rows
