"""A saved model run on a CSV file: the feature columns matched by name and
normalized as in training, h_Θ(x), the predictions as the original labels, and
the evaluation against the file's own targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .csvio import Table, first_non_numeric, read_csv
from .data import feature_matrix, label_text, raw_labels
from .errors import DataError
from .metrics import confusion, per_class, regression
from .network import example_costs, forward, predict_index, regularization
from .model import SavedModel


@dataclass
class Batch:
    X: np.ndarray  # (m, s_1), normalized as in training
    Y: np.ndarray | None  # (m, K), y as the network sees it; None without target columns
    true: np.ndarray | None  # (m,) true class index, for classifiers with targets
    source: str  # what the rows are, for people


def read_batch(model: SavedModel, path: str, *, with_target: bool,
               rows: np.ndarray | None = None, source: str | None = None) -> Batch:
    """The rows of a CSV file (all, or the 0-based ``rows``) as the model's inputs,
    and, ``with_target``, its targets (the target columns must then be there)."""
    table = read_csv(path)
    check_columns(model, table)
    X = feature_matrix(table, model.feature_names)  # (m, s_1) in the model's order
    sel = np.arange(len(X)) if rows is None else rows
    if rows is not None and len(rows) and rows.max() >= len(X):
        raise DataError(f"has {len(X)} data rows, but the model's validation rows go up to row "
                        f"{rows.max() + 1}; has the file changed since training?",
                        source=table.source)
    X = model.norm.apply(X[sel])  # x' = (x - shift) / scale   (m, s_1)
    if not with_target:  # predict: a target column, if any, is not read at all
        return Batch(X, None, None, source or table.source)
    tcols = [table.columns.index(c) for c in model.target_names if c in table.columns]
    if len(tcols) < len(model.target_names):
        raise DataError(f"has no target column {', '.join(model.target_names)}; evaluate "
                        "compares the predictions with it", source=table.source)
    if model.classes is not None:
        true = class_index(model, table, tcols[0], sel)
        Y = model.target.encode(model.classes[true], table.source)  # (m, K)
    else:
        for j in tcols:
            if j in table.text:
                raise first_non_numeric(table, j)
        Y = table.values[np.ix_(sel, tcols)]  # (m, K)
        true = predict_index(Y) if model.classifier else None
    return Batch(X, Y, true, source or table.source)


def check_columns(model: SavedModel, table: Table) -> None:
    """Every feature present, and nothing that is neither a feature nor a target."""
    missing = [c for c in model.feature_names if c not in table.columns]
    known = set(model.feature_names) | set(model.target_names)
    extra = [c for c in table.columns if c not in known]
    if missing or extra:
        what = ([f"missing feature column(s) {_some(missing)}"] if missing else []) + \
            ([f"unknown column(s) {_some(list(map(repr, extra)))}"] if extra else [])
        raise DataError(f"{'; '.join(what)} (the model's features are "
                        f"{_some(model.feature_names)}; its target "
                        f"{_some(model.target_names)})", source=table.source)


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
    """h_Θ(x) for every row.  (m, s_L)"""
    return forward(model.net, model.Theta, X)[1][model.net.L]


def predictions(model: SavedModel, h: np.ndarray, proba: bool = False):
    """The header and rows of predict's CSV: the labels (or, for regression, one
    column per target), then with ``proba`` one p_<class> column per class."""
    if not model.classifier:
        return list(model.target_names), h.tolist()
    labels = model.labels
    header, cols = ["prediction"], [labels[predict_index(h)].tolist()]
    if proba:
        P = np.hstack([1.0 - h, h]) if h.shape[1] == 1 else h  # one unit: h = P(classes[1])
        header += [f"p_{label_text(c)}" for c in labels]
        cols += list(P.T.tolist())
    return header, [list(r) for r in zip(*cols)]


def evaluate(model: SavedModel, batch: Batch) -> dict:
    """J at the model's λ and at λ = 0, and the metrics of the model's kind."""
    net, m = model.net, len(batch.X)
    z, a = forward(net, model.Theta, batch.X)
    h = a[net.L]  # (m, s_L)
    J0 = float(example_costs(net, z, a, batch.Y).sum()) / m  # (1/m) Σ_t cost(t)
    out = {"cost": J0 + regularization(model.Theta, model.lam, m), "cost_unregularized": J0}
    if model.classifier:
        pred = predict_index(h)
        C = confusion(batch.true, pred, len(model.labels))  # rows true, columns predicted
        pc = per_class(C)
        out.update(accuracy=float((pred == batch.true).mean()), classes=model.labels.tolist(),
                   confusion=C.tolist(),
                   per_class=[{"class": c, **{k: v[k_].item() for k, v in pc.items()}}
                              for k_, c in enumerate(model.labels.tolist())])
    else:
        out.update(regression(h, batch.Y), targets=list(model.target_names))
    out.update(examples=m, **{"lambda": model.lam})
    return out


def evaluation_batch(model: SavedModel, path: str | None) -> Batch:
    """DATA when given; else the model's test file, else its validation rows."""
    if path is not None:
        return read_batch(model, path, with_target=True)
    kind, p, rows = model.default_data()
    if kind == "test":
        return read_batch(model, p, with_target=True, source=f"{p} (the model's test file)")
    return read_batch(model, p, with_target=True, rows=rows,
                      source=f"the {len(rows)} validation rows of {p} held out in training")
