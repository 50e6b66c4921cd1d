"""What can go wrong on a Dask cluster before the first epoch, with real processes:
something other than a Dask scheduler at the address (an SSH server, a web server such
as the dashboard, a worker), and Ctrl-C while connecting or while the workers read
the data.  Each ends with one line on stderr, no traceback, no model, and leaves the
cluster as it was."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from distributed import Client, LocalCluster

from conftest import nnbp_argv, nnbp_env
from helpers.cluster import config, write_problem

CONNECT = 2  # s: Dask's connect time-out for these runs (nnbp waits at most 10 s)


def start(*args, cwd) -> subprocess.Popen:
    env = dict(nnbp_env(), DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=f"{CONNECT}s")
    return subprocess.Popen([*nnbp_argv(), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL)


def finish(p, timeout=30):
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    return p.returncode, out, err


@contextlib.contextmanager
def socket_server(greeting: bytes | None):
    """A server on a free port that accepts every connection, sends ``greeting`` (None:
    nothing) and keeps it open; yields its address and the connections it accepted."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            if greeting:
                conn.sendall(greeting)
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        listener.close()
        for conn in accepted:
            conn.close()


@contextlib.contextmanager
def http_server():
    """An HTTP server (Python's, as ``python -m http.server`` runs it) on a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


HINT = ("give the scheduler's address, the one `dask scheduler` prints at its start "
        "(tcp://HOST:8786), not its dashboard's (:8787)")


def test_an_ssh_server_at_the_address_is_not_a_scheduler(tmp_path):
    write_problem(tmp_path, "sigmoid")
    path = config(tmp_path, "sigmoid", "cross_entropy")
    with socket_server(b"SSH-2.0-OpenSSH_9.6\r\n") as (address, _):
        started = time.monotonic()
        code, out, err = finish(start("train", path, "--scheduler", address, "--out", "m.npz",
                                      cwd=tmp_path))
        elapsed = time.monotonic() - started
    # Dask's client read the banner as the length of a message of 2.8 EiB (MemoryError,
    # exit 1), then hung 20 s closing
    assert (code, out) == (2, ""), err
    assert err == (f"Error: --scheduler {address}: what answers at {address} is not a Dask "
                   f"scheduler (it does not speak Dask's protocol); {HINT}\n")
    assert elapsed < 8
    assert not (tmp_path / "m.npz").exists()


def test_a_web_server_at_the_address_is_not_a_scheduler(tmp_path):
    write_problem(tmp_path, "sigmoid")
    with http_server() as address:
        path = config(tmp_path, "sigmoid", "cross_entropy", scheduler=address)
        started = time.monotonic()
        code, out, err = finish(start("train", path, cwd=tmp_path))
        elapsed = time.monotonic() - started
    # Dask's client waited without end for a handshake the server never sends
    assert (code, out) == (2, ""), err
    assert err == (f"Error: {path}, line 19: training.scheduler: what answers at {address} "
                   f"is not a Dask scheduler (it accepted the connection but did not answer "
                   f"as one within {CONNECT} s); {HINT}\n")
    assert CONNECT <= elapsed < CONNECT + 6
    assert not (tmp_path / "c.npz").exists()


def test_a_workers_address_is_not_the_schedulers(tmp_path):
    write_problem(tmp_path, "sigmoid")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        [worker] = cluster.scheduler.workers
        code, out, err = finish(start("train", config(tmp_path, "sigmoid", "cross_entropy"),
                                      "--scheduler", worker, cwd=tmp_path))
    assert (code, out) == (2, ""), err
    assert err == (f"Error: --scheduler {worker}: what answers at {worker} is not a Dask "
                   f"scheduler (it is a Dask worker); {HINT}\n")


EARLY = ("Interrupted while connecting to the Dask cluster or while its workers read the data; "
         "no model was saved (nothing was written to m.npz).\n")


def interrupt(p) -> tuple[int, str, str, float]:
    """Ctrl-C to the process; its exit code, streams, and the seconds it took to end."""
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    code, out, err = finish(p)
    return code, out, err, time.monotonic() - sent


def test_ctrl_c_while_connecting_is_one_line_and_exit_130(tmp_path):
    write_problem(tmp_path, "sigmoid")
    path = config(tmp_path, "sigmoid", "cross_entropy")
    with socket_server(None) as (address, accepted):  # accepts and never answers
        p = start("train", path, "--scheduler", address, "--out", "m.npz", cwd=tmp_path)
        deadline = time.monotonic() + 30
        while len(accepted) < 2 and time.monotonic() < deadline:  # nnbp's check, Dask's
            time.sleep(0.02)
        assert len(accepted) == 2
        code, out, err, elapsed = interrupt(p)
    assert (code, out) == (130, "")
    assert err == EARLY
    assert elapsed < 5
    assert not (tmp_path / "m.npz").exists()


SLOW_READ = """\
import time
import nnbp.data.cluster_tasks as tasks

_read = tasks.read_csv_partition


def read_csv_partition(*args, **kwargs):  # a worker reading a large file
    time.sleep(1)
    return _read(*args, **kwargs)


tasks.read_csv_partition = read_csv_partition
"""


def test_ctrl_c_while_the_workers_read_the_data_leaves_the_cluster_as_it_was(tmp_path):
    write_problem(tmp_path, "sigmoid", m=400)
    path = config(tmp_path, "sigmoid", "cross_entropy", epochs=1000)
    (tmp_path / "slow_read.py").write_text(SLOW_READ)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR,
                      preload=[str(tmp_path / "slow_read.py")]) as cluster, \
            Client(cluster) as client:
        def reading():
            return client.run_on_scheduler(lambda dask_scheduler: any(
                ts.state == "processing" and str(ts.key).startswith("read_csv_partition")
                for ts in dask_scheduler.tasks.values()))

        def left():  # the clients and tasks on the cluster
            return client.run_on_scheduler(lambda dask_scheduler: (
                sorted(dask_scheduler.clients), len(dask_scheduler.tasks)))

        before = left()
        p = start("train", path, "--scheduler", cluster.scheduler_address, "--out", "m.npz",
                  cwd=tmp_path)
        deadline = time.monotonic() + 30
        while not reading() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert reading()
        code, out, err, elapsed = interrupt(p)
        deadline = time.monotonic() + 10
        while left() != before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left() == before  # no client of the run, none of its tasks
    # two "Task exception was never retrieved … AllExit" tracebacks, no line of nnbp's
    assert (code, out) == (130, "")
    assert err == EARLY
    assert elapsed < 5
    assert not (tmp_path / "m.npz").exists()


def test_ctrl_c_while_a_local_cluster_starts_is_held_until_it_is_whole():
    """A Ctrl-C in a terminal goes to every process of the group: worker processes of a
    cluster that is starting must not take it (each printed a traceback while still
    importing), and nnbp must: it is held while they start, then raised."""
    from nnbp.engine.connect import sigint_held

    probe = [sys.executable, "-c", "import signal; print(signal.SIGINT in "
             "signal.pthread_sigmask(signal.SIG_BLOCK, []))"]
    before, reached = signal.getsignal(signal.SIGINT), False
    with pytest.raises(KeyboardInterrupt):
        with sigint_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # held: not raised here
            started = subprocess.run(probe, capture_output=True, text=True, timeout=30).stdout
            reached = True
    assert reached and started.strip() == "True"  # a process started meanwhile never sees it
    assert signal.getsignal(signal.SIGINT) is before
    after = subprocess.run(probe, capture_output=True, text=True, timeout=30).stdout
    assert after.strip() == "False"


def test_ctrl_c_while_a_local_cluster_starts_stops_at_once_and_leaves_no_process(tmp_path):
    import psutil

    write_problem(tmp_path, "sigmoid")
    path = config(tmp_path, "sigmoid", "cross_entropy", epochs=100000)
    # its own session, so that Ctrl-C reaches it and its cluster's processes as in a terminal
    p = subprocess.Popen([*nnbp_argv(), "train", path, "--scheduler", "local", "--out", "m.npz"],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=nnbp_env(), stdin=subprocess.DEVNULL,
                         start_new_session=True)
    nnbp = psutil.Process(p.pid)
    deadline = time.monotonic() + 30
    while not nnbp.children() and time.monotonic() < deadline:  # the cluster is starting
        time.sleep(0.01)
    assert nnbp.children()
    sent = time.monotonic()
    for _ in range(3):  # pressed three times while the workers start
        os.killpg(p.pid, signal.SIGINT)
        time.sleep(0.1)
    started = nnbp.children(recursive=True)
    code, out, err = finish(p)
    elapsed = time.monotonic() - sent
    assert (code, out) == (130, ""), err
    assert err == EARLY  # one line: no traceback from the workers or from nnbp
    assert elapsed < 5
    assert len(started) >= 2  # the cluster's processes had started, and all of them end
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert alive == []
    assert not (tmp_path / "m.npz").exists()
