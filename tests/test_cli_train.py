"""`nnbp train` as a user runs it: the real process, its exit code, its streams.

Each run happens in the test's tmp_path, so the model files land there. stdout
is parsed as the data it is (csv module, json.loads); stderr is checked line
by line; the model file is read back with plain numpy, ``allow_pickle=False``.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

import nnbp
from conftest import interrupt_after_rows
from helpers.problems import regression_files
from helpers.train_output import (DATASETS, assert_full_precision, load_model, read_log,
                                  stderr_lines)

BUNDLED = "digits, iris, lecture, penguins, xor"


# --- reading what nnbp wrote ---------------------------------------------------

def as_numbers(rows: list[dict]) -> list[dict]:
    return [{c: int(v) if c in ("epoch", "passes") else float(v) for c, v in row.items()}
            for row in rows]


def same_file(printed: str, cwd: Path, expected: Path) -> bool:
    return (cwd / printed).resolve() == expected.resolve()


# --- stdout: the log and nothing else; stderr: the summary -----------------------

def test_csv_log_on_stdout_and_summary_on_stderr(nnbp_run, tmp_path):
    r = nnbp_run("train", "xor", "--epochs", 7, "--log-every", 3)
    assert r.returncode == 0, r.stderr

    header, rows = read_log(r.stdout)
    assert header == ["epoch", "cost", "accuracy", "passes"]
    assert [row["epoch"] for row in rows] == ["0", "3", "6", "7"]  # every 3rd, and the last
    assert [row["passes"] for row in rows] == ["1", "4", "7", "8"]  # one pass per epoch
    assert_full_precision(rows)
    costs = [float(row["cost"]) for row in rows]
    assert costs[-1] < costs[0]
    assert all(0.0 <= float(row["accuracy"]) <= 1.0 for row in rows)

    # The summary, and no progress bar (stderr is a pipe, not a terminal).
    lines = stderr_lines(r)
    assert len(lines) == 2, r.stderr
    assert re.fullmatch(r"Trained 7 epochs in \d+\.\d s, after reading 4 rows in \d+\.\d s: "
                        r"cost \S+, accuracy \d+\.\d\d%", lines[0])
    printed = lines[1].removeprefix("Model saved to ")
    assert printed != lines[1] and same_file(printed, tmp_path, tmp_path / "xor.npz")
    assert "\r" not in r.stderr and "\x1b" not in r.stderr and "━" not in r.stderr

    # Default name: <config stem>.npz in the working directory; overrides recorded.
    model = load_model(tmp_path / "xor.npz")
    assert int(model["epochs"]) == 7
    cfg = yaml.safe_load(str(model["config"]))
    assert cfg["training"]["epochs"] == 7 and cfg["training"]["log_every"] == 3


def test_csv_tsv_and_jsonl_carry_the_same_numbers(nnbp_run_all):
    columns = ["epoch", "cost", "accuracy", "val_cost", "val_accuracy", "passes"]  # iris: 20% val
    formats = ("csv", "tsv", "jsonl")
    runs = nnbp_run_all(*(["train", "iris", "--epochs", 20, "--log-every", 5, "--log-format",
                           fmt, "--quiet", "--out", f"iris-{fmt}.npz"] for fmt in formats))
    logs = {}
    for fmt, r in zip(formats, runs):
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""
        logs[fmt] = read_log(r.stdout, fmt)
        assert logs[fmt][0] == columns, fmt

    _, csv_rows = logs["csv"]
    _, tsv_rows = logs["tsv"]
    _, jsonl_rows = logs["jsonl"]
    assert_full_precision(csv_rows)
    assert tsv_rows == csv_rows  # the same text, cell for cell
    assert all(list(row) == columns for row in jsonl_rows)
    assert all(type(row["epoch"]) is int for row in jsonl_rows)
    assert all(type(row[c]) is float for row in jsonl_rows for c in columns[1:-1])
    assert all(type(row["passes"]) is int for row in jsonl_rows)
    assert jsonl_rows == as_numbers(csv_rows)
    assert [row["epoch"] for row in jsonl_rows] == [0, 5, 10, 15, 20]


def test_held_out_columns_only_with_held_out_data(nnbp_run_all, tmp_path):
    iris = str(DATASETS / "iris.csv")
    (tmp_path / "both.yaml").write_text(yaml.safe_dump({
        "data": {"train": iris, "test": iris, "target": "species", "validation_split": 0.2},
        "network": {"layers": ["auto", 4, "auto"]}}))
    digits, both = nnbp_run_all(["train", "digits", "--epochs", 1, "--quiet"],
                                ["train", "both.yaml", "--epochs", 2, "--quiet"])
    assert digits.returncode == 0, digits.stderr
    assert both.returncode == 0, both.stderr

    header, rows = read_log(digits.stdout)  # a test file, no validation split
    assert header == ["epoch", "cost", "accuracy", "test_cost", "test_accuracy", "passes"]
    assert [row["epoch"] for row in rows] == ["0", "1"]
    assert_full_precision(rows)

    header, rows = read_log(both.stdout)
    assert header == ["epoch", "cost", "accuracy", "val_cost", "val_accuracy",
                      "test_cost", "test_accuracy", "passes"]
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert_full_precision(rows)

    # No validation split: the normalization statistics are those of all training rows.
    X = np.loadtxt(DATASETS / "digits-train.csv", delimiter=",", skiprows=1)[:, :-1]
    model = load_model(tmp_path / "digits.npz")
    np.testing.assert_allclose(model["norm_shift"], X.mean(axis=0), rtol=1e-12, atol=1e-12)
    std = X.std(axis=0)
    np.testing.assert_allclose(model["norm_scale"], np.where(std > 0, std, 1.0), rtol=1e-12)


# --- the model file ------------------------------------------------------------

def test_out_writes_a_plain_numpy_model_there(nnbp_run, tmp_path):
    (tmp_path / "models").mkdir()
    r = nnbp_run("train", "iris", "--epochs", 4, "--out", "models/m.npz")
    assert r.returncode == 0, r.stderr
    printed = stderr_lines(r)[-1].removeprefix("Model saved to ")
    assert same_file(printed, tmp_path, tmp_path / "models" / "m.npz")
    assert not (tmp_path / "iris.npz").exists()
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["m.npz"]  # no temp file

    m = load_model(tmp_path / "models" / "m.npz")
    layers = m["layers"].tolist()
    assert layers == [4, 8, 3]  # auto, 8, auto: 4 features, 3 species
    for l in (1, 2):
        assert m[f"Theta{l}"].shape == (layers[l], layers[l - 1] + 1)  # (s_{l+1}, s_l + 1)
        assert m[f"Theta{l}"].dtype == np.float64
        assert np.isfinite(m[f"Theta{l}"]).all()
    assert "Theta3" not in m

    with open(DATASETS / "iris.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert m["classes"].tolist() == sorted({row["species"] for row in table})
    assert m["feature_names"].tolist() == [c for c in table[0] if c != "species"]
    assert m["norm_shift"].shape == m["norm_scale"].shape == (4,)
    assert (m["norm_scale"] > 0).all()

    cfg = yaml.safe_load(str(m["config"]))
    assert cfg["training"]["epochs"] == 4  # the override, not the file's 2000
    assert cfg["network"]["layers"][1] == 8 and cfg["data"]["validation_split"] == 0.2
    assert str(m["nnbp_version"]) == nnbp.__version__
    assert int(m["epochs"]) == 4


def test_a_constant_feature_is_a_note_that_says_how_to_leave_it_out(nnbp_run_all,
                                                                         tmp_path):
    # c is 5 in every training row and "one" in none; b varies in the training rows only
    # once the validation rows are held out, which does not make it constant
    rows = [f"{i},5,{i % 3},{'a' if i % 2 else 'b'},{i % 2}" for i in range(40)]
    (tmp_path / "d.csv").write_text("x,c,b,note,y\n" + "\n".join(rows) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.csv\n  ignore: [note]\n"
                                     "network:\n  layers: [auto, 3, auto]\n"
                                     "training:\n  epochs: 2\n")
    (tmp_path / "ok.yaml").write_text((tmp_path / "c.yaml").read_text().replace(
        "[note]", "[note, c]"))
    memory, streamed, fine = nnbp_run_all(["train", "c.yaml"], ["train", "c.yaml", "--stream",
                                                                 "--out", "s.npz"],
                                          ["train", "ok.yaml"])
    note = ("Note: column 'c' holds 5 in every training row, so it carries no "
            "information to learn from; leave it out with data.ignore: [note, c]")
    for r in (memory, streamed):
        assert r.returncode == 0, r.stderr
        assert [line for line in stderr_lines(r) if line.startswith(("Note", "Warning"))] \
            == [note]
    assert fine.returncode == 0 and "Note" not in fine.stderr


def test_many_constant_features_are_counted_past_the_first_few():
    from types import SimpleNamespace

    from nnbp.training import constant_note

    described = SimpleNamespace(constant={f"p{i}": 0.0 for i in range(9)}, ignored=["id"],
                                features=[f"p{i}" for i in range(12)])
    assert constant_note(described) == [
        "columns 'p0' holds 0, 'p1' holds 0, 'p2' holds 0, 'p3' holds 0, 'p4' holds 0, "
        "… (9 columns in all) in every training row, so they carry no information to learn "
        "from; leave them out with data.ignore: [id, p0, p1, p2, p3, p4, p5, p6, p7, p8]"]


def test_pandas_row_index_as_a_feature_is_a_warning(nnbp_run, tmp_path):
    rows = [f"{i},{i * 0.25},{i % 2}" for i in range(20)]
    (tmp_path / "d.csv").write_text(",x,y\n" + "\n".join(rows) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.csv\nnetwork:\n  layers: [auto, 3, "
                                     "auto]\ntraining:\n  epochs: 1\n")
    r = nnbp_run("train", "c.yaml")
    assert r.returncode == 0, r.stderr
    assert stderr_lines(r)[0] == (
        "Warning: column 'Unnamed: 0' is a row index written by pandas, not a feature; leave "
        "it out with data.ignore: ['Unnamed: 0'] (or write the file with to_csv(index=False))")
    assert load_model(tmp_path / "c.npz")["feature_names"].tolist() == ["Unnamed: 0", "x"]
    import pyarrow as pa
    import pyarrow.parquet as pq

    # to_parquet writes the index last: the target is the last column before it
    pq.write_table(pa.table({"x": np.arange(20) * 0.25, "y": np.arange(20) % 2,
                             "__index_level_0__": np.arange(20)[::-1]}), tmp_path / "d.parquet")
    (tmp_path / "p.yaml").write_text((tmp_path / "c.yaml").read_text().replace("d.csv",
                                                                               "d.parquet"))
    r = nnbp_run("train", "p.yaml")
    assert r.returncode == 0, r.stderr
    assert stderr_lines(r)[0].startswith("Warning: column '__index_level_0__' is a row index")
    m = load_model(tmp_path / "p.npz")
    assert m["feature_names"].tolist() == ["x", "__index_level_0__"]
    assert m["target_names"].tolist() == ["y"]


def test_a_row_index_and_a_constant_column_suggest_one_ignore_list(nnbp_run, tmp_path):
    rows = [f"{i},{i * 0.25},7,{i % 2}" for i in range(20)]
    (tmp_path / "d.csv").write_text(",x,c,y\n" + "\n".join(rows) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.csv\nnetwork:\n  layers: [auto, 3, "
                                     "auto]\ntraining:\n  epochs: 1\n")
    r = nnbp_run("train", "c.yaml")
    assert r.returncode == 0, r.stderr
    suggested = [line.split("data.ignore: ")[1].split(" (or")[0] for line in stderr_lines(r)
                 if "data.ignore" in line]
    assert suggested == ["['Unnamed: 0', c]"] * 2


def test_default_model_name_and_quiet(nnbp_run, tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "configs" / "my-net.yaml").write_text(yaml.safe_dump({
        "data": {"train": str(DATASETS / "xor.csv")}, "network": {"layers": [2, 3, 1]}}))
    for epochs in (1, 2):  # the second run overwrites the first: it is an nnbp model
        r = nnbp_run("train", "../configs/my-net.yaml", "--epochs", epochs, "--quiet",
                     cwd=tmp_path / "work")
        assert r.returncode == 0, r.stderr
        assert r.stderr == ""  # --quiet: no summary, only errors would show
        header, rows = read_log(r.stdout)
        assert header == ["epoch", "cost", "accuracy", "passes"]
        assert [row["epoch"] for row in rows] == [str(e) for e in range(epochs + 1)]  # log_every 1
        assert int(load_model(tmp_path / "work" / "my-net.npz")["epochs"]) == epochs
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["my-net.npz"]
    assert sorted(p.name for p in (tmp_path / "configs").iterdir()) == ["my-net.yaml"]


# --- command-line overrides ----------------------------------------------------

def test_seed_changes_the_initial_weights_and_repeats_exactly(nnbp_run_all, tmp_path):
    jobs = {"a.npz": 1, "b.npz": 2, "c.npz": 1}
    runs = nnbp_run_all(*(["train", "xor", "--epochs", 2, "--log-every", 1, "--seed", seed,
                           "--out", out, "-q"] for out, seed in jobs.items()))
    for r in runs:
        assert r.returncode == 0, r.stderr
    (log1, m1), (log2, _), (log1_again, m1_again) = (
        (r.stdout, load_model(tmp_path / out)) for r, out in zip(runs, jobs))
    cost0 = [float(read_log(log)[1][0]["cost"]) for log in (log1, log2)]
    assert cost0[0] != cost0[1]
    assert log1_again == log1
    for l in (1, 2):
        np.testing.assert_array_equal(m1_again[f"Theta{l}"], m1[f"Theta{l}"])
    assert yaml.safe_load(str(m1["config"]))["network"]["init"]["seed"] == 1


# The lecture network starts from the weights written in configs/lecture.yaml,
# so the effect of λ and α can be computed by hand.
LECTURE_THETA0 = {1: np.array([[0.1, 0.3, -0.2], [-0.2, 0.4, 0.5]]),
                  2: np.array([[0.2, -0.5, 0.6], [-0.1, 0.7, -0.3]]),
                  3: np.array([[0.3, 0.8, -0.6]])}


def test_lambda_and_learning_rate_overrides(nnbp_run_all, tmp_path):
    jobs = {"a.npz": (0, 1.0), "b.npz": (3, 1.0), "c.npz": (0, 0.5)}  # out: (λ, α)
    runs = nnbp_run_all(*(["train", "lecture", "--epochs", 1, "--lambda", lam,
                           "--learning-rate", alpha, "--log-format", "jsonl", "--out", out, "-q"]
                          for out, (lam, alpha) in jobs.items()))
    results = []
    for r, out in zip(runs, jobs):
        assert r.returncode == 0, r.stderr
        rows = read_log(r.stdout, "jsonl")[1]
        assert [row["epoch"] for row in rows] == [0, 1]
        results.append((rows, load_model(tmp_path / out)))
    (rows_a, model_a), (rows_b, model_b), (rows_c, model_c) = results

    # λ: J = J0 + λ/(2m) Σ_{l,i,j≥1} Θ_ij², m = 4 examples; the non-bias squares sum to
    # (.09+.04+.16+.25) + (.25+.36+.49+.09) + (.64+.36) = 0.54 + 1.19 + 1.00 = 2.73.
    assert rows_b[0]["cost"] == pytest.approx(rows_a[0]["cost"] + 3 / (2 * 4) * 2.73,
                                              rel=1e-12)
    assert float(model_b["lambda"]) == 3.0
    assert yaml.safe_load(str(model_b["config"]))["training"]["lambda"] == 3.0

    # α: one step Θ := Θ0 - α D, with the same D at λ = 0, so half the α is half the step.
    assert rows_c[0] == rows_a[0]
    for l, T0 in LECTURE_THETA0.items():
        step_a, step_c = model_a[f"Theta{l}"] - T0, model_c[f"Theta{l}"] - T0
        assert np.abs(step_a).max() > 1e-6
        np.testing.assert_allclose(step_a, 2 * step_c, rtol=1e-9, atol=1e-15)
    assert yaml.safe_load(str(model_c["config"]))["training"]["learning_rate"] == 0.5


def test_dtype_float32(nnbp_run_all, tmp_path):
    dtypes = ("float32", "float64")
    runs = nnbp_run_all(*(["train", "iris", "--epochs", 2, "--dtype", dtype,
                           "--out", f"{dtype}.npz", "-q"] for dtype in dtypes))
    logs = {}
    for dtype, r in zip(dtypes, runs):
        assert r.returncode == 0, r.stderr
        logs[dtype] = read_log(r.stdout)[1]
        assert_full_precision(logs[dtype])
        m = load_model(tmp_path / f"{dtype}.npz")
        assert m["Theta1"].dtype == m["Theta2"].dtype == np.dtype(dtype)
        assert yaml.safe_load(str(m["config"]))["training"]["dtype"] == dtype
    c32, c64 = (float(logs[d][0]["cost"]) for d in ("float32", "float64"))
    assert c32 != c64 and c32 == pytest.approx(c64, rel=1e-5)


# --- errors: exit code and one exact line ----------------------------------------

def _error_files(folder: Path) -> None:
    (folder / "bad.yaml").write_text(
        "data:\n  train: x.csv\nnetwork:\n  layers: [2, 1]\n  activaton: tanh\n")
    (folder / "bad.csv").write_text("a,b,y\n1,2,0\n3,x,1\n")
    (folder / "badcsv.yaml").write_text(
        "data:\n  train: bad.csv\nnetwork:\n  layers: [auto, 2, auto]\n")
    (folder / "notes.npz").write_text("my notes, not a model\n")


ERRORS = {
    "missing config": (
        ["nosuch.yaml"],
        "nosuch.yaml: no such file, and not a bundled example; bundled examples: " + BUNDLED),
    "bundled name typo": (
        ["digts"],
        "digts: no such file, and not a bundled example (did you mean digits?); "
        "bundled examples: " + BUNDLED),
    "unknown config key": (
        ["bad.yaml"],
        "bad.yaml, line 5: unknown key network.activaton (did you mean network.activation?)"),
    "bad csv": (
        ["badcsv.yaml"],
        "{tmp}/bad.csv, line 3: column 'b' holds 'x'; expected a number; fix that value or "
        "remove its row, or leave the column out with data.ignore: [b]"),
    "negative learning rate": (
        ["xor", "--learning-rate", "-1"],
        "training.learning_rate (set on the command line): expected a number > 0, found -1.0"),
    "missing output folder": (  # checked before training: stdout stays empty
        ["digits", "--out", "nodir/m.npz"],
        "nodir/m.npz: cannot write the model: folder nodir does not exist"),
    "not a model at --out": (
        ["xor", "--out", "notes.npz"],
        "notes.npz: exists and is not an nnbp model; refusing to overwrite it"),
}


@pytest.fixture(scope="module")
def error_runs(tmp_path_factory, nnbp_runner):
    """Every error case of this section, run side by side, each in a folder of its own:
    name -> (folder, finished process)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = {name: ["train", *args] for name, (args, _) in ERRORS.items()}
    jobs["log format xml"] = ["train", "xor", "--log-format", "xml"]
    jobs["debug"] = ["--debug", "train", "bad.yaml"]
    base = tmp_path_factory.mktemp("errors")
    folders = {name: base / re.sub(r"\W+", "-", name) for name in jobs}
    for folder in folders.values():
        folder.mkdir()
        _error_files(folder)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(nnbp_runner, *args, cwd=folders[name])
                   for name, args in jobs.items()}
        return {name: (folders[name], f.result()) for name, f in futures.items()}


@pytest.mark.parametrize("name", ERRORS)
def test_user_errors_exit_2_with_one_error_line(error_runs, name):
    folder, r = error_runs[name]
    message = ERRORS[name][1].format(tmp=folder.resolve())
    assert r.returncode == 2
    assert r.stderr == "Error: " + message + "\n"
    assert "Traceback" not in r.stderr
    assert r.stdout == ""  # no log rows: nothing was trained
    assert (folder / "notes.npz").read_text() == "my notes, not a model\n"
    assert not list(folder.glob("*.npz.*"))  # no temporary file left behind
    assert not (folder / "xor.npz").exists() and not (folder / "digits.npz").exists()


def test_unknown_log_format_is_a_usage_error(error_runs):
    _, r = error_runs["log format xml"]
    assert r.returncode == 2
    assert r.stdout == ""
    assert "Usage: nnbp train" in r.stderr and "'xml'" in r.stderr and "--log-format" in r.stderr
    assert "Traceback" not in r.stderr


def test_debug_shows_the_traceback_and_keeps_the_exit_code(error_runs):
    _, r = error_runs["debug"]
    assert r.returncode == 2
    assert "Traceback (most recent call last)" in r.stderr
    assert "ConfigError" in r.stderr
    assert stderr_lines(r)[-1] == ("Error: bad.yaml, line 5: unknown key network.activaton "
                                   "(did you mean network.activation?)")


def test_divergence_exits_1_and_writes_no_model(nnbp_run, tmp_path):
    regression_files(tmp_path, learning_rate=1e6)
    r = nnbp_run("train", "reg.yaml", "--log-every", 1)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    header, rows = read_log(r.stdout)
    assert header == ["epoch", "cost", "passes"]  # regression: no accuracy column
    assert_full_precision(rows)
    last = int(rows[-1]["epoch"])
    assert 0 < last < 50
    assert [int(row["epoch"]) for row in rows] == list(range(last + 1))

    assert stderr_lines(r)[-1] == (
        f"Error: the cost became non-finite after epoch {last}; no model was written (nothing "
        f"was written to {tmp_path / 'reg.npz'}). Lower the learning rate (now 1e+06).")
    assert "Model saved" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg.csv", "reg.yaml"]


def test_a_diverged_run_leaves_the_model_at_out_as_it_was(nnbp_run, tmp_path):
    regression_files(tmp_path)
    assert nnbp_run("train", "reg.yaml", "--out", "good.npz", "--quiet").returncode == 0
    good = (tmp_path / "good.npz").read_bytes()
    r = nnbp_run("train", "reg.yaml", "--out", "good.npz", "--learning-rate", 1e6, "--quiet")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: the cost became non-finite after epoch ")
    assert r.stderr.endswith("; no model was written (good.npz was left as it was). Lower the "
                             "learning rate (now 1e+06).\n")
    assert (tmp_path / "good.npz").read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.npz", "reg.csv", "reg.yaml"]


def test_non_finite_initial_cost_writes_no_model(nnbp_run, tmp_path):
    # Weights of size 1e200 overflow the squared error before any update: α is not
    # the cause, and the message says what is
    regression_files(tmp_path, init={"epsilon": 1e200, "seed": 0})
    r = nnbp_run("train", "reg.yaml")
    assert r.returncode == 1
    assert r.stdout == "epoch,cost,passes\n"
    assert stderr_lines(r) == [
        "Error: the cost is non-finite with the initial weights, before any update; no model "
        f"was written (nothing was written to {tmp_path / 'reg.npz'}). Use smaller initial "
        "weights (network.init) or normalize the data."]
    assert not (tmp_path / "reg.npz").exists()


def test_a_value_beyond_float32s_range_in_float32_says_to_train_in_float64(nnbp_run, tmp_path):
    # 1e40 is read (a number well under nnbp's 1e100 bound) but x - shift overflows
    # float32: the initial cost is non-finite, and the message names the way out
    rows = "\n".join(f"{a},{a % 3},{a % 2}" for a in range(1, 30))
    (tmp_path / "d.csv").write_text(f"x1,x2,y\n1e40,2,1\n{rows}\n")
    (tmp_path / "f.yaml").write_text("data:\n  train: d.csv\n  target: y\nnetwork:\n"
                                     "  layers: [auto, 3, auto]\ntraining:\n  epochs: 5\n"
                                     "  dtype: float32\n")
    r = nnbp_run("train", "f.yaml", "--quiet")
    assert r.returncode == 1
    assert stderr_lines(r) == [
        "Error: the cost is non-finite with the initial weights, before any update; no model "
        f"was written (nothing was written to {tmp_path / 'f.npz'}). Use smaller initial "
        "weights (network.init) or normalize the data; in float32, a value more than 3.4e38 "
        "from its column's shift (data.normalize) cannot be held either: train in float64 "
        "(training.dtype: float64)."]
    r = nnbp_run("train", "f.yaml", "--quiet", "--dtype", "float64")
    assert r.returncode == 0, r.stderr


# --- the app itself ------------------------------------------------------------

def test_version(nnbp_run):
    r = nnbp_run("--version")
    assert r.returncode == 0
    assert r.stdout == f"nnbp {nnbp.__version__}\n"


def test_help_lists_train(nnbp_run):
    r = nnbp_run("--help")
    assert r.returncode == 0
    assert r.stdout.startswith("Usage: nnbp ")
    assert re.search(r"^\s+train\s+Train", r.stdout, re.M)


def test_no_arguments_prints_usage_help(nnbp_run):
    r = nnbp_run()
    assert r.returncode == 2
    assert r.stdout + r.stderr != ""
    help_text = r.stdout + r.stderr
    assert help_text.startswith("Usage: nnbp ") and re.search(r"^\s+train\s", help_text, re.M)
    assert "Traceback" not in help_text


# --- signals and pipes ---------------------------------------------------------

def test_closed_pipe_stops_promptly_and_saves_the_model(nnbp_popen, tmp_path):
    p = nnbp_popen("train", "digits", "--epochs", 5000)
    lines = [p.stdout.readline() for _ in range(3)]
    assert lines[0].startswith("epoch,cost,accuracy")
    assert lines[1].startswith("0,") and lines[2].startswith("10,")
    p.stdout.close()  # like `| head -3`
    assert p.wait(timeout=60) == 141
    err = p.stderr.read()
    assert "Traceback" not in err and "BrokenPipe" not in err
    m = load_model(tmp_path / "digits.npz")
    assert 10 <= int(m["epochs"]) < 5000  # it stopped early, keeping the epochs done
    assert m["Theta1"].shape == (25, 65) and np.isfinite(m["Theta1"]).all()


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_finishes_the_epoch_saves_and_exits_130(nnbp_popen, tmp_path):
    p = nnbp_popen("train", "digits", "--epochs", 100000, "--log-every", 1)
    out, err, code, elapsed = interrupt_after_rows(p)  # after the header and 3 rows
    assert code == 130
    assert elapsed < 10  # finishing one epoch and saving takes well under a second
    assert "Traceback" not in err
    assert "Interrupted" in err and "saved" in err

    text = out
    assert text.endswith("\n")  # the last row is complete
    header, rows = read_log(text)
    assert header == ["epoch", "cost", "accuracy", "test_cost", "test_accuracy", "passes"]
    assert_full_precision(rows[-1:])
    epochs = [int(row["epoch"]) for row in rows]
    assert epochs == list(range(len(rows))) and epochs[-1] < 100000
    assert int(load_model(tmp_path / "digits.npz")["epochs"]) == epochs[-1]
