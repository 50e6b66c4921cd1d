"""Rows of a data file picked by their numbers, read a block at a time: the reading
stops after the block that holds the last row wanted (unless the rows are to be
counted), and only the rows wanted are kept, each as a table of its own."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Sequence

from .csvfile import Want
from .header import Header
from .reader import blocks
from .table import Table, is_number


class Picked(NamedTuple):
    rows: list[Table]  # one table per row wanted that the file has, in order
    m: int | None  # the file's rows, when it was read to its end


def pick_rows(path: str | Path, rows: Sequence[int], want: Want, header: Header, *,
              count: bool = False) -> Picked:
    """The rows ``rows`` (0-based, ascending) of a data file; ``count``: read to the
    end, for the number of rows."""
    found: list[Table] = []
    k, m = 0, 0
    for table, _ in blocks(path, want, header=header, source=header.source):
        while k < len(rows) and rows[k] < m + table.m:
            found.append(one_row(table, rows[k] - m, want))
            k += 1
        m += table.m
        if k == len(rows) and not count:
            return Picked(found, None)
    return Picked(found, m)


def one_row(table: Table, i: int, want: Want) -> Table:
    """Row i of a block as a table of its own, which names the row's line (or row) in
    a message.  A column the block holds as text because of other rows holds this
    row's value as a number when it is one and was wanted as one: the row's own value
    decides, not the others'."""
    values = table.values[i:i + 1].copy()
    text = {}
    for j, t in table.text.items():
        if table.columns[j] not in want.text and is_number(t[i]):
            values[0, j] = float(t[i])
        else:  # with the block's other values, which word a message about the column
            text[j] = t[i:i + 1]
    start, where = next(((s, w) for s, w in reversed(table.blocks) if i >= s), (0, None))
    return Table(table.source, table.columns, values, text, table.delimiter, table.kind,
                 table.columns_in_file, [(start - i, where)] if where is not None else [])
