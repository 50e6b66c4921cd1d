"""Regression networks (linear output, squared error): targets standardized with
training-row statistics kept in the model, costs in the units trained on,
predictions and evaluate's MSE and R² in the target's own units, and a diabetes-
like file that `nnbp init` + `nnbp train` fit with no edits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnbp import model
from nnbp.config import parse_config
from nnbp.training.run import prepare


def run(tmp_path, csv: str, data: str = "", test: str | None = None):
    (tmp_path / "train.csv").write_text(csv)
    if test is not None:
        (tmp_path / "test.csv").write_text(test)
    text = ("data:\n  train: train.csv\n" + ("  test: test.csv\n" if test else "") + data +
            "network:\n  layers: [auto, 2, auto]\n  output: linear\n  cost: squared_error\n")
    return prepare(parse_config(text, source="c.yaml", base=tmp_path))


def test_y_is_standardized_with_the_training_rows_mean_and_std(tmp_path):
    # y = 10, 20, 60: mean 30, std √((400 + 100 + 900)/3) = √(1400/3)
    r = run(tmp_path, "x,y\n1,10\n2,20\n3,60\n", test="x,y\n4,30\n5,90\n")
    s = r.data.target.scaling
    assert s.shift.tolist() == [30.0]
    assert s.scale.tolist() == [np.sqrt(1400 / 3)]
    np.testing.assert_allclose(r.data.train.Y[:, 0], np.array([-20, -10, 30]) / np.sqrt(1400 / 3),
                               rtol=1e-15)
    # the test file is scaled with the training statistics, not its own
    np.testing.assert_allclose(r.data.test.Y[:, 0], np.array([0, 60]) / np.sqrt(1400 / 3),
                               rtol=1e-15)


def test_validation_rows_are_scaled_with_the_other_rows_statistics(tmp_path):
    rows = "".join(f"{i},{i * i}\n" for i in range(10))
    r = run(tmp_path, "x,y\n" + rows, data="  validation_split: 0.3\n")
    y = np.arange(10.0) ** 2
    train = y[r.data.train.rows]
    assert r.data.target.scaling.shift.tolist() == [train.mean()]
    assert r.data.target.scaling.scale.tolist() == [train.std()]
    np.testing.assert_array_equal(r.data.val.Y[:, 0],
                                  (y[r.data.val.rows] - train.mean()) / train.std())


def test_a_constant_target_is_centred_not_divided_by_zero(tmp_path):
    r = run(tmp_path, "x,y\n1,5\n2,5\n3,5\n")
    assert (r.data.target.scaling.shift.tolist(), r.data.target.scaling.scale.tolist()) == \
        ([5.0], [1.0])
    assert r.data.train.Y.tolist() == [[0.0], [0.0], [0.0]]


def test_normalize_target_none_trains_on_y_as_is(tmp_path):
    r = run(tmp_path, "x,y\n1,10\n2,20\n", data="  normalize_target: none\n")
    assert r.data.target.scaling is None
    assert r.data.train.Y.tolist() == [[10.0], [20.0]]


def test_a_sigmoid_output_keeps_its_targets(tmp_path):
    (tmp_path / "t.csv").write_text("x,p,q\n1,0.25,0.75\n2,1,0\n")
    cfg = parse_config("data: {train: t.csv, target: [p, q]}\nnetwork: {layers: [1, 2]}\n"
                       "training: {}\n", base=tmp_path)
    r = prepare(cfg)
    assert r.data.target.scaling is None
    assert r.data.train.Y.tolist() == [[0.25, 0.75], [1.0, 0.0]]


# --- a model written by hand: what predict and evaluate report, in which units ---

def hand_model(folder):
    """A 1-1 linear network h' = 0.5 + 2x on x as is, trained on y' = (y - 10)/4."""
    arrays = {"Theta1": np.array([[0.5, 2.0]]), "layers": np.array([1, 1]),
              "activation": np.array("sigmoid"), "output": np.array("linear"),
              "cost": np.array("squared_error"), "lambda": np.array(0.3),
              "feature_names": np.array(["x"]), "target_names": np.array(["y"]),
              "ignored_names": np.array(["id"]),
              "norm_kind": np.array("none"), "norm_shift": np.array([0.0]),
              "norm_scale": np.array([1.0]), "target_shift": np.array([10.0]),
              "target_scale": np.array([4.0]), "nnbp_version": np.array("0.1.0")}
    model.save_npz_atomic(folder / "m.npz", arrays)
    # x = 0, 1, 2: h' = 0.5, 2.5, 4.5, so y = 10 + 4 h' = 12, 20, 28
    (folder / "d.csv").write_text("id,x,y\n7,0,12\n8,1,19\n9,2,27\n")


def test_predict_gives_the_target_s_units(nnbp_run, tmp_path):
    hand_model(tmp_path)
    r = nnbp_run("predict", "m.npz", "d.csv")
    assert (r.returncode, r.stderr) == (0, "")  # id: ignored in training, skipped quietly
    assert r.stdout == "y\n12.0\n20.0\n28.0\n"


def test_evaluate_mse_and_r2_in_the_target_s_units_and_j_in_the_units_trained_on(nnbp_run,
                                                                                tmp_path):
    hand_model(tmp_path)
    r = nnbp_run("evaluate", "m.npz", "d.csv", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # residuals h - y in the target's units: 12 - 12, 20 - 19, 28 - 27 = 0, 1, 1
    assert out["mse"] == pytest.approx(2 / 3, rel=1e-15)  # (0 + 1 + 1) / 3
    # ȳ = 58/3; SS_tot = (12 - ȳ)² + (19 - ȳ)² + (27 - ȳ)² = 338/3; R² = 1 - 2/(338/3)
    assert out["r2"] == pytest.approx(1 - 6 / 338, rel=1e-15)
    # in the units trained on, y' = (y - 10)/4: h' - y' = 0, 1/4, 1/4 and
    # J at λ = 0 = (1/3) Σ ½ (h' - y')² = (1/3)(1/32 + 1/32) = 1/48
    assert out["cost_unregularized"] == pytest.approx(1 / 48, rel=1e-15)
    # plus (λ/2m) Θ_11² = (0.3/6) · 4 = 0.2
    assert out["cost"] == pytest.approx(1 / 48 + 0.2, rel=1e-15)
    assert (out["target_shift"], out["target_scale"]) == ([10.0], [4.0])
    assert (out["data"], out["source"]) == ("d.csv", "data file")
    table = nnbp_run("evaluate", "m.npz", "d.csv").stdout
    assert "cost J (λ = 0.3, standardized y)" in table


@pytest.mark.parametrize("which", [["--x", "2", "--y", "27"], ["--example", "3"]],
                         ids=["typed", "row"])
def test_explain_shows_y_as_the_model_learned_it_and_as_written(nnbp_run, tmp_path, which):
    hand_model(tmp_path)
    (tmp_path / "c.yaml").write_text(
        "data: {train: d.csv, target: y, ignore: [id], normalize: none}\n"
        "network: {layers: [1, 1], output: linear, cost: squared_error}\n")
    r = nnbp_run("explain", "c.yaml", "--model", "m.npz", *which, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # x = 2: h' = 0.5 + 2·2 = 4.5 against y' = (27 - 10)/4 = 4.25 with the model's
    # statistics (the file's own would be others); δ = h' - y' = 0.25, cost ½·0.25²
    assert out["y"] == [4.25] and out["raw"]["y"] == [27.0]
    assert out["layers"][-1]["delta"] == [0.25]
    assert out["cost"] == 0.03125


def test_a_model_with_one_of_the_two_target_arrays_is_refused(tmp_path):
    hand_model(tmp_path)
    arrays = model.read_npz(tmp_path / "m.npz")
    del arrays["target_scale"]
    model.save_npz_atomic(tmp_path / "bad.npz", arrays)
    with pytest.raises(model.ModelError) as e:
        model.load_model(tmp_path / "bad.npz")
    assert str(e.value) == (f"{tmp_path / 'bad.npz'}: has target_shift but not the other of "
                            "target_shift and target_scale")


# --- trained end to end ----------------------------------------------------------------

def diabetes_like(path, m: int = 442, seed: int = 0) -> None:
    """Like scikit-learn's diabetes set: 10 small standardized features, and a target
    of whole numbers from 25 to 346 (mean about 152), about half of its variance
    linear in the features, some of it a curve, the rest noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 10)) / np.sqrt(m)  # columns of unit length, as in diabetes
    w = rng.normal(size=10)
    z = X @ w * np.sqrt(m) / np.linalg.norm(w)  # (m,) about N(0, 1)
    y = np.clip(np.round(152 + 55 * z + 20 * (z * z - 1) + rng.normal(0, 45, m)), 25, 346)
    header = ",".join(["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
                       "progression"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="",
               fmt=["%.17g"] * 10 + ["%.1f"])  # the target written 151.0, as pandas does


def test_init_and_train_fit_a_diabetes_like_file_with_no_edits(nnbp_run, tmp_path):
    diabetes_like(tmp_path / "diab.csv")
    r = nnbp_run("init", "diab.yaml", "--data", "diab.csv", "--target", "progression")
    assert r.returncode == 0, r.stderr
    assert "regression target in progression, layers [10, 8, 1]" in r.stderr
    r = nnbp_run("train", "diab.yaml", "--quiet", "--log-every", 1000)
    assert r.returncode == 0, r.stderr
    first, last = (float(line.split(",")[1]) for line in r.stdout.splitlines()[1:])
    assert first < 1  # about ½ var(y') = ½ at the start: y' standardized
    r = nnbp_run("evaluate", "diab.npz", "diab.csv", "--json")
    out = json.loads(r.stdout)
    assert out["r2"] > 0.45
    # the log's last cost is J on the training rows, in the units trained on
    assert out["cost"] == pytest.approx(last, rel=1e-12)
    y = np.loadtxt(tmp_path / "diab.csv", delimiter=",", skiprows=1)[:, -1]
    assert out["target_shift"] == [y.mean()] and out["target_scale"] == [y.std()]
    assert out["mse"] == pytest.approx(2 * out["cost_unregularized"] * y.var(), rel=1e-12)


def test_the_same_file_diverges_at_learning_rate_1_without_standardized_targets(nnbp_run,
                                                                                 tmp_path):
    """What the standardized targets are for: y as is (25 to 346) at α = 1 diverges."""
    diabetes_like(tmp_path / "diab.csv")
    (tmp_path / "raw.yaml").write_text(
        "data: {train: diab.csv, target: progression, normalize_target: none}\n"
        "network: {layers: [auto, 25, 1], output: linear, cost: squared_error}\n"
        "training: {epochs: 1000, learning_rate: 1}\n")
    r = nnbp_run("train", "raw.yaml", "--quiet")
    assert r.returncode == 1
    assert "no model was written" in r.stderr
