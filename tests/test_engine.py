"""The engine against the reference: ``nnbp/network.py``'s equations and a plain
gradient descent written here give the same Θ and J at every epoch as the
engine's trainer, for every activation, output and cost, in one block or many,
on one thread or several; and the machinery around the kernel (the plan of
shares and blocks, the threads, BLAS's thread count) does what it says."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from helpers.problems import ACTIVATIONS, PAIRS, make_run, random_problem
from nnbp import network as nw
from nnbp.engine import Sums
from nnbp.engine import shares as engine_shares
from nnbp.engine.in_memory import InMemory
from nnbp.engine.shares import plan
from nnbp.cores import run_each
from nnbp.training.descent import GradientDescent
from nnbp.training.run import in_memory

# (threads, rows per block): one block on one thread; many blocks of 5 rows, the
# last of them short, on one thread; on three threads
LAYOUTS = {"one-block": (1, None), "blocks-of-5": (1, 5), "three-threads": (3, 5)}


def descent_by_hand(net, Theta, X, Y, epochs, alpha, lam):
    """J at every epoch and the final Θ of Θ := Θ - αD, with network.py's backprop."""
    T, costs = Theta, []
    for _ in range(epochs):
        J, D = nw.backprop(net, T, X, Y, lam)[:2]
        costs.append(J)
        T = {l: T[l] - alpha * D[l] for l in T}
    return costs + [nw.cost(net, T, X, Y, lam)], T


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("output,cost", PAIRS, ids=[f"{o}-{c}" for o, c in PAIRS])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_engine_trains_as_the_reference_epoch_by_epoch(activation, output, cost, layout,
                                                       monkeypatch):
    monkeypatch.setattr("nnbp.engine.kernel.CACHE_ELEMENTS", 12)  # sub-blocks of 2 rows
    threads, rows = LAYOUTS[layout]
    net = nw.Network((3, 5, 4, 3), activation, output, cost)
    Theta = nw.random_weights(net, seed=1, epsilon=1.0)
    X, Y = random_problem(output, m=23)
    run = make_run(net, Theta, X, Y)
    trainer = GradientDescent(run, epochs=12, learning_rate=0.3, lam=0.4,
                      executor=in_memory(run, threads=threads, rows=rows))
    costs = [step.cost for step in trainer]
    expected, T = descent_by_hand(net, Theta, X, Y, 12, 0.3, 0.4)
    np.testing.assert_allclose(costs, expected, rtol=1e-12, atol=0)
    for l in T:
        np.testing.assert_allclose(trainer.Theta[l], T[l], rtol=1e-12, atol=1e-14)


def test_engine_sums_are_the_references_on_held_out_parts():
    net = nw.Network((3, 5, 4, 3), "tanh", "softmax", "cross_entropy")
    Theta = nw.random_weights(net, seed=3, epsilon=1.0)
    X, Y = random_problem("softmax", m=31, seed=4)
    executor = InMemory(net, {"train": (nw.with_bias(X[:20]), Y[:20]),
                              "test": (nw.with_bias(X[20:]), Y[20:])},
                        classify=True, threads=2, rows=4)
    s = executor.sums(Theta, "test", backward=False)
    z, a = nw.forward(net, Theta, X[20:])
    assert s.m == 11 and s.Delta is None
    assert s.cost == pytest.approx(nw.example_costs(net, z, a, Y[20:]).sum(), rel=1e-13)
    assert s.correct == round(nw.accuracy(a[4], Y[20:]) * 11)
    assert s.J(Theta, 0.5) == pytest.approx(nw.cost(net, Theta, X[20:], Y[20:], 0.5), rel=1e-13)


def test_the_same_data_gives_bitwise_the_same_sums():
    net = nw.Network((3, 5, 4, 3), "sigmoid", "sigmoid", "cross_entropy")
    Theta = nw.random_weights(net, seed=2, epsilon=1.0)
    X, Y = random_problem("sigmoid", m=40)
    runs = [InMemory(net, {"train": (nw.with_bias(X), Y)}, classify=True, threads=3,
                     rows=4).sums(Theta) for _ in range(2)]
    assert runs[0].cost == runs[1].cost
    assert all(np.array_equal(runs[0].Delta[l], runs[1].Delta[l]) for l in Theta)


def test_sums_add_up_and_give_J_and_D_as_on_paper():
    Theta = {1: np.array([[0.5, 2.0, -1.0]])}
    a = Sums(2, 1.5, 1, {1: np.array([[1.0, 2.0, 3.0]])})
    b = Sums(3, 2.5, 2, {1: np.array([[3.0, 2.0, 1.0]])})
    total = Sums().add(a).add(b)
    assert (total.m, total.cost, total.correct) == (5, 4.0, 3)
    assert total.Delta[1].tolist() == [[4.0, 4.0, 4.0]]
    assert a.Delta[1].tolist() == [[1.0, 2.0, 3.0]]  # the first addend is copied, not kept
    # J = 4/5 + (λ/2m)(2² + 1²) = 0.8 + (1/10)·5;  D = Δ/5 + (λ/5)Θ for j ≥ 1
    assert total.J(Theta, 1.0) == pytest.approx(1.3, rel=1e-15)
    np.testing.assert_allclose(total.gradient(Theta, 1.0)[1], [[0.8, 0.8 + 0.4, 0.8 - 0.2]],
                               rtol=1e-15)


def test_the_plan_splits_rows_evenly_into_shares_and_blocks_that_cover_them_once():
    assert plan(10, 3, 100) == [[slice(0, 3)], [slice(3, 6)], [slice(6, 10)]]
    assert plan(23, 2, 5) == [[slice(0, 3), slice(3, 7), slice(7, 11)],
                              [slice(11, 15), slice(15, 19), slice(19, 23)]]
    rows = [r for share in plan(1000, 3, 64) for b in share for r in range(b.start, b.stop)]
    assert rows == list(range(1000))


def test_a_small_batch_keeps_one_share_and_a_large_one_takes_every_core(monkeypatch):
    monkeypatch.setattr(engine_shares, "cores", lambda: 4)
    net = nw.Network((64, 25, 10))
    shares = engine_shares.Shares(net, classify=True)
    assert shares.count(1797) == 1  # 1797 × (26 + 11) elements: not worth a hand-over
    assert shares.count(20000) == 4
    assert engine_shares.Shares(net, classify=True, threads=3).count(2) == 2  # never empty


def test_each_share_sees_the_callers_numpy_error_settings():
    seen = {}
    with np.errstate(divide="raise", over="ignore"):
        run_each(lambda k: seen.update({k: np.geterr()}), 3)
    assert sorted(seen) == [0, 1, 2]
    assert all(e["divide"] == "raise" and e["over"] == "ignore" for e in seen.values())


def test_an_error_in_any_share_reaches_the_caller_after_every_share_ends():
    done = []

    def fn(k):
        if k == 2:
            raise ValueError("share 2")
        done.append(k)
    with pytest.raises(ValueError, match="share 2"):
        run_each(fn, 3)
    assert sorted(done) == [0, 1]


def blas_counts() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


@pytest.mark.skipif(not blas_counts(), reason="threadpoolctl finds no BLAS in numpy")
def test_shares_run_with_their_part_of_blas_threads_and_put_them_back(monkeypatch):
    monkeypatch.setattr("nnbp.engine.blas.cores", lambda: 4)
    net = nw.Network((3, 5, 4, 3), "sigmoid", "sigmoid", "cross_entropy")
    X, Y = random_problem("sigmoid", m=20)
    before, seen = blas_counts(), []
    executor = InMemory(net, {"train": (nw.with_bias(X), Y)}, classify=True, threads=2)
    real_run = engine_shares.run_each

    def spying(fn, n):
        seen.append(blas_counts())
        real_run(fn, n)
    monkeypatch.setattr(engine_shares, "run_each", spying)
    executor.sums(nw.random_weights(net, seed=0))
    assert seen == [[2] * len(before)]  # 4 cores, 2 shares: 2 BLAS threads each
    assert blas_counts() == before


@pytest.mark.skipif(not blas_counts(), reason="threadpoolctl finds no BLAS in numpy")
def test_a_small_batch_runs_its_products_on_one_blas_thread(monkeypatch):
    """A batch below PARALLEL_MIN runs on one core, BLAS included: two BLAS threads on
    its short products only wait for each other (and on a busy machine for whatever
    else runs, up to 10× slower).  Products below OpenBLAS's own threshold for threads
    (BLAS_THREADED_MIN) run on one thread anyway: BLAS is left as it is."""
    from threadpoolctl import threadpool_limits

    net = nw.Network((64, 40, 10), "sigmoid", "sigmoid", "cross_entropy")
    X, Y = random_problem("sigmoid", m=200, sizes=net.sizes)  # 200 × 65 × 40 ≥ 2^18
    tiny = nw.Network((3, 5, 4, 3), "sigmoid", "sigmoid", "cross_entropy")
    Xt, Yt = random_problem("sigmoid", m=20)
    seen = []
    real_run = engine_shares.run_each

    def spying(fn, n):
        seen.append(blas_counts())
        real_run(fn, n)
    monkeypatch.setattr(engine_shares, "run_each", spying)
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_counts()
        InMemory(net, {"train": (nw.with_bias(X), Y)}, classify=True).sums(
            nw.random_weights(net, seed=0))
        # a share count the caller chose leaves BLAS as it is
        InMemory(net, {"train": (nw.with_bias(X), Y)}, classify=True, threads=1).sums(
            nw.random_weights(net, seed=0))
        InMemory(tiny, {"train": (nw.with_bias(Xt), Yt)}, classify=True).sums(
            nw.random_weights(tiny, seed=0))
        assert seen == [[1] * len(before), before, before]
        assert blas_counts() == before


def test_steps_keep_their_cost_after_later_epochs():
    net = nw.Network((3, 5, 4, 3), "sigmoid", "sigmoid", "cross_entropy")
    Theta = nw.random_weights(net, seed=1, epsilon=1.0)
    X, Y = random_problem("sigmoid", m=9)
    steps = list(GradientDescent(make_run(net, Theta, X, Y), epochs=5, learning_rate=0.5, lam=0.1,
                         log_every=2))
    expected, _ = descent_by_hand(net, Theta, X, Y, 5, 0.5, 0.1)
    # J on the logged epochs (0, 2, 4 and the last), read after training has ended
    assert [s.epoch for s in steps if s.cost is not None] == [0, 2, 4, 5]
    np.testing.assert_allclose([s.cost for s in steps if s.cost is not None],
                               [expected[e] for e in (0, 2, 4, 5)], rtol=1e-12)
    assert all((s.row is None) == (s.cost is None) for s in steps)
    assert [s.row["cost"] for s in steps if s.row] == [s.cost for s in steps if s.row]


def test_j_is_computed_also_on_the_epochs_the_caller_asks_for():
    net = nw.Network((3, 5, 4, 3), "sigmoid", "sigmoid", "cross_entropy")
    Theta = nw.random_weights(net, seed=1, epsilon=1.0)
    X, Y = random_problem("sigmoid", m=9)
    trainer = GradientDescent(make_run(net, Theta, X, Y), epochs=6, learning_rate=0.5, lam=0.1,
                      log_every=4, cost_wanted=lambda e: e == 3)  # a progress bar's redraw
    steps = list(trainer)
    expected, _ = descent_by_hand(net, Theta, X, Y, 6, 0.5, 0.1)
    assert [s.epoch for s in steps if s.cost is not None] == [0, 3, 4, 6]
    assert [s.epoch for s in steps if s.row is not None] == [0, 4, 6]  # the log is the same
    np.testing.assert_allclose([s.cost for s in steps if s.cost is not None],
                               [expected[e] for e in (0, 3, 4, 6)], rtol=1e-12)
