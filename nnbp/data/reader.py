"""The one way to read a data file, CSV or Parquet: its header (``read_header``), its
rows a block at a time in bounded memory (``blocks``), or all of them in memory
(``read_table``)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import DataError, NoRows
from .csvfile import Want, csv_blocks
from .files import parquet_files
from .header import Header, read_header
from .file_size import check_file_memory
from .table import Table, Text

def _parsed(path: Path, header: Header, want: Want, source: str,
            chunk_bytes: int | None) -> Iterator[tuple[Table, int]]:
    """(table, bytes read so far) of each block that has rows."""
    parts = parquet_files(path)
    if parts is not None:
        from .parquetfile import parquet_blocks

        return parquet_blocks(parts, header, want, source)
    return csv_blocks(path, header, want, chunk_bytes, source)


def blocks(path: str | Path, want: Want | None = None, chunk_bytes: int | None = None,
           header: Header | None = None,
           source: str | None = None) -> Iterator[tuple[Table, int]]:
    """A data file's rows in blocks of about ``chunk_bytes`` of the file (CSV; default
    ``csvfile.block_bytes``) or a row group (Parquet), in bounded memory: (table, bytes read so far, of ``total_bytes``).
    Errors name the line (CSV) or the row (Parquet) in the whole file; a file without
    rows is an error."""
    source = source or str(path)
    header = header or read_header(path, source)
    rows = 0
    for table, done in _parsed(Path(path), header, want or Want(), source, chunk_bytes):
        rows += table.m
        yield table, done
    if rows == 0:
        raise NoRows("has a header but no data rows", source=source)


def total_bytes(path: str | Path) -> int:
    """What ``blocks`` counts up to: a CSV file's size, a Parquet table's row groups'."""
    parts = parquet_files(Path(path))
    if parts is None:
        return Path(path).stat().st_size
    from .parquetfile import row_groups

    return sum(g[3] for g in row_groups(parts))


class _Rows:
    """An array of rows filled a block at a time, sized at the first block from the
    share of the file it was read from, grown by half when more rows come (pages of
    it never written take no memory)."""

    def __init__(self, n: int, total: int):
        self.n, self.total = n, max(1, total)
        self.array: np.ndarray | None = None
        self.m = 0

    def out(self, rows: int, size: int) -> np.ndarray:
        """Where ``rows`` more rows, read from ``size`` bytes of the file, go."""
        if self.array is None:
            guess = int(rows * self.total / max(1, size) * 1.1) + 64
            self.array = np.empty((max(rows, guess), self.n), order="F")
        elif self.m + rows > len(self.array):
            grown = np.empty((int((self.m + rows) * 1.5), self.n), order="F")
            grown[:self.m] = self.array[:self.m]
            self.array = grown
        return self.array[self.m:self.m + rows]

    def add(self, values: np.ndarray, size: int) -> None:
        """A block's rows, read from ``size`` bytes of the file."""
        self.out(len(values), size)[:] = values
        self.m += len(values)

    def result(self) -> np.ndarray:
        if self.array is None:
            return np.empty((0, self.n))
        if self.m < len(self.array) // 2:  # a guess far too large: keep only the rows
            return self.array[:self.m].copy()
        return self.array[:self.m]


def read_table(path: str | Path, source: str | None = None, *, want: Want | None = None,
               header: Header | None = None) -> Table:
    """Every row of a data file, in memory: the blocks of ``blocks``, their numbers
    written into one array as they come."""
    source = source or str(path)
    path = Path(path)
    header = header or read_header(path, source)
    check_file_memory(path, source)  # before reading: a file far larger than memory fails here
    want = want or Want()
    names = want.columns(header)
    rows = _Rows(len(names), total_bytes(path))
    texts: dict[int, list[Text]] = {}
    where = []
    done_before = 0
    for table, done in _parsed(path, header, want, source, None):
        for j, t in table.text.items():
            texts.setdefault(j, []).append(t)
        where += [(rows.m + start, w) for start, w in table.blocks]
        rows.add(table.values, done - done_before)
        done_before = done
    if rows.m == 0:
        raise NoRows("has a header but no data rows", source=source)
    values = rows.result()
    text = {j: Text.joined(parts) if len(parts) > 1 else parts[0] for j, parts in texts.items()}
    if len(where) > 1:
        for j in text:  # text in some block: text in all (numbers elsewhere as written)
            if len(text[j]) != len(values):
                text[j] = _as_text(values, j, texts[j], where, path, header, want, source)
            values[:, j] = np.nan
    return Table(source, names, values, text, header.delimiter, header.kind,
                 list(header.columns), where)


def _as_text(values, j, parts, where, path, header, want, source) -> Text:
    """A column read as numbers in some blocks and as text in others, as text throughout:
    its fields as written, read again block by block (a rare file: text far down a column
    of numbers, which is then an error, or a label column of both)."""
    from .table import Where

    name = want.columns(header)[j]
    strings: list[str] = []
    for start, w in where:
        if w.raw is None:  # Parquet: the numbers as text
            stop = start + w.rows
            strings += [format(v, "g") for v in values[start:stop, j]]
            continue
        from .csvfile import python_rows

        py = python_rows(w.raw(), header.columns, source, header.delimiter, w.line_at())
        strings += [r[header.position(name)] for r in py.rows]
    assert isinstance(where[0][1], Where)
    return Text.of(strings)
