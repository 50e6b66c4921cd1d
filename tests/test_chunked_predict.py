"""predict and evaluate on a file read in chunks (bigger than memory) print what
the file read whole prints, to the last digit: both take the rows through the
network in the same fixed blocks, so BLAS sees the same products (a product of a
few rows can take another kernel than one of thousands, and round otherwise)."""

from __future__ import annotations

import json

import numpy as np

from nnbp.inputs import Batch, whole_blocks

STREAMED = {"NNBP_MEMORY_AVAILABLE": "3000",  # the file is "bigger than memory"
            "NNBP_STREAM_CHUNK_BYTES": "2000"}  # about 20 rows per chunk


def write_data(folder, m=2500, n=50, regression=False):
    """m rows of n small integer features (50: products wide enough that BLAS
    chooses its kernel by the number of rows) and a class or a quantity."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 10, (m, n))
    score = X[:, :n // 2].sum(1) - X[:, n // 2:].sum(1)
    y = (score / 7).round(2) if regression else np.digitize(score, [-8, 8])
    header = ",".join([f"x{j}" for j in range(n)] + ["y"])
    lines = [",".join(map(str, r)) + f",{t}" for r, t in zip(X.tolist(), y.tolist())]
    (folder / "data.csv").write_text("\n".join([header, *lines]) + "\n")
    output = "network:\n  layers: [auto, 10, auto]\n" + \
        ("  output: linear\n  cost: squared_error\n" if regression else "")
    (folder / "c.yaml").write_text("data:\n  train: data.csv\n  target: y\n"
                                   "  validation_split: 0.3\n" + output)


def run(nnbp_run, monkeypatch, *args):
    """nnbp ARGS with the file read whole, then in chunks: the two finished runs."""
    whole = nnbp_run(*args)
    with monkeypatch.context() as env:
        for k, v in STREAMED.items():
            env.setenv(k, v)
        chunked = nnbp_run(*args)
    assert whole.returncode == chunked.returncode == 0, whole.stderr + chunked.stderr
    return whole, chunked


def test_chunked_predict_prints_every_digit_of_the_in_memory_one(nnbp_run, tmp_path,
                                                                  monkeypatch):
    write_data(tmp_path)
    assert nnbp_run("train", "c.yaml", "--epochs", 3, "--out", "m.npz", "-q").returncode == 0
    whole, chunked = run(nnbp_run, monkeypatch, "predict", "m.npz", "data.csv", "--proba")
    lines = whole.stdout.splitlines()
    assert lines[0] == "prediction,p_0,p_1,p_2" and len(lines) == 2501
    assert len({ln.split(",")[1] for ln in lines[1:]}) > 2000  # probabilities, all digits
    assert chunked.stdout == whole.stdout


def test_chunked_evaluate_gives_every_figure_of_the_in_memory_one(nnbp_run, tmp_path,
                                                                  monkeypatch):
    write_data(tmp_path)
    assert nnbp_run("train", "c.yaml", "--epochs", 3, "--out", "m.npz", "-q").returncode == 0
    for data in (["data.csv"], []):  # a data file, and the model's validation rows
        whole, chunked = run(nnbp_run, monkeypatch, "evaluate", "m.npz", *data, "--json")
        a, b = json.loads(whole.stdout), json.loads(chunked.stdout)
        assert a["examples"] == (2500 if data else 750)
        assert 0 < a["cost_unregularized"] < a["cost"] and 0 < a["accuracy"] < 1
        assert b == a  # every float to its last bit


def test_chunked_regression_evaluate_gives_every_figure_of_the_in_memory_one(
        nnbp_run, tmp_path, monkeypatch):
    write_data(tmp_path, regression=True)
    assert nnbp_run("train", "c.yaml", "--epochs", 3, "--out", "m.npz", "-q").returncode == 0
    whole, chunked = run(nnbp_run, monkeypatch, "evaluate", "m.npz", "data.csv", "--json")
    a, b = json.loads(whole.stdout), json.loads(chunked.stdout)
    assert a["examples"] == 2500 and a["mse"] > 0 and a["r2"] < 1
    assert b == a  # cost, MSE and R² to their last bit
    whole, chunked = run(nnbp_run, monkeypatch, "predict", "m.npz", "data.csv")
    assert chunked.stdout == whole.stdout and len(whole.stdout.splitlines()) == 2501


def test_chunks_are_regrouped_into_whole_blocks_counted_from_the_first_row():
    # chunks of 3, 5, 1 and 6 rows in blocks of 4: rows 0-3 and 4-7 once the second
    # chunk is in, 8-11 with the fourth, then the last three rows on their own
    starts = np.cumsum([0, 3, 5, 1, 6])
    chunks = [Batch(np.arange(a, b, dtype=float)[:, None], None, None, "f", [])
              for a, b in zip(starts, starts[1:])]
    parts = [[p.X[:, 0].tolist() for p in group] for group in whole_blocks(chunks, 4)]
    assert parts == [[], [[0, 1, 2, 3], [4, 5, 6, 7]], [], [[8, 9, 10, 11]], [[12, 13, 14]]]
