"""`nnbp evaluate` and the library behind it (nnbp/model.py, nnbp/metrics.py).

Models are trained by the real `nnbp train`; every number evaluate prints is
checked against a forward pass, cost and confusion computed here from the npz
arrays with plain numpy, which shares no code with nnbp.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import run_nnbp as nnbp
from nnbp.errors import ModelError
from nnbp.metrics import confusion, per_class, regression_from_sums
from nnbp.model import load_model

DATASETS = Path(__file__).resolve().parent.parent / "datasets"


# --- an independent oracle -------------------------------------------------------

def arrays_of(path) -> dict:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def read_table(path) -> tuple[list[str], list[list[str]]]:
    lines = Path(path).read_text().strip().splitlines()
    return lines[0].split(","), [line.split(",") for line in lines[1:]]


def oracle_h(A: dict, header: list[str], rows: list[list[str]]) -> np.ndarray:
    """h_Θ(x) of a sigmoid (or linear-output) network, written out by hand."""
    cols = [header.index(str(f)) for f in A["feature_names"]]
    X = np.array([[float(r[j]) for j in cols] for r in rows])
    a = (X - A["norm_shift"]) / A["norm_scale"]
    n = int(len(A["layers"])) - 1
    for l in range(1, n + 1):
        T = A[f"Theta{l}"]
        z = np.hstack([np.ones((len(a), 1)), a]) @ T.T
        a = z if (l == n and str(A["output"]) == "linear") else 1 / (1 + np.exp(-z))
    return a


def in_target_units(A: dict, h: np.ndarray) -> np.ndarray:
    """A regression network's outputs in the target's units: y = y' · scale + shift."""
    return h * A["target_scale"] + A["target_shift"] if "target_scale" in A else h


def oracle_eval(A: dict, header: list[str], rows: list[list[str]]) -> dict:
    """Cross-entropy cost, accuracy and confusion of a one-vs-all sigmoid classifier."""
    h = oracle_h(A, header, rows)
    classes = [str(c) for c in A["classes"]]
    t = header.index(str(A["target_names"][0]))
    true = np.array([classes.index(r[t]) for r in rows])  # labels as written: "7", "setosa"
    m, K = h.shape
    Y = np.eye(K)[true] if K > 1 else true[:, None].astype(float)
    J0 = -np.sum(Y * np.log(h) + (1 - Y) * np.log(1 - h)) / m
    reg = sum((A[f"Theta{l}"][:, 1:] ** 2).sum() for l in range(1, len(A["layers"])))
    pred = h.argmax(axis=1) if K > 1 else (h[:, 0] >= 0.5).astype(int)
    C = np.zeros((len(classes), len(classes)), dtype=int)
    for i, j in zip(true, pred):
        C[i, j] += 1
    return {"cost": J0 + float(A["lambda"]) / (2 * m) * reg, "cost_unregularized": J0,
            "accuracy": float(np.mean(pred == true)), "confusion": C.tolist(), "m": m}


@pytest.fixture(scope="module")
def iris(iris_model):
    return iris_model


def check_against_oracle(out: dict, want: dict) -> None:
    assert out["cost"] == pytest.approx(want["cost"], rel=1e-10)
    assert out["cost_unregularized"] == pytest.approx(want["cost_unregularized"], rel=1e-10)
    assert out["cost"] > out["cost_unregularized"]
    assert out["accuracy"] == want["accuracy"]
    assert out["confusion"] == want["confusion"]
    C = np.array(out["confusion"])
    assert C.sum() == want["m"] == out["examples"]
    assert np.trace(C) / C.sum() == pytest.approx(out["accuracy"], abs=1e-15)


# --- the CLI ------------------------------------------------------------------------

def test_iris_on_a_data_file_matches_the_oracle(iris, tmp_path):
    r = nnbp("evaluate", iris, DATASETS / "iris.csv", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # DATA given: nothing to explain
    out = json.loads(r.stdout)
    assert list(out)[:5] == ["cost", "cost_unregularized", "accuracy", "classes", "confusion"]
    assert out["classes"] == ["setosa", "versicolor", "virginica"]
    check_against_oracle(out, oracle_eval(arrays_of(iris), *read_table(DATASETS / "iris.csv")))
    assert out["accuracy"] > 0.8  # 200 epochs learn iris; a broken forward pass would not
    assert [c["support"] for c in out["per_class"]] == [50, 50, 50]


def test_without_data_iris_uses_its_validation_rows_and_says_so(iris, tmp_path):
    r = nnbp("evaluate", iris, "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows_used = arrays_of(iris)["val_rows"]
    assert len(rows_used) == 30
    assert r.stderr == (f"Evaluating on the 30 validation rows of {DATASETS / 'iris.csv'} "
                        "held out in training.\n")
    out = json.loads(r.stdout)
    assert (out["data"], out["source"]) == (None, "validation rows")
    header, rows = read_table(DATASETS / "iris.csv")
    check_against_oracle(out, oracle_eval(arrays_of(iris), header,
                                          [rows[i] for i in rows_used]))
    assert np.array(out["confusion"]).sum(axis=1).tolist() == [10, 10, 10]  # stratified


@pytest.mark.parametrize("memory", [None, "20000"], ids=["in memory", "a block at a time"])
def test_without_data_a_training_file_reordered_since_training_is_an_error(tmp_path, memory,
                                                                           monkeypatch):
    lines = (DATASETS / "iris.csv").read_text().splitlines()
    (tmp_path / "iris.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text(
        "data:\n  train: iris.csv\n  validation_split: 0.2\nnetwork:\n  layers: [auto, 4, "
        "auto]\n  output: softmax\ntraining:\n  epochs: 5\n")
    assert nnbp("train", "c.yaml", "--quiet", "--out", "m.npz", cwd=tmp_path).returncode == 0
    if memory:
        monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", memory)
    assert nnbp("evaluate", "m.npz", cwd=tmp_path).returncode == 0  # as trained
    rng = np.random.default_rng(3)
    rows = lines[1:]
    (tmp_path / "iris.csv").write_text("\n".join([lines[0], *rng.permutation(rows)]) + "\n")
    r = nnbp("evaluate", "m.npz", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (2, "")
    said = r.stderr.splitlines()
    assert said[:-1] == ([f"Reading {tmp_path / 'iris.csv'} a block at a time: it would not "
                          "fit in memory."] if memory else [])
    assert said[-1].startswith(f"Error: {tmp_path / 'iris.csv'}: has changed since training: "
                               "its rows other than the model's validation rows have a mean "
                               "of ")
    assert r.stderr.endswith("(rows reordered, added or replaced?); evaluate the model on a "
                             "data file instead: nnbp evaluate MODEL DATA\n")


def test_without_data_digits_uses_its_test_file_and_says_so(tmp_path):
    r = nnbp("train", "digits", "--epochs", 20, "--out", "d.npz", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    test_cost = float(r.stdout.strip().splitlines()[-1].split(",")[3])  # the log's test_cost
    r = nnbp("evaluate", "d.npz", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    test = DATASETS / "digits-test.csv"
    assert r.stderr == f"Evaluating on {test} (the model's test file).\n"
    out = json.loads(r.stdout)
    assert out["classes"] == list(range(10))  # integer labels stay integers
    assert (out["data"], out["source"]) == (str(test), "test file")
    check_against_oracle(out, oracle_eval(arrays_of(tmp_path / "d.npz"), *read_table(test)))
    assert out["cost_unregularized"] == pytest.approx(test_cost, rel=1e-12)


def test_a_table_names_its_rows_once_in_its_first_line(iris, tmp_path):
    r = nnbp("evaluate", iris, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # not again on stderr: stdout says it
    assert r.stdout.splitlines()[0] == (f"30 examples: the 30 validation rows of "
                                        f"{DATASETS / 'iris.csv'} held out in training")


def test_tables_for_people_and_quiet(iris, tmp_path):
    r = nnbp("evaluate", iris, "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    for text in ("cost J (λ = 0.1)", "cost J (λ = 0)", "accuracy", "Per class", "precision",
                 "Confusion matrix", "true \\ predicted", "versicolor"):
        assert text in r.stdout


def test_columns_in_another_order_give_the_same_result(iris, tmp_path):
    header, rows = read_table(DATASETS / "iris.csv")
    order = [4, 2, 0, 3, 1]
    (tmp_path / "shuffled.csv").write_text(
        "\n".join(",".join(r[j] for j in order) for r in [header, *rows]) + "\n")
    a = json.loads(nnbp("evaluate", iris, DATASETS / "iris.csv", "--json", cwd=tmp_path).stdout)
    b = json.loads(nnbp("evaluate", iris, "shuffled.csv", "--json", cwd=tmp_path).stdout)
    del a["data"], b["data"]
    assert a == b


def regression_model(folder: Path) -> Path:
    x = np.linspace(-1.0, 1.0, 21)
    (folder / "lin.csv").write_text("x,y\n" + "".join(f"{v!r},{2 * v + 1!r}\n"
                                                      for v in x.tolist()))
    cfg = {"data": {"train": "lin.csv", "normalize": "none"},
           "network": {"layers": [1, 1], "output": "linear", "cost": "squared_error"},
           "training": {"epochs": 30, "learning_rate": 0.5, "lambda": 0.5}}
    (folder / "lin.yaml").write_text(yaml.safe_dump(cfg))
    r = nnbp("train", "lin.yaml", "--out", "lin.npz", "--quiet", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder / "lin.npz"


def test_a_regression_model_reports_mse_and_r2(tmp_path):
    model = regression_model(tmp_path)
    r = nnbp("evaluate", model, "lin.csv", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    A = arrays_of(model)
    header, rows = read_table(tmp_path / "lin.csv")
    h = in_target_units(A, oracle_h(A, header, rows))[:, 0]
    y = np.array([float(r[1]) for r in rows])
    m = len(y)
    mse = np.mean((h - y) ** 2)
    assert out["mse"] == pytest.approx(mse, rel=1e-12)
    assert out["r2"] == pytest.approx(1 - np.sum((h - y) ** 2) / np.sum((y - y.mean()) ** 2),
                                      rel=1e-12)
    assert 0.5 < out["r2"] < 1  # 30 epochs: good, not perfect
    # squared error: cost(t) = ½ (h' - y')² on y' = (y - shift)/scale, so J at λ = 0 is
    # half the MSE over scale²
    scale = float(A["target_scale"][0])
    assert scale == pytest.approx(np.std(y), rel=1e-15)
    assert out["cost_unregularized"] == pytest.approx(mse / 2 / scale ** 2, rel=1e-12)
    w = A["Theta1"][0, 1]
    assert out["cost"] == pytest.approx(mse / 2 / scale ** 2 + 0.5 / (2 * m) * w * w, rel=1e-12)
    assert "accuracy" not in out and "classes" not in out
    assert out["targets"] == ["y"]
    table = nnbp("evaluate", model, "lin.csv", cwd=tmp_path)
    assert "mean squared error" in table.stdout and "R²" in table.stdout


def table_rows(text: str) -> dict[str, list[str]]:
    """The cells of each row of rich's tables, by the row's first cell."""
    return {cells[0]: cells[1:] for line in text.splitlines() if line.startswith("│")
            for cells in [[c.strip() for c in line.strip("│").split("│")]]}


def test_each_kind_of_figure_has_one_digit_count(tmp_path):
    x = np.linspace(-1.0, 1.0, 21)
    (tmp_path / "two.csv").write_text("x,y,z\n" + "".join(
        f"{v!r},{2 * v + 1!r},{v * v - 0.3 * v!r}\n" for v in x.tolist()))
    cfg = {"data": {"train": "two.csv", "target": ["y", "z"]},
           "network": {"layers": [1, 3, 2], "output": "linear", "cost": "squared_error"},
           "training": {"epochs": 40, "learning_rate": 0.3}}
    (tmp_path / "two.yaml").write_text(yaml.safe_dump(cfg))
    assert nnbp("train", "two.yaml", "--out", "two.npz", "-q", cwd=tmp_path).returncode == 0
    out = json.loads(nnbp("evaluate", "two.npz", "two.csv", "--json", cwd=tmp_path).stdout)
    r = nnbp("evaluate", "two.npz", "two.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = table_rows(r.stdout)
    # J to 8 significant digits; every MSE and R², of all targets and of each, to 6
    assert rows["cost J (λ = 1, standardized y)"] == [f"{out['cost']:.8g}"]
    assert rows["cost J (λ = 0, standardized y)"] == [f"{out['cost_unregularized']:.8g}"]
    assert rows["mean squared error"] == [f"{out['mse']:.6g}"]
    assert rows["R² (mean over the targets)"] == [f"{out['r2']:.6g}"]
    for name, mse, r2 in zip("yz", out["mse_per_target"], out["r2_per_target"]):
        assert rows[name] == [f"{mse:.6g}", f"{r2:.6g}"]


# --- errors: one line, exit 2 ------------------------------------------------------

def write_binary(folder: Path) -> None:
    (folder / "text.npz").write_text("not a model\n")
    np.savez(folder / "pickled.npz", Theta1=np.array([{"a": 1}], dtype=object))
    np.savez(folder / "weights.npz", Theta1=np.zeros((2, 3)))


@pytest.mark.parametrize("args, message", [
    (["nope.npz", "x.csv"], "nope.npz: no such file"),
    (["text.npz"], "text.npz: is not a readable .npz model file (not a zip archive)"),
    (["pickled.npz"], "pickled.npz: holds pickled Python objects; nnbp never loads those"),
    (["weights.npz"], "weights.npz: is not an nnbp model: it has no layers, activation, output, "
                      "cost, lambda, feature_names, target_names, norm_shift, norm_scale (an .npz "
                      "of weights only? use it as network.init.weights)"),
    (["{iris}", "missing.csv"], "missing.csv: no such file"),
])
def test_bad_model_or_data_files(iris, tmp_path, args, message):
    write_binary(tmp_path)
    r = nnbp("evaluate", *[a.format(iris=iris) for a in args], cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == f"Error: {message}\n"
    assert r.stdout == ""


def test_an_unknown_label_is_named_with_its_line(iris, tmp_path):
    text = (DATASETS / "iris.csv").read_text().replace("virginica", "daisy", 1)
    (tmp_path / "daisy.csv").write_text(text)
    line = text.splitlines().index(next(s for s in text.splitlines() if "daisy" in s)) + 1
    r = nnbp("evaluate", iris, "daisy.csv", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == (f"Error: daisy.csv, line {line}: label 'daisy' in column 'species' is "
                        "not one of the model's classes (setosa, versicolor, virginica)\n")


def test_a_text_label_for_an_integer_class_model(tmp_path):
    assert nnbp("train", "xor", "--epochs", 5, "-q", "--out", "x.npz", cwd=tmp_path).returncode == 0
    (tmp_path / "cat.csv").write_text("x1,x2,y\n0,0,0\n0,1,cat\n")
    r = nnbp("evaluate", "x.npz", "cat.csv", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("Error: cat.csv, line 3: label 'cat' in column 'y' is not one of the "
                        "model's classes (0, 1)\n")


def test_data_without_the_target_column(iris, tmp_path):
    (tmp_path / "x.csv").write_text("sepal_length,sepal_width,petal_length,petal_width\n"
                                    "5.1,3.5,1.4,0.2\n")
    r = nnbp("evaluate", iris, "x.csv", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("Error: x.csv: has no target column species; evaluate compares the "
                        "predictions with it\n")


def test_no_data_and_nothing_held_out_asks_for_data(tmp_path):
    model = regression_model(tmp_path)
    r = nnbp("evaluate", model.name, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == ("Error: lin.npz: has no test file (data.test) and no validation rows "
                        "(data.validation_split) to evaluate on; give a DATA file: "
                        "nnbp evaluate lin.npz DATA.csv\n")


def test_a_test_file_gone_since_training(tmp_path):
    (tmp_path / "t.csv").write_text((DATASETS / "xor.csv").read_text())
    cfg = {"data": {"train": str(DATASETS / "xor.csv"), "test": "t.csv"},
           "network": {"layers": [2, 2, 1]}, "training": {"epochs": 2}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))
    assert nnbp("train", "c.yaml", "-q", "--out", "m.npz", cwd=tmp_path).returncode == 0
    (tmp_path / "t.csv").unlink()
    r = nnbp("evaluate", "m.npz", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == (f"Error: m.npz: its data.test file {tmp_path / 't.csv'} is not there any "
                        "more; give a DATA file\n")


# --- the model loader: every array checked ------------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"Theta2": np.zeros((3, 5))},
     "Theta2 has shape 3 × 5, the network needs 3 × 9 (s_3 × (s_2 + 1))"),
    ({"layers": np.array([[4, 8, 3]])}, "array layers has dtype int64 and shape 1 × 3; expected "
                                        "a vector of integers"),
    ({"activation": np.array("swish")}, "activation is 'swish', not one nnbp knows "
                                        "(sigmoid, tanh, relu)"),
    ({"classes": np.array(["a", "b"])}, "array classes has dtype <U1 and shape 2; expected the "
                                        "labels of the 3 output unit(s), at least 2"),
    ({"classes": np.array(["c", "b", "a"])}, "classes are not sorted and distinct"),
    ({"norm_shift": np.zeros(3)}, "array norm_shift has dtype float64 and shape 3; expected "
                                  "4 finite numbers (one per feature)"),
    ({"norm_scale": np.zeros(4)}, "norm_scale holds a 0; x' = (x - shift) / scale would "
                                  "divide by it"),
    ({"lambda": np.array(-1.0)}, "array lambda has dtype float64 and shape scalar; expected "
                                 "one finite number ≥ 0"),
    ({"feature_names": np.array([1, 2, 3, 4])}, "array feature_names has dtype int64 and shape "
                                                "4; expected 4 column name(s)"),
    ({"val_rows": np.array([-1])}, "val_rows holds a negative row number"),
    ({"cost": np.array("squared_error"), "output": np.array("softmax")},
     "cost squared_error does not pair with output softmax"),
])
def test_a_damaged_model_is_a_model_error_naming_the_array(iris, tmp_path, change, message):
    A = arrays_of(iris)
    A.update(change)
    np.savez(tmp_path / "bad.npz", **A)
    with pytest.raises(ModelError) as e:
        load_model(tmp_path / "bad.npz")
    assert str(e.value) == f"{tmp_path / 'bad.npz'}: {message}"


def test_the_loader_reads_what_train_wrote(iris):
    m = load_model(iris)
    assert m.net.sizes == (4, 8, 3) and m.net.output == "sigmoid"
    assert m.lam == 0.1 and m.classifier
    assert m.classes.tolist() == ["setosa", "versicolor", "virginica"]
    assert m.feature_names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert m.target_names == ["species"]
    assert m.Theta[1].shape == (8, 5) and m.Theta[2].shape == (3, 9)
    assert m.config_paths() == {"train": str(DATASETS / "iris.csv"), "test": None}
    assert len(m.val_rows) == 30


# --- the metrics, on numbers worked by hand -----------------------------------------

def test_confusion_counts_true_rows_and_predicted_columns():
    true = np.array([0, 0, 1, 1, 1, 2])
    pred = np.array([0, 1, 1, 1, 0, 1])
    assert confusion(true, pred, 3).tolist() == [[1, 1, 0],
                                                 [1, 2, 0],
                                                 [0, 1, 0]]


def test_precision_recall_f1_on_a_hand_made_confusion():
    C = np.array([[5, 1, 0],   # class 0: 6 examples, 5 right
                  [2, 3, 1],   # class 1: 6 examples, 3 right
                  [0, 0, 0]])  # class 2: no examples, predicted once (wrongly)
    r = per_class(C)
    # precision = tp / column sum: 5/7, 3/4, 0/1
    assert r["precision"].tolist() == pytest.approx([5 / 7, 3 / 4, 0.0])
    # recall = tp / row sum: 5/6, 3/6, and 0/0 taken as 0
    assert r["recall"].tolist() == pytest.approx([5 / 6, 1 / 2, 0.0])
    # F1 = 2pr / (p + r): 2·(5/7)(5/6)/(5/7 + 5/6) = 10/13; 2·(3/4)(1/2)/(5/4) = 3/5; 0
    assert r["f1"].tolist() == pytest.approx([10 / 13, 3 / 5, 0.0])
    assert r["support"].tolist() == [6, 6, 0]


def test_regression_metrics_and_an_undefined_r2():
    # Y = [[1, 2], [2, 2], [3, 2]] and h = [[1.5, 2], [2, 2], [2.5, 2.5]]
    # residuals²: column 0: .25, 0, .25 (SS_tot 2); column 1: 0, 0, .25 (SS_tot 0)
    r = regression_from_sums(np.array([0.5, 0.25]), np.array([2.0, 0.0]), 3)
    assert r["mse"] == pytest.approx(0.75 / 6)
    assert r["mse_per_target"] == pytest.approx([0.5 / 3, 0.25 / 3])
    assert r["r2_per_target"][0] == pytest.approx(1 - 0.5 / 2)
    assert r["r2_per_target"][1] is None  # a constant target: R² undefined
    assert r["r2"] == 1 - 0.5 / 2  # the mean over the targets where it is defined


def test_r2_of_several_targets_is_the_mean_of_theirs_as_scikit_learns_r2_score():
    # Y = [[1, 10], [2, 30], [3, 20]] and h = [[1, 12], [3, 30], [3, 14]]
    # column 0: mean 2, SS_tot 1 + 0 + 1 = 2, SS_res 0 + 1 + 0 = 1: R² = 1/2
    # column 1: mean 20, SS_tot 100 + 100 + 0 = 200, SS_res 4 + 0 + 36 = 40: R² = 4/5
    ss_res, ss_tot = np.array([1.0, 40.0]), np.array([2.0, 200.0])
    r = regression_from_sums(ss_res, ss_tot, 3)
    assert r["r2_per_target"] == [0.5, 0.8]
    # their mean, 0.65, as r2_score(Y, h) gives; pooled, 1 - 41/202 = 0.797, column 1
    # (the larger variance) would all but decide it
    assert r["r2"] == pytest.approx(0.65, rel=1e-15)
    assert regression_from_sums(ss_res[:1], ss_tot[:1], 3)["r2"] == 0.5
    # against a constant 7: SS_res 36 + 16 + 16 and 25 + 529 + 49, SS_tot 0 and 0
    assert regression_from_sums(np.array([68.0, 603.0]), np.zeros(2), 3)["r2"] is None
