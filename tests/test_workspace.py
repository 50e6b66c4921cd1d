"""The batch split into shares of rows, one per core: the same gradient and the
same training as one share, BLAS's threads set per share, and numpy's error
settings and exceptions carried across the threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nnbp import network as nw
from nnbp import workspace
from nnbp.blas import Blas, blas, blas_threads
from nnbp.train import Trainer
from nnbp.workspace import Workspace
from test_math import make_run


def problem(m=60, sizes=(4, 8, 6, 3), seed=5):
    rng = np.random.default_rng(seed)
    net = nw.Network(sizes, "tanh", "softmax", "cross_entropy")
    X = rng.normal(size=(m, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
    return net, nw.random_weights(net, seed), X, Y


def test_shares_split_the_rows_evenly_and_cover_them_once():
    net, _, X, _ = problem(m=10)
    ws = Workspace(net, 10, X.dtype, shares=3)
    assert [(s.start, s.stop) for s in ws.shares] == [(0, 3), (3, 6), (6, 10)]
    assert len(ws.Delta) == 3 and ws.Delta[0] is ws.D  # share 0 sums into D itself
    assert len(Workspace(net, 2, X.dtype, shares=3).shares) == 2  # never an empty share


def test_a_small_batch_keeps_one_share():
    net, _, X, _ = problem(m=8)
    assert len(Workspace(net, 8, X.dtype).shares) == 1


@pytest.mark.parametrize("shares", [2, 3, 7])
def test_gradient_is_the_same_for_any_number_of_shares(shares):
    net, Theta, X, Y = problem()
    one = nw.gradient(net, Theta, X, Y, 0.4, Workspace(net, len(X), X.dtype, shares=1))
    D1 = {l: D.copy() for l, D in one.D.items()}
    many = nw.gradient(net, Theta, X, Y, 0.4, Workspace(net, len(X), X.dtype, shares=shares))
    for l in D1:
        np.testing.assert_allclose(many.D[l], D1[l], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(many.a[net.L], one.a[net.L], rtol=1e-14)


def test_training_on_shares_matches_one_share_epoch_by_epoch(monkeypatch):
    # as on a 3-core machine whose BLAS can be told its threads per share
    monkeypatch.setattr(workspace, "PARALLEL_MIN", 0)
    monkeypatch.setattr(workspace, "threads", lambda: 3)
    monkeypatch.setattr(workspace, "blas", lambda: Blas(3, None, None))
    net, Theta, X, Y = problem()
    assert len(Workspace(net, len(X), X.dtype).shares) == 3
    trainer = Trainer(make_run(net, Theta, X, Y), epochs=15, learning_rate=0.3, lam=0.2)
    costs = [step.cost for step in trainer]

    T = {l: t.copy() for l, t in Theta.items()}  # the same epochs, by hand, on one share
    ws = Workspace(net, len(X), X.dtype, shares=1)
    expected = []
    for _ in range(15):
        bp = nw.backprop(net, T, X, Y, 0.2, ws)
        expected.append(bp.J)
        T = {l: T[l] - 0.3 * bp.D[l] for l in T}
    expected.append(nw.cost(net, T, X, Y, 0.2))
    np.testing.assert_allclose(costs, expected, rtol=1e-13)
    for l in T:
        np.testing.assert_allclose(trainer.Theta[l], T[l], rtol=1e-12, atol=1e-15)


def test_each_share_sees_the_callers_numpy_error_settings():
    net, _, X, _ = problem()
    ws = Workspace(net, len(X), X.dtype, shares=3)
    seen = {}
    with np.errstate(divide="raise", over="ignore"):
        ws.each_share(lambda k: seen.update({k: np.geterr()}))
    assert sorted(seen) == [0, 1, 2]
    assert all(e["divide"] == "raise" and e["over"] == "ignore" for e in seen.values())


def test_an_error_in_any_share_reaches_the_caller_after_every_share_ends():
    net, _, X, _ = problem()
    ws = Workspace(net, len(X), X.dtype, shares=3)
    done = []

    def fn(k):
        if k == 2:
            raise ValueError("share 2")
        done.append(k)
    with pytest.raises(ValueError, match="share 2"):
        ws.each_share(fn)
    assert sorted(done) == [0, 1]


@pytest.mark.skipif(blas().set is None, reason="numpy's BLAS is not OpenBLAS")
def test_blas_threads_are_set_for_the_block_and_put_back():
    b = blas()
    before = b.get()
    seen = []
    with blas_threads(1):
        seen.append(b.get())
        with blas_threads(None):  # None leaves it alone
            seen.append(b.get())
    assert seen == [1, 1] and b.get() == before == b.threads


@pytest.mark.skipif(blas().set is None, reason="numpy's BLAS is not OpenBLAS")
def test_shares_run_with_their_part_of_blas_threads_and_put_them_back():
    net, _, X, _ = problem()
    ws = Workspace(net, len(X), X.dtype, shares=2)
    before, seen = blas().get(), []
    ws.each_share(lambda k: seen.append(blas().get()))
    assert seen == [max(1, before // 2)] * 2 and blas().get() == before
