"""A cluster that loses workers while it trains, with real processes started as a user
starts them (`dask scheduler`, `dask worker` without a nanny, so that a killed worker
stays gone): one of two lost, the last one lost and none back within the wait, Ctrl-C
during that wait, one that joins during it, and the scheduler lost.  Each says what
happened in one line on stderr, with no text of Dask's, and the model keeps the
epochs done."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

from conftest import nnbp_argv, nnbp_env
from helpers.cluster import config, dask_scheduler, dask_workers, write_problem
from nnbp.config import load_config, parse_config
from nnbp.errors import ConfigError
from nnbp.training import make_optimizer
from nnbp.training.minimizer import Flat
from nnbp.training.run import prepare

EPOCHS = 40


@pytest.fixture(scope="module")
def scheduler():
    s = dask_scheduler(nnbp_env())
    yield s
    s.stop()


@pytest.fixture
def workers(scheduler):
    """``workers(n)``: n more workers on the scheduler, stopped after the test."""
    started = []

    def start(n=1):
        new = dask_workers(scheduler.address, nnbp_env(), n)
        started.extend(new)
        return new
    yield start
    for w in started:
        w.stop()


class Training:
    """``nnbp train`` on the cluster, its stderr's lines kept with the time each came."""

    def __init__(self, folder, address, *args, optimizer="gd"):
        write_problem(folder, "softmax")
        self.path = config(folder, "softmax", "cross_entropy", epochs=EPOCHS, log_every=1,
                           optimizer=optimizer)
        self.folder, self.err = folder, []
        self.p = subprocess.Popen([*nnbp_argv(), "train", self.path, "--scheduler", address,
                                   "--out", "m.npz", *map(str, args)], cwd=folder,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=nnbp_env(), stdin=subprocess.DEVNULL)
        threading.Thread(target=lambda: self.err.extend((time.monotonic(), line.rstrip("\n"))
                                                        for line in self.p.stderr),
                         daemon=True).start()
        self.rows = [self.p.stdout.readline() for _ in range(11)]  # the header, epochs 0 … 9

    def line(self, text: str, timeout: float) -> float:
        """When a line holding ``text`` came on stderr (waiting for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(self.err):
                if text in line:
                    return at
            time.sleep(0.01)
        raise AssertionError(f"no line with {text!r} within {timeout} s: {self.stderr()}")

    def finish(self, timeout: float) -> int:
        try:
            self.p.wait(timeout)  # the log's rows are few: they fit in the pipe
            self.rows += self.p.stdout.readlines()
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
        time.sleep(0.1)  # the last of stderr
        return self.p.returncode

    def stderr(self) -> list[str]:
        return [line for _, line in self.err]

    def epochs(self) -> list[int]:
        return [int(r.split(",")[0]) for r in self.rows[1:]]

    def model(self):
        with np.load(self.folder / "m.npz", allow_pickle=False) as f:
            return {int(k[5:]): f[k] for k in f.files if k.startswith("Theta")}, int(f["epochs"])


def dask_text(lines):
    return [l for l in lines if re.search(r"distributed\.|WARNING|Traceback|Exception", l)]


def assert_trained_as_in_memory(training: Training, epochs: int):
    """Θ of the saved model is the one the same epochs (iterations) give in memory."""
    Theta, saved = training.model()
    assert saved == epochs
    cfg = load_config(training.path).override(training={"epochs": epochs})
    expected = make_optimizer(prepare(cfg))
    list(expected)
    if expected.name == "gd":
        for l, T in expected.Theta.items():
            np.testing.assert_allclose(Theta[l], T, rtol=1e-10, atol=1e-13)
    else:  # L-BFGS carries the rounding of the merged statistics along its steps
        flat = Flat(expected.Theta)
        x, y = flat.vector(Theta), flat.vector(expected.Theta)
        assert np.linalg.norm(x - y) / np.linalg.norm(y) <= 1e-10


def test_a_worker_lost_while_another_remains_is_one_line_and_changes_nothing(
        scheduler, workers, tmp_path):
    lost, _ = workers(2)
    training = Training(tmp_path, scheduler.address)
    lost.kill()
    assert training.finish(60) == 0, training.stderr()
    assert training.epochs() == list(range(EPOCHS + 1))
    [said] = [l for l in training.stderr() if lost.address in l]
    rows = re.fullmatch(rf"Worker {lost.address} left the Dask cluster: the ([\d,]+) rows it held "
                        r"are being read again from the file by the other workers\.", said)
    assert rows and 0 < int(rows[1].replace(",", "")) <= 240, said
    assert dask_text(training.stderr()) == []
    assert_trained_as_in_memory(training, EPOCHS)


def test_the_last_worker_lost_is_said_at_once_and_waited_for_a_bounded_time(
        scheduler, workers, tmp_path):
    [worker] = workers()
    # lbfgs: its passes run on SciPy's thread, the lost cluster comes back on the caller's
    training = Training(tmp_path, scheduler.address, "--worker-wait", 2, optimizer="lbfgs")
    killed = time.monotonic()
    worker.kill()
    said = training.line(f"The Dask cluster at {scheduler.address} has no workers left; "
                         "waiting up to 2 s for one", timeout=10)
    assert said - killed < 2
    assert training.finish(30) == 1
    ended = time.monotonic()
    done = training.epochs()[-1]
    assert 2 <= ended - said < 6
    assert training.stderr()[-1] == (
        f"Error: the Dask cluster at {scheduler.address} has had no workers for 2 s "
        f"(--worker-wait, training.worker_wait); the model was saved to m.npz with the "
        f"{done} iterations done")
    assert [l for l in training.stderr() if l.startswith("Error:")] == [training.stderr()[-1]]
    assert dask_text(training.stderr()) == []
    assert training.epochs() == list(range(done + 1)) and done >= 9
    assert_trained_as_in_memory(training, done)


def test_ctrl_c_while_the_cluster_has_no_workers_saves_the_epochs_done_at_once(
        scheduler, workers, tmp_path):
    [worker] = workers()
    training = Training(tmp_path, scheduler.address)  # the default wait, 120 s
    worker.kill()
    training.line("has no workers left; waiting up to 120 s for one", timeout=10)
    sent = time.monotonic()
    training.p.send_signal(signal.SIGINT)
    assert training.finish(30) == 130
    assert time.monotonic() - sent < 5
    assert training.stderr()[-1] == "Interrupted: model saved with the epochs done."
    assert dask_text(training.stderr()) == []
    done = training.epochs()[-1]
    assert training.epochs() == list(range(done + 1)) and done >= 9
    assert_trained_as_in_memory(training, done)


def test_a_worker_that_joins_during_the_wait_takes_the_run_up(scheduler, workers, tmp_path):
    [worker] = workers()
    training = Training(tmp_path, scheduler.address, "--worker-wait", 30)
    worker.kill()
    training.line("has no workers left; waiting up to 30 s for one", timeout=10)
    [joined] = workers()
    training.line(f"Worker {joined.address} joined the Dask cluster: the wait is over.",
                  timeout=10)
    assert training.finish(20) == 0, training.stderr()
    assert training.epochs() == list(range(EPOCHS + 1))
    assert dask_text(training.stderr()) == []
    assert_trained_as_in_memory(training, EPOCHS)  # the partitions read again from the file


def test_worker_wait_is_a_config_key_and_an_option():
    text = "data:\n  train: a.csv\nnetwork:\n  layers: [2, 3, 1]\n"
    assert parse_config(text).training.worker_wait == 120
    cfg = parse_config(text + "training:\n  worker_wait: 0.5\n")
    assert cfg.training.worker_wait == 0.5
    assert cfg.override(training={"worker_wait": 0}).training.worker_wait == 0
    with pytest.raises(ConfigError, match=r"training.worker_wait: expected a number ≥ 0, "
                       "found -1"):
        parse_config(text + "training:\n  worker_wait: -1\n")


def test_a_scheduler_lost_ends_the_run_with_the_epochs_done_saved(tmp_path):
    scheduler = dask_scheduler(nnbp_env())
    try:
        [worker] = dask_workers(scheduler.address, nnbp_env())
        training = Training(tmp_path, scheduler.address)
        scheduler.kill()
        assert training.finish(30) == 1
    finally:
        scheduler.stop()
        worker.stop()
    done = training.epochs()[-1]
    assert training.stderr()[-1] == (
        f"Error: the Dask scheduler at {scheduler.address} has gone (its connection was "
        f"lost); the model was saved to m.npz with the {done} epochs done")
    assert dask_text(training.stderr()) == []
    assert_trained_as_in_memory(training, done)
