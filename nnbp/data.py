"""Turn CSV files into the matrices X (m, s_1) and Y (m, K) the network trains on.

Labels are mapped to their sorted unique values (the classes) and one-hot rows;
a binary problem with one sigmoid output unit gets y = 1 for the second class.
The targets of a regression network (linear output) are standardized,
y' = (y - mean)/std, so that the defaults converge whatever the target's units.
Normalization statistics, of x and y, come from the training rows only.
Columns in ``data.ignore`` (ids, text) are neither features nor target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .csvio import MissingFile, Table, first_non_numeric, read_csv
from .errors import DataError


@dataclass
class Normalization:
    kind: str  # none | standard | minmax
    shift: np.ndarray  # x' = (x - shift) / scale, per feature
    scale: np.ndarray

    @classmethod
    def fit(cls, kind: str, X: np.ndarray) -> "Normalization":
        n = X.shape[1]
        if kind == "none":
            return cls(kind, np.zeros(n), np.ones(n))
        lo, hi = X.min(axis=0), X.max(axis=0)
        if kind == "standard":
            return cls.of(kind, X.mean(axis=0), X.std(axis=0), lo, hi)
        return cls.of(kind, lo, hi - lo, lo, hi)  # minmax

    @classmethod
    def of(cls, kind: str, shift, scale, lo, hi) -> "Normalization":
        """From the columns' statistics and their least and greatest values: a constant
        feature is left centred on its value (x' = 0) and not divided, whatever rounding
        left in its mean (0.1 a thousand times has a mean 1.4e-17 off, and as small a
        standard deviation)."""
        constant = lo == hi
        return cls(kind, np.where(constant, lo, shift),
                   np.where(constant | ~(scale > 0), 1.0, scale))

    def apply(self, X: np.ndarray) -> np.ndarray:
        return (X - self.shift) / self.scale


@dataclass
class Target:
    """How labels become the rows of Y, and outputs the target's values."""

    columns: list[str]  # target column names
    classes: np.ndarray | None  # sorted labels as written (int64 or str), or None: y as is
    K: int  # output units
    scaling: Normalization | None = None  # y' = (y - shift)/scale, for a regression network

    def encode(self, labels: np.ndarray, source: str) -> np.ndarray:
        if self.classes is None:
            Y = labels.astype(np.float64).reshape(len(labels), -1)  # (m, K)
            return Y if self.scaling is None else self.scaling.apply(Y)
        keys = self.classes.astype(np.float64) if self.classes.dtype.kind in "iu" else self.classes
        if (labels.dtype.kind == "f") != (keys.dtype.kind == "f"):
            # numbers read from a numeric column, matched against string classes as written
            labels = np.array([label_text(v) for v in labels]) if keys.dtype.kind != "f" else labels
        idx = np.minimum(np.searchsorted(keys, labels), len(keys) - 1)
        unknown = keys[idx] != labels
        if unknown.any():
            raise DataError(f"label {_shown(labels[unknown][0])} does not occur in the training "
                            f"data (classes: {', '.join(map(_shown, self.classes))})", source=source)
        if self.K == 1:  # one sigmoid unit: y = 1 for the second class
            return (idx == 1).astype(np.float64)[:, None]
        return np.eye(self.K)[idx]  # one-hot rows  (m, K)

    def decode(self, h: np.ndarray) -> np.ndarray:
        """Outputs h_Θ(x) in the target's own units: y = y' · scale + shift.  (m, K)"""
        return h if self.scaling is None else h * self.scaling.scale + self.scaling.shift


@dataclass
class Split:
    """A part of the data.  Streamed from the binary cache, it holds only its rows,
    X and Y None (``nnbp/engine/stream.py``)."""

    X: np.ndarray | None  # (m, s_1), normalized
    Y: np.ndarray | None  # (m, K)
    rows: np.ndarray  # row numbers (0-based) in the source file
    X1: np.ndarray | None = None  # [1, x] per row, when X is its view X1[:, 1:]


@dataclass
class Data:
    features: list[str]
    target: Target
    norm: Normalization
    train: Split
    val: Split | None
    test: Split | None
    labels: np.ndarray  # the training file's raw labels (for stratification and reports)
    ignored: list[str] = field(default_factory=list)  # columns left out (data.ignore)


def label_text(v) -> str:
    """A label as written in a CSV: 3, not 3.0."""
    return str(int(v)) if isinstance(v, (int, float, np.number)) and float(v).is_integer() \
        else str(v)


def _shown(v) -> str:
    """A label in a message: as written, or quoted when it holds a line break or control code."""
    text = label_text(v)
    return text if text.isprintable() else repr(text)


def target_columns(table: Table, target) -> list[int]:
    if target is None:
        return [len(table.columns) - 1]
    refs = target if isinstance(target, list) else [target]
    return [table.column_index(r, "target") for r in refs]


def at_key(cfg, key: str, call, catch: type = DataError):
    """``call()``; its ``catch`` errors (a column it cannot find, a file that is not
    there) are errors at the config key, naming the file."""
    try:
        return call()
    except catch as e:
        raise cfg.error(key, f"{e.source}: {e.message}") from None


def read_at_key(cfg, key: str, read=read_csv):
    """``read(path)`` of the file at a config key (data.train, data.test): a file that
    is not there is an error at the key, other errors name the file."""
    return at_key(cfg, key, lambda: read(cfg.values[key]), MissingFile)


def yaml_list(names: list[str]) -> str:
    """Column names as a YAML flow list, quoted where YAML needs it: [id, 'a: b']."""
    import yaml

    return yaml.safe_dump(names, default_flow_style=True, allow_unicode=True,
                          width=1 << 30).strip()


def check_numeric_features(table: Table, features: list[str], ignored: list[str]) -> None:
    """Text in a feature column: the error names the fix, data.ignore with the text
    columns added to what it already leaves out."""
    text = [c for c in features if table.columns.index(c) in table.text]
    if not text:
        return
    j = table.columns.index(text[0])
    if any(is_number(v) for v in table.text[j]):  # a missing or mistyped number, most likely
        hint = (f"; fix that value or remove its row, or leave the column out with "
                f"data.ignore: {yaml_list(ignored + text[:1])}")
    else:
        hint = ("; to leave text columns out of the features, data.ignore: "
                + yaml_list(ignored + text))
    raise first_non_numeric(table, j, hint)


def is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def raw_labels(table: Table, j: int) -> np.ndarray:
    """A label column: numbers when it is numeric, else its strings.  An empty label is
    an error: it is no class."""
    if j in table.text:
        labels = table.text[j]
        if "" in labels:
            raise DataError(f"the target column {table.columns[j]!r} is empty; every row needs "
                            "its label there: fill it in, or remove the row", source=table.source,
                            line=table.line_of(labels.index("")))
        return np.array(labels)
    return table.values[:, j]


def feature_matrix(table: Table, features: list[str]) -> np.ndarray:
    missing = [c for c in features if c not in table.columns]
    if missing:
        raise DataError(f"missing feature column(s) {', '.join(missing)}", source=table.source)
    idx = [table.columns.index(c) for c in features]
    for j in idx:
        if j in table.text:
            raise first_non_numeric(table, j)
    if idx == list(range(idx[0], idx[0] + len(idx))):
        return table.values[:, idx[0]:idx[0] + len(idx)]  # adjacent columns: a view, not a copy
    return table.values[:, idx]


def make_target(table: Table, tcols: list[int], output: str, units, cfg=None) -> Target:
    """Decide the classes and the number of output units K.  ``units`` is s_L from
    the config ``cfg`` (an int or "auto"); one that does not fit the data is an error
    at its network.layers."""
    names = [table.columns[j] for j in tcols]

    def wrong_units(what: str, fits: list[int]):
        message = (f"the output layer has {units} units but {what} in {table.source}: make "
                   f"the last layer {' or '.join(map(str, fits))}, or auto")
        return cfg.error("network.layers", message) if cfg is not None else \
            DataError(message, source=table.source)

    if len(tcols) > 1 or output == "linear":
        for j in tcols:
            if j in table.text:
                raise first_non_numeric(table, j)
        K = len(tcols)
        if units not in ("auto", K):
            raise wrong_units(f"the target has {K} column{'s' * (K > 1)} ({', '.join(names)})",
                              [K])
        return Target(names, None, K)
    labels = raw_labels(table, tcols[0])
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise DataError(f"target column {names[0]!r} holds non-integer numbers; class labels "
                            "must be integers or strings (for regression use network.output: "
                            "linear)", source=table.source)
        too_big = ~(np.abs(labels) <= 2.0 ** 53)
        if too_big.any():
            raise DataError(f"target column {names[0]!r} holds {labels[too_big][0]:g}, too large "
                            "for a class label (integers up to 2^53, or strings)",
                            source=table.source)
    classes = np.unique(labels, return_counts=True)[0]  # the path that needs no numpy.ma
    if classes.dtype.kind == "f":
        classes = classes.astype(np.int64)
    n = len(classes)
    if n < 2:
        raise DataError(f"target column {names[0]!r} has a single class ({_shown(classes[0])}); "
                        "classification needs at least 2", source=table.source)
    K = 1 if n == 2 and output == "sigmoid" and units in ("auto", 1) else n
    if units not in ("auto", K):
        raise wrong_units(f"target {names[0]!r} has {n} classes ({_some_labels(classes)})",
                          [1, 2] if n == 2 and output == "sigmoid" else [n])
    return Target(names, classes, K)


def _some_labels(classes: np.ndarray, most: int = 6) -> str:
    shown = [_shown(c) for c in classes[:most]]
    return ", ".join(shown) + (f", … ({len(classes)} in all)" if len(classes) > most else "")


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


def column_roles(cfg, table: Table) -> tuple[list[int], list[str], list[str]]:
    """The target columns' indexes, the ignored columns and the features of the
    training file (its header is enough)."""
    tcols = at_key(cfg, "data.target", lambda: target_columns(table, cfg.data.target))
    skip = at_key(cfg, "data.ignore", lambda: [
        table.column_index(r, "ignore list") for r in cfg.data.ignore or []])
    both = [table.columns[j] for j in skip if j in tcols]
    if both:
        raise cfg.error("data.ignore", f"{both[0]!r} is the target (data.target); a column is "
                        "either the target or ignored")
    ignored = [table.columns[j] for j in skip]
    features = [c for j, c in enumerate(table.columns) if j not in tcols and j not in skip]
    if not features:
        raise DataError("has no feature columns besides the target" +
                        (" and the ignored columns" if ignored else "") + _one_column(table),
                        source=table.source)
    return tcols, ignored, features


def design_matrix(X: np.ndarray, norm: Normalization, dtype) -> np.ndarray:
    """[1, x'] with x' = (x - shift)/scale, written once into the array training
    multiplies (the bias unit's 1 in column 0), without other copies of the data."""
    X1 = np.empty((len(X), X.shape[1] + 1), dtype)
    X1[:, 0] = 1.0
    with np.errstate(over="ignore"):  # beyond float32's range: inf, and training says so
        np.subtract(X, norm.shift, out=X1[:, 1:], casting="same_kind")
    X1[:, 1:] /= norm.scale
    return X1


def load_data(cfg, units_out) -> Data:
    """Everything the config's data section asks for: train (less the validation
    rows), validation and test splits, normalized with the training statistics."""
    table = read_at_key(cfg, "data.train")
    tcols, ignored, features = column_roles(cfg, table)
    target = make_target(table, tcols, cfg.network.output, units_out, cfg)
    check_numeric_features(table, features, ignored)
    X = feature_matrix(table, features)
    labels = raw_labels(table, tcols[0]) if target.classes is not None else None
    Y = target.encode(labels if labels is not None else table.values[:, tcols], table.source)
    tr, va = split_rows(labels, len(X), cfg.data.validation_split, cfg.network.init.seed,
                        table.source)
    if cfg.network.output == "linear" and cfg.data.normalize_target == "standard":
        target.scaling = Normalization.fit("standard", Y[tr])  # y' = (y - mean)/std
        Y = target.scaling.apply(Y)
    norm = Normalization.fit(cfg.data.normalize, X[tr])
    dtype = np.dtype(cfg.training.dtype)

    def part(Xp, Yp, rows):
        X1 = design_matrix(Xp, norm, dtype)
        return Split(X1[:, 1:], Yp.astype(dtype), rows, X1)

    test = None
    if cfg.data.test is not None:
        ttable = read_at_key(cfg, "data.test")
        ty = [ttable.column_index(c, "target") for c in target.columns]
        tlabels = raw_labels(ttable, ty[0]) if target.classes is not None else ttable.values[:, ty]
        if target.classes is None:
            for j in ty:
                if j in ttable.text:
                    raise first_non_numeric(ttable, j)
        TY = target.encode(tlabels, ttable.source)
        test = part(feature_matrix(ttable, features), TY, np.arange(len(TY)))
    val = part(X[va], Y[va], va) if len(va) else None
    train = part(X[tr], Y[tr], tr) if len(va) else part(X, Y, tr)  # no copy of all rows
    return Data(features, target, norm, train, val, test,
                labels if labels is not None else np.empty(0), ignored)


def _one_column(table: Table) -> str:
    """What to say of a file read as one column: its separator is not one nnbp knows."""
    if len(table.columns) > 1 or not any(c in table.columns[0] for c in "|: "):
        return ""
    return (f" (it was read as one column, {table.columns[0]!r}: nnbp reads columns separated "
            "by commas, semicolons or tabs)")
