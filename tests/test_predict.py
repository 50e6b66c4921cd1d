"""`nnbp predict`: the real process, its CSV on stdout read back with the csv
module, the probabilities checked against a forward pass written here in plain
numpy from the npz arrays."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import run_nnbp as nnbp

DATASETS = Path(__file__).resolve().parent.parent / "datasets"
IRIS = DATASETS / "iris.csv"
SPECIES = ["setosa", "versicolor", "virginica"]


def arrays_of(path) -> dict:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def oracle_h(A: dict, X: np.ndarray) -> np.ndarray:
    """h_Θ(x): normalize as the model says, then a = g(Θ [1; a]) layer by layer."""
    a = (X - A["norm_shift"]) / A["norm_scale"]
    n = int(len(A["layers"])) - 1
    for l in range(1, n + 1):
        z = np.hstack([np.ones((len(a), 1)), a]) @ A[f"Theta{l}"].T
        a = z if (l == n and str(A["output"]) == "linear") else 1 / (1 + np.exp(-z))
    if "target_scale" in A:  # a regression network's y' back in the target's units
        a = a * A["target_scale"] + A["target_shift"]
    return a


def read_csv_text(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO(text))
    return header, rows


@pytest.fixture(scope="module")
def iris(iris_model):
    return iris_model


def iris_X() -> np.ndarray:
    return np.loadtxt(IRIS, delimiter=",", skiprows=1, usecols=range(4))


def test_labels_and_probabilities_match_the_forward_pass(iris, tmp_path):
    r = nnbp("predict", iris, IRIS, "--proba", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    header, rows = read_csv_text(r.stdout)
    assert header == ["prediction", "p_setosa", "p_versicolor", "p_virginica"]
    assert len(rows) == 150
    h = oracle_h(arrays_of(iris), iris_X())
    P = np.array([[float(v) for v in row[1:]] for row in rows])
    np.testing.assert_allclose(P, h, rtol=0, atol=1e-12)
    assert [row[0] for row in rows] == [SPECIES[k] for k in h.argmax(axis=1)]  # in row order
    for row in rows:  # full precision: each number is the shortest repr of a float
        assert all(repr(float(v)) == v for v in row[1:])
    truth = [line.rsplit(",", 1)[1] for line in IRIS.read_text().split()[1:]]
    assert np.mean([row[0] == t for row, t in zip(rows, truth)]) > 0.8


def test_without_proba_only_the_prediction_column(iris, tmp_path):
    r = nnbp("predict", iris, IRIS, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    header, rows = read_csv_text(r.stdout)
    assert header == ["prediction"] and all(len(row) == 1 for row in rows)
    assert {row[0] for row in rows} <= set(SPECIES)


def test_shuffled_columns_without_the_target_give_the_same_output(iris, tmp_path):
    lines = [line.split(",") for line in IRIS.read_text().split()]
    order = [3, 0, 2, 1]  # petal_width, sepal_length, petal_length, sepal_width; no species
    (tmp_path / "x.csv").write_text("\n".join(",".join(r[j] for j in order) for r in lines))
    a = nnbp("predict", iris, IRIS, "--proba", cwd=tmp_path)
    b = nnbp("predict", iris, "x.csv", "--proba", cwd=tmp_path)
    assert b.returncode == 0, b.stderr
    assert b.stdout == a.stdout


def test_a_target_column_is_ignored_even_with_labels_the_model_never_saw(iris, tmp_path):
    (tmp_path / "x.csv").write_text(IRIS.read_text().replace("virginica", "daisy"))
    a = nnbp("predict", iris, IRIS, cwd=tmp_path)
    b = nnbp("predict", iris, "x.csv", cwd=tmp_path)
    assert b.returncode == 0, b.stderr
    assert b.stdout == a.stdout


@pytest.mark.parametrize("header, message", [
    ("sepal_length,sepal_width,petal_width",
     "x.csv: missing feature column(s) petal_length"),
    ("sepal_length,sepal_width,petal_len,petal_width,colour",
     "x.csv: missing feature column(s) petal_length; unknown column(s) 'petal_len', 'colour'"),
])
def test_missing_and_unknown_columns_are_named(iris, tmp_path, header, message):
    values = ",".join(["1.0"] * len(header.split(",")))
    (tmp_path / "x.csv").write_text(f"{header}\n{values}\n")
    r = nnbp("predict", iris, "x.csv", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == (f"Error: {message} (the model's features are sepal_length, sepal_width, "
                        "petal_length, petal_width; its target species)\n")


def test_a_non_numeric_feature_names_its_line(iris, tmp_path):
    (tmp_path / "x.csv").write_text("sepal_length,sepal_width,petal_length,petal_width\n"
                                    "5.1,3.5,1.4,0.2\n5.0,wide,1.4,0.2\n")
    r = nnbp("predict", iris, "x.csv", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("Error: x.csv, line 3: column 'sepal_width' holds 'wide'; "
                        "expected a number; fix that value or remove its row\n")


def test_a_nan_feature_is_fixed_in_the_file_not_by_data_ignore(iris, tmp_path):
    (tmp_path / "x.csv").write_text("sepal_length,sepal_width,petal_length,petal_width\n"
                                    "5.1,3.5,1.4,0.2\n5.0,NaN,1.4,0.2\n")
    r = nnbp("predict", iris, "x.csv", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("Error: x.csv, line 3: column 'sepal_width' holds 'NaN'; "
                        "expected a finite number; fix that value or remove its row\n")


@pytest.mark.parametrize("args, message", [
    (["nope.npz", "{data}"], "nope.npz: no such file"),
    (["{model}", "nope.csv"], "nope.csv: no such file"),
])
def test_missing_files(iris, tmp_path, args, message):
    r = nnbp("predict", *[a.format(model=iris, data=IRIS) for a in args], cwd=tmp_path)
    assert (r.returncode, r.stderr, r.stdout) == (2, f"Error: {message}\n", "")


def test_one_sigmoid_unit_gives_both_class_probabilities(tmp_path):
    r = nnbp("train", "xor", "--epochs", 300, "--out", "x.npz", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = nnbp("predict", "x.npz", DATASETS / "xor.csv", "--proba", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    header, rows = read_csv_text(r.stdout)
    assert header == ["prediction", "p_0", "p_1"]
    X = np.loadtxt(DATASETS / "xor.csv", delimiter=",", skiprows=1, usecols=(0, 1))
    h = oracle_h(arrays_of(tmp_path / "x.npz"), X)[:, 0]  # h = P(y = 1)
    P = np.array([[float(v) for v in row[1:]] for row in rows])
    np.testing.assert_allclose(P[:, 1], h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(P[:, 0], 1 - h, rtol=0, atol=1e-12)
    assert [row[0] for row in rows] == ["1" if v >= 0.5 else "0" for v in h]


def test_regression_writes_one_column_per_target(tmp_path):
    (tmp_path / "lin.csv").write_text("x,y\n" + "".join(f"{v / 10!r},{2 * v / 10 + 1!r}\n"
                                                        for v in range(-10, 11)))
    cfg = {"data": {"train": "lin.csv", "normalize": "minmax"},
           "network": {"layers": [1, 1], "output": "linear", "cost": "squared_error"},
           "training": {"epochs": 40, "learning_rate": 0.5, "lambda": 0.0}}
    (tmp_path / "lin.yaml").write_text(yaml.safe_dump(cfg))
    assert nnbp("train", "lin.yaml", "--out", "lin.npz", "-q", cwd=tmp_path).returncode == 0
    (tmp_path / "new.csv").write_text("x\n0.25\n3\n")
    r = nnbp("predict", "lin.npz", "new.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    header, rows = read_csv_text(r.stdout)
    assert header == ["y"]
    h = oracle_h(arrays_of(tmp_path / "lin.npz"), np.array([[0.25], [3.0]]))[:, 0]
    np.testing.assert_allclose([float(row[0]) for row in rows], h, rtol=0, atol=1e-12)
    assert float(rows[0][0]) == pytest.approx(1.5, abs=0.1)  # y = 2x + 1, learned
    r = nnbp("predict", "lin.npz", "new.csv", "--proba", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("Error: --proba needs a classifier; this model predicts numbers "
                        "(output linear, targets y)\n")


def test_a_closed_pipe_ends_quietly(iris, tmp_path, nnbp_popen):
    rng = np.random.default_rng(0)
    X = rng.normal(5, 1, size=(20000, 4))  # ~1.5 MB of CSV out: far more than a pipe holds
    np.savetxt(tmp_path / "big.csv", X, delimiter=",", comments="",
               header="sepal_length,sepal_width,petal_length,petal_width")
    p = nnbp_popen("predict", iris, "big.csv", "--proba")
    assert p.stdout.readline().startswith("prediction,")
    p.stdout.readline()
    p.stdout.close()  # as `| head -2` does
    assert p.wait(timeout=120) == 141
    assert p.stderr.read() == ""


@pytest.mark.parametrize("memory", [None, "1000"], ids=["in memory", "a block at a time"])
def test_a_file_of_a_header_alone_predicts_the_header_alone(iris, tmp_path, memory,
                                                            monkeypatch):
    (tmp_path / "x.csv").write_text("id,sepal_length,sepal_width,petal_length,petal_width\n")
    if memory:
        monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", memory)
    r = nnbp("predict", iris, "x.csv", "--keep", "id", "--proba", "--quiet", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "id,prediction,p_setosa,p_versicolor,p_virginica\n"
    (tmp_path / "y.csv").write_text("sepal_length,sepal_width,petal_length,petal_width,"
                                    "species\n")
    r = nnbp("evaluate", iris, "y.csv", cwd=tmp_path)  # nothing to score: an error still
    assert (r.returncode, r.stderr.splitlines()[-1]) == (
        2, "Error: y.csv: has a header but no data rows")
