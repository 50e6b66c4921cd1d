"""``nnbp init``: write a commented starter config for a CSV file."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import List, Optional

import typer

CONSTANT = "A constant column holds one value in every row: it carries no information."


def init(
    path: Path = typer.Argument(..., help="The config file to write; never overwritten."),
    data: Path = typer.Option(..., "--data", help="The training data: a CSV file with a header row, or Parquet."),
    target: Optional[List[str]] = typer.Option(
        None, "--target", help="The label column, by name or 0-based index (default: the last "
        "column). Several targets, trained as regression: --target a --target b, or "
        "--target a,b."),
    regression: Optional[bool] = typer.Option(
        None, "--regression/--classification", show_default=False,
        help="Take the target for a quantity (linear output) or for class labels (default: "
             "a quantity when it holds fractions, or many distinct numbers)."),
) -> None:
    """Write a starter config for a CSV file: layers from its features and classes,
    text, id and constant columns left out, every other key commented out with its default."""
    from nnbp.encoding import plural
    from nnbp.starter import write_starter

    s = write_starter(path, data, target, regression)
    what = f"{len(s.targets)} regression targets" if len(s.targets) > 1 else \
        "a regression target" if s.classes is None else f"{len(s.classes)} classes"
    left = ", ".join(f"{c} ({why})" for c, why in s.left_out.items())
    sys.stderr.write(f"Wrote {path}: {plural(len(s.features), 'feature')}, {what} in {s.target}, "
                     f"layers {s.layers}.\n" +
                     (f"Left out of the features (data.ignore): {left}.\n" if left else "") +
                     (CONSTANT + "\n" if "constant" in s.left_out.values() else "") +
                     f"Train with:  nnbp train {shlex.quote(str(path))}\n")
