"""A data file's columns, from its first lines (CSV) or its schema (Parquet): their
names, checked, looked up by name through a dict, and for a CSV file the field
separator, told from the header and the first lines."""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .files import check_file, parquet_files
from .utf8 import BOM, check_text, decode

DELIMITERS = (",", ";", "\t")
NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
SAMPLE = 1 << 16  # bytes read for the header and the separator's sample


@dataclass
class Header:
    """The columns of a data file.  ``start`` is the byte offset of a CSV file's first
    data line (after the byte-order mark and the header line)."""

    source: str
    columns: list[str]
    delimiter: str = ","
    kind: str = "csv"  # csv | parquet
    start: int = 0
    partitions: dict[str, bool] = field(default_factory=dict)  # folder column: is a number
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._index = {c: j for j, c in enumerate(self.columns)}

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def position(self, name: str) -> int:
        return self._index[name]

    def last(self) -> int:
        """The default target: the last column, or before it a pandas row index
        (to_parquet writes its index last)."""
        n = len(self.columns)
        return next((j for j in range(n - 1, -1, -1) if not PANDAS_INDEX.fullmatch(
            self.columns[j])), n - 1)

    def index(self, ref: str | int, what: str) -> int:
        """The 0-based index of a column given by name or index, or an error that names
        the closest columns."""
        if isinstance(ref, int):
            if ref >= len(self.columns):
                raise DataError(f"{what} index {ref} is outside the {len(self.columns)} columns "
                                f"(0-based: 0 … {len(self.columns) - 1})", source=self.source)
            return ref
        if ref in self._index:
            return self._index[ref]
        raise DataError(f"no column named {ref!r} for the {what}{did_you_mean(ref, self.columns)}"
                        f"; columns are: {', '.join(self.columns)}", source=self.source)


def did_you_mean(name: str, names: list[str]) -> str:
    """" (did you mean 'class'?)" with the closest of ``names``, or ""."""
    by_lower = {n.lower(): n for n in reversed(names)}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(by_lower[c]) for c in close)}?)"


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


# The names a row index written by pandas has: read back from a CSV (pandas' to_csv
# leaves its name empty, and read_csv calls it so), or stored in a Parquet file.
UNNAMED_INDEX = "Unnamed: 0"
PANDAS_INDEX = re.compile(r"Unnamed: \d+|__index_level_\d+__")


HEADER_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def check_header(columns: list[str], source: str, delimiter: str) -> None:
    """A first row that looks like data is not column names: all numbers (but for the
    names pandas and R give unnamed columns, 0 … n-1 or 1 … n), or more than half
    numbers with one of them written with a decimal point or an exponent (UCI's
    iris.data: 5.1,3.5,1.4,0.2,Iris-setosa; a header of years, id,2019,2020,label, is
    names)."""
    numbers = [c for c in columns if HEADER_NUMBER.fullmatch(c)]
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


def check_names(columns: list[str], source: str, line: int | None = 1) -> None:
    """Every column named, and each name once."""
    if "" in columns:
        raise DataError(f"the header has an empty column name (column {columns.index('') + 1})",
                        source=source, line=line)
    seen: set[str] = set()
    for c in columns:
        if c in seen:
            raise DataError(f"the header names column {c!r} twice", source=source, line=line)
        seen.add(c)


def line_end(raw: bytes) -> int:
    """Where the first line of ``raw`` ends, after its line break (LF, CRLF or CR); -1
    when it has none."""
    lf, cr = raw.find(b"\n"), raw.find(b"\r")
    if cr >= 0 and (lf < 0 or cr < lf):
        return cr + 2 if raw[cr + 1:cr + 2] == b"\n" else cr + 1
    return lf + 1 if lf >= 0 else -1


def csv_header(head: bytes, source: str, suffix: str = "") -> Header:
    """The header of a CSV file from its first bytes (its header line, and 64 kB or the
    whole file for the separator's sample)."""
    check_text(head[:SAMPLE], source)
    bom = 3 if head.startswith(BOM) else 0
    raw = head[bom:]
    end = line_end(raw)
    header_bytes = raw[:end].rstrip(b"\r\n") if end >= 0 else raw
    sample = raw[:max(SAMPLE, end)]
    cut = max(sample.rfind(b"\n"), sample.rfind(b"\r")) + 1
    sample = sample[:cut] or sample
    text = sample.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    delimiter = detect_delimiter(text, suffix)
    header = next(csv.reader([decode(header_bytes, source)], delimiter=delimiter), [])
    columns = [c.strip() for c in header]
    if not any(columns):
        raise DataError("is empty; expected a header row and data rows", source=source)
    if columns[0] == "" and len(columns) > 1:  # pandas' to_csv writes its row index so
        columns[0] = UNNAMED_INDEX
    check_names(columns, source)
    check_header(columns, source, delimiter)
    return Header(source, columns, delimiter, "csv", bom + (end if end >= 0 else len(raw)))


def read_header(path: str | Path, source: str | None = None) -> Header:
    """The header of a data file: a CSV file's first line (and 64 kB, for the
    separator), or a Parquet file's schema; the rows are read later, with their errors."""
    source = source or str(path)
    path = Path(path)
    check_file(path, source)
    parts = parquet_files(path)
    if parts is not None:
        from .parquetfile import parquet_header

        return parquet_header(parts, source, path)
    try:
        with open(path, "rb") as f:
            head = f.read(SAMPLE)
            while line_end(head[3:] if head.startswith(BOM) else head) < 0 \
                    and (more := f.read(SAMPLE)):
                head += more  # a header longer than 64 kB
    except OSError as e:
        raise DataError(f"cannot be read: {e.strerror}", source=source) from None
    return csv_header(head, source, path.suffix)
