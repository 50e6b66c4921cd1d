"""What happens while nnbp runs, on the real process: Ctrl-C outside training,
a reader of stdout that is gone, a cost that becomes non-finite between logged
epochs, the rising-cost warning, and the memory limits (with a fake amount of
memory, ``NNBP_MEMORY_AVAILABLE``).

tests/test_cli_train.py has the first Ctrl-C and the closed pipe of a training
run, and divergence logged at every epoch; tests/test_predict.py the closed
pipe of predict.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import nnbp_argv, nnbp_env
from nnbp.data import reader, room
from nnbp.config import load_config, parse_config
from nnbp.errors import ConfigError, DataError
from nnbp.model import save_npz_atomic
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "datasets"
posix_only = pytest.mark.skipif(os.name != "posix", reason="signals to a child are POSIX")


def run_env(*args, cwd, env=None, timeout=120):
    """``nnbp ARGS`` with extra environment variables."""
    return subprocess.run([*nnbp_argv(), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**nnbp_env(), **(env or {})},
                          stdin=subprocess.DEVNULL)


def log_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def xor_model(tmp_path):
    """A model of the bundled xor example, trained a few epochs in-process."""
    cfg = load_config("xor")
    trainer = GradientDescent(prepare(cfg), epochs=5, learning_rate=2.0, lam=0.0)
    for _ in trainer:
        pass
    path = tmp_path / "xor.npz"
    save_npz_atomic(path, trainer.model())
    return path


# --- Ctrl-C ----------------------------------------------------------------------

@posix_only
def test_ctrl_c_during_gradcheck_exits_130_without_a_traceback(nnbp_popen):
    p = nnbp_popen("gradcheck", "digits", "--all")  # 1885 entries × 2 passes over 1437 rows
    time.sleep(3)  # well past start-up, well before the end
    assert p.poll() is None, "gradcheck finished before it could be interrupted"
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert time.monotonic() - sent < 5
    assert out == ""  # no half table
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


@pytest.mark.parametrize("module,args", [("typer", ["--version"]), ("yaml", ["train", "xor"])])
def test_ctrl_c_while_the_command_line_is_imported_exits_130_without_a_traceback(module, args):
    """The console script's first tens of milliseconds import Typer (for the command
    line) and, as a command starts, pyyaml (to read its config). A Ctrl-C then is played
    here by that import raising KeyboardInterrupt, which is what Python's SIGINT
    handler does."""
    code = f"""if True:
        import builtins, sys
        real_import = builtins.__import__
        def ctrl_c_on_import(name, *args, **kwargs):
            if name == {module!r}:
                builtins.__import__ = real_import
                raise KeyboardInterrupt
            return real_import(name, *args, **kwargs)
        builtins.__import__ = ctrl_c_on_import
        sys.argv = ["nnbp", *{args!r}]
        import cli
        cli.run()
    """
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                       text=True, timeout=60, env=nnbp_env(), stdin=subprocess.DEVNULL)
    # before the command line exists, the console script's own line; inside a command
    # that has not caught it (Typer's exit 130, silent by itself), the same line
    assert (p.returncode, p.stdout, p.stderr) == (130, "", "Error: interrupted\n")


@posix_only
def test_a_second_ctrl_c_while_training_leaves_no_half_written_model(nnbp_popen, tmp_path):
    p = nnbp_popen("train", "digits", "--epochs", 100000, "--log-every", 1)
    watchdog = threading.Timer(60, p.kill)
    watchdog.start()
    try:
        assert p.stdout.readline().startswith("epoch,")
        p.stdout.readline()
        p.send_signal(signal.SIGINT)
        p.send_signal(signal.SIGINT)  # "a second Ctrl-C is immediate"
        out, err = p.communicate(timeout=30)
    finally:
        watchdog.cancel()
    assert p.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not list(tmp_path.glob(".digits.npz.*"))  # no temporary file left behind
    if (tmp_path / "digits.npz").exists():  # saved before the second signal: a whole model
        with np.load(tmp_path / "digits.npz", allow_pickle=False) as m:
            assert np.isfinite(m["Theta1"]).all() and m["Theta1"].shape == (25, 65)


# --- the reader of stdout goes away ----------------------------------------------

PIPED = {
    "evaluate": ["evaluate", "{model}", str(DATASETS / "xor.csv")],
    "evaluate --json": ["evaluate", "{model}", str(DATASETS / "xor.csv"), "--json"],
    "explain": ["explain", "digits", "--gradient"],
    "explain --json": ["explain", "digits", "--json"],
    "gradcheck": ["gradcheck", "xor"],
    "config show": ["config", "show", "digits"],
    "help": ["--help"],
}


@pytest.mark.parametrize("name", PIPED)
def test_a_reader_gone_before_the_output_exits_141_quietly(name, nnbp_popen, xor_model):
    p = nnbp_popen(*(a.format(model=xor_model) for a in PIPED[name]))
    p.stdout.close()  # like `| head -0`: every write to stdout fails
    err = p.stderr.read()
    assert p.wait(timeout=60) == 141, err
    assert err == ""  # no traceback, no error: the reader's leaving is not a failure


def test_a_training_run_whose_reader_is_gone_from_the_start_writes_nothing(nnbp_popen,
                                                                           tmp_path):
    p = nnbp_popen("train", "xor", "--epochs", 5)
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=60) == 141
    assert err == ""
    assert list(tmp_path.iterdir()) == []  # nothing trained, no model


# --- a cost that becomes non-finite between logged epochs ------------------------

def test_divergence_between_logged_epochs_names_its_epoch_and_writes_no_model(nnbp_run, tmp_path):
    rows = [f"{a},{b},{3 * a - 2 * b + 1}" for a in range(-3, 4) for b in range(-3, 4)]
    (tmp_path / "reg.csv").write_text("x1,x2,y\n" + "\n".join(rows) + "\n")
    (tmp_path / "reg.yaml").write_text(yaml.safe_dump({
        "data": {"train": "reg.csv", "normalize": "none"},
        "network": {"layers": [2, 4, 1], "output": "linear", "cost": "squared_error"},
        "training": {"epochs": 200, "learning_rate": 1e4, "lambda": 0.0, "log_every": 50}}))
    r = nnbp_run("train", "reg.yaml")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and errors[0] == lines[-1]
    epoch = int(errors[0].split("after epoch ")[1].split(";")[0])
    assert errors[0] == (f"Error: the cost became non-finite after epoch {epoch}; no model was "
                         f"written (nothing was written to {tmp_path / 'reg.npz'}). Lower the "
                         "learning rate (now 10000).")
    assert 0 < epoch < 50  # between epoch 0 and the first logged epoch after it
    assert [row["epoch"] for row in log_rows(r.stdout)] == ["0"]
    assert not (tmp_path / "reg.npz").exists()


# --- the rising-cost warning ------------------------------------------------------

def test_a_cost_that_keeps_rising_gets_one_warning(nnbp_run_all):
    loud, quiet = nnbp_run_all(
        ["train", "xor", "--learning-rate", 30, "--log-every", 1, "--epochs", 40,
         "--out", "loud.npz"],
        ["train", "xor", "--learning-rate", 30, "--log-every", 1, "--epochs", 40,
         "--out", "quiet.npz", "--quiet"])
    assert loud.returncode == 0 and quiet.returncode == 0  # a warning, not a failure
    warnings = [line for line in loud.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1, loud.stderr
    assert warnings[0].endswith("; the learning rate (now 30) is probably too high.")
    assert "logged epochs" in warnings[0]
    assert len(log_rows(loud.stdout)) == 41  # training went on to the end
    assert quiet.stderr == ""  # --quiet: errors only
    assert quiet.stdout == loud.stdout


def test_no_warning_on_a_converging_run(nnbp_run):
    r = nnbp_run("train", "iris", "--log-every", 1, "--epochs", 300)
    assert r.returncode == 0
    assert "Warning" not in r.stderr
    assert len(r.stderr.splitlines()) == 2  # the summary only


# --- memory limits ----------------------------------------------------------------

def test_check_memory_names_the_file_its_size_and_the_memory():
    with pytest.raises(DataError) as info:
        room.check_memory("big.csv", size=10**12, available=8 * 10**9)
    assert str(info.value) == (  # 6 bytes per byte of text, 8 per field (at most 1 in 2 bytes)
        "big.csv: is 1.0 TB; reading it needs about 10.0 TB of memory and 8.0 GB is "
        "available. Use a smaller file, or set NNBP_IGNORE_MEMORY_CHECK=1 to try anyway")


def test_check_memory_passes_what_fits_and_what_it_cannot_know():
    room.check_memory("small.csv", size=10**6, available=10**7)
    room.check_memory("any.csv", size=10**15, available=None)  # unknown: no check
    room.check_memory("x.csv", size=1000, available=6000 + 8 * 100, fields=100)  # just fits
    with pytest.raises(DataError, match="x.csv: is 1.0 kB"):
        room.check_memory("x.csv", size=1000, available=6000 + 8 * 100 - 1, fields=100)


def test_available_memory_and_its_overrides(monkeypatch):
    monkeypatch.delenv(room.ASSUME, raising=False)
    monkeypatch.delenv(room.IGNORE, raising=False)
    meminfo = {line.split(":")[0]: int(line.split()[1]) * 1024
               for line in open("/proc/meminfo")} if os.path.exists("/proc/meminfo") else {}
    if "MemAvailable" in meminfo:  # Linux: at most what the machine has
        assert 0 < room.available_memory() <= meminfo["MemTotal"]
    # MemAvailable, and no more than a cgroup limit leaves
    monkeypatch.setattr(room, "_meminfo", lambda: 8_000_000_000)
    monkeypatch.setattr(room, "_cgroup_room", lambda: None)
    assert room.available_memory() == 8_000_000_000
    monkeypatch.setattr(room, "_cgroup_room", lambda: 3_000_000_000)
    assert room.available_memory() == 3_000_000_000
    monkeypatch.setattr(room, "_meminfo", lambda: 1_000_000_000)
    assert room.available_memory() == 1_000_000_000
    assert room.check_enabled()
    monkeypatch.setenv(room.ASSUME, "12345")
    assert room.available_memory() == 12345
    for value, enabled in (("1", False), ("yes", False), ("0", True), ("", True)):
        monkeypatch.setenv(room.IGNORE, value)
        assert room.check_enabled() is enabled


def test_size_text():
    assert [room.size_text(n) for n in (0, 999, 1000, 212036, 3 * 10**9, 10**16)] == [
        "0 bytes", "999 bytes", "1.0 kB", "212.0 kB", "3.0 GB", "10000.0 TB"]


def test_read_csv_checks_memory_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n" + "1,2\n" * 1000)  # 4004 bytes, about 2000 fields
    monkeypatch.setenv(room.ASSUME, "20000")
    with pytest.raises(DataError, match=r"d.csv: is 4.0 kB; reading it needs about 40.\d kB of "
                                        r"memory and 20.0 kB is available"):
        reader.read_table(path)
    monkeypatch.setenv(room.IGNORE, "1")
    assert reader.read_table(path).values.shape == (1000, 2)


def test_a_network_too_large_for_memory_is_refused_before_it_is_built(tmp_path, monkeypatch):
    (tmp_path / "xor.csv").write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    cfg = parse_config("data:\n  train: xor.csv\nnetwork:\n  layers: [auto, 2000, auto]\n",
                       source="big.yaml", base=tmp_path)
    monkeypatch.setenv(room.ASSUME, "100000")  # enough for the CSV, not for the network
    monkeypatch.setattr("nnbp.training.run.cores", lambda: 2)
    with pytest.raises(ConfigError) as info:
        prepare(cfg)
    # 8 bytes × ((3 + 2 cores) × 8001 weights + 3 × 4 rows × (2001 + 2) units) = 512 328
    assert str(info.value).startswith(
        "big.yaml, line 4: network.layers: [2, 2000, 1] on 4 examples needs about 512.3 kB")
    assert "100.0 kB is available" in str(info.value)
    monkeypatch.setenv(room.IGNORE, "1")
    assert prepare(cfg).net.sizes == (2, 2000, 1)


def test_a_csv_larger_than_memory_fails_before_training(tmp_path):
    fake = {"NNBP_MEMORY_AVAILABLE": "1000000"}  # digits-train.csv needs about 2 MB
    r = run_env("train", "digits", "--no-stream", cwd=tmp_path, env=fake)  # else it streams
    assert r.returncode == 2
    assert r.stdout == ""
    train = (DATASETS / "digits-train.csv").resolve()
    assert r.stderr == (f"Error: {train}: is 212.0 kB; reading it needs about 2.0 MB of memory "
                        "and 1.0 MB is available. Stream it from a binary cache instead "
                        "(--stream, or data.stream: auto or true in the config), use a smaller "
                        "file, or set NNBP_IGNORE_MEMORY_CHECK=1 to try in memory anyway\n")
    assert list(tmp_path.iterdir()) == []

    r = run_env("train", "digits", "--no-stream", "--epochs", 1, "-q", cwd=tmp_path,
                env={**fake, "NNBP_IGNORE_MEMORY_CHECK": "1"})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "digits.npz").exists()
