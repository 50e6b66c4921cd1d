"""Regenerate digits-train.csv and digits-test.csv in this folder.

The source is the 8x8 handwritten digits of the UCI "Optical Recognition of
Handwritten Digits" data (1797 images) as shipped with scikit-learn's
``load_digits``. scikit-learn is needed only to run this script; nnbp never
needs it at runtime, and the generated CSV files are committed.

Split: stratified by digit. For each class, round(20 %) of its rows are drawn
at random (numpy ``default_rng(0)``, classes taken in order 0..9) into the
test file; the rest go to the training file. Rows keep their original order
within each file.

Columns: ``p0`` .. ``p63`` (pixel counts 0..16, row-major over the 8x8 image)
and ``digit`` (0..9), all written as integers.

Usage:  python make_digits.py      (writes next to this script)
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

TEST_FRACTION = 0.2
SEED = 0
HERE = Path(__file__).resolve().parent


def split_indices(y: np.ndarray) -> np.ndarray:
    """Return a boolean mask, True for rows that go to the test file."""
    rng = np.random.default_rng(SEED)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        n_test = int(round(TEST_FRACTION * len(idx)))
        test[rng.choice(idx, size=n_test, replace=False)] = True
    return test


def write_csv(path: Path, X: np.ndarray, y: np.ndarray) -> None:
    header = ",".join([f"p{i}" for i in range(X.shape[1])] + ["digit"])
    lines = [header]
    for row, label in zip(X, y):
        lines.append(",".join(str(int(v)) for v in row) + f",{int(label)}")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main() -> None:
    digits = load_digits()
    X = digits.data.astype(np.int64)
    y = digits.target.astype(np.int64)
    assert np.array_equal(X, digits.data), "pixels are expected to be integers"
    test = split_indices(y)
    write_csv(HERE / "digits-train.csv", X[~test], y[~test])
    write_csv(HERE / "digits-test.csv", X[test], y[test])
    print(f"train: {int((~test).sum())} rows, test: {int(test.sum())} rows")


if __name__ == "__main__":
    main()
