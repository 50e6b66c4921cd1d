"""The batch split into shares of rows, one per core: the same gradient and the
same training as one share, BLAS's threads set per share, and numpy's error
settings and exceptions carried across the threads and the helper processes,
which end with the run, or with the process that forked them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from nnbp import network as nw
from nnbp import partner, train, workspace
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


# Helper processes: the shares after the first run in forked processes on small batches.

needs_fork = pytest.mark.skipif(not partner.available(), reason="helper processes need fork (Linux)")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def forks(monkeypatch):
    """The pids of every helper forked during the test."""
    pids = []

    class Recorded(partner.Partner):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pids.append(self.pid)
    monkeypatch.setattr(partner, "Partner", Recorded)
    monkeypatch.setattr(train, "HELPERS_MIN_EPOCHS", 10)  # the tests' runs are short
    return pids


def trained_by_hand(net, Theta, X, Y, epochs, alpha, lam):
    """The costs and final Θ of plain gradient descent on one share."""
    T = {l: t.copy() for l, t in Theta.items()}
    ws = Workspace(net, len(X), X.dtype, shares=1)
    costs = []
    for _ in range(epochs):
        bp = nw.backprop(net, T, X, Y, lam, ws)
        costs.append(bp.J)
        T = {l: T[l] - alpha * bp.D[l] for l in T}
    costs.append(nw.cost(net, T, X, Y, lam))
    return costs, T


@pytest.mark.parametrize("processes", [pytest.param(True, marks=needs_fork), False])
def test_training_on_shares_matches_one_share_epoch_by_epoch(monkeypatch, forks, processes):
    # as on a 3-core machine whose BLAS can be told its threads per share; the shares
    # after the first run in helper processes, or on threads
    monkeypatch.setattr(workspace, "PARALLEL_MIN", 0)
    monkeypatch.setattr(workspace, "threads", lambda: 3)
    monkeypatch.setattr(workspace, "blas", lambda: Blas(3, None, None))
    if not processes:
        monkeypatch.setattr(workspace, "PROCESS_MAX", 0)
    net, Theta, X, Y = problem()
    assert len(Workspace(net, len(X), X.dtype).shares) == 3
    trainer = Trainer(make_run(net, Theta, X, Y), epochs=15, learning_rate=0.3, lam=0.2)
    costs = [step.cost for step in trainer]
    assert len(forks) == (2 if processes else 0)  # shares 1 and 2, forked once per run
    assert all(gone(pid) for pid in forks)

    expected, T = trained_by_hand(net, Theta, X, Y, 15, 0.3, 0.2)
    np.testing.assert_allclose(costs, expected, rtol=1e-13)
    for l in T:
        np.testing.assert_allclose(trainer.Theta[l], T[l], rtol=1e-12, atol=1e-15)


@needs_fork
def test_a_run_too_short_to_repay_the_fork_keeps_to_threads(monkeypatch, forks):
    monkeypatch.setattr(workspace, "PARALLEL_MIN", 0)
    monkeypatch.setattr(workspace, "threads", lambda: 2)
    monkeypatch.setattr(workspace, "blas", lambda: Blas(2, None, None))
    net, Theta, X, Y = problem()
    for epochs in (9, 10):
        list(Trainer(make_run(net, Theta, X, Y), epochs=epochs, learning_rate=0.3, lam=0.2))
    assert len(forks) == 1  # the 10-epoch run only


@needs_fork
def test_helpers_end_when_training_is_left_part_way(monkeypatch, forks):
    monkeypatch.setattr(workspace, "threads", lambda: 2)
    monkeypatch.setattr(workspace, "blas", lambda: Blas(2, None, None))
    monkeypatch.setattr(workspace, "PARALLEL_MIN", 0)
    net, Theta, X, Y = problem()
    steps = iter(Trainer(make_run(net, Theta, X, Y), epochs=50, learning_rate=0.3, lam=0.2))
    for _ in range(3):
        next(steps)
    assert len(forks) == 1 and not gone(forks[0])
    steps.close()  # as when the reader of the log goes away, or on Ctrl-C
    assert gone(forks[0])


def helper_workspace(m=60, shares=3):
    """As training has it: X a view of [1, x], which the workspace keeps."""
    net, Theta, X, Y = problem(m=m)
    X1 = workspace.with_ones(X)
    X = X1[:, 1:]
    ws = Workspace(net, len(X), X.dtype, X1=X1, shares=shares, helpers=True)
    assert ws.processes
    return net, Theta, X, Y, ws


@needs_fork
def test_gradient_in_helpers_equals_one_share_until_the_data_changes(forks):
    net, Theta, X, Y, ws = helper_workspace()
    one = Workspace(net, len(X), X.dtype, shares=1)
    try:
        for lam, T in ((0.4, Theta), (0.0, {l: 0.5 * t for l, t in Theta.items()})):
            got = nw.gradient(net, T, X, Y, lam, ws)
            want = nw.gradient(net, T, X, Y, lam, one)
            for l in want.D:
                np.testing.assert_allclose(got.D[l], want.D[l], rtol=1e-13, atol=1e-16)
        assert len(forks) == 2
        Y2 = Y[::-1].copy()  # other targets: not what the helpers were forked with
        got = nw.gradient(net, Theta, X, Y2, 0.4, ws)
        want = nw.gradient(net, Theta, X, Y2, 0.4, one)
        for l in want.D:
            np.testing.assert_allclose(got.D[l], want.D[l], rtol=1e-13, atol=1e-16)
        assert len(forks) == 2 and ws.processes  # that call ran on threads
    finally:
        ws.close()
    assert all(gone(pid) for pid in forks)


@needs_fork
def test_a_killed_helper_hands_its_share_back(forks):
    net, Theta, X, Y, ws = helper_workspace()
    want = nw.gradient(net, Theta, X, Y, 0.4, Workspace(net, len(X), X.dtype, shares=1))
    nw.gradient(net, Theta, X, Y, 0.4, ws)
    os.kill(forks[1], signal.SIGKILL)
    os.waitpid(forks[1], 0)  # dead before the next call
    got = nw.gradient(net, Theta, X, Y, 0.4, ws)
    for l in want.D:
        np.testing.assert_allclose(got.D[l], want.D[l], rtol=1e-13, atol=1e-16)
    assert not ws.processes and all(gone(pid) for pid in forks)  # threads from now on


def flagged(ws, fail_in):
    """fn(k) for each_share: writes k + 1 into a shared slot, and fails in share k when
    fail[k] is set (the helpers see fail, being shared memory)."""
    seen = partner.shared_empty(len(ws.shares), np.float64)
    fail = partner.shared_empty(len(ws.shares), np.float64)
    seen[:], fail[:] = 0, 0
    fail[fail_in] = 1

    def fn(k):
        seen[k] = k + 1
        if fail[k]:
            raise ValueError(f"share {k}")
    return fn, seen, fail


@needs_fork
def test_an_error_in_a_helper_reaches_the_caller_and_the_helpers_keep_in_step(forks):
    _, _, _, _, ws = helper_workspace()
    fn, seen, fail = flagged(ws, 2)
    key = (object(),)
    try:
        with pytest.raises(ValueError, match="share 2"):
            ws.each_share(fn, key)
        assert list(seen) == [1, 2, 3]  # every share ran to its end first
        seen[:], fail[:] = 0, 0
        ws.each_share(fn, key)
        assert list(seen) == [1, 2, 3] and ws.processes and len(forks) == 2
    finally:
        ws.close()


@needs_fork
def test_an_interrupted_run_ends_the_helpers(forks):
    _, _, _, _, ws = helper_workspace()
    key = (object(),)
    fn, seen, fail = flagged(ws, [])

    def interrupted(k):
        fn(k)
        if k == 0:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        ws.each_share(interrupted, key)
    assert not ws.processes and all(gone(pid) for pid in forks)
    seen[:] = 0
    ws.each_share(fn, key)  # threads now
    assert list(seen) == [1, 2, 3]


@needs_fork
def test_numpy_errors_set_to_raise_here_raise_in_the_helpers(forks):
    _, _, _, _, ws = helper_workspace(shares=2)
    zero = partner.shared_empty(2, np.float64)
    zero[:] = 0.0
    key = (object(),)
    try:
        with np.errstate(divide="ignore"):
            ws.each_share(lambda k: np.log(zero[k:k + 1]), key)
        with np.errstate(divide="raise"), pytest.raises(FloatingPointError, match="divide"):
            ws.each_share(lambda k: k == 0 or np.log(zero[k:k + 1]), key)
    finally:
        ws.close()


@pytest.mark.skipif(blas().set is None or (blas().threads or 0) < 2,
                    reason="needs an OpenBLAS with two threads or more")
def test_blas_keeps_the_shares_thread_count_through_each_epoch_and_not_between(monkeypatch):
    monkeypatch.setattr(workspace, "PARALLEL_MIN", 0)
    monkeypatch.setattr(workspace, "threads", lambda: 2)
    net, Theta, X, Y = problem()
    before, during = blas().get(), []

    def should_stop():  # asked during each epoch's work
        during.append(blas().get())
        return False
    trainer = Trainer(make_run(net, Theta, X, Y), epochs=4, learning_rate=0.3, lam=0.2,
                      should_stop=should_stop)
    between = [blas().get() for _ in trainer]
    assert during == [max(1, min(before, 2) // 2)] * 4  # the last epoch stops anyway
    assert between == [before] * 5 and blas().get() == before


@needs_fork
def test_a_helper_exits_when_the_process_that_forked_it_is_killed(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        sys.path.insert(0, sys.argv[1])
        from test_workspace import helper_workspace
        from nnbp import network as nw
        net, Theta, X, Y, ws = helper_workspace(shares=2)
        nw.gradient(net, Theta, X, Y, 0.4, ws)
        print(ws._helpers.partners[0].pid, flush=True)
        time.sleep(60)
    """))
    proc = subprocess.Popen([sys.executable, str(script), str(Path(__file__).parent)],
                            stdout=subprocess.PIPE, text=True)
    try:
        pid = int(proc.stdout.readline())
        assert not ended(pid)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while not ended(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended(pid)


def ended(pid: int) -> bool:
    """Gone, or a zombie that this container's init has not reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@needs_fork
def test_a_helpers_copy_of_the_workspace_cannot_end_the_other_helpers(forks):
    _, _, _, _, ws = helper_workspace(shares=3)
    fn, seen, fail = flagged(ws, [])
    close_in_helper = partner.shared_empty(1, np.float64)
    close_in_helper[0] = 1
    key = (object(),)

    def fn_closing(k):
        fn(k)
        if k == 2 and close_in_helper[0]:  # share 2's helper holds a copy of share 1's
            ws.close()
    try:
        ws.each_share(fn_closing, key)
        close_in_helper[0], seen[:] = 0, 0
        ws.each_share(fn_closing, key)
        assert list(seen) == [1, 2, 3] and ws.processes
        assert not any(ended(pid) for pid in forks)
    finally:
        ws.close()
