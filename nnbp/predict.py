"""A saved model run on a CSV file: the feature columns matched by name and
normalized as in training, h_Θ(x), the predictions as the original labels (or,
for regression, in the target's own units), and the evaluation against the
file's own targets.  Columns ignored in training are skipped; any other column
the model does not know is reported, not refused.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace

import numpy as np

from .csvio import Table, did_you_mean, first_non_numeric, read_column_text, read_csv
from .data import feature_matrix, label_text, raw_labels
from .engine.memory import block_rows
from .errors import DataError, UsageError
from .metrics import confusion, per_class, regression_from_sums
from .network import example_costs, forward, predict_index, regularization
from .model import SavedModel
from .stats import Stats


@dataclass
class Batch:
    X: np.ndarray  # (m, s_1), normalized as in training
    Y: np.ndarray | None  # (m, K), y as the network sees it; None without target columns
    true: np.ndarray | None  # (m,) true class index, for classifiers with targets
    source: str  # what the rows are, for people
    unknown: list[str]  # columns of the file that the model does not know
    y: np.ndarray | None = None  # (m, K) regression targets in their own units
    path: str | None = None  # the CSV file; None for a model's validation rows
    kind: str = "data file"  # data file | test file | validation rows


def read_batch(model: SavedModel, path: str, *, with_target: bool,
               rows: np.ndarray | None = None, source: str | None = None,
               known: list[str] = ()) -> Batch:
    """The rows of a CSV file (all, or the 0-based ``rows``) as the model's inputs,
    and, ``with_target``, its targets (the target columns must then be there).
    ``known`` columns (kept by the caller) are not reported as unknown."""
    return table_batch(model, read_csv(path), with_target=with_target, rows=rows,
                       source=source, known=known, path=path)


def table_batch(model: SavedModel, table: Table, *, with_target: bool,
                rows: np.ndarray | None = None, source: str | None = None,
                known: list[str] = (), path: str | None = None) -> Batch:
    """``read_batch`` of the rows of a table (a whole file, or a chunk of one)."""
    unknown = check_columns(model, table, known)
    X = feature_matrix(table, model.feature_names)  # (m, s_1) in the model's order
    sel = np.arange(len(X)) if rows is None else rows
    check_rows(rows, len(X), table.source)
    X = model.norm.apply(X[sel])  # x' = (x - shift) / scale   (m, s_1)
    if not with_target:  # predict: a target column, if any, is not read at all
        return Batch(X, None, None, source or table.source, unknown, path=path)
    tcols = [table.columns.index(c) for c in model.target_names if c in table.columns]
    if len(tcols) < len(model.target_names):
        raise DataError(f"has no target column {', '.join(model.target_names)}; evaluate "
                        "compares the predictions with it", source=table.source)
    y = None
    if model.classes is not None:
        true = class_index(model, table, tcols[0], sel)
        Y = model.target.encode(model.classes[true], table.source)  # (m, K)
    else:
        for j in tcols:
            if j in table.text:
                raise first_non_numeric(table, j)
        y = table.values[np.ix_(sel, tcols)]  # (m, K), in the target's units
        Y = model.target.encode(y, table.source)  # y as the network sees it
        true = predict_index(Y) if model.classifier else None
    return Batch(X, Y, true, source or table.source, unknown, y, path)


def check_rows(rows: np.ndarray | None, m: int, source: str) -> None:
    """The model's validation rows must be rows of the file's m."""
    if rows is not None and len(rows) and rows.max() >= m:
        raise DataError(f"has {m} data rows, but the model's validation rows go up to row "
                        f"{rows.max() + 1}; has the file changed since training?", source=source)


def check_columns(model: SavedModel, table: Table, known: list[str] = ()) -> list[str]:
    """Every feature present (else a DataError); the columns that are neither
    features, targets, ignored in training nor ``known``, to be reported."""
    missing = [c for c in model.feature_names if c not in table.columns]
    expected = {*model.feature_names, *model.target_names, *model.ignored, *known}
    unknown = [c for c in table.columns if c not in expected]
    if missing:  # the unknown columns may be the missing ones, misspelt or renamed
        extra = f"; unknown column(s) {_some(list(map(repr, unknown)))}" if unknown else ""
        raise DataError(f"missing feature column(s) {_some(missing)}{extra} (the model's "
                        f"features are {_some(model.feature_names)}; its target "
                        f"{_some(model.target_names)})", source=table.source)
    return unknown


def kept_columns(path: str, names: list[str]) -> list[list[str]]:
    """The ``names`` columns of a CSV file as written, one list per column, for
    ``predict --keep`` (names checked by ``keep_names``)."""
    return read_column_text(path, names)[1]


def keep_names(values: list[str], columns: list[str], path: str) -> list[str]:
    """The columns that ``predict --keep`` values name among a file's ``columns``: a value
    that is a column's whole name is that column (a comma in it included), another is
    names separated by commas.  A name the file does not have is an error with the
    closest."""
    names: list[str] = []
    for value in values:
        parts = [value.strip()] if value.strip() in columns else \
            [c.strip() for c in value.split(",")]
        if any(not c for c in parts):
            raise UsageError(f"--keep {value!r}: expected distinct column names separated by "
                             "commas, such as --keep id,name")
        for name in parts:
            if name in names:
                raise UsageError(f"--keep {value!r}: column {name!r} is kept twice; name each "
                                 "column once")
            if name not in columns:
                comma = [c for c in columns if "," in c]
                hint = ("; a name with a comma is kept by a --keep of its own, such as "
                        f"--keep {shlex.quote(comma[0])}") if comma and "," in value else ""
                shown = [repr(c) if "," in c else c for c in columns]
                raise DataError(f"has no column {name!r} to keep (--keep)"
                                f"{did_you_mean(name, columns)}; its columns are: "
                                f"{_some(shown)}{hint}", source=path)
            names.append(name)
    return names


def _some(names: list[str], most: int = 8) -> str:
    return ", ".join(names) if len(names) <= most else \
        f"{', '.join(names[:most])}, … ({len(names)} in all)"


def class_index(model: SavedModel, table: Table, j: int, rows: np.ndarray) -> np.ndarray:
    """The index in ``model.classes`` of each row's label, matched as written
    (a numeric column's 3.0 is the class 3 or "3")."""
    raw = raw_labels(table, j)[rows]
    uniq, inv = np.unique(raw, return_inverse=True)
    index = {label_text(c): k for k, c in enumerate(model.classes)}
    pos = np.array([index.get(label_text(u), -1) for u in uniq])
    idx = pos[inv.reshape(-1)]  # (m,)
    if (idx < 0).any():
        i = int(np.flatnonzero(idx < 0)[0])
        raise DataError(f"label {label_text(raw[i])!r} in column {table.columns[j]!r} is not "
                        f"one of the model's classes ({', '.join(map(label_text, model.classes))})",
                        source=table.source, line=table.line_of(int(rows[i])))
    return idx


def outputs(model: SavedModel, X: np.ndarray) -> np.ndarray:
    """h_Θ(x) for every row, a block of ``block_rows`` rows at a time.  (m, s_L)

    A row's z^(l) from BLAS can differ in its last bits with the rows multiplied
    beside it (a product's edge rows and its share per thread take other kernels),
    so the rows go through in fixed blocks counted from the first: a file read in
    chunks (``predict_stream``) gives each row the same blocks, and the same h."""
    B, L = block_rows(model.net), model.net.L
    h = np.empty((len(X), model.net.s(L)))  # (m, s_L)
    for s in range(0, len(X), B):
        h[s:s + B] = forward(model.net, model.Theta, X[s:s + B])[1][L]
    return h


def predictions(model: SavedModel, h: np.ndarray, proba: bool = False):
    """The header and rows of predict's CSV: the labels (or, for regression, one
    column per target, in its units), then with ``proba`` one p_<class> column
    per class."""
    if not model.classifier:
        return list(model.target_names), model.target.decode(h).tolist()
    labels = model.labels
    header, cols = ["prediction"], [labels[predict_index(h)].tolist()]
    if proba:
        P = np.hstack([1.0 - h, h]) if h.shape[1] == 1 else h  # one unit: h = P(classes[1])
        header += [f"p_{label_text(c)}" for c in labels]
        cols += list(P.T.tolist())
    return header, [list(r) for r in zip(*cols)]


def evaluate(model: SavedModel, batch: Batch) -> dict:
    """J at the model's λ and at λ = 0, and the metrics of the model's kind."""
    return evaluation_result(model, evaluation_sums(model, batch))


def evaluation_sums(model: SavedModel, batch: Batch, sums: dict | None = None) -> dict:
    """What an evaluation adds up over the rows of a batch, a block of ``block_rows``
    rows at a time (as ``outputs``), into ``sums`` (None: from nothing).  The blocks
    are added one by one in order, so rows read in chunks of whole blocks add up to
    the same figures, to the last bit, as the rows in memory."""
    B = block_rows(model.net)
    for s in range(0, len(batch.X), B):
        block = block_sums(model, cut(batch, slice(s, s + B)))
        sums = block if sums is None else add_sums(sums, block)
    return sums


def block_sums(model: SavedModel, batch: Batch) -> dict:
    """What an evaluation adds up over the rows of a block: m, Σ_t cost(t), and the
    confusion matrix, or SS_res and the targets' statistics (``add_sums`` adds two)."""
    net, m = model.net, len(batch.X)
    z, a = forward(net, model.Theta, batch.X)
    h = a[net.L]  # (m, s_L)
    sums = {"m": m, "cost": float(example_costs(net, z, a, batch.Y).sum())}  # Σ_t cost(t)
    if model.classifier:  # rows true, columns predicted
        sums["confusion"] = confusion(batch.true, predict_index(h), len(model.labels))
    else:  # in the target's own units
        y = batch.Y if batch.y is None else batch.y
        r = model.target.decode(h) - y  # (m, K)
        sums.update(ss_res=(r * r).sum(axis=0), y=Stats.of(y))
    return sums


def cut(batch: Batch, rows: slice, copy: bool = False) -> Batch:
    """The ``rows`` of a batch: views into its arrays, or with ``copy`` arrays of their own."""
    return replace(batch, **{k: None if v is None else v[rows].copy() if copy else v[rows]
                             for k, v in _arrays(batch).items()})


def joined(a: Batch, b: Batch) -> Batch:
    """The rows of ``a`` then those of ``b``, as one batch (``b``'s description)."""
    return replace(b, **{k: None if v is None else np.concatenate([v, _arrays(b)[k]])
                         for k, v in _arrays(a).items()})


def _arrays(batch: Batch) -> dict:
    return {"X": batch.X, "Y": batch.Y, "true": batch.true, "y": batch.y}


def add_sums(a: dict, b: dict) -> dict:
    """Two blocks' ``evaluation_sums`` added, into ``a``."""
    a["m"] += b["m"]
    a["cost"] += b["cost"]
    if "confusion" in a:
        a["confusion"] += b["confusion"]
    else:
        a["ss_res"] = a["ss_res"] + b["ss_res"]
        a["y"].merge(b["y"])
    return a


def evaluation_result(model: SavedModel, sums: dict) -> dict:
    """The result of ``evaluate`` from the evaluation's sums."""
    m = sums["m"]
    J0 = sums["cost"] / m  # (1/m) Σ_t cost(t)
    out = {"cost": J0 + regularization(model.Theta, model.lam, m), "cost_unregularized": J0}
    if model.classifier:
        C = sums["confusion"]
        pc = per_class(C)
        out.update(accuracy=int(np.trace(C)) / m, classes=model.labels.tolist(),
                   confusion=C.tolist(),
                   per_class=[{"class": c, **{k: v[k_].item() for k, v in pc.items()}}
                              for k_, c in enumerate(model.labels.tolist())])
    else:  # MSE and R² in the target's own units; J in the units trained on
        out.update(regression_from_sums(sums["ss_res"], sums["y"].M2, m),
                   targets=list(model.target_names))
        scaling = model.target_scaling  # what J's units are: y' = (y - shift)/scale
        out.update(target_shift=None if scaling is None else scaling.shift.tolist(),
                   target_scale=None if scaling is None else scaling.scale.tolist())
    out.update(examples=m, **{"lambda": model.lam})
    return out


def evaluation_data(model: SavedModel, path: str | None) -> tuple[str, str, np.ndarray | None,
                                                                  str | None]:
    """What to evaluate on: (kind, CSV path, its rows or None for all, a description
    or None for the path): DATA when given; else the model's test file, else its
    validation rows."""
    if path is not None:
        return "data file", path, None, None
    kind, p, rows = model.default_data()
    if kind == "test":
        return "test file", p, None, f"{p} (the model's test file)"
    return "validation rows", p, rows, \
        f"the {len(rows)} validation rows of {p} held out in training"


def evaluation_batch(model: SavedModel, path: str | None) -> Batch:
    """DATA when given; else the model's test file, else its validation rows."""
    kind, p, rows, source = evaluation_data(model, path)
    rows = None if rows is None else np.sort(rows)  # in the file's order, as streamed
    batch = read_batch(model, p, with_target=True, rows=rows, source=source)
    batch.kind = kind
    if kind == "validation rows":
        batch.path = None
    return batch
