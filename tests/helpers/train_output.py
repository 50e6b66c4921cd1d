"""Reading what ``nnbp train`` wrote: the cost log as the exact text of its cells,
stderr's lines, and the model file with plain numpy."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


def read_log(text: str, fmt: str = "csv") -> tuple[list[str], list[dict]]:
    """(columns, rows) of a cost log. csv/tsv cells stay the exact text written;
    jsonl rows are the decoded JSON objects. A row of the wrong width fails."""
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        return (list(rows[0]) if rows else []), rows
    header, *body = csv.reader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t")
    return header, [dict(zip(header, cells, strict=True)) for cells in body]


def assert_full_precision(rows: list[dict]) -> None:
    """Every float cell is the shortest exact repr: it reads back to the same text."""
    for row in rows:
        for col, cell in row.items():
            if col in ("epoch", "passes"):  # counts, written as integers
                assert cell == str(int(cell)), (col, cell)
            else:
                assert repr(float(cell)) == cell, (col, cell)


def load_model(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def stderr_lines(r) -> list[str]:
    return r.stderr.splitlines()
