"""Parquet files read with ``pyarrow.parquet``, a row group at a time: a file, or a
folder of them (a table as Dask or Spark write it, partitioned by columns in folders
named column=value or not), in the order of their names.
Numeric columns are numbers (float64); others are text.  A missing value (null) in a
column read as numbers makes it text, for the rules to name, as an empty field of a
CSV file does.  Rows are numbered from 1 across the files, for messages."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import DataError
from .csvfile import Want, array_of, check_values, text_of
from .files import named_folders, partitions
from .header import Header, check_names
from .table import Table, Text, Where, booleans_as_numbers, is_number


def _schema(path: Path, source: str):
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(path)
    except (OSError, ValueError) as e:  # pyarrow's ArrowInvalid is a ValueError
        raise DataError(f"is not a Parquet file nnbp can read ({e})",
                        source=_name(path, source)) from None


def _name(path: Path, source: str) -> str:
    return source if Path(source) == path else str(path)


def parquet_header(parts: list[Path], source: str, top: Path | None = None) -> Header:
    """The columns of a Parquet file, or of a folder's files (every file the same), and
    after them the columns the folder is partitioned by (``files.partitions``)."""
    columns = list(_schema(parts[0], source).names)
    for p in parts[1:]:
        other = list(_schema(p, source).names)
        if other != columns:
            raise DataError(f"has the columns {', '.join(other)}, but {parts[0].name} has "
                            f"{', '.join(columns)}; every file of a Parquet folder must have "
                            "the same columns", source=str(p))
    values = partitions(parts, top) if top is not None and top.is_dir() else {}
    return partitioned_header(source, columns, values)


def partitioned_header(source: str, columns: list[str], values: dict) -> Header:
    """The header of a Parquet table: the files' columns, then the columns of its
    partition folders (``values``: each file's, from ``files.partitions``), each told
    a number where every folder names one, else text; checked as a header's names."""
    keys = list(next(iter(values.values()))) if values else []
    both = [k for k in keys if k in columns]
    if both:
        raise DataError(f"has the column {both[0]!r} both in its files and in the names of "
                        f"its folders ({both[0]}=…)", source=source)
    check_names(columns + keys, source, line=None)
    numeric = {k: all(is_number(v[k]) for v in values.values()) for k in keys}
    return Header(source, columns + keys, kind="parquet", partitions=numeric)


def folder_values(header: Header, where: str) -> dict[str, str]:
    """The partition values of the file ``where`` (a path or URL, however spelt): its
    folders named by the header's partition columns, the innermost of each."""
    if not header.partitions:
        return {}
    found = named_folders(where.replace("\\", "/").split("/")[:-1])
    return {k: v for k, v in found.items() if k in header.partitions}


def with_partitions(read, names: list[str], header: Header, where: str):
    """``read(columns)``, the table of a row group, with the columns of the file's
    partition folders added (``where``: the file): numbers where every folder of that
    column names a number, else text."""
    import pyarrow as pa

    values = folder_values(header, where)
    if not values:
        return read(names)
    table = read([n for n in names if n not in values])
    for name in names:
        if name in values:
            numeric = header.partitions[name]
            value = float(values[name]) if numeric else values[name]
            table = table.append_column(name, pa.array([value] * table.num_rows,
                                                       pa.float64() if numeric else pa.string()))
    return table


def row_groups(parts: list[Path]) -> list[tuple[Path, int, int, int]]:
    """(file, row group, its rows, its bytes) of every row group, in order."""
    import pyarrow.parquet as pq

    out = []
    for p in parts:
        meta = pq.read_metadata(p)
        out += [(p, i, meta.row_group(i).num_rows, meta.row_group(i).total_byte_size)
                for i in range(meta.num_row_groups)]
    return out


def read_group(path: Path, group: int, header: Header, want: Want, first_row: int,
               source: str) -> Table | None:
    """One row group as a Table (rows counted from ``first_row``, 0-based in the table)."""
    import pyarrow.parquet as pq

    names = want.columns(header)
    try:
        file = pq.ParquetFile(path)
        arrow = with_partitions(lambda cols: file.read_row_group(group, columns=cols,
                                                                 use_threads=False),
                                names, header, str(path))
    except (OSError, ValueError) as e:
        raise DataError(f"cannot be read: {e}", source=_name(path, source)) from None
    return from_arrow(arrow, names, set(want.text), header, source, first_row,
                      want.ignorable)


def from_arrow(arrow, names: list[str], as_text: set[str], header: Header, source: str,
               first_row: int, ignorable: bool = True) -> Table | None:
    import pyarrow as pa

    m = arrow.num_rows
    if m == 0:
        return None
    values = np.empty((m, len(names)), order="F")
    text: dict[int, Text] = {}
    for j, name in enumerate(names):
        col = arrow.column(name)
        col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
        typ = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
        number = pa.types.is_integer(typ) or pa.types.is_floating(typ) or \
            pa.types.is_decimal(typ)
        if number and name not in as_text and col.null_count == 0:
            values[:, j] = array_of(col.cast(pa.float64()), np.float64)
            continue
        values[:, j] = np.nan
        strings = col.cast(pa.string()) if not pa.types.is_dictionary(col.type) else \
            col.dictionary_decode().cast(pa.string())
        text[j] = text_of(pa.chunked_array([strings.fill_null("")]))
    table = Table(source, names, values, text, ",", "parquet", list(header.columns),
                  [(0, Where(first_row=first_row, rows=m))])
    booleans_as_numbers(table, tuple(as_text))
    check_values(table, ignorable)
    return table


def parquet_blocks(parts: list[Path], header: Header, want: Want,
                   source: str) -> Iterator[tuple[Table, int]]:
    """A Parquet file's (or folder's) rows a row group at a time: (table, bytes read)."""
    first, done = 0, 0
    for path, group, rows, size in row_groups(parts):
        table = read_group(path, group, header, want, first, source)
        done += size
        first += rows
        if table is not None:
            yield table, done
