"""Reading a cost log back: the csv, tsv or jsonl that ``nnbp train`` writes.

The format is told by the first line: a JSON object is jsonl, a header with a
tab is tsv, anything else csv.  ``LogReader`` takes one line at a time, so a
caller can draw while rows still arrive on a pipe; ``read_log`` reads a whole
file.  Values come back as floats per column (``nan`` and ``inf`` are kept: a
diverging run logs them); anything else that is not a number is a DataError
naming the line.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Iterable

from ..errors import DataError

REQUIRED_COLUMNS = ("epoch", "cost")


class LogReader:
    """Feed lines in order with ``feed``; ``columns`` and ``values`` grow as rows arrive."""

    def __init__(self, source: str = "<stdin>"):
        self.source = source
        self.format: str | None = None  # csv | tsv | jsonl, from the first line
        self.columns: list[str] = []
        self.values: dict[str, list[float]] = {}
        self.line = 0  # the number of the last line fed, 1-based

    def __len__(self) -> int:
        return len(self.values.get("epoch", ()))

    def feed(self, text: str) -> None:
        self.line += 1
        text = text.rstrip("\r\n")
        if self.line == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            return  # blank lines (a trailing newline, an editor's) carry nothing
        if self.format is None:
            self._first(text)
        elif self.format == "jsonl":
            self._add(self._object(text))
        else:
            cells = self._split(text)
            if len(cells) != len(self.columns):
                raise self._error(f"has {len(cells)} fields, the header has {len(self.columns)}")
            self._add(dict(zip(self.columns, cells)))

    def finish(self) -> LogReader:
        """The reader itself, after checking that the log had rows."""
        if self.format is None:
            raise DataError("is empty; expected a cost log as nnbp train writes it "
                            "(csv, tsv or jsonl with columns epoch, cost, …)", source=self.source)
        if not len(self):
            raise DataError("has a header but no rows", source=self.source)
        return self

    # --- the first line decides the format and the columns ---

    def _first(self, text: str) -> None:
        if text.lstrip().startswith("{"):
            self.format = "jsonl"
            row = self._object(text)
            self._set_columns(list(row))
            self._add(row)
        else:
            self.format = "tsv" if "\t" in text else "csv"
            self._set_columns([c.strip() for c in self._split(text)])

    def _set_columns(self, columns: list[str]) -> None:
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            found = ", ".join(repr(c) for c in columns[:8]) + (", …" if len(columns) > 8 else "")
            raise self._error(f"no {' or '.join(repr(c) for c in missing)} column; expected a "
                              f"cost log with columns epoch, cost, … (found {found})")
        self.columns = columns
        self.values = {c: [] for c in columns}

    def _split(self, text: str) -> list[str]:
        return next(csv.reader([text], delimiter="\t" if self.format == "tsv" else ","))

    def _object(self, text: str) -> dict:
        try:
            row = json.loads(text)
        except json.JSONDecodeError as e:
            raise self._error(f"is not valid JSON ({e.msg}, column {e.colno})") from None
        if not isinstance(row, dict):
            raise self._error(f"holds a JSON {type(row).__name__}; expected an object per line")
        return row

    def _add(self, row: dict) -> None:
        numbers = {}
        for c in self.columns:
            if c not in row:
                raise self._error(f"has no {c!r}; the first row has columns "
                                  + ", ".join(self.columns))
            numbers[c] = self._number(c, row[c])
        for c, v in numbers.items():  # all or nothing, so that columns stay the same length
            self.values[c].append(v)

    def _number(self, column: str, v) -> float:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if v is None:  # JSON null: a value that was not computed
            return math.nan
        if isinstance(v, str):
            try:
                return float(v)
            except ValueError:
                pass
        raise self._error(f"column {column!r} holds {v!r}; expected a number")

    def _error(self, message: str) -> DataError:
        return DataError(message, source=self.source, line=self.line)


def read_lines(lines: Iterable[str], source: str = "<stdin>") -> LogReader:
    reader = LogReader(source)
    for line in lines:
        reader.feed(line)
    return reader.finish()


def read_log(path: str | Path) -> LogReader:
    """A whole log file, checked; DataError when it is missing or not a cost log."""
    path, source = Path(path), str(path)
    if path.is_dir():
        raise DataError("is a directory, not a cost log", source=source)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return read_lines(f, source)
    except FileNotFoundError:
        raise DataError("no such file", source=source) from None
    except UnicodeDecodeError as e:
        raise DataError(f"is not UTF-8 text (byte 0x{e.object[e.start]:02x})",
                        source=source) from None
    except OSError as e:
        raise DataError(f"cannot be read: {e.strerror}", source=source) from None
