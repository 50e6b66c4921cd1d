"""Training on a Dask cluster against training in memory: the same data read by the
workers, the same Θ and cost log, bitwise the same from run to run; a worker
killed during training, Ctrl-C, an unreachable scheduler, a worker without nnbp.

The tests share one LocalCluster of 2 single-threaded worker processes; the
command-line tests connect to it by its address, as to any running cluster."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import threading
import time

import numpy as np
import pytest
from distributed import Client, LocalCluster

from conftest import modules_after, nnbp_argv, nnbp_env
from helpers.cluster import config, write_problem
from helpers.problems import PAIRS
from nnbp.config import load_config
from nnbp.engine import EpochCancelled
from nnbp.errors import ConfigError, DataError, NnbpError
from nnbp.training import make_optimizer
from nnbp.training.minimizer import Flat
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as c:
        yield c


def on_cluster(cfg, client, partition_bytes=None, cancel=lambda: False):
    """The run prepared on the cluster (its CSV files cut in partitions of at most
    ``partition_bytes``), and its executor."""
    import os

    from nnbp.data.cluster_source import PARTITION_ENV

    before = os.environ.get(PARTITION_ENV)
    if partition_bytes is not None:
        os.environ[PARTITION_ENV] = str(partition_bytes)
    try:
        run = prepare(cfg, client=client, cancel=cancel)
    finally:
        if before is None:
            os.environ.pop(PARTITION_ENV, None)
        else:
            os.environ[PARTITION_ENV] = before
    return run, run.executor


def train(run, executor):
    cfg = run.cfg
    trainer = GradientDescent(run, cfg.training.epochs, cfg.training.learning_rate, cfg.training.lam,
                      cfg.training.log_every, executor=executor)
    return trainer, [step.row for step in trainer if step.row is not None]


def assert_close_rows(rows, expected):
    assert [sorted(r) for r in rows] == [sorted(r) for r in expected]
    for r, e in zip(rows, expected):
        assert r["epoch"] == e["epoch"]
        np.testing.assert_allclose([r[k] for k in sorted(r)], [e[k] for k in sorted(e)],
                                   rtol=1e-10, atol=0)


@pytest.mark.parametrize("output,cost", PAIRS, ids=[f"{o}-{c}" for o, c in PAIRS])
def test_the_cluster_trains_as_in_memory(client, tmp_path, output, cost):
    write_problem(tmp_path, output)
    cfg = load_config(config(tmp_path, output, cost))
    # 1 kB partitions: more than 8, summed in a tree of two levels
    run, executor = on_cluster(cfg, client, partition_bytes=1000)
    assert executor.layout()["partitions"] > 8 and executor.layout()["workers"] == 2
    here = prepare(cfg)
    trainer, rows = train(run, executor)
    expected_trainer, expected = train(here, None)
    assert len(rows) == 7 and "val_cost" in rows[0] and "test_cost" in rows[0]
    assert_close_rows(rows, expected)
    for l, T in expected_trainer.Theta.items():
        np.testing.assert_allclose(trainer.Theta[l], T, rtol=1e-10, atol=1e-13)
    model, expected_model = trainer.model(), expected_trainer.model()
    assert sorted(model) == sorted(expected_model)
    for key in ("classes", "val_rows", "feature_names", "target_names", "ignored_names"):
        if key in model:
            assert np.array_equal(model[key], expected_model[key]), key
    for key in ("norm_shift", "norm_scale", "target_shift", "target_scale"):
        if key in model:  # statistics merged from the partitions: the same to rounding
            np.testing.assert_allclose(model[key], expected_model[key], rtol=1e-14, atol=1e-15)
    if output == "softmax":  # and the same cluster gives bitwise the same Θ again
        again, _ = train(*on_cluster(cfg, client, partition_bytes=1000))
        assert all(np.array_equal(again.Theta[l], trainer.Theta[l]) for l in trainer.Theta)


def test_lbfgs_on_the_cluster_takes_the_steps_it_takes_in_memory(client, tmp_path):
    write_problem(tmp_path, "softmax")
    cfg = load_config(config(tmp_path, "softmax", "cross_entropy", optimizer="lbfgs",
                             epochs=30, log_every=10))
    run, executor = on_cluster(cfg, client, partition_bytes=1000)
    there, here = make_optimizer(run, executor=executor), make_optimizer(prepare(cfg))
    rows = [s.row for s in there if s.row is not None]
    expected = [s.row for s in here if s.row is not None]
    assert there.passes == here.passes and there.outcome == here.outcome
    assert_close_rows(rows, expected)
    # Θ as one vector, as tests/test_optimize.py compares the optimizers' results: L-BFGS
    # carries the rounding of the merged statistics along its steps (an entry by 1e-10)
    flat = Flat(here.Theta)
    x, y = flat.vector(there.Theta), flat.vector(here.Theta)
    assert np.linalg.norm(x - y) / np.linalg.norm(y) <= 1e-10


DIALECT = ("\ufeffid;x1;x2;note;label\r\n"
           "a;1.5;-2e3;\"x; y\";b\r\n\r\n"
           "b;3;4.25;plain;a\r\n"
           "c;0.1;7;\"q\";b\r\n") + "".join(
    f"r{t};{t * 0.37:.17g};{(-1) ** t * t / 7:.17g};n{t};{'ab'[t % 3 == 0]}\r\n"
    for t in range(60))


def test_the_workers_read_a_file_to_the_same_numbers_as_in_memory(client, tmp_path):
    # semicolons, CRLF, a byte-order mark, quoted fields, a blank line, text labels
    (tmp_path / "d.csv").write_bytes(DIALECT.encode("utf-8"))
    (tmp_path / "c.yaml").write_text(
        "data:\n  train: d.csv\n  target: label\n  ignore: [id, note]\n"
        "  validation_split: 0.3\n  normalize: none\n"
        "network:\n  layers: [auto, 3, auto]\n")
    cfg = load_config(tmp_path / "c.yaml")
    here = prepare(cfg)
    # the workers read a URL as well as a path (fsspec): here file://, as s3:// or gs://
    url = cfg.override(data={"train": (tmp_path / "d.csv").as_uri()})
    run, executor = on_cluster(url, client, partition_bytes=200)
    assert executor.layout()["partitions"] >= 8
    assert run.data.features == here.data.features == ["x1", "x2"]
    assert run.data.target.classes.tolist() == ["a", "b"] and run.data.target.K == 1
    assert np.array_equal(run.data.val.rows, here.data.val.rows)
    assert np.array_equal(run.data.train.rows, here.data.train.rows)
    for part, split in (("train", here.data.train), ("val", here.data.val)):
        blocks = client.gather(executor.parts[part].futures)  # only a test brings the rows back
        assert np.array_equal(np.concatenate([X1 for X1, _ in blocks]), split.X1)
        assert np.array_equal(np.concatenate([Y for _, Y in blocks]), split.Y)


def test_a_url_in_the_config_is_kept_as_written_and_read_only_on_a_cluster(tmp_path):
    (tmp_path / "c.yaml").write_text("data:\n  train: s3://bucket/train.csv\n"
                                     "network:\n  layers: [2, 1]\n")
    cfg = load_config(tmp_path / "c.yaml")
    assert cfg.data.train == "s3://bucket/train.csv"
    with pytest.raises(ConfigError) as e:
        prepare(cfg)
    assert str(e.value) == (f"{tmp_path / 'c.yaml'}, line 2: data.train: s3://bucket/train.csv: "
                            "no such file; a URL is read only when training on a Dask cluster "
                            "(--scheduler)")


def test_a_constant_feature_is_centred_on_its_value_in_memory_and_on_the_cluster(client,
                                                                                 tmp_path):
    # a thousand 0.1s have a mean 1.4e-17 off 0.1, and as small a standard deviation:
    # divided by it, the column would be ±1 in one place and something else in another
    rng = np.random.default_rng(3)
    x = rng.normal(size=1000)
    lines = ["x,c,y"] + [f"{v!r},0.1,{int(v > 0.3)}" for v in x.tolist()]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.csv\n  validation_split: 0.1\n"
                                     "network:\n  layers: [auto, 3, auto]\n"
                                     "training:\n  epochs: 20\n")
    cfg = load_config(tmp_path / "c.yaml")
    here = prepare(cfg)
    run, executor = on_cluster(cfg, client, partition_bytes=3000)
    streamed = prepare(cfg, stream=True)
    for data in (here.data, run.data, streamed.data):
        assert data.norm.shift[1] == 0.1 and data.norm.scale[1] == 1.0
        assert data.description.constant == {"c": 0.1}  # what training warns of
    assert (here.data.train.X1[:, 2] == 0).all()
    assert all((X1[:, 2] == 0).all() for X1, _ in client.gather(executor.parts["train"].futures))
    there, _ = train(run, executor)
    expected, _ = train(here, None)
    for l, T in expected.Theta.items():
        np.testing.assert_allclose(there.Theta[l], T, rtol=1e-10, atol=1e-13)


def test_an_empty_last_field_at_the_end_of_a_partition_is_kept(client, tmp_path):
    # tab-separated rows whose last field (an ignored note) is empty end with a tab, at
    # the end of many partitions: they read as they do in the whole file
    lines = ["x\ty\tnote"] + [f"{t / 7:.17g}\t{t % 2}\t" for t in range(80)] + ["1\t0\tend"]
    (tmp_path / "d.tsv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.tsv\n  target: y\n  ignore: [note]\n"
                                     "  normalize: none\n"
                                     "network:\n  layers: [auto, 2, auto]\n")
    cfg = load_config(tmp_path / "c.yaml")
    here = prepare(cfg)
    run, executor = on_cluster(cfg, client, partition_bytes=50)
    assert executor.layout()["partitions"] > 10
    blocks = client.gather(executor.parts["train"].futures)
    assert np.array_equal(np.concatenate([X1 for X1, _ in blocks]), here.data.train.X1)


@pytest.mark.parametrize("bad", ["abc", "nan"])
def test_an_error_in_a_late_partition_names_its_line_in_the_file(client, tmp_path, bad):
    lines = ["x1,x2,y"] + [f"{t / 3:.17g},{t % 7},{t % 2}" for t in range(300)]
    lines[251] = f"0.5,{bad},1"  # line 252 of the file
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.csv\nnetwork:\n  layers: [auto, 2, auto]\n")
    cfg = load_config(tmp_path / "c.yaml")
    with pytest.raises(DataError) as here:
        prepare(cfg)
    with pytest.raises(DataError) as there:
        on_cluster(cfg, client, partition_bytes=300)
    assert str(there.value) == str(here.value)
    assert f"d.csv, line 252: column 'x2' holds '{bad}'" in str(there.value)


def test_a_quoted_field_across_partitions_is_an_error_that_says_so(client, tmp_path):
    lines = ["x1,note,y"] + [f"{t},n{t},{t % 2}" for t in range(100)]
    lines[50] = '5,"' + "a long note " * 20 + '\nin two lines",1'  # partitions cut inside it
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text("data:\n  train: d.csv\n  ignore: [note]\n"
                                     "network:\n  layers: [auto, 2, auto]\n")
    cfg = load_config(tmp_path / "c.yaml")
    assert len(prepare(cfg).data.train.rows) == 100  # in memory, a quoted line break is fine
    with pytest.raises(DataError, match=r"d.csv, line 51: a field opens a quote \(\"\) on "
                       "this line that is not closed on it: on a Dask cluster .* cannot span "
                       "lines"):
        on_cluster(cfg, client, partition_bytes=40)
    lines[50] = '5,"a note,1'  # a quote never closed: refused in memory and there
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="d.csv, line 51: a field opens a quote"):
        prepare(cfg)
    with pytest.raises(DataError, match="d.csv, line 51: a field opens a quote"):
        on_cluster(cfg, client, partition_bytes=40)


def iris_like(m=60, bad_line=None, bad=None):
    """x1, x2 and a species in m rows; line ``bad_line`` of the file (the header is
    line 1) replaced by ``bad``."""
    lines = ["x1,x2,species"] + [f"{t / 7:.6f},{t % 5}.5,{('ab', 'cd', 'ef')[t % 3]}"
                                 for t in range(m)]
    if bad_line is not None:
        lines[bad_line - 1] = bad
    return "\n".join(lines) + "\n"


ONE_TARGET = "data:\n  train: d.csv\nnetwork:\n  layers: [auto, 2, auto]\n"
REGRESSION = ("data:\n  train: d.csv\n  target: x2\n  ignore: [species]\n"
              "network:\n  layers: [auto, 2, auto]\n  output: linear\n  cost: squared_error\n")
BAD_FILES = {  # content (str, or bytes as written), config, the error ({d}: the file's path, {c} the config's)
    "no header row": (iris_like()[len("x1,x2,species\n"):], ONE_TARGET,
                      "{d}, line 1: the first row looks like data, 2 of its 3 fields numbers "
                      "(0.000000, 0.5, ab), not a header row; nnbp needs a header row naming "
                      "the columns, since configs refer to columns by name: add one as the "
                      "first line (e.g. x1,…,y)"),
    "a huge feature": (iris_like(bad_line=50, bad="1,1e300,ab"), ONE_TARGET,
                       "{d}, line 50: column 'x2' holds '1e300'; expected a number between "
                       "-1e100 and 1e100 (the squares that normalization and the cost add up "
                       "would overflow float64): a typo, or a code for a missing value? Fix "
                       "that value or remove its row"),
    "a huge target": (iris_like(bad_line=50, bad="1,-1e300,ab"), REGRESSION,
                      "{d}, line 50: column 'x2' holds '-1e300'; expected a number between "
                      "-1e100 and 1e100 (the squares that normalization and the cost add up "
                      "would overflow float64): a typo, or a code for a missing value? Fix "
                      "that value or remove its row"),
    "a blank label": (iris_like(bad_line=50, bad="1,2, "), ONE_TARGET,
                      "{d}, line 50: the target column 'species' is empty; every row needs its "
                      "label there: fill it in, or remove the row"),
    "UTF-16": (iris_like().encode("utf-16"), ONE_TARGET,
               "{d}: is UTF-16 text (Excel's Unicode Text), not UTF-8: save it as UTF-8 (in "
               "Excel: Save As, CSV UTF-8), or convert it: iconv -f UTF-16 -t UTF-8 d.csv > "
               "d-utf8.csv"),
    "Latin-1": (iris_like(bad_line=50, bad="1,2,caf\xe9").encode("latin-1"), ONE_TARGET,
                "{d}, line 50: is not UTF-8 text (byte 0xe9, 'é' in Windows-1252 or Latin-1: "
                "'café'); save it as UTF-8 (in Excel: Save As, CSV UTF-8), or convert it: "
                "iconv -f WINDOWS-1252 -t UTF-8 d.csv > d-utf8.csv"),
    "output units": (iris_like(), ONE_TARGET.replace("auto]", "2]"),
                     "{c}, line 4: network.layers: the output layer has 2 units but target "
                     "'species' has 3 classes (ab, cd, ef) in {d}: make the last layer 3, or auto"),
    "no such file": (None, ONE_TARGET, "{c}, line 2: data.train: {d}: no such file"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_in_memory_streamed_and_on_the_cluster_a_bad_file_is_the_same_error(
        client, tmp_path, monkeypatch, case):
    content, text, expected = BAD_FILES[case]
    if content is not None:
        data = content if isinstance(content, bytes) else content.encode()
        (tmp_path / "d.csv").write_bytes(data)
    (tmp_path / "c.yaml").write_text(text)
    cfg = load_config(tmp_path / "c.yaml")
    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NNBP_STREAM_CHUNK_BYTES", "200")  # line 50 is in a later chunk
    errors = []
    for load in (lambda: prepare(cfg), lambda: prepare(cfg, stream=True),
                 lambda: on_cluster(cfg, client, partition_bytes=300)):  # and partition
        with pytest.raises(NnbpError) as e:
            load()
        errors.append((type(e.value), str(e.value)))
    assert errors[0] == errors[1] == errors[2]
    assert errors[0][1] == expected.format(d=tmp_path / "d.csv", c=tmp_path / "c.yaml")
    assert errors[0][0] is (ConfigError if expected.startswith("{c}") else DataError)


def test_cancel_drops_the_epoch_in_flight_and_the_trainer_ends_with_its_cost(client, tmp_path):
    write_problem(tmp_path, "sigmoid")
    cfg = load_config(config(tmp_path, "sigmoid", "cross_entropy", log_every=1))
    stop = []
    run, executor = on_cluster(cfg, client, cancel=lambda: bool(stop))
    executor.sums(run.Theta, backward=False)  # a forward pass is never cancelled
    stop.append(True)
    with pytest.raises(EpochCancelled):
        executor.sums(run.Theta)
    stop.clear()

    class StopsInEpoch3:  # the executor on the cluster, cancelled in epoch 3
        def __init__(self):
            self.backward = 0

        def sums(self, Theta, part="train", **kw):
            if kw.get("backward", True) and part == "train":
                self.backward += 1
                if self.backward == 4:
                    raise EpochCancelled
            return executor.sums(Theta, part, backward=kw.get("backward", True),
                                 cost=kw.get("cost", True))
    trainer, rows = train(run, StopsInEpoch3())
    expected_trainer, expected = train(prepare(cfg.override(training={"epochs": 3})), None)
    assert trainer.epochs_done == 3 and [r["epoch"] for r in rows] == [0, 1, 2, 3]
    assert_close_rows(rows, expected)
    for l, T in expected_trainer.Theta.items():
        np.testing.assert_allclose(trainer.Theta[l], T, rtol=1e-10)


# --- the command line ---------------------------------------------------------------

def popen(*args, cwd, **kw):
    return subprocess.Popen([*nnbp_argv(), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=nnbp_env(),
                            stdin=subprocess.DEVNULL, **kw)


def finish(p, timeout=60):
    try:
        out, err = p.communicate(timeout=timeout)
    finally:
        if p.poll() is None:
            p.kill()
    return p.returncode, out, err


def saved_Theta(path):
    with np.load(path, allow_pickle=False) as f:
        return {int(k[5:]): f[k] for k in f.files if k.startswith("Theta")}, int(f["epochs"])


def test_a_worker_killed_during_training_changes_nothing(client, tmp_path):
    write_problem(tmp_path, "softmax", m=400)
    path = config(tmp_path, "softmax", "cross_entropy", epochs=60, log_every=1)
    p = popen("train", path, "--scheduler", client.scheduler.address, "--out", "m.npz",
              cwd=tmp_path)
    watchdog = threading.Timer(90, p.kill)
    watchdog.start()
    try:
        head = [p.stdout.readline() for _ in range(11)]  # the header and epochs 0 … 9
        pids = client.run(os.getpid)
        os.kill(pids[sorted(pids)[0]], signal.SIGKILL)  # a worker process dies mid-run
        code, rest, err = finish(p)
    finally:
        watchdog.cancel()
    assert code == 0, err
    assert len((''.join(head) + rest).splitlines()) == 62  # every epoch logged
    Theta, epochs = saved_Theta(tmp_path / "m.npz")
    expected = GradientDescent(prepare(load_config(path)), 60, 0.5, 0.1, 1)
    list(expected)
    assert epochs == 60
    for l, T in expected.Theta.items():
        np.testing.assert_allclose(Theta[l], T, rtol=1e-10, atol=1e-13)
    client.wait_for_workers(2, timeout=60)  # the nanny has started a new one


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group is POSIX")
def test_ctrl_c_cancels_the_epoch_saves_the_epochs_done_and_exits_130(tmp_path):
    write_problem(tmp_path, "sigmoid")
    path = config(tmp_path, "sigmoid", "cross_entropy", epochs=100000, log_every=1)
    # its own session, so that Ctrl-C reaches it and its cluster's workers as in a terminal
    p = popen("train", path, "--scheduler", "local", "--out", "m.npz", cwd=tmp_path,
              start_new_session=True)
    watchdog = threading.Timer(90, p.kill)
    watchdog.start()
    try:
        head = [p.stdout.readline() for _ in range(6)]
        sent = time.monotonic()
        os.killpg(p.pid, signal.SIGINT)
        code, rest, err = finish(p)
        elapsed = time.monotonic() - sent
    finally:
        watchdog.cancel()
    assert code == 130, err
    assert elapsed < 5  # an epoch's tasks cancelled, the cost computed, the cluster closed
    assert "Traceback" not in err and "Interrupted: model saved" in err
    rows = (''.join(head) + rest).splitlines()[1:]
    Theta, epochs = saved_Theta(tmp_path / "m.npz")
    assert [int(r.split(",")[0]) for r in rows] == list(range(epochs + 1))
    expected = GradientDescent(prepare(load_config(path)), epochs, 0.5, 0.1, 1)
    list(expected)
    for l, T in expected.Theta.items():
        np.testing.assert_allclose(Theta[l], T, rtol=1e-10, atol=1e-13)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_error_naming_it_within_30_s(tmp_path):
    write_problem(tmp_path, "sigmoid")
    address = f"tcp://127.0.0.1:{free_port()}"
    path = config(tmp_path, "sigmoid", "cross_entropy", scheduler=address)
    started = time.monotonic()
    code, out, err = finish(popen("train", path, cwd=tmp_path))
    assert time.monotonic() - started < 8  # refused at once: no wait for Dask's time-out
    assert code == 2 and out == ""
    assert err == (f"Error: {path}, line 19: training.scheduler: no Dask scheduler answered at "
                   f"{address} (connection refused); start one there with `dask scheduler`, "
                   "or check the address\n")
    assert not (tmp_path / "c.npz").exists()


def test_a_worker_without_nnbp_is_an_error_that_says_so(tmp_path):
    (tmp_path / "no_nnbp.py").write_text("import sys\nsys.modules['nnbp'] = None\n")
    write_problem(tmp_path, "sigmoid")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR,
                      preload=[str(tmp_path / "no_nnbp.py")]) as cluster:
        address = cluster.scheduler_address
        code, out, err = finish(popen("train", config(tmp_path, "sigmoid", "cross_entropy"),
                                      "--scheduler", address, cwd=tmp_path))
    assert code == 2 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"Error: --scheduler {address}: the Dask worker(s) tcp://")
    assert line.endswith("cannot import nnbp (import of nnbp halted; None in sys.modules): "
                         "install nnbp[dask] on every machine that runs a worker, the same "
                         "version as here")


def test_without_dask_the_scheduler_option_says_what_to_install(tmp_path):
    shim = tmp_path / "shim" / "distributed"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named "
                                      "'distributed'\", name='distributed')\n")
    env = nnbp_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "shim"), env["PYTHONPATH"]])
    r = subprocess.run([*nnbp_argv(), "train", "xor", "--scheduler", "local"], cwd=tmp_path,
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == ("Error: --scheduler local: training on a Dask cluster needs Dask (No "
                        "module named 'distributed'): pip install 'nnbp[dask]'\n")


def test_streaming_and_a_scheduler_together_are_an_error(tmp_path):
    r = subprocess.run([*nnbp_argv(), "train", "xor", "--stream", "--scheduler", "local"],
                       cwd=tmp_path, capture_output=True, text=True, env=nnbp_env(), timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == ("Error: --scheduler local: training on a Dask cluster reads the data "
                        "into the workers' memory, and does not stream it (data.stream or "
                        "--stream): leave one of them out\n")




def test_training_without_a_scheduler_imports_no_dask(tmp_path):
    r, modules = modules_after("train", "xor", "--epochs", 1, "--quiet", "--out",
                               tmp_path / "x.npz", cwd=tmp_path)
    assert "numpy" in modules  # it trained
    assert [m for m in modules if m.split(".")[0] in ("dask", "distributed")] == []
