"""CSV files read with Apache Arrow, in blocks of whole lines.

A file is cut at line ends (outside quotes) into blocks of about ``CHUNK_BYTES``;
each block is parsed by ``pyarrow.csv`` with the columns' types given (numbers as
float64, text as strings), as many blocks at a time as there are cores, on nnbp's
threads (Arrow's own thread pool can abort the process at its exit).  Reading in
memory, streaming to the binary cache and a Dask worker's partition all parse
their blocks so.

When Arrow refuses a block (a ragged row, a quote left open, bytes that are not
UTF-8, a line of spaces), Python's ``csv`` module reads that block again: it finds the
line and the value to name in the error, and reads the few files that Arrow takes
otherwise than it (a quoted value after a space, as ``1, "a, b"``).  A value to name
in a message is read back the same way, from the block's bytes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import numpy as np

from ..errors import DataError
from .header import NAMES, Header
from .table import Table, Text, Where, booleans_as_numbers, is_number
from .utf8 import decode

# Bytes of a file per block (its last line may run over): a block takes about 12 times
# its size in memory while it is parsed, and 4 MB blocks parse faster than larger ones
# (benchmarks/bench_data.py); a wide file's blocks hold at least a few rows.
CHUNK_BYTES = 1 << 22
ROW_BYTES = 1 << 10  # bytes per column of a row, in the least block of a wide file
# A file this small is read by the csv module: the same table, and no import of Arrow
# (a third of numpy's), in the commands a lesson runs again and again on small files.
SMALL_FILE = 1 << 16
SMALL_ENV = "NNBP_SMALL_CSV_BYTES"  # a test hook: 0 reads every file with Arrow


def small_file() -> int:
    import os

    text = os.environ.get(SMALL_ENV, "").strip()
    return int(text) if text.isdigit() else SMALL_FILE


def block_bytes(header: Header) -> int:
    return max(CHUNK_BYTES, ROW_BYTES * len(header.columns))

# The largest number read: its square, summed over any count of rows, stays finite in
# float64 (normalization, R² and the cost add up squares); a larger one is a typo or a
# code for a missing value far more often than a measurement.
LARGEST = 1e100
TOO_LARGE = ("number between -1e100 and 1e100 (the squares that normalization and the cost add up "
             "would overflow float64): a typo, or a code for a missing value? Fix that value "
             "or remove its row")


@dataclass
class Want:
    """The columns to read: ``numbers`` as float64 (a column where some value is not a
    number comes back as text, for the rules to name), ``text`` as written.  ``numbers``
    None: every column, as numbers where every value is one."""

    numbers: tuple[str, ...] | None = None
    text: tuple[str, ...] = ()
    ignorable: bool = True  # a bad value's fix may be data.ignore (not for a model's input)

    def columns(self, header: Header) -> list[str]:
        return list(header.columns) if self.numbers is None else [*self.numbers, *self.text]


# --- Python's csv module: the messages, and the files Arrow reads otherwise ---------

class PyRows(NamedTuple):
    rows: list[list[str]]  # each row's fields, stripped
    lines: list[int]  # each row's file line


def python_rows(raw: bytes, columns: list[str], source: str, delimiter: str,
                first_line: int) -> PyRows:
    """The data rows of ``raw`` (whole lines; its first is line ``first_line`` of the
    file) read by Python's csv module, blank lines skipped; an error names the line."""
    text = decode(newlines(raw), source, first_line)
    n = len(columns)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = line = first_line
    for fields in _rows(reader, source, first_line - 1):
        line, start = start, reader.line_num + first_line
        if not fields or all(not f.strip() for f in fields):
            continue  # blank line
        if len(fields) != n:
            if start - 1 > line:  # a row over several lines: a quote open to the end?
                _check_closed(text, line - first_line, line, source, delimiter)
            raise DataError(f"has {len(fields)} fields, the header has {n} (separated by "
                            f"{NAMES[delimiter]})", source=source, line=line)
        rows.append([f.strip() for f in fields])
        lines.append(line)
    if start - 1 > line:  # the last row ran over several lines: a quote open to the end?
        _check_closed(text, line - first_line, line, source, delimiter)
    return PyRows(rows, lines)


def newlines(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in raw else raw


def _check_closed(body: str, skip: int, line: int, source: str, delimiter: str) -> None:
    """The last row of ``body`` starts after its first ``skip`` lines, on line ``line``
    of the file, and runs over several: read strictly, is a quote left open at the end?
    (csv reads all the lines after an open quote into one field, without complaint
    unless strict; strict everywhere would refuse quirks that are fine, as "2" ,.)"""
    tail = "".join(body.splitlines(keepends=True)[skip:])
    try:
        for _ in csv.reader(io.StringIO(tail), delimiter=delimiter, skipinitialspace=True,
                            strict=True):
            pass
    except csv.Error as e:
        if "end of data" in str(e):
            raise DataError("a field opens a quote (\") on this line that is not closed, so "
                            "the lines after it, to the end of the file, were read as one "
                            "value: close the quote, or remove it", source=source,
                            line=line) from None


def _rows(reader, source: str, lines_before: int = 0):
    """The rows of a csv reader; its own errors (a field over the size limit) as a
    DataError naming the line.  A row that ran over several lines before the error has
    a quote that is never closed: the error names the line where it opens."""
    done = 0  # the reader's lines up to the end of the last whole row
    try:
        for fields in reader:
            yield fields
            done = reader.line_num
    except csv.Error as e:
        start, now = done + 1 + lines_before, reader.line_num + lines_before
        if now > start or "end of data" in str(e):
            ran = f", so the lines up to {now} were read as one value ({e})" if now > start \
                else " by the end of the file"
            raise DataError(f"a field opens a quote (\") on this line that is not closed"
                            f"{ran}: close the quote, or remove it", source=source,
                            line=start) from None
        raise DataError(f"is not CSV that nnbp can read: {e}", source=source,
                        line=now or None) from None


def _python_table(raw: bytes, header: Header, want: Want, first_line: Line,
                  source: str) -> Table | None:
    """The block read by Python's csv module, as ``parse`` would give it."""
    first_line = line_number(first_line)
    py = python_rows(raw, header.columns, source, header.delimiter, first_line)
    if not py.rows:
        return None
    names = want.columns(header)
    values = np.full((len(py.rows), len(names)), np.nan)
    text: dict[int, Text] = {}
    for j, name in enumerate(names):
        col = [r[header.position(name)] for r in py.rows]
        if name not in want.text and all(is_number(v) for v in col):
            values[:, j] = [float(v) for v in col]
        else:
            text[j] = Text.of(col)
    table = Table(source, names, values, text, header.delimiter, "csv", list(header.columns),
                  [(0, Where(first_line, lambda: raw, rows=len(py.rows), _lines=py.lines))])
    return table


Line = "int | Callable[[], int]"  # a block's first line, or how to count it


def line_number(first_line) -> int:
    return first_line() if callable(first_line) else first_line


# --- Arrow --------------------------------------------------------------------------

def _arrow_read(raw: bytes, header: Header, types: dict, include: list[str]):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        pa.py_buffer(raw),
        read_options=pacsv.ReadOptions(column_names=header.columns, use_threads=False,
                                       block_size=max(1 << 20, len(raw) + 1)),
        parse_options=pacsv.ParseOptions(delimiter=header.delimiter,
                                         newlines_in_values=b'"' in raw),
        convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=include, null_values=[],
            strings_can_be_null=False, quoted_strings_can_be_null=False,
            true_values=[], false_values=[]))


SAMPLED = ""  # in text_seen once the first lines were sampled (no column is named "")
_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")


def _sample_types(raw: bytes, header: Header) -> set[str]:
    """The columns that Arrow takes for text in the first lines of a block (64 kB)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    cut = raw.rfind(b"\n", 0, 1 << 16) + 1 or len(raw)
    try:
        t = pacsv.read_csv(pa.py_buffer(raw[:cut]), read_options=pacsv.ReadOptions(
            column_names=header.columns, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=header.delimiter,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(null_values=[], strings_can_be_null=False,
                                                 true_values=[], false_values=[]))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return set()
    return {n for n, f in zip(t.column_names, t.schema)
            if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))}


def parse(raw: bytes, header: Header, want: Want, first_line: Line, *,
          source: str | None = None, text_seen: set[str] | None = None,
          reread: Callable[[], bytes] | None = None, engine: str = "arrow") -> Table | None:
    """The rows of a block of whole lines of a CSV file (``raw``, its first line being
    line ``first_line`` of the file, or a function that counts it), or None when it has
    none.  ``text_seen`` (every column wanted) holds the columns found to hold text so
    far, and grows.  ``reread()`` gives the block's bytes again, when a message needs them
    (default: ``raw`` is kept).  ``engine`` "python" reads it with the csv module (a small
    file: the same table, without importing Arrow)."""
    source = source or header.source
    if not _has_fields(raw):
        return None
    quoted = raw.find(b'"') >= 0
    table = None
    if engine == "arrow" and not (quoted and (raw.find(b' "') >= 0 or raw.count(b'"') % 2)):
        # (a quote after a space, which the csv module reads as a quoted value, or a quote
        # left open, which Arrow would read to the end of the file: the csv module reads it)
        table = _arrow_table(raw, header, want, first_line, source, text_seen, reread)
    if table is None:  # Arrow refuses the block: the csv module says why, or reads it
        table = _python_table(raw, header, want, first_line, source)
    if table is not None:
        booleans_as_numbers(table, want.text)
        check_values(table, want.ignorable)
    return table


def _arrow_table(raw: bytes, header: Header, want: Want, first_line: Line, source: str,
                 text_seen: set[str] | None, reread) -> Table | None:
    """The block read by Arrow, or None where the csv module must read it: Arrow refuses
    it, or perhaps a row of empty fields (,,), which is a blank line."""
    import pyarrow as pa

    names = want.columns(header)
    if want.numbers is None:
        if text_seen is None:
            text_seen = set()
        if SAMPLED not in text_seen:  # the first block: Arrow's guess from its first lines
            text_seen |= _sample_types(raw, header) | {SAMPLED}
        as_text = set(text_seen)
    else:
        as_text = set(want.text)
    while True:
        types = {n: pa.string() if n in as_text else pa.float64() for n in names}
        try:
            arrow = _arrow_read(raw, header, types, names)
            break
        except pa.ArrowInvalid as e:
            found = _CONVERSION.match(str(e))
            name = header.columns[int(found.group(1))] if found else None
            if not (found and found.group(2) == "double" and name not in as_text):
                return None
            as_text.add(name)  # some value is not a number: read it as text
            if want.numbers is None:
                text_seen.add(name)
    table = _from_arrow(arrow, names, as_text, header, source)
    table.blocks = [(0, Where(first_line, reread or (lambda: raw), rows=table.m))]
    if len(table.text) == len(names) and all("" in set(t.values) for t in table.text.values()):
        return None
    return table


def _from_arrow(arrow, names: list[str], as_text: set[str], header: Header,
                source: str) -> Table:
    m = arrow.num_rows
    values = np.empty((m, len(names)), order="F")  # each column's numbers in one run
    text: dict[int, Text] = {}
    for j, name in enumerate(names):
        col = arrow.column(j)
        if name in as_text:
            values[:, j] = np.nan
            text[j] = text_of(col)
        else:
            r = 0
            for chunk in col.chunks:
                values[r:r + len(chunk), j] = array_of(chunk, np.float64)
                r += len(chunk)
    return Table(source, names, values, text, header.delimiter, "csv", list(header.columns))


SMALL = 1 << 12  # rows of a text column coded in Python: Arrow's coding costs an import


def _as_read(v: str) -> str:
    """A value as the csv module gives it: spaces around it stripped, and a line break
    inside a quoted value written as one newline, whatever the file's line ends."""
    v = v.strip()
    return v.replace("\r\n", "\n").replace("\r", "\n") if "\r" in v else v


def text_of(col) -> Text:
    """An Arrow column of strings as a Text, each value as the csv module reads it."""
    if len(col) <= SMALL:
        return Text.of(_as_read(v) for v in col.to_pylist())
    coded = (col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)).dictionary_encode()
    values = [_as_read(v) for v in coded.dictionary.to_pylist()]
    codes = array_of(coded.indices, np.int32)
    if len(set(values)) < len(values):  # values that differ only in spaces: one value
        first: dict[str, int] = {}
        remap = np.array([first.setdefault(v, k) for k, v in enumerate(values)], np.int32)
        return Text.joined([Text(remap[codes], values)])
    return Text(codes, values)


def _has_fields(raw) -> bool:
    """Whether a block holds anything but blank lines and spaces."""
    return bool(raw[:4096].strip() or raw.strip())


def array_of(arr, dtype) -> np.ndarray:
    """A numpy view of an Arrow array of numbers without nulls (without pyarrow's own
    conversion, which imports pandas where it is installed: 0.3 s)."""
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=len(arr),
                         offset=arr.offset * np.dtype(dtype).itemsize)


def check_values(table: Table, ignorable: bool = True) -> None:
    """Every number finite and between -1e100 and 1e100; else the error names the value
    as written, its column and its line (or row), and the fix (with ``ignorable``, also
    data.ignore)."""
    v = table.values
    numeric = [j for j in range(v.shape[1]) if j not in table.text]
    if not numeric:
        return
    if len(numeric) == v.shape[1]:
        with np.errstate(invalid="ignore"):
            ok = bool((np.abs(v) <= LARGEST).all()) if v.size else True
        if ok:
            return
    for j in numeric:
        col = v[:, j]
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~(np.abs(col) <= LARGEST))
        if len(bad):
            i = int(bad[0])
            shown = raw_value(table, i, table.columns[j])
            expected = TOO_LARGE if math.isfinite(col[i]) else (
                # "for a feature": a target cannot be left out, and which this is, or
                # which columns data.ignore lists already, the table does not tell
                "finite number; fix that value or remove its row" + (
                    ", or, for a feature, leave the column out by adding it to data.ignore"
                    if ignorable else ""))
            raise DataError(f"column {table.columns[j]!r} holds {shown!r}; expected a "
                            f"{expected}", source=table.source, **table.where(i))


def raw_value(table: Table, i: int, name: str) -> str:
    """Row i's value in column ``name`` as written in the file (as read back)."""
    j = table.position(name)
    if j in table.text:
        return table.text[j][i]
    for start, w in reversed(table.blocks):
        if i >= start and w.raw is not None:
            py = python_rows(w.raw(), table.columns_in_file, table.source, table.delimiter,
                             w.line_at())
            w._lines = py.lines
            return py.rows[i - start][table.columns_in_file.index(name)]
    v = table.values[i, j]
    return repr(float(v)) if not math.isfinite(v) else f"{v:g}"


# --- cutting a file into blocks -----------------------------------------------------

def whole_lines(raw: bytes) -> int:
    """Where the last whole line of ``raw`` ends: after its last newline outside quotes."""
    cut = raw.rfind(b"\n") + 1
    if raw.find(b'"', 0, cut) < 0:
        return cut
    b = np.frombuffer(raw, dtype=np.uint8)[:cut]
    lf = np.flatnonzero(b == 10)
    before = np.searchsorted(np.flatnonzero(b == 34), lf)  # quotes before each newline
    even = lf[before % 2 == 0]
    return int(even[-1]) + 1 if len(even) else 0


def line_breaks(raw) -> int:
    """The lines that ``raw`` ends: LF, CRLF and a lone CR each end one."""
    lf = raw.count(b"\n")
    if raw.find(b"\r") < 0:
        return lf
    return lf + raw.count(b"\r") - raw.count(b"\r\n")


class Block(NamedTuple):
    raw: bytes
    first_line: Callable[[], int]  # counted only for a message
    offset: int  # in the file
    done: int  # bytes of the file read so far


def lines_before(path: Path, start: int, offset: int) -> int:
    """The lines that the bytes of a file from ``start`` to ``offset`` end."""
    n, last = 0, b""
    with open(path, "rb") as f:
        f.seek(start)
        while start < offset:
            data = f.read(min(CHUNK_BYTES, offset - start))
            if not data:
                break
            n += line_breaks(data) - (last == b"\r" and data[:1] == b"\n")
            last, start = data[-1:], start + len(data)
    return n


def cut(path: Path, header: Header, chunk_bytes: int | None = None) -> Iterator[Block]:
    """The data lines of a CSV file in blocks of whole lines of about ``chunk_bytes``
    (default: ``block_bytes``; a quoted field may hold line breaks: a block ends only at
    a newline with an even number of quotes before it)."""
    source = header.source
    chunk_bytes = chunk_bytes or block_bytes(header)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise DataError(f"cannot be read: {e.strerror}", source=source) from None
    with f:
        offset, size = header.start, chunk_bytes
        while True:
            f.seek(offset)
            data = f.read(size)
            if not data:
                break
            at_end = len(data) < size
            end = len(data) if at_end else whole_lines(data)
            if end == 0:  # a line longer than the block (or a quote open past it): more
                size *= 2
                continue
            block = data[:end] if end < len(data) else data
            read_to = offset + len(data)
            del data  # while the block is parsed: one copy of its bytes
            yield Block(block, _counter(path, header.start, offset), offset, read_to)
            offset += end
            size = chunk_bytes
            if at_end:
                break


def csv_blocks(path: Path, header: Header, want: Want, chunk_bytes: int | None = None,
               source: str | None = None) -> Iterator[tuple[Table, int]]:
    """The file's rows a block at a time, parsed on every core: (table, bytes of the file
    read so far), the blocks without rows left out."""
    from ..cores import in_order

    text_seen: set[str] = set()
    engine = "python" if path.stat().st_size < small_file() else "arrow"

    def read(b: Block):
        return parse(b.raw, header, want, b.first_line, source=source, text_seen=text_seen,
                     reread=reader_of(path, b.offset, len(b.raw)), engine=engine), b.done
    for table, done in in_order(read, cut(path, header, chunk_bytes)):
        if table is not None:
            yield table, done


def _counter(path: Path, start: int, offset: int) -> Callable[[], int]:
    return lambda: 2 + lines_before(path, start, offset)


def reader_of(path: Path, offset: int, size: int) -> Callable[[], bytes]:
    """A block's bytes read again from the file, for a message about one of its rows."""
    def read() -> bytes:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read(size)
    return read
