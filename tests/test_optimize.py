"""L-BFGS and CG (nnbp/training/minimizer.py) against SciPy on an independent J and D.

The reference (tests/helpers/reference.py) is the cost and backpropagation of
docs/notation.md written again in plain numpy, without nnbp's network, engine or costs;
SciPy's ``minimize`` runs on it from nnbp's initial weights, with the same options
(SciPy's defaults, maxiter = epochs).  nnbp's run goes through the executor
(``executor.sums``) as training does.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpers.reference import G, reference_J_D, reference_run, relative
from nnbp.config import load_config
from nnbp.training.handoff import lockstep
from nnbp.training import METHODS, make_optimizer, unused_settings
from nnbp.training.minimizer import Flat, Minimizer
from nnbp.schema import BY_KEY
from nnbp.training.descent import GradientDescent
from nnbp.training.run import in_memory, prepare

# --- runs on small data of every kind --------------------------------------------

def make_run(folder, *, layers, activation="sigmoid", output="sigmoid", cost="cross_entropy",
             classes=3, m=30, lam=1.0, seed=0, optimizer="lbfgs", epochs=40, extra=None):
    """A config and CSV of m random rows (classes 0 …, or a numeric target when
    classes is 0), prepared as ``nnbp train`` prepares it."""
    rng = np.random.default_rng(seed)
    n = layers[0]
    X = rng.normal(size=(m, n)) * rng.uniform(0.5, 3, size=n)
    if classes:
        y = np.arange(m) % classes  # every class present
        X[:, 0] += y  # and something to learn
    else:
        y = X @ rng.normal(size=n) + 0.3 * np.sin(3 * X[:, 0])
    header = ",".join([f"x{j}" for j in range(n)] + ["y"])
    rows = "\n".join(",".join(map(repr, [*map(float, X[t]), y[t] if classes else float(y[t])]))
                     for t in range(m))
    (folder / "d.csv").write_text(header + "\n" + rows + "\n")
    cfg = {"data": {"train": "d.csv", "target": "y", **(extra or {})},
           "network": {"layers": layers, "activation": activation, "output": output,
                       "cost": cost, "init": {"seed": seed}},
           "training": {"epochs": epochs, "lambda": lam, "optimizer": optimizer}}
    (folder / "c.yaml").write_text(yaml.safe_dump(cfg))
    return prepare(load_config(folder / "c.yaml"))


def run_to_end(minimizer) -> list:
    return list(minimizer)


KINDS = {  # name: make_run options
    "sigmoid one-vs-all": dict(layers=[3, 4, "auto"]),
    "binary, one unit, two hidden layers": dict(layers=[2, 3, 3, "auto"], classes=2),
    "tanh softmax": dict(layers=[4, 5, "auto"], activation="tanh", output="softmax", lam=0.1),
    "relu softmax": dict(layers=[3, 6, "auto"], activation="relu", output="softmax",
                         classes=4, lam=0.3),
    "sigmoid squared error": dict(layers=[3, 4, "auto"], cost="squared_error", lam=0.0),
    "regression": dict(layers=[3, 5, 1], output="linear", cost="squared_error", classes=0,
                       lam=0.01),
}


def rounding_spread(run, method, iterations=40, seed=0) -> float:
    """How far rounding-sized errors in J and D move SciPy's own result on the
    reference: the largest of three runs with such errors, relative."""
    ref, _ = reference_run(run, method, iterations)
    rng = np.random.default_rng(seed)
    return max(relative(reference_run(run, method, iterations, noise=rng)[0].x, ref.x)
               for _ in range(3))


@pytest.mark.parametrize("optimizer, tolerance", [("lbfgs", 1e-8), ("cg", 1e-5)])
@pytest.mark.parametrize("kind", KINDS)
def test_forty_iterations_give_scipys_theta_on_the_reference(tmp_path, kind, optimizer,
                                                             tolerance):
    run = make_run(tmp_path, **KINDS[kind], optimizer=optimizer)
    opt = make_optimizer(run)
    assert isinstance(opt, Minimizer)
    steps = run_to_end(opt)
    ref, ref_costs = reference_run(run, METHODS[optimizer], 40)
    x = Flat(opt.Theta).vector(opt.Theta)
    # one row per iteration (log_every 1), the first pass at Θ as given
    assert [s.epoch for s in steps] == list(range(opt.epochs_done + 1))
    assert steps[0].row["passes"] == 1 and steps[-1].row["passes"] == opt.passes
    assert opt.cost == steps[-1].cost and opt.outcome in ("converged", "limit")

    spread = rounding_spread(run, METHODS[optimizer])
    if spread > tolerance / 10:
        # SciPy's own result moves by more than the target when J and D change by a
        # rounding (CG's line search on the regression net: by 3e-2): no implementation
        # can promise more than that; nnbp's J and D stay within its reach.
        assert relative(x, ref.x) <= 10 * spread
        return
    assert relative(x, ref.x) <= tolerance, (relative(x, ref.x), ref.message)
    assert opt.epochs_done == ref.nit and opt.passes == ref.nfev
    np.testing.assert_allclose([s.cost for s in steps], ref_costs, rtol=tolerance, atol=0)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hidden=st.lists(st.integers(1, 5), min_size=1, max_size=2),
       inputs=st.integers(1, 4), pair=st.sampled_from([
           ("sigmoid", "sigmoid", "cross_entropy"), ("tanh", "softmax", "cross_entropy"),
           ("relu", "sigmoid", "squared_error"), ("tanh", "linear", "squared_error")]),
       classes=st.integers(2, 4), m=st.integers(4, 40), lam=st.sampled_from([0.0, 0.1, 1.0]),
       seed=st.integers(0, 2 ** 16))
def test_lbfgs_matches_scipy_on_the_reference_for_any_network(tmp_path, hidden, inputs, pair,
                                                             classes, m, lam, seed):
    activation, output, cost = pair
    run = make_run(tmp_path, layers=[inputs, *hidden, 1 if output == "linear" else "auto"],
                   activation=activation, output=output, cost=cost, lam=lam, seed=seed, m=m,
                   classes=0 if output == "linear" else classes)
    opt = make_optimizer(run)
    steps = run_to_end(opt)
    ref, _ = reference_run(run, "L-BFGS-B", 40)
    x = Flat(opt.Theta).vector(opt.Theta)
    # A tiny network without λ can sit on a plateau where errors of one rounding in J
    # and D move the 40th iterate by far more than 1e-8 (by 1e-4 on a 1-1-1-1 net
    # with 5 examples, whose J and D nnbp computes as the reference does, to the
    # last bit).  There the bound is what such errors do to the reference itself.
    spread = rounding_spread(run, "L-BFGS-B", seed=seed)
    event("well-conditioned" if spread <= 1e-9 else "rounding-sensitive")
    assert relative(x, ref.x) <= max(1e-8, 10 * spread), spread
    costs = [s.cost for s in steps if s.cost is not None]
    assert all(b <= a for a, b in zip(costs, costs[1:]))  # the logged J never rises


@pytest.mark.parametrize("optimizer", ["lbfgs", "cg"])
def test_the_logged_cost_never_rises_and_rows_follow_log_every(tmp_path, optimizer):
    run = make_run(tmp_path, layers=[3, 4, "auto"], lam=0.0, epochs=37, optimizer=optimizer)
    opt = Minimizer(run, optimizer, 37, 0.0, log_every=5)
    steps = run_to_end(opt)
    rows = [s.row for s in steps if s.row is not None]
    assert [r["epoch"] for r in rows] == [0, 5, 10, 15, 20, 25, 30, 35, 37]
    assert [s.epoch for s in steps] == list(range(38))
    costs = [r["cost"] for r in rows]
    assert all(b <= a for a, b in zip(costs, costs[1:])) and costs[-1] < costs[0]
    passes = [r["passes"] for r in rows]
    assert passes[0] == 1 and all(b > a for a, b in zip(passes, passes[1:]))
    assert passes[-1] == opt.passes and opt.outcome == "limit"
    assert list(rows[0]) == ["epoch", "cost", "accuracy", "passes"]


def test_a_run_that_converges_between_logged_rows_logs_its_last_iteration(tmp_path):
    run = make_run(tmp_path, layers=[2, 2, "auto"], classes=2, lam=1.0, epochs=1000)
    opt = Minimizer(run, "lbfgs", 1000, 1.0, log_every=1000)
    steps = run_to_end(opt)
    assert opt.outcome == "converged" and 0 < opt.epochs_done < 1000
    assert "CONVERGENCE" in opt.message
    rows = [s.row for s in steps if s.row is not None]
    assert [r["epoch"] for r in rows] == [0, opt.epochs_done]  # yielded once more, with its row
    assert [s.epoch for s in steps] == [*range(opt.epochs_done + 1), opt.epochs_done]
    assert rows[-1]["cost"] == opt.cost and rows[-1]["passes"] == opt.passes


def test_held_out_columns_are_the_data_term_at_each_logged_iterate(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"], m=40, extra={"validation_split": 0.25})
    opt = Minimizer(run, "lbfgs", 6, 1.0, log_every=3)
    rows = [s.row for s in opt if s.row is not None]
    assert list(rows[0]) == ["epoch", "cost", "accuracy", "val_cost", "val_accuracy", "passes"]
    val = run.data.val
    shapes = [run.net.shape(l) for l in (1, 2)]
    # the last row is at the final Θ: its validation cost is the reference's data term
    x = Flat(opt.Theta).vector(opt.Theta)
    J0, _ = reference_J_D(x, shapes, val.X, val.Y, "sigmoid", "sigmoid", "cross_entropy", 0.0)
    assert rows[-1]["val_cost"] == pytest.approx(J0, rel=1e-12)
    h = G["sigmoid"][0](np.c_[np.ones(len(val.X)), G["sigmoid"][0](
        np.c_[np.ones(len(val.X)), val.X] @ opt.Theta[1].T)] @ opt.Theta[2].T)
    assert rows[-1]["val_accuracy"] == np.mean(h.argmax(1) == val.Y.argmax(1))


def test_through_another_executor_the_same_iterates(tmp_path):
    """Shares on two threads and blocks of 7 rows sum Δ in another order: the same Θ."""
    run = make_run(tmp_path, layers=[3, 5, "auto"], m=40)
    a = Minimizer(run, "lbfgs", 40, 1.0)
    b = Minimizer(run, "lbfgs", 40, 1.0, executor=in_memory(run, threads=2, rows=7))
    run_to_end(a), run_to_end(b)
    assert a.passes == b.passes
    assert relative(Flat(b.Theta).vector(b.Theta), Flat(a.Theta).vector(a.Theta)) <= 1e-10


def test_scipys_own_work_runs_on_one_blas_thread(tmp_path):
    """L-BFGS-B's and CG's vector work in SciPy's BLAS (its own OpenBLAS, beside
    numpy's) gains nothing from a second thread and loses much on a busy machine:
    every BLAS runs on one thread while minimize runs, and gets its threads back
    after.  In a fresh interpreter, as a run starts: SciPy not yet imported."""
    make_run(tmp_path, layers=[3, 4, "auto"], lam=1.0, epochs=5)  # writes c.yaml
    code = f"""if True:
        import sys, threading
        sys.path[:0] = [{str(Path(__file__).parent.parent)!r}]
        from threadpoolctl import threadpool_info, threadpool_limits
        from nnbp.config import load_config
        from nnbp.training.minimizer import Minimizer
        from nnbp.training.run import in_memory, prepare
        assert "scipy" not in sys.modules

        def counts():
            return sorted((i["filepath"], i["num_threads"]) for i in threadpool_info()
                          if i["user_api"] == "blas")
        run = prepare(load_config({str(tmp_path / "c.yaml")!r}))
        executor, seen = in_memory(run), []
        real_sums = executor.sums

        def sums(*a, **k):  # the passes minimize asks for, on its thread
            if threading.current_thread().name.startswith("nnbp-minimize"):
                seen.append(counts())
            return real_sums(*a, **k)
        executor.sums = sums
        with threadpool_limits(limits=2, user_api="blas"):
            for _ in Minimizer(run, "lbfgs", 5, 1.0, executor=executor):
                pass
            after = counts()
        print(len(seen), sorted({{n for c in seen for _, n in c}}), len(seen[0]),
              sorted({{n for _, n in after}}))
    """
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"  # a pool of two, whatever this process was given
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    calls, during, libraries, after = p.stdout.split(" ", 3)
    assert int(calls) > 1 and during == "[1]" and int(libraries) >= 2  # numpy's and SciPy's
    assert after.strip() == "[2]"


# --- lockstep: a blocking call with a callback, as an iterator ----------------------

def test_lockstep_hands_over_one_item_at_a_time_and_stops_the_worker():
    done = []

    def work(channel):
        try:
            for i in range(100):
                done.append(i)  # the work of item i, done before it is posted
                channel.post(i)
        finally:
            done.append("ended")

    items = lockstep(work, "nnbp-test")
    assert done == []  # nothing runs before the first item is asked for
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    assert done == [0, 1, 2]  # the worker waits: it has not started item 3
    items.close()
    assert done == [0, 1, 2, "ended"] and not [t for t in threading.enumerate()
                                                if t.name == "nnbp-test"]
    assert list(lockstep(lambda channel: [channel.post(i) for i in range(4)])) == [0, 1, 2, 3]


def test_lockstep_raises_the_workers_error_in_the_caller():
    def work(channel):
        channel.post("first")
        raise ValueError("in the worker")

    items = lockstep(work)
    assert next(items) == "first"
    with pytest.raises(ValueError, match="in the worker"):
        next(items)


# --- stopping: by the caller, on request, on a non-finite J, on a failed line search ---

def minimize_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "nnbp-minimize"]


def test_should_stop_ends_after_the_iteration_with_its_row(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"], lam=0.0)
    asked = []
    opt = Minimizer(run, "lbfgs", 40, 0.0, log_every=10,
                    should_stop=lambda: len(asked) >= 3 or bool(asked.append(1)))
    steps = run_to_end(opt)
    assert [s.epoch for s in steps] == [0, 1, 2, 3]
    assert steps[-1].row is not None and steps[-1].row["epoch"] == 3  # logged: it is the last
    assert opt.outcome == "stopped" and opt.epochs_done == 3 and not minimize_threads()
    ref, _ = reference_run(run, "L-BFGS-B", 3)  # the model is Θ after 3 iterations
    assert relative(Flat(opt.Theta).vector(opt.Theta), ref.x) <= 1e-8


def test_a_caller_that_leaves_stops_the_optimizer_thread(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"], lam=0.0)
    opt = Minimizer(run, "cg", 40, 0.0)
    it = iter(opt)
    first = [next(it) for _ in range(3)]
    assert len(minimize_threads()) == 1
    it.close()  # as a for loop does on break, or garbage collection
    assert not minimize_threads()
    assert opt.outcome == "stopped" and opt.epochs_done == 2 == first[-1].epoch
    assert opt.cost == first[-1].cost

    it = iter(Minimizer(run, "lbfgs", 40, 0.0))
    next(it)
    del it  # dropped without close
    assert not minimize_threads()


class Faulty:
    """An executor that passes to a real one, except that from pass ``at`` on J is NaN
    (``nan``) or D has the wrong sign (``flip``)."""

    def __init__(self, inner, at: int, fault: str):
        self.inner, self.at, self.fault, self.passes = inner, at, fault, 0

    def sums(self, Theta, part="train", *, backward=True, cost=True):
        sums = self.inner.sums(Theta, part, backward=backward, cost=cost)
        if part == "train":
            self.passes += 1
            if self.passes >= self.at and self.fault == "nan":
                sums.cost = math.nan
            if self.passes >= self.at and self.fault == "flip" and sums.Delta is not None:
                sums.Delta = {l: -D for l, D in sums.Delta.items()}
        return sums


def test_a_non_finite_cost_ends_the_run_at_the_last_iterate(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"])
    opt = Minimizer(run, "lbfgs", 40, 1.0, executor=Faulty(in_memory(run), 6, "nan"))
    steps = run_to_end(opt)
    assert opt.diverged and opt.outcome == "diverged" and opt.passes == 6
    assert steps[-1].epoch == opt.epochs_done < 6 and not minimize_threads()
    ref, _ = reference_run(run, "L-BFGS-B", opt.epochs_done)
    assert relative(Flat(opt.Theta).vector(opt.Theta), ref.x) <= 1e-8
    assert opt.cost == steps[-1].cost and math.isfinite(opt.cost)


def test_a_gradient_that_does_not_fit_the_cost_fails_the_line_search(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"])
    for optimizer in ("lbfgs", "cg"):
        opt = Minimizer(run, optimizer, 40, 1.0, executor=Faulty(in_memory(run), 1, "flip"))
        steps = run_to_end(opt)
        assert opt.outcome == "failed" and not opt.diverged, opt.message
        assert opt.message  # SciPy's own words, for the error line
        costs = [s.cost for s in steps if s.cost is not None]
        assert costs[-1] == opt.cost and all(b <= a for a, b in zip(costs, costs[1:]))


def test_an_error_in_a_pass_reaches_the_caller(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"])

    class Broken:
        def sums(self, Theta, part="train", **kw):
            raise MemoryError("no room for Δ")

    with pytest.raises(MemoryError, match="no room"):
        run_to_end(Minimizer(run, "lbfgs", 5, 1.0, executor=Broken()))
    assert not minimize_threads()


def test_an_iterate_missing_from_the_recent_evaluations_is_evaluated_again(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"])
    a, b = Minimizer(run, "lbfgs", 10, 1.0), Minimizer(run, "lbfgs", 10, 1.0)
    b.recent = 0  # keeps nothing: each iterate costs one more pass
    steps_a, steps_b = run_to_end(a), run_to_end(b)
    assert [s.cost for s in steps_b] == [s.cost for s in steps_a]
    assert [s.row["accuracy"] for s in steps_b] == [s.row["accuracy"] for s in steps_a]
    assert b.passes == a.passes + 10


# --- the trainer, the config and the model ----------------------------------------

def test_make_trainer_follows_training_optimizer(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"], optimizer="gd", epochs=3)
    gd = make_optimizer(run)
    assert isinstance(gd, GradientDescent) and gd.learning_rate == 1.0 and gd.epochs == 3
    rows = [s.row for s in gd]
    assert [r["passes"] for r in rows] == [1, 2, 3, 4]  # one pass per epoch
    assert str(gd.model()["optimizer"]) == "gd"
    assert set(METHODS) | {"gd"} == set(BY_KEY["training.optimizer"].check.options)


def test_the_model_records_the_optimizer_and_the_iterations(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"], optimizer="cg", epochs=7)
    opt = make_optimizer(run)
    run_to_end(opt)
    m = opt.model()
    assert str(m["optimizer"]) == "cg" and int(m["epochs"]) == 7
    assert float(m["cost_final"]) == opt.cost
    assert yaml.safe_load(str(m["config"]))["training"]["optimizer"] == "cg"
    np.testing.assert_array_equal(m["Theta1"], opt.Theta[1])


def test_learning_rate_is_said_unused_only_when_set(tmp_path):
    make_run(tmp_path, layers=[3, 4, "auto"])
    cfg = load_config(tmp_path / "c.yaml")  # optimizer lbfgs, no learning_rate
    assert unused_settings(cfg) == []
    assert unused_settings(cfg.override(training={"learning_rate": 1.0})) == [
        "training.learning_rate (set on the command line) is not used by lbfgs: L-BFGS-B "
        "chooses each step by a line search."]
    text = (tmp_path / "c.yaml").read_text().replace("training:\n",
                                                     "training:\n  learning_rate: 0.5\n")
    (tmp_path / "c.yaml").write_text(text)
    cfg = load_config(tmp_path / "c.yaml")
    line = text.splitlines().index("  learning_rate: 0.5") + 1
    assert unused_settings(cfg) == [
        f"training.learning_rate (set in {tmp_path / 'c.yaml'}, line {line}) is not used by "
        "lbfgs: L-BFGS-B chooses each step by a line search."]
    assert unused_settings(cfg.override(training={"optimizer": "gd"})) == []


def test_float32_runs_in_float32_and_scipy_in_float64(tmp_path):
    run = make_run(tmp_path, layers=[3, 4, "auto"], extra={})
    run32 = prepare(load_config(tmp_path / "c.yaml").override(training={"dtype": "float32"}))
    opt = Minimizer(run32, "lbfgs", 10, 1.0)
    steps = run_to_end(opt)
    assert all(T.dtype == np.float32 for T in opt.Theta.values())
    ref = Minimizer(run, "lbfgs", 10, 1.0)
    run_to_end(ref)
    assert steps[-1].cost == pytest.approx(ref.cost, rel=1e-4)
