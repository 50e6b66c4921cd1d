"""A commented starter config for a CSV file (``nnbp init``).

The CSV is read as training reads it, so a bad file gets the same errors.  The
config sets data.train, data.target and network.layers; every other key of
``schema.FIELDS`` is written commented out with its default and its doc.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .csvio import read_csv
from .data import feature_matrix, make_target, raw_labels, target_columns
from .errors import DataError, UsageError, printable
from .schema import FIELDS

COMMENT_COLUMN = 36  # where the comments after the values start
MAX_HIDDEN = 25  # the course's digit network has 25 hidden units


@dataclass
class Starter:
    text: str  # the YAML to write
    rows: int  # m
    features: list[str]  # s_1 = len(features)
    target: str
    classes: list[str] | None  # None: a regression target (linear output)
    layers: list[int]  # [s_1, hidden, K]
    settings: dict[str, Any]  # the keys set, dotted


def hidden_units(n: int, K: int) -> int:
    """One hidden layer: about 2/3 of the inputs plus the outputs, from 3 to 25."""
    return max(3, min(MAX_HIDDEN, round(2 * n / 3 + K)))


def starter_config(path: str | Path, data: str | Path, target: str | None = None) -> Starter:
    """The starter config that ``path`` would hold for the CSV ``data``."""
    table = read_csv(data, source=str(data))
    ref: str | int | None = target
    if target is not None and target not in table.columns and target.isdigit():
        ref = int(target)  # a 0-based index, as in the config
    tcols = target_columns(table, ref)
    features = [c for j, c in enumerate(table.columns) if j not in tcols]
    if not features:
        raise DataError("has no feature columns besides the target", source=table.source)
    labels = raw_labels(table, tcols[0])
    regression = labels.dtype.kind == "f" and not np.all(labels == np.round(labels))
    t = make_target(table, tcols, "linear" if regression else "sigmoid", "auto")
    feature_matrix(table, features)  # text in a feature column: the error training would give
    n = len(features)
    layers = [n, hidden_units(n, t.K), t.K]
    try:
        train = Path(os.path.relpath(Path(data).resolve(), Path(path).resolve().parent))
    except ValueError:  # another drive (Windows): no relative path
        train = Path(data).resolve()
    settings: dict[str, Any] = {"data.train": train.as_posix(), "data.target": t.columns[0],
                                "network.layers": layers}
    if regression:
        settings.update({"network.output": "linear", "network.cost": "squared_error"})
    classes = None if t.classes is None else [str(c) for c in t.classes]
    if classes is None:
        outputs, labels_note = "1 linear output", "regression: y as is"
    else:
        labels_note = f"{len(classes)} classes: {_some(classes)}"
        outputs = f"1 sigmoid output (y = 1 for class {classes[1]})" if t.K == 1 \
            else f"{t.K} outputs, one per class"
    notes = {"data.train": "relative to this file's folder", "data.target": labels_note,
             "network.layers": f"{n} features, {layers[1]} hidden units, {outputs}"}
    head = [
        f"nnbp config for {Path(data).name}, written by nnbp init.",
        f"  {table.values.shape[0]} rows; {n} features: {_some(features)}",
        f"  target {t.columns[0]}: " + ("numbers, so a linear output and squared error"
                                        if classes is None else f"{len(classes)} classes"),
        "Commented-out keys show their defaults: uncomment a line to change one.",
        f"Train with:  nnbp train {shlex.quote(Path(path).as_posix())}",
    ]
    text = "".join(f"# {_plain(line)}\n" for line in head) + "\n" + _body(settings, notes)
    return Starter(text, table.values.shape[0], features, t.columns[0], classes, layers, settings)


def write_starter(path: str | Path, data: str | Path, target: str | None = None) -> Starter:
    """Write the starter config to ``path``, never over an existing file."""
    p = Path(path)
    if p.is_dir():
        raise UsageError("is a directory; give the path of the config file to write",
                         source=str(path))
    if p.exists() or p.is_symlink():
        raise UsageError("already exists; nnbp init never overwrites a file", source=str(path))
    if not p.parent.is_dir():
        raise UsageError(f"cannot be written: folder {p.parent} does not exist", source=str(path))
    starter = starter_config(p, data, target)
    try:
        with open(p, "x", encoding="utf-8") as f:  # "x": fails if the file appeared meanwhile
            f.write(starter.text)
    except FileExistsError:
        raise UsageError("already exists; nnbp init never overwrites a file",
                         source=str(path)) from None
    except OSError as e:
        raise UsageError(f"cannot be written: {e.strerror}", source=str(path)) from None
    return starter


def _body(settings: dict[str, Any], notes: dict[str, str]) -> str:
    """Every key of the schema, in its order: set ones as values, the rest commented out."""
    lines: list[str] = []
    open_sections: list[str] = []
    for f in FIELDS:
        *sections, leaf = f.key.split(".")
        keep = 0
        while keep < min(len(sections), len(open_sections)) and \
                sections[keep] == open_sections[keep]:
            keep += 1
        for depth in range(keep, len(sections)):
            if depth == 0 and lines:
                lines.append("")  # a blank line between top-level sections
            lines.append("  " * depth + sections[depth] + ":")
        open_sections = sections
        indent = "  " * len(sections)
        options = getattr(f.check, "options", None)
        doc = f.doc + (f" ({' | '.join(options)})" if options else "")
        if f.key in settings:
            entry = f"{indent}{leaf}: {_yaml(settings[f.key])}"
            doc = notes.get(f.key, doc)
        else:
            entry = f"{indent}# {leaf}: {_yaml(f.default)}"
        lines.append(f"{entry.ljust(COMMENT_COLUMN - 1)} # {_plain(doc)}")
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    """Text for a YAML comment: a line break or control code in a label or column
    name, escaped, would otherwise end the comment."""
    return printable(text)


def _yaml(v: Any) -> str:
    """One value in YAML flow style, quoted where YAML needs it."""
    return yaml.safe_dump([v], default_flow_style=True, allow_unicode=True,
                          width=1 << 30).strip()[1:-1]


def _some(names: list[str], k: int = 6) -> str:
    return ", ".join(names) if len(names) <= k else ", ".join(names[:k]) + f", … ({len(names)})"
