"""A column of true and false, as pandas writes a bool column (True, False) or as
people type it (true, FALSE): a feature of 1s and 0s everywhere data is read (in
memory, streamed, Parquet's bool type, on a Dask cluster), and class labels as
written when it is the target."""

from __future__ import annotations

import logging

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nnbp.config import load_config
from nnbp.data.csvfile import Want
from nnbp.data.reader import read_table
from nnbp.errors import DataError
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare


@pytest.mark.usefixtures("engine")
def test_true_and_false_in_any_case_read_as_one_and_zero(tmp_path):
    (tmp_path / "d.csv").write_text("x,flag,y\n0.5,True,a\n1.5,false,b\n2.5, TRUE ,a\n")
    t = read_table(tmp_path / "d.csv")
    assert t.columns == ["x", "flag", "y"] and sorted(t.text) == [2]
    assert t.values[:, 1].tolist() == [1.0, 0.0, 1.0]
    labels = read_table(tmp_path / "d.csv", want=Want(("x",), ("flag",)))  # as a target
    assert labels.text[1].tolist() == ["True", "false", "TRUE"]


@pytest.mark.usefixtures("engine")
@pytest.mark.parametrize("value,shown", [("maybe", "'maybe'"), ("", "an empty value")])
def test_a_word_that_is_neither_true_nor_false_is_still_text(tmp_path, value, shown):
    from nnbp.data.describe import check_features

    (tmp_path / "d.csv").write_text(f"x,flag,y\n0.5,True,0\n1.5,{value},1\n")
    t = read_table(tmp_path / "d.csv")
    assert 1 in t.text
    with pytest.raises(DataError, match=f"line 3: column 'flag' holds {shown}; expected a "
                       "number; to leave text columns out of the features, "
                       r"data.ignore: \[flag\]"):
        check_features(t, ["x", "flag"], [])


CONFIG = """\
data:
  train: {train}
  target: y
  validation_split: 0.2
network:
  layers: [auto, 4, auto]
  init: {{seed: 1}}
training: {{epochs: 12, learning_rate: 0.5, lambda: 0.1}}
"""


def write_problem(folder, m=120):
    """The same rows three ways: flag as True/False, as 1/0, and as Parquet's bool."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=m)
    flag = rng.random(m) < 0.5
    y = ((x + 1.5 * flag) > 0.7).astype(int)
    words = np.where(flag, "True", "False")
    for name, column in (("words", words), ("digits", flag.astype(int))):
        (folder / f"{name}.csv").write_text("x,flag,y\n" + "".join(
            f"{a!r},{f},{b}\n" for a, f, b in zip(x.tolist(), column.tolist(), y.tolist())))
        (folder / f"{name}.yaml").write_text(CONFIG.format(train=f"{name}.csv"))
    pq.write_table(pa.table({"x": x, "flag": flag, "y": y}), folder / "bools.parquet",
                   row_group_size=50)
    (folder / "bools.yaml").write_text(CONFIG.format(train="bools.parquet"))


def trained(folder, name, **where):
    run = prepare(load_config(folder / f"{name}.yaml"), **where)
    t = run.cfg.training
    trainer = GradientDescent(run, t.epochs, t.learning_rate, t.lam, t.log_every)
    list(trainer)
    return trainer.model()


def test_a_true_false_feature_trains_as_its_ones_and_zeros_everywhere(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "cache"))
    write_problem(tmp_path)
    digits = trained(tmp_path, "digits")
    assert digits["feature_names"].tolist() == ["x", "flag"]
    runs = {(name, stream): trained(tmp_path, name, stream=stream)
            for name in ("words", "bools") for stream in (False, True)}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        runs["words", "cluster"] = trained(tmp_path, "words", client=client)
    for where, model in runs.items():
        for key in ("Theta1", "Theta2", "norm_shift", "norm_scale"):
            np.testing.assert_allclose(model[key], digits[key], rtol=1e-12, atol=0,
                                       err_msg=f"{where} {key}")


def test_init_keeps_a_true_false_feature_and_a_true_false_target_keeps_its_words(
        nnbp_run, tmp_path):
    rows = [f"{i * 0.1:.1f},{'True' if i % 3 else 'False'},{'yes' if i % 2 else 'no'},"
            f"{'true' if (i * 7) % 5 > 1 else 'false'}" for i in range(40)]
    (tmp_path / "d.csv").write_text("x,flag,note,ok\n" + "\n".join(rows) + "\n")
    r = nnbp_run("init", "c.yaml", "--data", "d.csv")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[:2] == [
        "Wrote c.yaml: 2 features, 2 classes in ok, layers [2, 3, 1].",
        "Left out of the features (data.ignore): note (text)."]
    assert "  target: ok                        # 2 classes: false, true" in \
        (tmp_path / "c.yaml").read_text().splitlines()
    r = nnbp_run("train", "c.yaml", "--epochs", "30", "--quiet", "--out", "m.npz")
    assert r.returncode == 0, r.stderr
    r = nnbp_run("predict", "m.npz", "d.csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "prediction"
    assert set(r.stdout.splitlines()[1:]) <= {"true", "false"}
