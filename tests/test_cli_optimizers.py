"""`nnbp train --optimizer lbfgs|cg` as a user runs it, and the other commands on
the models it writes: the real process, its exit code, its streams, the model file."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import yaml

from conftest import interrupt_after_rows
from helpers.problems import regression_files
from helpers.reference import reference_run, relative
from helpers.train_output import (DATASETS, assert_full_precision, load_model, read_log,
                                  stderr_lines)
from nnbp.config import load_config
from nnbp.training.run import prepare

IRIS_WARNING = ("Warning: training.learning_rate (set in iris, line 16) is not used by lbfgs: "
                "L-BFGS-B chooses each step by a line search.")


def test_lbfgs_gives_scipys_theta_and_logs_each_iteration(nnbp_run, tmp_path):
    r = nnbp_run("train", "iris", "--optimizer", "lbfgs", "--epochs", 40, "--log-every", 1,
                 "--out", "m.npz")
    assert r.returncode == 0, r.stderr
    header, rows = read_log(r.stdout)
    assert header == ["epoch", "cost", "accuracy", "val_cost", "val_accuracy", "passes"]
    assert_full_precision(rows)
    assert [int(row["epoch"]) for row in rows] == list(range(41))
    costs = [float(row["cost"]) for row in rows]
    assert all(b <= a for a, b in zip(costs, costs[1:]))  # J never rises
    passes = [int(row["passes"]) for row in rows]
    assert passes[0] == 1 and all(b > a for a, b in zip(passes, passes[1:]))

    # The same Θ as SciPy on the test's own J and D, from the same start and data.
    run = prepare(load_config("iris"))
    ref, ref_costs = reference_run(run, "L-BFGS-B", 40)
    m = load_model(tmp_path / "m.npz")
    x = np.concatenate([m["Theta1"].ravel(), m["Theta2"].ravel()])
    assert relative(x, ref.x) <= 1e-8
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-8)
    assert passes[-1] == ref.nfev

    assert str(m["optimizer"]) == "lbfgs" and int(m["epochs"]) == 40
    assert float(m["cost_final"]) == costs[-1]
    assert yaml.safe_load(str(m["config"]))["training"]["optimizer"] == "lbfgs"

    lines = stderr_lines(r)
    assert lines[0] == IRIS_WARNING
    assert lines[1] == (f"L-BFGS-B stopped after 40 iterations and {passes[-1]} passes (SciPy: "
                        "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT).")
    assert lines[2].startswith("Trained 40 iterations in ") and lines[3] == "Model saved to m.npz"
    assert len(lines) == 4


def test_cg_until_it_converges(nnbp_run, tmp_path):
    r = nnbp_run("train", "lecture", "--optimizer", "cg", "--epochs", 1000, "--out", "m.npz")
    assert r.returncode == 0, r.stderr
    _, rows = read_log(r.stdout)
    last = rows[-1]
    assert int(last["epoch"]) < 1000 and [row["epoch"] for row in rows[:1]] == ["0"]
    assert f"CG converged after {last['epoch']} iterations and {last['passes']} passes " \
           "(SciPy: Optimization terminated successfully)." in stderr_lines(r)
    m = load_model(tmp_path / "m.npz")
    assert str(m["optimizer"]) == "cg" and int(m["epochs"]) == int(last["epoch"])
    assert float(last["cost"]) < 1e-5 and float(last["accuracy"]) == 1.0


def test_a_failed_line_search_keeps_the_last_iterate_and_exits_1(nnbp_run, tmp_path):
    # In float32, J's rounding stops CG's line search on xor after some iterations.
    r = nnbp_run("train", "xor", "--optimizer", "cg", "--dtype", "float32", "--epochs", 500,
                 "--out", "m.npz", "--quiet")
    assert r.returncode == 1
    _, rows = read_log(r.stdout)
    last = rows[-1]
    error = stderr_lines(r)
    assert len(error) == 1 and error[0] == (
        f"Error: CG failed after {last['epoch']} iterations and {last['passes']} passes (SciPy: "
        "Desired error not necessarily achieved due to precision loss); the model keeps the last "
        f"iterate, cost {float(last['cost']):.6g}, the lowest it reached. Its line search found "
        "no lower cost: in float32 the cost's rounding is the likely limit: train in float64 "
        "(--dtype float64).")
    m = load_model(tmp_path / "m.npz")
    assert int(m["epochs"]) == int(last["epoch"]) > 0
    assert float(m["cost_final"]) == float(last["cost"]) and m["Theta1"].dtype == np.float32
    costs = [float(row["cost"]) for row in rows]
    assert all(b <= a for a, b in zip(costs, costs[1:]))


def test_a_non_finite_cost_writes_no_model(nnbp_run, tmp_path):
    regression_files(tmp_path)
    assert nnbp_run("train", "reg.yaml", "--out", "good.npz", "--quiet").returncode == 0
    good = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "reg.yaml").write_text((tmp_path / "reg.yaml").read_text().replace(
        "seed: 0", "seed: 0\n    epsilon: 1.0e+200"))
    for out, kept in (("good.npz", "good.npz was left as it was"),
                      ("new.npz", "nothing was written to new.npz")):
        r = nnbp_run("train", "reg.yaml", "--optimizer", "lbfgs", "--out", out)
        assert r.returncode == 1
        assert r.stdout == "epoch,cost,passes\n"
        assert stderr_lines(r) == [
            "Error: the cost is non-finite with the initial weights, before any update; no model "
            f"was written ({kept}). Use smaller initial weights (network.init) or normalize "
            "the data."]
    assert (tmp_path / "good.npz").read_bytes() == good
    assert not (tmp_path / "new.npz").exists() and not list(tmp_path.glob("*.tmp"))


def test_learning_rate_is_said_unused_only_when_set(nnbp_run_all, tmp_path):
    regression_files(tmp_path)  # sets no learning_rate
    runs = nnbp_run_all(["train", "reg.yaml", "--optimizer", "lbfgs", "--out", "a.npz"],
                        ["train", "reg.yaml", "--optimizer", "cg", "--learning-rate", 0.5,
                         "--out", "b.npz"],
                        ["train", "reg.yaml", "--optimizer", "cg", "--learning-rate", 0.5,
                         "--out", "c.npz", "--quiet"],
                        ["train", "iris", "--epochs", 3, "--out", "d.npz"])
    for r in runs:
        assert r.returncode == 0, r.stderr
    default, explicit, quiet, gd = runs
    assert not any(line.startswith("Warning") for line in stderr_lines(default))
    assert stderr_lines(explicit)[0] == (
        "Warning: training.learning_rate (set on the command line) is not used by cg: CG "
        "chooses each step by a line search.")
    assert sum(line.startswith("Warning") for line in stderr_lines(explicit)) == 1
    assert quiet.stderr == "" and "Warning" not in gd.stderr


def test_optimizer_errors_exit_2(nnbp_run_all, tmp_path):
    (tmp_path / "bad.yaml").write_text("data:\n  train: x.csv\nnetwork:\n  layers: [2, 1]\n"
                                       "training:\n  optimizer: adam\n")
    flag, config = nnbp_run_all(["train", "xor", "--optimizer", "adam"], ["train", "bad.yaml"])
    assert flag.returncode == 2 and flag.stdout == ""
    assert "Invalid value for '--optimizer'" in flag.stderr and "'adam'" in flag.stderr
    assert config.returncode == 2 and config.stderr == (
        "Error: bad.yaml, line 6: training.optimizer: expected one of gd, lbfgs, cg, found "
        "'adam' (string)\n")


# --- stopping from outside: a closed pipe, Ctrl-C ----------------------------------

def test_closed_pipe_stops_and_saves_the_iterate(nnbp_popen, tmp_path):
    p = nnbp_popen("train", "digits", "--optimizer", "lbfgs", "--epochs", 100000,
                   "--log-every", 1)
    lines = [p.stdout.readline() for _ in range(3)]
    assert lines[0].startswith("epoch,cost,accuracy") and lines[2].startswith("1,")
    p.stdout.close()  # like `| head -3`
    assert p.wait(timeout=60) == 141
    err = p.stderr.read()
    assert "Traceback" not in err and "BrokenPipe" not in err
    m = load_model(tmp_path / "digits.npz")
    assert 1 <= int(m["epochs"]) < 100 and str(m["optimizer"]) == "lbfgs"


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process is POSIX")
@pytest.mark.parametrize("optimizer", ["lbfgs", "cg"])
def test_ctrl_c_finishes_the_iteration_saves_and_exits_130(nnbp_popen, tmp_path, optimizer):
    p = nnbp_popen("train", "digits", "--optimizer", optimizer, "--epochs", 100000,
                   "--log-every", 1)
    out, err, code, elapsed = interrupt_after_rows(p)  # after the header and 3 rows
    assert code == 130, err
    assert elapsed < 10
    assert "Traceback" not in err and "Interrupted: model saved" in err
    _, rows = read_log(out)
    epochs = [int(row["epoch"]) for row in rows]
    assert epochs == list(range(len(rows))) and epochs[-1] < 200
    m = load_model(tmp_path / "digits.npz")
    assert int(m["epochs"]) == epochs[-1]
    assert float(m["cost_final"]) == float(rows[-1]["cost"])  # Θ of the last row


# --- the other commands on an lbfgs model -------------------------------------------

@pytest.fixture(scope="module")
def lbfgs_iris(tmp_path_factory, nnbp_runner):
    folder = tmp_path_factory.mktemp("lbfgs-iris")
    r = nnbp_runner("train", "iris", "--optimizer", "lbfgs", "--epochs", 60, "--out", "m.npz",
                    "--quiet", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder, read_log(r.stdout)[1][-1]


def test_evaluate_predict_explain_and_gradcheck_take_an_lbfgs_model(lbfgs_iris, nnbp_run_all):
    folder, last = lbfgs_iris
    iris = str(DATASETS / "iris.csv")
    evaluate, predict, explain, gradcheck = nnbp_run_all(
        ["evaluate", "m.npz", "--json"], ["predict", "m.npz", iris],
        ["explain", "iris", "--model", "m.npz", "--example", 3, "--json"],
        ["gradcheck", "iris", "--model", "m.npz", "--json"], cwd=folder)
    for r in (evaluate, predict, explain, gradcheck):
        assert r.returncode == 0, r.stderr
    report = json.loads(evaluate.stdout)  # the model's validation rows, as the log's last row
    assert report["accuracy"] == pytest.approx(float(last["val_accuracy"]), abs=1e-12)
    assert report["cost_unregularized"] == pytest.approx(float(last["val_cost"]), rel=1e-12)
    lines = predict.stdout.splitlines()
    assert "prediction" in lines[0].split(",") and len(lines) == 151
    m = load_model(folder / "m.npz")
    shown = json.loads(explain.stdout)
    np.testing.assert_array_equal(np.array(shown["Theta"]["1"]), m["Theta1"])
    assert json.loads(gradcheck.stdout)["passed"] is True
