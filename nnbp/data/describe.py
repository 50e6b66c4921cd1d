"""What the data is, decided once whatever holds its rows: the columns' roles
(features, target, ignored), the target's kind and classes, the rules a row must
keep (numeric features, a numeric target, a label in every row), the validation
split, and the statistics the normalizations come from.

Every backend (in memory, the binary cache, a Dask cluster) reads its blocks
with the same ``Want``, checks each with ``check_block``, gathers the labels with
``Labels`` and the statistics with ``Stats``, and hands them to the same functions
here: a rule changes in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..encoding import Normalization, Target, label_text, shown
from ..errors import DataError
from .csvfile import Want
from .parts import Description
from .header import Header
from .stats import Stats
from .table import BOOLEAN, Table, Text, is_number

DECIMAL_COMMA = __import__("re").compile(r"[+-]?\d*,\d+")  # 3,5: a number as some locales write it


class Roles(NamedTuple):
    """The columns of the training file by role, and how the target is read."""

    targets: list[str]
    ignored: list[str]
    features: list[str]
    classify: bool  # one label column (classes), else target values as numbers

    def want(self) -> Want:
        """The columns to read: features (and target values) as numbers, a label as text."""
        if self.classify:
            return Want(tuple(self.features), tuple(self.targets))
        return Want((*self.features, *self.targets))


def at_key(cfg, key: str, call, catch: type = DataError):
    """``call()``; its ``catch`` errors (a column it cannot find, a file that is not
    there) are errors at the config key, naming the file."""
    try:
        return call()
    except catch as e:
        raise cfg.error(key, f"{e.source}: {e.message}") from None


def column_roles(cfg, header: Header) -> Roles:
    """The target columns, the ignored columns and the features of the training file
    (its header is enough), and whether the target is a label (``classifies``)."""
    if cfg.data.target is None:
        tcols = [header.last()]
    else:
        refs = cfg.data.target if isinstance(cfg.data.target, list) else [cfg.data.target]
        tcols = at_key(cfg, "data.target", lambda: [header.index(r, "target") for r in refs])
    skip = at_key(cfg, "data.ignore", lambda: [
        header.index(r, "ignore list") for r in cfg.data.ignore or []])
    both = [header.columns[j] for j in skip if j in tcols]
    if both:
        raise cfg.error("data.ignore", f"{both[0]!r} is the target (data.target); a column is "
                        "either the target or ignored")
    ignored = [header.columns[j] for j in skip]
    targets = [header.columns[j] for j in tcols]
    drop = set(tcols) | set(skip)
    features = [c for j, c in enumerate(header.columns) if j not in drop]
    if not features:
        raise DataError("has no feature columns besides the target" +
                        (" and the ignored columns" if ignored else "") + one_column_hint(header),
                        source=header.source)
    return Roles(targets, ignored, features, classifies(len(targets), cfg.network.output))


def classifies(n_targets: int, output: str) -> bool:
    """The target's kind: one column under a sigmoid or softmax output holds class labels;
    several columns, or a linear output, hold the values of y as they are."""
    return n_targets == 1 and output != "linear"


def one_column_hint(header: Header) -> str:
    """What to say of a file read as one column: its separator is not one nnbp knows."""
    if len(header.columns) > 1 or not any(c in header.columns[0] for c in "|: "):
        return ""
    return (f" (it was read as one column, {header.columns[0]!r}: nnbp reads columns separated "
            "by commas, semicolons or tabs)")


# --- the rules a block keeps ---------------------------------------------------------

def yaml_list(names: list[str]) -> str:
    """Column names as a YAML flow list, quoted where YAML needs it: [id, 'a: b']."""
    import yaml

    return yaml.safe_dump(names, default_flow_style=True, allow_unicode=True,
                          width=1 << 30).strip()


def first_non_numeric(table: Table, j: int, fix: str = "") -> DataError:
    """The error for a column that should be numeric but holds text; ``fix`` is
    added to it (what the user can do about it)."""
    col = table.text[j]
    i = col.first(lambda v: not is_number(v) and v.lower() not in BOOLEAN)
    if i is None:  # true and false among numbers: the first word is the odd one
        i = col.first(lambda v: not is_number(v))
    if i is None:
        raise AssertionError("column has no text value")
    v = col[i]
    what = "an empty value" if v == "" else repr(v)
    if DECIMAL_COMMA.fullmatch(v):
        fix = "; write numbers with a decimal point (3.5, not 3,5)"
    return DataError(f"column {table.columns[j]!r} holds {what}; expected a number{fix}",
                     source=table.source, **table.where(i))


def check_features(table: Table, features: list[str], ignored: list[str]) -> None:
    """Features are numbers: text in one is an error whose fix is data.ignore with the
    text columns added to what it already leaves out (or, for one value among numbers,
    fixing that value)."""
    text = [c for c in features if table.position(c) in table.text]
    if not text:
        return
    j = table.position(text[0])
    if any(is_number(v) for v in table.text[j].values):  # a missing or mistyped number
        hint = (f"; fix that value or remove its row, or leave the column out with "
                f"data.ignore: {yaml_list(ignored + text[:1])}")
    else:
        hint = ("; to leave text columns out of the features, data.ignore: "
                + yaml_list(ignored + text))
    raise first_non_numeric(table, j, hint)


def check_numbers(table: Table, names: list[str]) -> None:
    """Columns that must be numbers (a regression target, a model's features) are."""
    for name in names:
        j = table.position(name)
        if j in table.text:
            raise first_non_numeric(table, j, "; fix that value or remove its row")


def labels_of(table: Table, name: str) -> Text:
    """A label column's text; an empty label is an error: it is no class."""
    col = table.text[table.position(name)]
    i = col.first(lambda v: v == "")
    if i is not None:
        raise DataError(f"the target column {name!r} is empty; every row needs its label "
                        "there: fill it in, or remove the row", source=table.source,
                        **table.where(i))
    return col


def check_block(table: Table, roles: Roles, *, training: bool = True) -> None:
    """The rules of a block of the training (or test) file: a label in every row, or
    numeric target values; numeric features."""
    if roles.classify:
        labels_of(table, roles.targets[0])
    else:
        check_numbers(table, roles.targets)
    if training:
        check_features(table, roles.features, roles.ignored)
    else:
        check_numbers(table, roles.features)


# --- labels and classes --------------------------------------------------------------

@dataclass
class Labels:
    """The distinct labels of a target column as written, in the order they first occur,
    gathered over blocks; ``code`` numbers each block's rows by them."""

    seen: dict[str, int] = field(default_factory=dict)

    def code(self, text: Text) -> np.ndarray:
        """Each row's label as its place in ``seen`` (new labels added).  (b,) int32"""
        remap = np.array([self.seen.setdefault(v, len(self.seen)) for v in text.values],
                         dtype=np.int32)
        return remap[text.codes] if len(remap) else text.codes.copy()

    def add(self, values) -> None:
        for v in values:
            self.seen.setdefault(v, len(self.seen))

    def numeric(self) -> bool:
        return all(is_number(v) for v in self.seen)

    def labels(self) -> np.ndarray:
        """The distinct labels: numbers when every one is a number, else strings."""
        if self.numeric():
            return np.array([float(v) for v in self.seen], dtype=np.float64)
        return np.array(list(self.seen), dtype=object).astype(str)


def _some_labels(classes: np.ndarray, most: int = 6) -> str:
    s = [shown(c) for c in classes[:most]]
    return ", ".join(s) + (f", … ({len(classes)} in all)" if len(classes) > most else "")


def make_target(roles: Roles, labels: Labels | None, output: str, units, source: str,
                cfg=None) -> Target:
    """The classes (sorted distinct labels) and the output units K.  ``units`` is s_L
    from the config ``cfg`` (an int or "auto"); one that does not fit the data is an
    error at its network.layers."""
    names = roles.targets

    def wrong_units(what: str, fits: list[int]):
        message = (f"the output layer has {units} units but {what} in {source}: make "
                   f"the last layer {' or '.join(map(str, fits))}, or auto")
        return cfg.error("network.layers", message) if cfg is not None else \
            DataError(message, source=source)

    if not roles.classify:
        K = len(names)
        if units not in ("auto", K):
            raise wrong_units(f"the target has {K} column{'s' * (K > 1)} ({', '.join(names)})",
                              [K])
        return Target(names, None, K)
    distinct = labels.labels()
    if distinct.dtype.kind == "f":
        if not np.all(distinct == np.round(distinct)):
            raise DataError(f"target column {names[0]!r} holds non-integer numbers; class labels "
                            "must be integers or strings (for regression use network.output: "
                            "linear)", source=source)
        too_big = ~(np.abs(distinct) <= 2.0 ** 53)
        if too_big.any():
            raise DataError(f"target column {names[0]!r} holds {distinct[too_big][0]:g}, too "
                            "large for a class label (integers up to 2^53, or strings)",
                            source=source)
    classes = np.unique(distinct, return_counts=True)[0]  # the path that needs no numpy.ma
    if classes.dtype.kind == "f":
        classes = classes.astype(np.int64)
    n = len(classes)
    if n < 2:
        raise DataError(f"target column {names[0]!r} has a single class ({shown(classes[0])}); "
                        "classification needs at least 2", source=source)
    K = 1 if n == 2 and output == "sigmoid" and units in ("auto", 1) else n
    if units not in ("auto", K):
        raise wrong_units(f"target {names[0]!r} has {n} classes ({_some_labels(classes)})",
                          [1, 2] if n == 2 and output == "sigmoid" else [n])
    return Target(names, classes, K)


def class_of(target: Target, labels: Labels, source: str) -> np.ndarray:
    """The class index of each label of ``labels.seen``, by its place there (a label
    not among the classes is an error).  (k,)"""
    distinct = labels.labels()
    if len(distinct) == 0:
        return np.empty(0, np.int64)
    return target.index(distinct, source)


# --- the validation split and the statistics ----------------------------------------

def split_rows(labels: np.ndarray | None, m: int, fraction: float, seed: int,
               source: str) -> tuple[np.ndarray, np.ndarray]:
    """Seeded, stratified hold-out: round(fraction · m_c) rows of each class c."""
    if fraction == 0:
        return np.arange(m), np.arange(0)
    rng = np.random.default_rng(seed)
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)] if labels is not None \
        else [np.arange(m)]
    held = [rng.permutation(g)[: int(round(fraction * len(g)))] for g in groups]
    val = np.sort(np.concatenate(held))
    train = np.setdiff1d(np.arange(m), val)
    if len(val) == 0 or len(train) == 0:
        raise DataError(f"validation_split {fraction} of {m} rows leaves "
                        f"{len(train)} training and {len(val)} validation rows", source=source)
    return train, val


def normalization(cfg, xstats: Stats) -> Normalization:
    """x′ = (x − shift)/scale from the training rows' statistics (data.normalize)."""
    return xstats.fit(cfg.data.normalize)


def constant_features(features: list[str], xstats: Stats) -> dict[str, float]:
    """The features that hold one value in every training row, with that value."""
    same = np.flatnonzero(xstats.lo == xstats.hi) if xstats.n else []
    return {features[j]: float(xstats.lo[j]) for j in same}


def target_scaling(cfg, ystats: Stats | None) -> Normalization | None:
    """y′ = (y − mean)/std of the training rows, for a linear output's targets
    (data.normalize_target: standard); None: y as it is."""
    if ystats is None or cfg.network.output != "linear" or cfg.data.normalize_target != "standard":
        return None
    return ystats.fit("standard")


def design_matrix(X: np.ndarray, norm: Normalization, dtype) -> np.ndarray:
    """[1, x'] with x' = (x - shift)/scale, written once into the array training
    multiplies (the bias unit's 1 in column 0), without other copies of the data."""
    X1 = np.empty((len(X), X.shape[1] + 1), dtype)
    X1[:, 0] = 1.0
    with np.errstate(over="ignore"):  # beyond float32's range: inf, and training says so
        np.subtract(X, norm.shift, out=X1[:, 1:], casting="same_kind")
    X1[:, 1:] /= norm.scale
    return X1


__all__ = ["Description", "Labels", "Roles", "at_key", "check_block", "check_features",
           "class_of", "classifies", "column_roles", "constant_features", "design_matrix",
           "first_non_numeric", "label_text", "labels_of", "make_target", "normalization",
           "one_column_hint", "split_rows", "target_scaling", "yaml_list"]
