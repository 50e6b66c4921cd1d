"""How good the predictions are: the confusion matrix and per-class precision,
recall and F1 for classifiers; mean squared error and R² for regression.

Pure numpy on class indices and output matrices; nothing here knows about
files or models.  A ratio whose denominator is 0 is reported as 0 (a class
never predicted has precision 0, as scikit-learn's zero_division=0).
"""

from __future__ import annotations

import numpy as np


def confusion(true: np.ndarray, pred: np.ndarray, K: int) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as class j.  (K, K)"""
    return np.bincount(true * K + pred, minlength=K * K).reshape(K, K)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)


def per_class(C: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support of each class, from a confusion matrix."""
    tp = np.diag(C).astype(np.float64)  # (K,)
    predicted = C.sum(axis=0)  # column sums: examples predicted as class k
    support = C.sum(axis=1)  # row sums: examples of true class k
    precision = _ratio(tp, predicted)  # tp / (tp + fp)
    recall = _ratio(tp, support)  # tp / (tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall)  # harmonic mean of the two
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def regression_from_sums(ss_res: np.ndarray, ss_tot: np.ndarray, m: int) -> dict:
    """Mean squared error and R² = 1 - SS_res / SS_tot from the sums of squares per
    target (K,) over m examples, per target and over all of them: the mean of the
    targets' MSE and of their R² (as scikit-learn's ``r2_score``, "uniform_average"),
    so that each target counts the same whatever its units.  R² is None for a constant
    target (SS_tot = 0), and the mean is over the others (None when all are constant)."""
    r2 = [float(1.0 - res / tot) if tot > 0 else None for res, tot in zip(ss_res, ss_tot)]
    defined = [v for v in r2 if v is not None]
    return {
        "mse": float(ss_res.sum()) / (m * len(ss_res)),  # mean over examples and targets
        "r2": float(np.mean(defined)) if defined else None,  # mean over the targets
        "mse_per_target": (ss_res / m).tolist(),
        "r2_per_target": r2,
    }
