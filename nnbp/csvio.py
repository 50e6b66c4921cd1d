"""Read a CSV file with a header row into numbers, fast when it is all numeric,
and with exact line/column messages when it is not.

Real-world files that must work: a UTF-8 byte-order mark, CRLF line endings,
quoted fields (with commas inside), blank lines, spaces around values, and
fields separated by commas, semicolons or tabs (told from the header and the
first lines; a ``.tsv`` file is tab-separated).  A first row of numbers is not
a header, and is refused: configs refer to columns by name.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import DataError, TooBig
from .fastcsv import parse_uint_csv
from .memory import available_memory, check_enabled, size_text


@dataclass
class Table:
    source: str
    columns: list[str]
    values: np.ndarray  # (rows, columns) float64; NaN where a column holds text
    text: dict[int, list[str]] = field(default_factory=dict)  # column index -> raw strings
    lines: list[int] | None = None  # file line of each row, when known
    delimiter: str = ","

    def line_of(self, row: int) -> int | None:
        return self.lines[row] if self.lines is not None else None

    def column_index(self, ref: str | int, what: str) -> int:
        if isinstance(ref, int):
            if ref >= len(self.columns):
                raise DataError(f"{what} index {ref} is outside the {len(self.columns)} columns "
                                f"(0-based: 0 … {len(self.columns) - 1})", source=self.source)
            return ref
        if ref in self.columns:
            return self.columns.index(ref)
        raise DataError(f"no column named {ref!r} for the {what}{did_you_mean(ref, self.columns)}"
                        f"; columns are: {', '.join(self.columns)}", source=self.source)


def did_you_mean(name: str, names: list[str]) -> str:
    """" (did you mean 'class'?)" with the closest of ``names``, or ""."""
    by_lower = {n.lower(): n for n in reversed(names)}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(by_lower[c]) for c in close)}?)"


DELIMITERS = (",", ";", "\t")
_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


def detect_delimiter(sample: str, suffix: str = "") -> str:
    """The field separator of a file from its first lines (``sample``, whole lines):
    tab for a ``.tsv``; else the first of comma, semicolon and tab that splits the
    header into several fields and every sampled row into as many; else the one
    that splits the header into the most fields (the reader then names the line
    that differs); comma when none splits it."""
    if suffix.lower() == ".tsv":
        return "\t"
    widths = {}
    for d in DELIMITERS:
        rows = [r for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=d), 21)
                if any(f.strip() for f in r)]
        n = len(rows[0]) if rows else 0
        if n > 1 and all(len(r) == n for r in rows[1:]):
            return d
        widths[d] = n
    best = max(DELIMITERS, key=lambda d: widths[d])  # ties: the first, comma
    return best if widths[best] > 1 else ","


def _delimiter_of(raw: bytes, path: Path) -> str:
    """``detect_delimiter`` on the whole lines of the file's first 64 kB (at least
    its header)."""
    sample = raw[:max(1 << 16, raw.find(b"\n") + 1)]
    sample = sample[:sample.rfind(b"\n") + 1] or sample
    return detect_delimiter(sample.decode("utf-8", errors="replace"), path.suffix)


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def check_header(columns: list[str], source: str, delimiter: str) -> None:
    """A first row that looks like data is not column names: all numbers (but for the
    names pandas and R give unnamed columns, 0 … n-1 or 1 … n), or more than half
    numbers with one of them written with a decimal point or an exponent (UCI's
    iris.data: 5.1,3.5,1.4,0.2,Iris-setosa; a header of years, id,2019,2020,label, is
    names)."""
    numbers = [c for c in columns if _NUMBER.fullmatch(c)]
    n = len(columns)
    if len(numbers) == n:
        if columns in ([str(i) for i in range(n)], [str(i) for i in range(1, n + 1)]):
            return
        what = "is all numbers"
    elif 2 * len(numbers) > n and any(re.search(r"[.eE]", c) for c in numbers):
        what = f"looks like data, {len(numbers)} of its {n} fields numbers"
    else:
        return
    shown = ", ".join(columns[:4]) + (", …" if n > 4 else "")
    raise DataError(f"the first row {what} ({shown}), not a header row; nnbp needs a "
                    "header row naming the columns, since configs refer to columns by name: "
                    f"add one as the first line (e.g. {delimiter.join(['x1', '…', 'y'])})",
                    source=source, line=1)


class MissingFile(DataError):
    """A CSV file that is not there, or is a folder (a config's key named it: its error
    names the key)."""


def _check_file(path: Path, source: str) -> None:
    if not path.exists():
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+://", source):  # read by a Dask cluster's workers
            raise MissingFile("no such file; a URL is read only when training on a Dask "
                              "cluster (--scheduler)", source=source)
        raise MissingFile("no such file", source=source)
    if path.is_dir():
        raise MissingFile("is a directory, not a CSV file", source=source)


def _read_bytes(path: Path, source: str) -> bytes:
    _check_file(path, source)
    if check_enabled():  # before reading: a file far larger than memory fails here
        _check_file_memory(path, source)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot be read: {e.strerror}", source=source) from None
    return text_start(raw, source)


def text_start(raw: bytes, source: str) -> bytes:
    """A file's bytes (or its first 64 kB or more) without a byte-order mark; a binary
    file, or text in UTF-16 or UTF-32, is refused."""
    check_text(raw[:65536], source)
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # without a byte-order mark


SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: Save As, CSV UTF-8)"


def check_text(head: bytes, source: str) -> None:
    """The first bytes of a file are text nnbp can read: not UTF-16 or UTF-32 (told by
    their byte-order mark, or by the NUL bytes of ASCII written in them), not binary."""
    wide = wide_encoding(head)
    if wide is not None:
        excel = " (Excel's Unicode Text)" if wide.startswith("UTF-16") else ""
        raise DataError(f"is {wide} text{excel}, not UTF-8: {SAVE_AS_UTF8}, or convert it: "
                        f"{_iconv(wide, source)}", source=source)
    if b"\x00" in head:
        raise DataError("is a binary file, not CSV text", source=source)


def wide_encoding(head: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when the bytes start with its byte-order mark, or have a NUL
    byte in nearly every place but one of each 2 (or 4), as ASCII text has; else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    for width in (4, 2):  # without a mark: LE has ASCII's byte first, BE last
        n = len(head) // width
        if n < 4:
            continue
        nul = [head[k:n * width:width].count(0) / n for k in range(width)]
        if sum(f >= 0.9 for f in nul) == width - 1 and sum(f < 0.1 for f in nul) == 1:
            return f"UTF-{8 * width}{'LE' if nul[0] < 0.1 else 'BE'}"
    return None


def _iconv(encoding: str, source: str) -> str:
    name = Path(source).name or "data.csv"
    stem, dot, suffix = name.rpartition(".")
    new = f"{stem}-utf8.{suffix}" if dot else f"{name}-utf8"
    import shlex

    return f"iconv -f {encoding} -t UTF-8 {shlex.quote(name)} > {shlex.quote(new)}"


def not_utf8(raw: bytes, at: int, source: str, first_line: int = 1) -> DataError:
    """The error for the byte at ``at`` of ``raw`` (lines from ``first_line``), which is
    not UTF-8: the byte, what it is in Windows-1252 (Latin-1's superset, the commonest
    other encoding of CSV files) in the word around it, and how to save the file."""
    line = raw[:at].count(b"\n") + first_line
    ends = (b"\n", b",", b";", b"\t", b'"', b" ")  # the word around it: up to 40 bytes a side
    start = max([raw.rfind(c, max(0, at - 40), at) + 1 for c in ends] + [max(0, at - 40)])
    stop = min([e for e in (raw.find(c, at, at + 40) for c in ends) if e >= 0] +
               [min(len(raw), at + 40)])
    word = raw[start:stop]
    try:
        guess = f", {bytes([raw[at]]).decode('cp1252')!r} in Windows-1252 or Latin-1: " \
                f"{word.decode('cp1252')!r}"
        fix = f"{SAVE_AS_UTF8}, or convert it: {_iconv('WINDOWS-1252', source)}"
    except UnicodeDecodeError:
        guess, fix = "", SAVE_AS_UTF8
    return DataError(f"is not UTF-8 text (byte 0x{raw[at]:02x}{guess}); {fix}", source=source,
                     line=line)


def _decode(raw: bytes, source: str, first_line: int = 1) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise not_utf8(raw, e.start, source, first_line) from None


def read_csv(path: str | Path, source: str | None = None) -> Table:
    source = source or str(path)  # as given: a URL keeps its //
    path = Path(path)
    raw = _read_bytes(path, source)
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")  # CRLF, and old Mac CR
    columns, delimiter, start = _header(raw, path, source)
    table = _body(raw, start, columns, source, delimiter, first_line=2, last=True)
    if table is None:
        raise DataError("has a header but no data rows", source=source)
    return table


def _header(raw: bytes, path: Path, source: str) -> tuple[list[str], str, int]:
    """The column names and the separator of a file's bytes (its first line, and its
    first 64 kB), and where its data rows start."""
    cut = raw.find(b"\n")
    header_bytes = raw[:cut] if cut >= 0 else raw
    delimiter = _delimiter_of(raw, path)
    header = next(_rows(csv.reader([_decode(header_bytes, source)], delimiter=delimiter),
                        source), [])
    columns = [c.strip() for c in header]
    if not any(columns):
        raise DataError("is empty; expected a header row and data rows", source=source)
    if "" in columns:
        first = columns.index("") == 0  # pandas' to_csv writes its row index so, unnamed
        raise DataError(f"the header has an empty column name (column {columns.index('') + 1})"
                        + ("; a row index written by pandas? Name the column (and list it in "
                           "data.ignore), or write the file with to_csv(index=False)"
                           if first else ""), source=source, line=1)
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise DataError(f"the header names column {dup!r} twice", source=source, line=1)
    check_header(columns, source, delimiter)
    return columns, delimiter, len(header_bytes) + 1


def _body(raw: bytes, start: int, columns: list[str], source: str, delimiter: str, *,
          first_line: int, last: bool) -> Table | None:
    """The data rows in ``raw[start:]`` (whole lines, newlines only; ``first_line`` is
    the file line of the first), or None when there are none.  Trailing spaces are
    dropped only at the end of the file (``last``): elsewhere they may be an empty
    last field of a tab-separated row."""
    end = len(raw)
    blank = b" \t\n" if last else b"\n"
    while end > start and raw[end - 1] in blank:  # trailing blank lines (and spaces)
        end -= 1
    if end <= start:  # checked here: numpy would warn about an empty input
        return None
    # the fast path for plain integers, on the file's own bytes (no copy of them)
    body = np.frombuffer(raw, dtype=np.uint8)[start:end + 1] if end < len(raw) \
        and raw[end] == 10 else np.frombuffer(raw[start:end] + b"\n", dtype=np.uint8)
    plain = parse_uint_csv(body, len(columns), delimiter)
    del body
    if plain is not None:
        return Table(source, columns, plain, delimiter=delimiter)
    text = _decode(raw[start:], source, first_line)
    if '"' not in text:
        fast = _read_numeric(text, len(columns), delimiter)
        if fast is not None:
            return Table(source, columns, fast, delimiter=delimiter)
    return _read_slow(text, columns, source, delimiter, first_line)


def header_of(raw: bytes, source: str, path: str | Path) -> tuple[list[str], str]:
    """The column names and the separator of a file, by ``read_csv``'s rules, from its
    first bytes (its header line and 64 kB at least, or the whole file), such as a
    Dask cluster's client reads of a file its workers read in partitions."""
    columns, delimiter, _ = _header(_newlines(text_start(raw, source)), Path(path), source)
    return columns, delimiter


def parse_lines(raw: bytes, columns: list[str], source: str, delimiter: str, *,
                first_line: int, last: bool, header: bool = False) -> Table | None:
    """Whole lines of a file, any line endings (a partition of the file on a worker of
    a Dask cluster), read as ``read_csv`` reads its data rows (``_body``); with
    ``header``, the first line is the file's header line, and is skipped."""
    raw = _newlines(raw)
    start = (raw.find(b"\n") + 1 or len(raw)) if header else 0
    return _body(raw, start, columns, source, delimiter, first_line=first_line, last=last)


CHUNK_BYTES = 1 << 24  # bytes of a file read at a time by read_csv_chunks


def read_csv_chunks(path: str | Path, chunk_bytes: int = CHUNK_BYTES):
    """A CSV file's data rows in bounded memory, for files larger than memory: pairs
    (table, bytes of the file read so far), each table whole lines, about
    ``chunk_bytes`` of them, read by the rules and readers of ``read_csv`` (error
    lines counted from the top of the file; its memory check does not apply).  A
    quoted field may hold line breaks: a chunk ends only at a newline with an even
    number of quotes before it."""
    path = Path(path)
    source = str(path)
    _check_file(path, source)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise DataError(f"cannot be read: {e.strerror}", source=source) from None
    with f:
        head = f.read(max(chunk_bytes, 1 << 16))
        check_text(head[:65536], source)
        done = len(head)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        while b"\n" not in head.rstrip(b"\r") and (more := f.read(chunk_bytes)):
            head, done = head + more, done + len(more)  # a header longer than a chunk
        head = _newlines(head)
        columns, delimiter, start = _header(head, path, source)
        pending, line, rows = head[start:], 2, 0
        while True:  # a chunk's worth with what is pending (the first: the header's chunk)
            more = f.read(max(chunk_bytes - len(pending), chunk_bytes // 16, 1))
            done += len(more)
            data, hold = pending + more, b""
            if more and data.endswith(b"\r"):  # perhaps half of a CRLF: wait for the rest
                data, hold = data[:-1], b"\r"
            data = _newlines(data)
            cut = _whole_lines(data) if more else len(data)
            chunk, pending = data[:cut], data[cut:] + hold
            if chunk:
                table = _body(chunk, 0, columns, source, delimiter, first_line=line,
                              last=not more)
                line += chunk.count(b"\n")
                if table is not None:
                    rows += len(table.values)
                    yield table, done
            if not more:
                break
    if rows == 0:
        raise DataError("has a header but no data rows", source=source)


def read_header(path: str | Path) -> Table:
    """A CSV file's columns, as a Table without rows (``read_csv``'s rules), from its
    header line and first 64 kB: the rows are read later (streamed), with their errors."""
    path = Path(path)
    source = str(path)
    _check_file(path, source)
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
            while b"\n" not in head.rstrip(b"\r") and (more := f.read(1 << 16)):
                head += more  # a header longer than 64 kB
    except OSError as e:
        raise DataError(f"cannot be read: {e.strerror}", source=source) from None
    columns, delimiter = header_of(head, source, path)
    return Table(source, columns, np.empty((0, len(columns))), delimiter=delimiter)


def _newlines(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in raw else raw


def _whole_lines(raw: bytes) -> int:
    """Where the last whole line of ``raw`` ends: after its last newline outside quotes."""
    cut = raw.rfind(b"\n") + 1
    if raw.find(b'"', 0, cut) < 0:
        return cut
    b = np.frombuffer(raw, dtype=np.uint8)[:cut]
    newlines = np.flatnonzero(b == 10)
    before = np.searchsorted(np.flatnonzero(b == 34), newlines)  # quotes before each newline
    even = newlines[before % 2 == 0]
    return int(even[-1]) + 1 if len(even) else 0


# The largest number read: its square, summed over any count of rows, stays finite in
# float64 (normalization, R² and the cost add up squares); a larger one is a typo or a
# code for a missing value far more often than a measurement.
LARGEST = 1e100
TOO_LARGE = ("number between -1e100 and 1e100 (the squares that normalization and the cost add up "
             "would overflow float64): a typo, or a code for a missing value? Fix that value "
             "or remove its row")


def _read_numeric(body: str, n: int, delimiter: str) -> np.ndarray | None:
    """All-numeric files through numpy's C parser; None when anything is off, so
    that the slow reader can say exactly what."""
    try:
        values = np.loadtxt(io.StringIO(body), delimiter=delimiter, dtype=np.float64, ndmin=2,
                            comments=None)
    except ValueError:
        return None
    if values.shape[1] != n or not (np.abs(values) <= LARGEST).all():
        return None  # NaN, ±inf or too large: the slow reader names the value and its line
    return values


def _read_slow(body: str, columns: list[str], source: str, delimiter: str,
               first_line: int) -> Table | None:
    """The data rows of ``body`` (its first line is line ``first_line`` of the file)."""
    n = len(columns)
    reader = csv.reader(io.StringIO(body), delimiter=delimiter, skipinitialspace=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = line = first_line
    for fields in _rows(reader, source, first_line - 1):
        line, start = start, reader.line_num + first_line
        if not fields or all(not f.strip() for f in fields):
            continue  # blank line
        if len(fields) != n:
            if start - 1 > line:  # a row over several lines: a quote open to the end?
                _check_closed(body, line - first_line, line, source, delimiter)
            raise DataError(f"has {len(fields)} fields, the header has {n} (separated by "
                            f"{_NAMES[delimiter]})", source=source, line=line)
        rows.append([f.strip() for f in fields])
        lines.append(line)
    if start - 1 > line:  # the last row ran over several lines: a quote open to the end?
        _check_closed(body, line - first_line, line, source, delimiter)
    if not rows:
        return None  # blank lines only
    values = np.full((len(rows), n), np.nan)
    text_cols: dict[int, list[str]] = {}
    for j in range(n):
        col = [r[j] for r in rows]
        try:
            numbers = [float(v) for v in col]
        except ValueError:
            text_cols[j] = col
            continue
        bad = next((i for i, v in enumerate(numbers) if not abs(v) <= LARGEST), None)
        if bad is not None:
            raise DataError(f"column {columns[j]!r} holds {col[bad]!r}; expected a "
                            + ("finite number" if not math.isfinite(numbers[bad]) else TOO_LARGE),
                            source=source, line=lines[bad])
        values[:, j] = numbers
    return Table(source, columns, values, text_cols, lines, delimiter)


def read_column_text(path: str | Path, names: list[str]) -> tuple[list[str], list[list[str]]]:
    """The header of a CSV file, and its ``names`` columns as written (for ids such
    as 007 that numbers would change), one list per name found, data rows only,
    skipping blank lines as ``read_csv`` does."""
    path = Path(path)
    _read_bytes(path, str(path))  # its checks, memory included
    columns, rows = column_text_rows(path, names)
    found = sum(n in columns for n in names)
    out = [list(c) for c in zip(*rows)]
    return columns, out if out else [[] for _ in range(found)]


def column_text_rows(path: str | Path, names: list[str]):
    """The header of a CSV file, and an iterator over its data rows (blank lines
    skipped, as ``read_csv`` does) of the ``names`` columns found, as written: one
    tuple per row, read as they are taken, in bounded memory."""
    path = Path(path)
    _check_file(path, str(path))
    with open(path, "rb") as f:
        delimiter = _delimiter_of(_newlines(f.read(1 << 16)), path)
    # bytes that are not UTF-8 are replaced, not raised: the reader of the numbers (read
    # first, or a chunk ahead) says where they are, and no row of theirs is written
    text = open(path, encoding="utf-8-sig", errors="replace", newline="")
    reader = _rows(csv.reader(text, delimiter=delimiter, skipinitialspace=True), str(path))
    columns = [c.strip() for c in next(reader, [])]
    idx = [columns.index(n) for n in names if n in columns]

    def rows():
        with text:
            for fields in reader:
                if fields and any(f.strip() for f in fields):
                    yield tuple(fields[j].strip() if j < len(fields) else "" for j in idx)
    return columns, rows()


DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")  # 3,5: a number as some locales write it


def first_non_numeric(table: Table, j: int, fix: str = "") -> DataError:
    """The error for a column that should be numeric but holds text; ``fix`` is
    added to it (what the user can do about it)."""
    col = table.text[j]
    for i, v in enumerate(col):
        try:
            float(v)
        except ValueError:
            what = "an empty value" if v == "" else repr(v)
            if DECIMAL_COMMA.fullmatch(v):
                fix = "; write numbers with a decimal point (3.5, not 3,5)"
            return DataError(f"column {table.columns[j]!r} holds {what}; expected a number{fix}",
                             source=table.source, line=table.line_of(i))
    raise AssertionError("column has no text value")


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
    DataError naming the line (the reader's, after ``lines_before`` lines).  A row that
    ran over several lines before the error has a quote that is never closed: the
    error names the line where it opens."""
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


def check_memory(source: str, size: int, available: int | None,
                 fields: int | None = None) -> None:
    """Refuse a CSV of ``size`` bytes whose parsing would not fit in ``available``
    bytes of memory (None: unknown, no check).  Reading takes a few copies of the
    text (bytes, str, lines) and 8 bytes per field for the float64 table; ``fields``
    defaults to the most ``size`` bytes can hold, one digit and a comma each.
    Measured on numeric files: 6 to 10 times the file's size at the peak."""
    if available is None:
        return
    fields = size // 2 if fields is None else fields
    needed = 6 * size + 8 * fields
    if needed > available:
        raise TooBig(f"is {size_text(size)}; reading it needs about {size_text(needed)} "
                     f"of memory and {size_text(available)} is available",
                     "Use a smaller file, or set NNBP_IGNORE_MEMORY_CHECK=1 to try anyway",
                     source=source)


def size_and_fields(path: Path) -> tuple[int, int] | None:
    """A file's size and its fields, estimated from the separators of the first 64 kB
    (None when it cannot be read)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            sample = f.read(1 << 16)
    except OSError:
        return None
    separators = max(sample.count(b","), sample.count(b";"), sample.count(b"\t"))
    per_byte = (separators + sample.count(b"\n") + 1) / (len(sample) + 1)
    return size, int(size * per_byte) + 1


def reading_needs(path: str | Path, copies: int = 0) -> int:
    """About the memory that reading a CSV file in memory takes (``check_memory``), and
    ``copies`` more float64 arrays of its fields (train's [1, x']: 2 with a validation
    split's rows; evaluate's and predict's x, x' and [1, x']: 3).  Measured on a 36 MB
    integer CSV: train peaked at 0.60 (0.77 with a split) of this with copies=2,
    evaluate and predict at 0.92 of it with copies=3."""
    found = size_and_fields(Path(path))
    return 0 if found is None else 6 * found[0] + 8 * found[1] * (1 + copies)


def _check_file_memory(path: Path, source: str) -> None:
    """``check_memory`` with the fields estimated by ``size_and_fields``."""
    found = size_and_fields(path)
    if found is not None:  # else reading the file will say why
        check_memory(source, found[0], available_memory(), found[1])
