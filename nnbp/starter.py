"""A commented starter config for a CSV file (``nnbp init``).

The CSV is read as training reads it, so a bad file gets the same errors.  The
config sets data.train, data.target and network.layers, data.ignore for text
and identifier columns, and for a regression target (numbers that are not a
handful of classes) a linear output, squared error and a learning rate chosen
for it; the comments at the top say why.  Every other key of ``schema.FIELDS``
is written commented out with its default and its doc.  Class labels get
L-BFGS (training.optimizer), its measured reason likewise at the top.
"""

from __future__ import annotations

import os
import shlex
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .csvio import DECIMAL_COMMA, read_csv
from .data import (check_numeric_features, feature_matrix, is_number, label_text,
                   make_target, raw_labels, target_columns)
from .errors import DataError, UsageError, printable
from .schema import FIELDS

COMMENT_COLUMN = 36  # where the comments after the values start
MAX_HIDDEN = 25  # the course's digit network has 25 hidden units
# A numeric target with more distinct values than this, and fewer than ROWS_PER_CLASS
# rows per value on average, is taken for a quantity, not for class labels; so is one
# of more than two values with fewer than MIN_ROWS_PER_CLASS rows per value (a class
# seen once cannot be learnt: scikit-learn's linnerud, Pulse, 20 rows of 15 values).
MAX_CLASSES = 20
ROWS_PER_CLASS = 10
MIN_ROWS_PER_CLASS = 2
# α for a regression network, on standardized x and y.  Measured over 1000 and 3000
# epochs on diabetes (442 × 10) and penguins (342 × 3), 3 to 25 sigmoid or tanh
# hidden units, λ = 1: α = 1 diverged (25 sigmoid units: at epoch 293 on diabetes),
# α ≥ 0.5 oscillated in the longer runs (training R² down by up to 0.1), and 0.3
# gave the best or nearly the best fit of every net (diabetes R² 0.55–0.73, penguins
# 0.83–0.85; linear regression: 0.52 and 0.76).
REGRESSION_LEARNING_RATE = 0.3
REGRESSION_NOTE = """\
  so regression: a linear output and squared error, y standardized for training
  (predictions come back in its units).
  Learning rate {alpha:g}, not 1: on standardized targets α = 1 diverged (diabetes,
  25 sigmoid hidden units) and α ≥ 0.5 oscillated in long runs; {alpha:g} fitted every
  net measured (3 to 25 sigmoid or tanh hidden units). Lower it if the cost rises."""

# Class labels train with L-BFGS (benchmarks/bench_defaults.py).  On make_classification's
# 16000 × 30, 4 classes, 24 sigmoid hidden units, λ = 1: 1000 gd epochs reached 85% test
# accuracy; 3000 epochs 90%, α = 3 90%, 100 hidden units 89%, α = 3 for 3000 epochs 93% in
# 2.2 times the time.  L-BFGS (1000 iterations) reached 93% in 1.1–1.3 times gd's time,
# as scikit-learn's best default MLPClassifier did (300 iterations: 92%; λ = 10: 90%); on
# three more such sets (--seeds 1,2,3) gd 80–84%, L-BFGS 94–95%, scikit-learn 89.7–92.2%.
# On wine, breast_cancer and digits, gd and L-BFGS were within 0.3 points of scikit-learn.
CLASSIFICATION_OPTIMIZER = "lbfgs"
CLASSIFICATION_NOTE = """\
  Optimizer L-BFGS, not gradient descent: on 16000 rows of 30 features and 4 classes,
  1000 gradient descent epochs reached 85% test accuracy, L-BFGS 93% in 1.2 times as
  long (scikit-learn's MLPClassifier at best 93%); on wine, breast cancer and digits
  both were within 0.3 points of it. L-BFGS takes no α and stops when it converges
  (training.epochs caps its iterations); optimizer: gd trains with gradient descent."""


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


def regression_reason(labels: np.ndarray) -> str | None:
    """Why a target column holds a quantity to regress on rather than class labels
    (text for the config's comment), or None when its values look like classes."""
    if labels.dtype.kind != "f":
        return None  # text: classes
    fractional = labels[labels != np.round(labels)]
    if fractional.size:
        return f"numbers such as {label_text(fractional[0])}, not class labels"
    n, m = len(np.unique(labels)), len(labels)
    if n > MAX_CLASSES and n * ROWS_PER_CLASS > m:
        return (f"{n} distinct whole numbers in {m} rows, too many for classes (over "
                f"{MAX_CLASSES}, under {ROWS_PER_CLASS} rows each; nnbp init --classification "
                "makes them classes)")
    if n > 2 and n * MIN_ROWS_PER_CLASS > m:
        return (f"{n} distinct whole numbers in {m} rows, too many for classes (under "
                f"{MIN_ROWS_PER_CLASS} rows each; nnbp init --classification makes them "
                "classes)")
    return None


def left_out(table, others: list[int]) -> dict[str, str]:
    """Columns that cannot be features, with why: text (no value is a number, nor a
    number with a decimal comma, which training's error explains), and identifiers
    (named id, index or …_id, every value distinct)."""
    out = {}
    for j in others:
        name = table.columns[j]
        if j in table.text and not any(is_number(v) or DECIMAL_COMMA.fullmatch(v)
                                       for v in table.text[j]):
            out[name] = "text"
        elif j not in table.text and _id_name(name) and \
                len(np.unique(table.values[:, j])) == len(table.values):
            out[name] = "an identifier"
    return out


def _id_name(name: str) -> bool:
    low = name.strip().lower()
    return low in ("id", "index") or low.endswith(("_id", " id"))


def starter_config(path: str | Path, data: str | Path, target: str | None = None,
                   regression: bool | None = None) -> Starter:
    """The starter config that ``path`` would hold for the CSV ``data``; ``regression``
    True or False overrides the choice between regression and classification."""
    table = read_csv(data, source=str(data))
    ref: str | int | None = target
    if target is not None and target not in table.columns and target.isdigit():
        ref = int(target)  # a 0-based index, as in the config
    tcols = target_columns(table, ref)
    ignored = left_out(table, [j for j in range(len(table.columns)) if j not in tcols])
    features = [c for j, c in enumerate(table.columns) if j not in tcols and c not in ignored]
    if not features:
        raise DataError("has no feature columns besides the target" +
                        (f" and the columns left out ({', '.join(ignored)})" if ignored else ""),
                        source=table.source)
    labels = raw_labels(table, tcols[0])
    reason = regression_reason(labels) if regression is None else \
        ("--regression" if regression else None)
    t = make_target(table, tcols, "linear" if reason else "sigmoid", "auto")
    check_numeric_features(table, features, list(ignored))  # the error training would give
    feature_matrix(table, features)
    n = len(features)
    layers = [n, hidden_units(n, t.K), t.K]
    try:
        train = Path(os.path.relpath(Path(data).resolve(), Path(path).resolve().parent))
    except ValueError:  # another drive (Windows): no relative path
        train = Path(data).resolve()
    settings: dict[str, Any] = {"data.train": train.as_posix(), "data.target": t.columns[0],
                                "network.layers": layers}
    if ignored:
        settings["data.ignore"] = list(ignored)
    if reason:
        settings.update({"network.output": "linear", "network.cost": "squared_error",
                         "training.learning_rate": REGRESSION_LEARNING_RATE})
    else:
        settings["training.optimizer"] = CLASSIFICATION_OPTIMIZER
    classes = None if t.classes is None else [str(c) for c in t.classes]
    if classes is None:
        outputs, labels_note = "1 linear output", "regression: standardized for training"
    else:
        labels_note = f"{len(classes)} classes: {_some(classes)}"
        outputs = f"1 sigmoid output (y = 1 for class {classes[1]})" if t.K == 1 \
            else f"{t.K} outputs, one per class"
    notes = {"data.train": "relative to this file's folder", "data.target": labels_note,
             "data.ignore": "; ".join(f"{why}: {', '.join(c for c in ignored if ignored[c] == why)}"
                                      for why in dict.fromkeys(ignored.values())),
             "network.layers": f"{n} features, {layers[1]} hidden units, {outputs}",
             "training.learning_rate": "α for regression (why: at the top of this file)",
             "training.optimizer": "L-BFGS for class labels (why: at the top of this file)"}
    head = [
        f"nnbp config for {Path(data).name}, written by nnbp init.",
        f"  {table.values.shape[0]} rows; {n} features: {_some(features)}",
    ]
    if ignored:
        head.append("  left out of the features (data.ignore): " +
                    ", ".join(f"{c} ({why})" for c, why in ignored.items()))
    if classes is not None:
        alt = " (nnbp init --regression for a quantity)" if labels.dtype.kind == "f" else ""
        head += [f"  target {t.columns[0]}: {len(classes)} classes{alt}",
                 *CLASSIFICATION_NOTE.splitlines()]
    else:
        why = "chosen with --regression" if reason == "--regression" else reason
        head += [*textwrap.wrap(f"target {t.columns[0]}: {why};", 84, initial_indent="  ",
                                subsequent_indent="  "),
                 *REGRESSION_NOTE.format(alpha=REGRESSION_LEARNING_RATE).splitlines()]
    head += ["Commented-out keys show their defaults: uncomment a line to change one.",
             f"Train with:  nnbp train {shlex.quote(Path(path).as_posix())}"]
    text = "".join(f"# {_plain(line)}\n" for line in head) + "\n" + _body(settings, notes)
    return Starter(text, table.values.shape[0], features, t.columns[0], classes, layers, settings)


def write_starter(path: str | Path, data: str | Path, target: str | None = None,
                  regression: bool | None = None) -> Starter:
    """Write the starter config to ``path``, never over an existing file."""
    p = Path(path)
    if p.is_dir():
        raise UsageError("is a directory; give the path of the config file to write",
                         source=str(path))
    if p.exists() or p.is_symlink():
        raise UsageError("already exists; nnbp init never overwrites a file", source=str(path))
    if not p.parent.is_dir():
        raise UsageError(f"cannot be written: folder {p.parent} does not exist", source=str(path))
    starter = starter_config(p, data, target, regression)
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
