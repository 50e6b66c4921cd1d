"""Rows of a data file, as the reader gives them: the columns read, numbers in one
float64 array (NaN in a text column) and each text column as its distinct values and
a code per row, and where each row came from, to name its line in a message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import DataError
from .header import did_you_mean

# A number as the reader takes it (Arrow's grammar for float64): decimal notation with an
# optional exponent, or nan and inf; spaces around it are not part of it.
NUMBER = re.compile(r"[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|nan|inf|infinity)", re.IGNORECASE)


def is_number(v: str) -> bool:
    return NUMBER.fullmatch(v.strip()) is not None


BOOLEAN = {"true": 1.0, "false": 0.0}  # as pandas writes a bool column, in any case


def booleans_as_numbers(table: "Table", keep: tuple[str, ...] = ()) -> None:
    """A text column that holds only true and false (True, FALSE, …) becomes numbers,
    1 and 0, except the columns in ``keep`` (read as text: class labels); ``booleans``
    keeps the words it held."""
    for j, col in list(table.text.items()):
        if not 0 < len(col.values) <= 6 or table.columns[j] in keep:  # True, false, TRUE, …
            continue
        words = [v.lower() for v in col.values]
        if all(w in BOOLEAN for w in words):
            table.values[:, j] = np.array([BOOLEAN[w] for w in words])[col.codes]
            table.booleans[table.columns[j]] = list(col.values)
            del table.text[j]


class Text:
    """A text column: a code per row into its distinct values (spaces around them
    stripped), as Arrow's dictionary encoding gives it.  Compares equal to the list of
    its values."""

    def __init__(self, codes: np.ndarray, values):
        self.codes = np.asarray(codes, dtype=np.int32)  # (m,)
        self.values = np.asarray(values, dtype=object)  # (k,) str

    @classmethod
    def of(cls, strings) -> "Text":
        uniq: dict[str, int] = {}
        codes = [uniq.setdefault(s, len(uniq)) for s in strings]
        return cls(np.array(codes, dtype=np.int32), list(uniq))

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i):
        if isinstance(i, (int, np.integer)):
            return self.values[self.codes[i]]
        return Text(self.codes[i], self.values)

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self) -> list[str]:
        return self.values[self.codes].tolist() if len(self.codes) else []

    def array(self) -> np.ndarray:
        """The values of the rows as a numpy array of strings.  (m,)"""
        return self.values[self.codes].astype(str) if len(self.codes) else np.array([], str)

    def __eq__(self, other) -> bool:
        other = other.tolist() if isinstance(other, Text) else list(other)
        return self.tolist() == other

    def first(self, keep: Callable[[str], bool]) -> int | None:
        """The first row whose value ``keep`` takes, or None."""
        hit = np.array([keep(v) for v in self.values], dtype=bool)
        rows = np.flatnonzero(hit[self.codes]) if hit.any() else []
        return int(rows[0]) if len(rows) else None

    def numbers(self) -> np.ndarray | None:
        """The rows' values as float64 when every value is a number, else None."""
        if not all(is_number(v) for v in self.values):
            return None
        return np.array([float(v) for v in self.values], dtype=np.float64)[self.codes]

    @staticmethod
    def joined(parts: list["Text"]) -> "Text":
        """The rows of several columns, one after another, under one set of values."""
        uniq: dict[str, int] = {}
        codes = []
        for p in parts:
            remap = np.array([uniq.setdefault(v, len(uniq)) for v in p.values], dtype=np.int32)
            codes.append(remap[p.codes] if len(p.values) else p.codes)
        return Text(np.concatenate(codes) if codes else np.empty(0, np.int32), list(uniq))


@dataclass
class Where:
    """Where rows start: a CSV block's text (read back only for a message), or the first
    row of a Parquet block."""

    first_line: object = 0  # the file line of the block's first line, or what counts it (CSV)
    raw: Callable[[], bytes] | None = None  # the block's bytes (CSV)
    first_row: int = 0  # the file row of the block's first row (Parquet)
    rows: int = 0  # the block's rows
    _lines: list[int] | None = None

    def line(self, i: int, table: "Table") -> int | None:
        if self.raw is None:
            return None
        if self._lines is None:
            from .csvfile import python_rows

            self._lines = python_rows(self.raw(), table.columns_in_file, table.source,
                                      table.delimiter, self.line_at()).lines
        return self._lines[i]

    def line_at(self) -> int:
        if callable(self.first_line):
            self.first_line = self.first_line()
        return self.first_line


@dataclass
class Table:
    """Rows of a data file: ``columns`` (those read), their numbers ``values`` (m, n)
    float64, NaN in a text column, and the text columns (``text``, by index into
    ``columns``).  ``columns_in_file`` is the file's header."""

    source: str
    columns: list[str]
    values: np.ndarray
    text: dict[int, Text] = field(default_factory=dict)
    delimiter: str = ","
    kind: str = "csv"
    columns_in_file: list[str] | None = None
    blocks: list[tuple[int, Where]] = field(default_factory=list)  # (first row, where)
    booleans: dict[str, list[str]] = field(default_factory=dict)  # true/false read as 1/0
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {c: j for j, c in enumerate(self.columns)}
        if self.columns_in_file is None:
            self.columns_in_file = list(self.columns)

    @property
    def m(self) -> int:
        return len(self.values)

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def position(self, name: str) -> int:
        return self._index[name]

    def column_index(self, ref: str | int, what: str) -> int:
        """A column by name, or by its 0-based index in the file."""
        if isinstance(ref, int):
            n = len(self.columns_in_file)
            if ref >= n:
                raise DataError(f"{what} index {ref} is outside the {n} columns "
                                f"(0-based: 0 … {n - 1})", source=self.source)
            ref = self.columns_in_file[ref]
        if ref in self._index:
            return self._index[ref]
        raise DataError(f"no column named {ref!r} for the {what}"
                        f"{did_you_mean(ref, self.columns_in_file)}; columns are: "
                        f"{', '.join(self.columns_in_file)}", source=self.source)

    def where(self, i: int) -> dict:
        """The keyword that places row i in a message: its file line (CSV) or row."""
        for start, w in reversed(self.blocks):
            if i >= start:
                if w.raw is not None:
                    return {"line": w.line(i - start, self)}
                return {"row": w.first_row + i - start + 1}
        return {}

    def line_of(self, i: int) -> int | None:
        return self.where(i).get("line")

    def matrix(self, names: list[str]) -> np.ndarray:
        """The columns ``names`` as one array: a view when they are adjacent.  (m, k)"""
        idx = [self._index[c] for c in names]
        if idx and idx == list(range(idx[0], idx[0] + len(idx))):
            return self.values[:, idx[0]:idx[0] + len(idx)]
        return self.values[:, idx]
