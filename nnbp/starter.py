"""A commented starter config for a data file (``nnbp init``).

The file is read as training reads it, so a bad file gets the same errors, a block
at a time: what the starter needs of it are statistics (each column's kind, the
target's distinct values), never the file in memory.  The
config sets data.train, data.target and network.layers, data.ignore for text
and identifier columns, and for a regression target (numbers that are not a
handful of classes, or several target columns) a linear output, squared error
and a learning rate chosen for it; the comments at the top say why.  Every
other key of ``schema.FIELDS`` is written commented out with its default and its
doc.  Class labels get L-BFGS (training.optimizer), its measured reason likewise at
the top.
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

from .data.csvfile import Want
from .data.describe import (DECIMAL_COMMA, Labels, Roles, check_features, check_numbers,
                            labels_of, make_target, one_column_hint)
from .data.header import PANDAS_INDEX, Header, did_you_mean, read_header
from .data.reader import blocks
from .data.table import is_number
from .encoding import label_text, plural
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
# α for a regression network on standardized x and y: α = 1 diverged and α ≥ 0.5
# oscillated on the nets measured (diabetes, penguins, one and several targets), 0.3
# fitted them all; the config's comments say so (LEARNING_RATE_NOTE).
REGRESSION_LEARNING_RATE = 0.3
REGRESSION_NOTE = ("so regression: {outputs} and squared error, {y} standardized for "
                   "training (predictions come back in {units}).")
LEARNING_RATE_NOTE = """\
  Learning rate {alpha:g}, not 1: on standardized targets α = 1 diverged (diabetes,
  25 sigmoid hidden units) and α ≥ 0.5 oscillated in long runs; {alpha:g} fitted every
  net measured (3 to 25 sigmoid or tanh hidden units). Lower it if the cost rises."""
SEVERAL_TARGETS_NOTE = """\
  With 2 or 3 targets (penguins; 20 rows like linnerud) α = 1 diverged in 6 of 36
  runs, {alpha:g} in none."""

# Class labels train with L-BFGS: on the sets of benchmarks/bench_defaults.py it reached
# scikit-learn's best default where 1000 gradient descent epochs fell short.
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
    targets: list[str]  # one column, or several (regression)
    classes: list[str] | None  # None: a regression target (linear output)
    layers: list[int]  # [s_1, hidden, K]
    settings: dict[str, Any]  # the keys set, dotted
    left_out: dict[str, str]  # columns in data.ignore, with why

    @property
    def target(self) -> str:
        """The target column, or the several, for a message."""
        return ", ".join(self.targets)


def hidden_units(n: int, K: int) -> int:
    """One hidden layer: about 2/3 of the inputs plus the outputs, from 3 to 25."""
    return max(3, min(MAX_HIDDEN, round(2 * n / 3 + K)))


def regression_reason(labels: np.ndarray, m: int, fraction: float | None = None) -> str | None:
    """Why a target column holds a quantity to regress on rather than class labels
    (text for the config's comment), or None when its values look like classes:
    ``labels`` its distinct values (numbers, or strings), ``m`` its rows, ``fraction``
    its first value with a fraction."""
    if labels.dtype.kind != "f":
        return None  # text: classes
    if fraction is not None:
        return f"numbers such as {label_text(fraction)}, not class labels"
    n = len(labels)
    if n > MAX_CLASSES and n * ROWS_PER_CLASS > m:
        return (f"{n} distinct whole numbers in {m} rows, too many for classes (over "
                f"{MAX_CLASSES}, under {ROWS_PER_CLASS} rows each; nnbp init --classification "
                "makes them classes)")
    if n > 2 and n * MIN_ROWS_PER_CLASS > m:
        return (f"{n} distinct whole numbers in {m} rows, too many for classes (under "
                f"{MIN_ROWS_PER_CLASS} rows each; nnbp init --classification makes them "
                "classes)")
    return None


@dataclass
class Column:
    """What a pass over the file tells of one column."""

    text: bool = False  # some value is not a number
    number: bool = False  # some value is a number (or one written with a decimal comma)
    words: int = 0  # rows whose value is neither a number nor empty
    counts: bool = True  # so far up by 1 from row to row (0, 1, 2, …; 5000, 5001, …)
    last: float | None = None  # its value in the last row read
    distinct: np.ndarray | None = None  # its distinct numbers, when they are counted
    lo: float = np.inf  # its least and greatest numbers
    hi: float = -np.inf


@dataclass
class Scan:
    """A pass over a data file, a block at a time: its rows, each column's kind, and of
    one target column (None: several) its distinct values and its first value with a
    fraction (and the distinct values of identifier-like columns)."""

    header: Header
    target: str | None
    rows: int = 0
    columns: dict[str, Column] = None
    labels: Labels = None  # the target's distinct labels, when some is text
    fraction: float | None = None

    def target_values(self) -> np.ndarray:
        """The target's distinct values: numbers, or strings when some is text."""
        col = self.columns[self.target]
        if not col.text:
            return col.distinct
        return self.labels.labels()


def scan(path: str | Path, header: Header, target: str | None) -> Scan:
    """Read the file once, a block at a time (``Scan``); ``target`` None: several."""
    counted = {c for c in header.columns if _id_name(c)} | ({target} - {None})
    s = Scan(header, target, 0, {c: Column() for c in header.columns}, Labels())
    for table, _ in blocks(path, Want(), header=header, source=header.source):
        s.rows += table.m
        if table.m:
            lo, hi = table.values.min(axis=0), table.values.max(axis=0)
        for j, name in enumerate(table.columns):
            col = s.columns[name]
            if name == target and name in table.booleans:  # labels, as training reads them
                col.text = True
                s.labels.add(table.booleans[name])
                continue
            if j in table.text:
                values = table.text[j].values
                col.text = True
                numeric = [is_number(v) or DECIMAL_COMMA.fullmatch(v) is not None
                           for v in values]
                col.number = col.number or any(numeric)
                word = np.array([not n and v != "" for n, v in zip(numeric, values)])
                col.words += int(np.count_nonzero(word[table.text[j].codes]))
                if name == target:
                    s.labels.add(values)
                continue
            col.number = True
            col.lo, col.hi = min(col.lo, lo[j]), max(col.hi, hi[j])
            if col.counts and table.m:
                v = table.values[:, j]
                start = v[0] == np.round(v[0]) if col.last is None else v[0] == col.last + 1
                col.counts = bool(start and (np.diff(v) == 1).all())
                col.last = float(v[-1])
            if name in counted:
                v = table.values[:, j]
                col.distinct = np.unique(v) if col.distinct is None else \
                    np.union1d(col.distinct, v)
                if name == target and s.fraction is None:
                    fractional = v[v != np.round(v)]
                    s.fraction = float(fractional[0]) if len(fractional) else None
    t = s.columns.get(target, Column())
    if t.text and t.distinct is not None:  # numbers in some blocks, text in others: text
        s.labels.add(label_text(v) for v in t.distinct)
    return s


COUNTED_ROWS = 10  # fewer rows may count up by chance


def left_out(s: Scan, others: list[str]) -> dict[str, str]:
    """Columns that cannot be features, with why: text (no value is a number, nor a
    number with a decimal comma, which training's error explains; or words in more than
    half the rows, such as codes with some all digits), pandas' row index
    (named Unnamed: 0 or __index_level_0__), identifiers
    (named id, index or …_id, every value distinct), row numbers (whatever their name:
    up by 1 from each row to the next, in ``COUNTED_ROWS`` rows or more) and constants
    (one number in every row of two or more: nothing to learn from)."""
    out = {}
    for name in others:
        col = s.columns[name]
        if PANDAS_INDEX.fullmatch(name):
            out[name] = "a row index written by pandas"
        elif col.text and (not col.number or 2 * col.words > s.rows):
            out[name] = "text"  # (a few numbers among words: codes, comments)
        elif not col.text and _id_name(name) and col.distinct is not None and \
                len(col.distinct) == s.rows:
            out[name] = "an identifier"
        elif not col.text and col.counts and s.rows >= COUNTED_ROWS:
            out[name] = "a row number, up by 1 from each row to the next"
        elif not col.text and s.rows > 1 and col.lo == col.hi:
            out[name] = "constant"
    return out


def _id_name(name: str) -> bool:
    low = name.strip().lower()
    return low in ("id", "index") or low.endswith(("_id", " id"))


SEVERAL_TARGETS = "several targets are given as --target a --target b, or --target a,b"


def target_columns(header: Header, values: list[str] | None) -> list[str]:
    """The columns that ``--target`` values name (none: ``Header.last``): a value that
    is a column's whole name is that column (a comma in it included), another is names
    or 0-based indexes separated by commas.  A name the file does not have is an error
    with the closest, and how several targets are given."""
    if not values:
        return [header.columns[header.last()]]
    names: list[str] = []
    for value in values:
        whole = next((v for v in (value, value.strip()) if v in header), None)
        parts = [whole] if whole is not None else [c.strip() for c in value.split(",")]
        if not all(parts):
            raise UsageError(f"--target {value!r}: expected column names separated by commas, "
                             "such as --target a,b")
        for part in parts:
            if part not in header and part.isdigit():  # a 0-based index, as in the config
                part = header.columns[header.index(int(part), "target")]
            if part not in header:
                raise DataError(_no_target(part, value, header.columns), source=header.source)
            if part in names:
                raise UsageError(f"--target {value!r}: column {part!r} is named twice as a "
                                 "target; name each column once")
            names.append(part)
    return names


def _no_target(name: str, value: str, columns: list[str]) -> str:
    comma = [c for c in columns if "," in c]
    shown = [repr(c) if "," in c else c for c in columns]
    hint = (f"; a name with a comma is a --target of its own, such as "
            f"--target {shlex.quote(comma[0])}") if comma and "," in value else ""
    return (f"no column named {name!r} for the target{did_you_mean(name, columns)}; columns "
            f"are: {', '.join(shown)}; {SEVERAL_TARGETS}{hint}")


def _training_error(path, header: Header, want: Want, check) -> None:
    """The error training would give (``check(table)``), from the first block that holds
    it, read again."""
    for table, _ in blocks(path, want, header=header, source=header.source):
        check(table)


def starter_config(path: str | Path, data: str | Path,
                   target: str | list[str] | None = None,
                   regression: bool | None = None) -> Starter:
    """The starter config that ``path`` would hold for the CSV ``data``: ``target`` one
    ``--target`` value or a list of them (``target_columns``); ``regression`` True or
    False overrides the choice between regression and classification."""
    header = read_header(data, str(data))
    names = target_columns(header, [target] if isinstance(target, str) else target)
    several = len(names) > 1
    if several and regression is False:
        raise UsageError(f"--classification takes one target column, not {len(names)} "
                         f"({', '.join(names)}); several targets are regression, one linear "
                         "output each")
    name = names[0]
    facts = scan(data, header, None if several else name)
    ignored = left_out(facts, [c for c in header.columns if c not in names])
    features = [c for c in header.columns if c not in names and c not in ignored]
    if not features:
        raise DataError(f"has no feature columns besides the target{'s' * several}" +
                        (f" and the columns left out ({', '.join(ignored)})" if ignored else "")
                        + one_column_hint(header), source=header.source)
    labels = None if several else facts.target_values()
    if not several and facts.columns[name].text and "" in facts.labels.seen:  # no label
        _training_error(data, header, Want((), (name,)), lambda t: labels_of(t, name))
    if several:  # y is the columns' values as they are: numbers (describe.classifies)
        reason = (f"{len(names)} columns given with --target, none of them a feature; several "
                  "targets are learnt together as a vector y of quantities (class labels are "
                  "one column)")
    elif regression is None:
        reason = regression_reason(labels, facts.rows, facts.fraction)
    else:
        reason = "--regression" if regression else None
    roles = Roles(names, list(ignored), features, not reason)
    if reason and any(facts.columns[c].text for c in names):  # quantities must be numbers
        _training_error(data, header, Want(tuple(names)), lambda t: check_numbers(t, names))
    distinct = None
    if not reason:
        distinct = Labels()
        distinct.add(labels if labels.dtype.kind != "f" else [label_text(v) for v in labels])
    t = make_target(roles, distinct, "linear" if reason else "sigmoid", "auto", header.source)
    if any(facts.columns[c].text for c in features):
        _training_error(data, header, Want(tuple(features)),
                        lambda t: check_features(t, features, list(ignored)))
    n = len(features)
    layers = [n, hidden_units(n, t.K), t.K]
    try:
        train = Path(os.path.relpath(Path(data).resolve(), Path(path).resolve().parent))
    except ValueError:  # another drive (Windows): no relative path
        train = Path(data).resolve()
    settings: dict[str, Any] = {"data.train": train.as_posix(),
                                "data.target": list(t.columns) if several else t.columns[0],
                                "network.layers": layers}
    if ignored:
        settings["data.ignore"] = list(ignored)
    if reason:
        settings.update({"network.output": "linear", "network.cost": "squared_error",
                         "training.learning_rate": REGRESSION_LEARNING_RATE})
    else:
        settings["training.optimizer"] = CLASSIFICATION_OPTIMIZER
    classes = None if t.classes is None else [str(c) for c in t.classes]
    if several:
        outputs = f"{t.K} linear outputs, one per target"
        labels_note = f"{t.K} targets: regression, each standardized for training"
    elif classes is None:
        outputs, labels_note = "1 linear output", "regression: standardized for training"
    else:
        labels_note = f"{len(classes)} classes: {_some(classes)}"
        outputs = f"1 sigmoid output (y = 1 for class {classes[1]})" if t.K == 1 \
            else f"{t.K} outputs, one per class"
    notes = {"data.train": "relative to this file's folder", "data.target": labels_note,
             "data.ignore": "; ".join(f"{why}: {', '.join(c for c in ignored if ignored[c] == why)}"
                                      for why in dict.fromkeys(ignored.values())),
             "network.layers": f"{plural(n, 'feature')}, {layers[1]} hidden units, {outputs}",
             "training.learning_rate": "α for regression (why: at the top of this file)",
             "training.optimizer": "L-BFGS for class labels (why: at the top of this file)"}
    head = [
        f"nnbp config for {Path(data).name}, written by nnbp init.",
        f"  {facts.rows} rows; {plural(n, 'feature')}: {_some(features)}",
    ]
    if ignored:
        head.append("  left out of the features (data.ignore): " +
                    ", ".join(f"{c} ({why})" for c, why in ignored.items()))
        if "constant" in ignored.values():
            head.append("  (a constant column holds one value in every row: nothing to learn from)")
    if classes is not None:
        alt = " (nnbp init --regression for a quantity)" if labels.dtype.kind == "f" else ""
        head += [f"  target {name}: {len(classes)} classes{alt}",
                 *CLASSIFICATION_NOTE.splitlines()]
    else:
        why = "chosen with --regression" if reason == "--regression" else reason
        what = f"targets {', '.join(names)}" if several else f"target {name}"
        so = REGRESSION_NOTE.format(
            outputs="a linear output per target" if several else "a linear output",
            y="each target" if several else "y", units="their units" if several else "its units")
        head += [*textwrap.wrap(f"{what}: {why};", 84, initial_indent="  ",
                                subsequent_indent="  "),
                 *textwrap.wrap(so, 84, initial_indent="  ", subsequent_indent="  "),
                 *LEARNING_RATE_NOTE.format(alpha=REGRESSION_LEARNING_RATE).splitlines(),
                 *(SEVERAL_TARGETS_NOTE.format(alpha=REGRESSION_LEARNING_RATE).splitlines()
                   if several else [])]
    head += ["Commented-out keys show their defaults: uncomment a line to change one.",
             f"Train with:  nnbp train {shlex.quote(Path(path).as_posix())}"]
    text = "".join(f"# {_plain(line)}\n" for line in head) + "\n" + _body(settings, notes)
    return Starter(text, facts.rows, features, list(t.columns), classes, layers, settings,
                   ignored)


def write_starter(path: str | Path, data: str | Path,
                  target: str | list[str] | None = None,
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
