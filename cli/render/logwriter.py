"""The cost log on stdout: csv, tsv or jsonl, full float precision, one flush per row."""

from __future__ import annotations

import json
from typing import TextIO

FORMATS = ("csv", "tsv", "jsonl")


def _cell(v) -> str:
    return str(v) if isinstance(v, int) else repr(float(v))  # repr: shortest exact round-trip


class LogWriter:
    def __init__(self, stream: TextIO, fmt: str, columns: list[str]):
        self.stream, self.fmt, self.columns = stream, fmt, columns
        if fmt != "jsonl":
            self._write(("," if fmt == "csv" else "\t").join(columns))

    def row(self, values: dict) -> None:
        if self.fmt == "jsonl":
            self._write(json.dumps({c: values[c] for c in self.columns}))
        else:
            sep = "," if self.fmt == "csv" else "\t"
            self._write(sep.join(_cell(values[c]) for c in self.columns))

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()
