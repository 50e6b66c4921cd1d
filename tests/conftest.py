"""Shared pytest fixtures."""

# --- running the real `nnbp` process (tests/test_cli_*.py, tests/test_examples.py) ---

import os as _os
import subprocess as _subprocess
import sys as _sys
from pathlib import Path as _Path

import pytest as _pytest

_REPO = _Path(__file__).resolve().parent.parent


def nnbp_argv() -> list[str]:
    """The console script next to this Python, else ``python -m cli.main``."""
    script = _Path(_sys.executable).with_name("nnbp")
    return [str(script)] if script.exists() else [_sys.executable, "-m", "cli.main"]


def nnbp_env() -> dict[str, str]:
    """The environment for a child nnbp: the checkout importable from any cwd, no colour."""
    env = dict(_os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    for threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        # nnbp's matrices are small; BLAS threads of runs side by side on a busy
        # machine spin against each other (digits: 3 s alone, 30 s+ under load)
        env.setdefault(threads, "1")
    env["PYTHONPATH"] = _os.pathsep.join(filter(None, [str(_REPO), env.get("PYTHONPATH")]))
    return env


def run_nnbp(*args, cwd, timeout=120) -> _subprocess.CompletedProcess:
    """Run ``nnbp ARGS`` in ``cwd`` to the end; text stdout and stderr."""
    return _subprocess.run([*nnbp_argv(), *map(str, args)], cwd=cwd, capture_output=True,
                           text=True, timeout=timeout, env=nnbp_env(),
                           stdin=_subprocess.DEVNULL)


_MODULES_PROBE = """
import json, sys
sys.argv = ["nnbp"] + sys.argv[1:]
from cli.main import app
try:
    app(prog_name="nnbp")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*args, cwd=None) -> tuple[_subprocess.CompletedProcess, set[str]]:
    """Run ``nnbp ARGS`` in a fresh Python; the process, and the modules it imported."""
    import json

    r = _subprocess.run([_sys.executable, "-c", _MODULES_PROBE, *map(str, args)],
                        capture_output=True, text=True, env=nnbp_env(), timeout=60, cwd=cwd)
    return r, set(json.loads(r.stderr.strip().splitlines()[-1]))


@_pytest.fixture(scope="session")
def nnbp_runner():
    """``run_nnbp`` itself, for fixtures of any scope: ``nnbp_runner("train", "xor", cwd=d)``."""
    return run_nnbp


@_pytest.fixture
def nnbp_run(tmp_path):
    """``nnbp_run("train", "xor", cwd=...)``: the finished process (text streams);
    the working directory defaults to the test's tmp_path."""
    def run(*args, cwd=None, timeout=120):
        return run_nnbp(*args, cwd=cwd or tmp_path, timeout=timeout)
    return run


@_pytest.fixture
def nnbp_run_all(tmp_path):
    """``nnbp_run_all(["train", "xor"], ["train", "iris"])``: independent runs side by
    side (startup dominates short runs); the finished processes, in order."""
    from concurrent.futures import ThreadPoolExecutor

    def run_all(*jobs, cwd=None, timeout=120):
        with ThreadPoolExecutor(max_workers=len(jobs) or 1) as pool:
            return list(pool.map(lambda a: run_nnbp(*a, cwd=cwd or tmp_path, timeout=timeout),
                                 jobs))
    return run_all


@_pytest.fixture
def nnbp_popen(tmp_path):
    """``nnbp_popen("train", "digits")``: a running process with stdout and stderr pipes."""
    procs = []

    def popen(*args, cwd=None):
        p = _subprocess.Popen([*nnbp_argv(), *map(str, args)], cwd=cwd or tmp_path,
                              stdout=_subprocess.PIPE, stderr=_subprocess.PIPE, text=True,
                              env=nnbp_env(), stdin=_subprocess.DEVNULL)
        procs.append(p)
        return p
    yield popen
    for p in procs:  # never leave a trainer running after a failed assertion
        if p.poll() is None:
            p.kill()
        for stream in (p.stdout, p.stderr):
            if stream and not stream.closed:
                stream.close()
        p.wait()


@_pytest.fixture(scope="session")
def iris_model(tmp_path_factory):
    """A model trained on the bundled iris example (200 epochs), shared by the tests."""
    folder = tmp_path_factory.mktemp("iris-model")
    r = run_nnbp("train", "iris", "--epochs", 200, "--out", "m.npz", "--quiet", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder / "m.npz"


def interrupt_after_rows(p, rows: int = 3):
    """Ctrl-C to a running ``nnbp train … --log-every 1`` once its header and ``rows``
    log rows are out: (all of stdout, stderr, exit code, seconds from the signal to
    the exit).  A watchdog kills a run that would not end."""
    import signal
    import threading
    import time

    watchdog = threading.Timer(30, p.kill)  # reads below block until EOF
    watchdog.start()
    try:
        head = [p.stdout.readline() for _ in range(rows + 1)]
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        rest = p.stdout.read()
        err = p.stderr.read()
        code = p.wait(timeout=30)
        return "".join(head) + rest, err, code, time.monotonic() - sent
    finally:
        watchdog.cancel()


@_pytest.fixture(params=["csv module", "arrow"])
def engine(request, monkeypatch):
    """Each CSV read by both engines: the csv module (files under 64 kB) and Arrow."""
    if request.param == "arrow":
        monkeypatch.setenv("NNBP_SMALL_CSV_BYTES", "0")
    return request.param
