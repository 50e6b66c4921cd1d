"""Data bigger than memory: training streamed from the binary cache gives what
training in memory gives (every cost of the log, Θ, the model file), with tiny
blocks and tiny CSV chunks forced by NNBP_STREAM_ROWS and NNBP_STREAM_CHUNK_BYTES
so that small files cross many of them; the cache is reused, rebuilt when the CSV
changes, never used half-written; evaluate and predict stream too."""

from __future__ import annotations

import errno
import json
import os
import signal
import time
import warnings

import numpy as np
import pytest

from helpers.problems import PAIRS
from nnbp.config import load_config
from nnbp.data import cache
from nnbp.data.file_size import reading_needs
from nnbp.data.room import size_text
from nnbp.errors import CacheError, DataError
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare


@pytest.fixture(autouse=True)
def tiny(monkeypatch, tmp_path):
    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NNBP_STREAM_ROWS", "4")  # blocks of 4 rows, 3 shares of them
    monkeypatch.setenv("NNBP_STREAM_CHUNK_BYTES", "150")  # a few rows of CSV per chunk


def write_data(folder, m=45, seed=0, regression=False):
    """train.csv and test.csv: a text id (ignored), small integers that grow past 255
    after the first chunks (the cache's dtype widens), decimals, a constant column,
    and string labels or a quantity."""
    rng = np.random.default_rng(seed)
    for name, n in (("train.csv", m), ("test.csv", 13)):
        a = rng.integers(0, 10, n)
        a[n // 2:] += 300
        b = rng.normal(size=n).round(3)
        y = (a / 100 + b).round(2) if regression else \
            np.array(["cat", "dog", "emu"])[(a + (b > 0)) % 3]
        lines = ["id,a,b,c,y"] + [f"r{t:03d},{a[t]},{b[t]},7,{y[t]}" for t in range(n)]
        (folder / name).write_text("\n".join(lines) + "\n")


def config(folder, output="softmax", cost="cross_entropy", **data):
    extra = "".join(f"  {k}: {v}\n" for k, v in data.items())
    (folder / "c.yaml").write_text(
        "data:\n  train: train.csv\n  target: y\n  ignore: [id]\n" + extra +
        f"network:\n  layers: [auto, 4, auto]\n  activation: tanh\n  output: {output}\n"
        f"  cost: {cost}\n  init: {{seed: 1, epsilon: 1.0}}\n")
    return load_config(folder / "c.yaml")


def train(cfg, stream):
    run = prepare(cfg, stream=stream)
    trainer = GradientDescent(run, epochs=9, learning_rate=0.5, lam=0.3, log_every=3)
    rows = [s.row for s in trainer if s.row]
    return rows, trainer.model()


def assert_same(a, b):
    rows_a, model_a = a
    rows_b, model_b = b
    assert [list(r) for r in rows_a] == [list(r) for r in rows_b]
    for ra, rb in zip(rows_a, rows_b):
        np.testing.assert_allclose([ra[k] for k in ra], [rb[k] for k in ra], rtol=1e-12, atol=0)
    assert sorted(model_a) == sorted(model_b)
    for k in model_a:
        if model_a[k].dtype.kind == "f":
            np.testing.assert_allclose(model_b[k], model_a[k], rtol=1e-12, atol=1e-15, err_msg=k)
        else:
            assert np.array_equal(model_a[k], model_b[k]), k


@pytest.mark.parametrize("output,cost", PAIRS, ids=[f"{o}-{c}" for o, c in PAIRS])
def test_streamed_training_is_in_memory_training_with_validation_and_test(tmp_path, output,
                                                                         cost):
    write_data(tmp_path, regression=output == "linear")
    cfg = config(tmp_path, output, cost, validation_split=0.2, test="test.csv")
    memory, streamed = train(cfg, False), train(cfg, True)
    assert list(memory[0][0]) == ["epoch", "cost", *(["accuracy"] if output != "linear" else []),
                                  *[f"{p}_{c}" for p in ("val", "test")
                                    for c in (["cost", "accuracy"] if output != "linear"
                                              else ["cost"])], "passes"]
    assert_same(memory, streamed)


def test_binary_sigmoid_and_minmax_streamed_as_in_memory(tmp_path):
    write_data(tmp_path)
    text = (tmp_path / "train.csv").read_text().replace(",emu\n", ",cat\n")
    (tmp_path / "train.csv").write_text(text)  # two classes: one sigmoid unit
    cfg = config(tmp_path, "sigmoid", normalize="minmax", validation_split=0.3)
    memory, streamed = train(cfg, False), train(cfg, True)
    assert memory[1]["Theta2"].shape == (1, 5)
    assert_same(memory, streamed)


def test_a_streamed_run_is_bitwise_the_same_from_one_run_to_the_next(tmp_path, monkeypatch):
    monkeypatch.setenv("NNBP_STREAM_ROWS", "3")
    write_data(tmp_path)
    cfg = config(tmp_path, validation_split=0.2)
    first, second = train(cfg, True), train(cfg, True)
    assert first[0] == second[0]
    assert all(np.array_equal(first[1][k], second[1][k]) for k in first[1])


def test_features_are_cached_in_the_narrowest_dtype_that_holds_them(tmp_path):
    cases = {"uint8": ["0", "255", "17"], "int8": ["-3", "100", "-128"],
             "uint16": ["7", "256", "65535"], "int16": ["-1", "300", "-32768"],
             "uint32": ["0", "70000", "4294967295"], "int32": ["-1", "70000", "5"],
             "float32": ["0.5", "-2.25", "1048576.5"], "float64": ["0.1", "3", "-7"]}
    for want, values in cases.items():
        lines = ["x,y"] + [f"{v},{t % 2}" for t, v in enumerate(values * 10)]
        (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
        (tmp_path / "c.yaml").write_text("data: {train: train.csv}\nnetwork: {layers: [1, 1]}\n")
        run = prepare(load_config(tmp_path / "c.yaml"), stream=True)
        part = run.data.parts["train"]
        assert part.x.dtype == np.dtype(want), values
        assert part.x.read(0, 3)[:, 0].tolist() == [float(v) for v in values]
        norm = prepare(load_config(tmp_path / "c.yaml"), stream=False).data.norm
        np.testing.assert_allclose(run.data.norm.shift, norm.shift, rtol=1e-15, err_msg=want)
        np.testing.assert_allclose(run.data.norm.scale, norm.scale, rtol=1e-15, err_msg=want)


def test_mnist_like_pixels_take_a_byte_each(tmp_path):
    write_data(tmp_path)
    pixels = np.random.default_rng(0).integers(0, 256, size=(30, 5))
    lines = ["p1,p2,p3,p4,p5,label"] + [",".join(map(str, r)) + f",{t % 3}"
                                        for t, r in enumerate(pixels)]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text("data: {train: train.csv}\nnetwork: {layers: [auto, auto]}\n")
    prepare(load_config(tmp_path / "c.yaml"), stream=True)
    [entry] = (tmp_path / "cache").iterdir()
    assert (entry / "x.bin").stat().st_size == 30 * 5  # uint8: one byte a pixel
    np.testing.assert_array_equal(np.fromfile(entry / "x.bin", np.uint8).reshape(30, 5), pixels)


def test_a_validation_split_streams_without_a_float64_copy_of_the_rows(tmp_path, monkeypatch):
    """The split's pass over the cache reads it a block at a time: what it allocates at
    its peak (tracemalloc sees numpy's buffers) stays far below the rows as float64, as
    without a split, and the statistics are those of the training rows in memory."""
    import tracemalloc

    monkeypatch.setenv("NNBP_STREAM_CHUNK_BYTES", str(1 << 20))
    m, n = 20000, 60
    pixels = np.random.default_rng(0).integers(0, 256, size=(m, n))
    labels = np.arange(m) % 3
    header = ",".join(f"p{j}" for j in range(n)) + ",label\n"
    body = "\n".join(",".join(map(str, r)) for r in np.column_stack([pixels, labels]).tolist())
    (tmp_path / "train.csv").write_text(header + body + "\n")
    (tmp_path / "c.yaml").write_text("data: {train: train.csv, validation_split: 0.1}\n"
                                     "network: {layers: [auto, 3, auto]}\n")
    cfg = load_config(tmp_path / "c.yaml")
    prepare(cfg, stream=True)  # the cache's build, which reads the CSV: not measured
    tracemalloc.start()
    try:
        run = prepare(cfg, stream=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < m * n * 8 / 4, f"{peak} bytes at the peak"  # the rows as float64: 9.6 MB
    memory = prepare(cfg, stream=False).data
    assert np.array_equal(run.data.val.rows, memory.val.rows)
    X = pixels[memory.train.rows].tolist()  # the training rows, as exact integers
    N, S = len(X), [sum(c) for c in zip(*X)]
    S2 = [sum(v * v for v in c) for c in zip(*X)]
    mean = [s / N for s in S]  # Σx/N and √((NΣx² - (Σx)²)/N²), rounded once
    std = [float(np.sqrt((N * s2 - s * s) / (N * N))) for s, s2 in zip(S, S2)]
    np.testing.assert_allclose(run.data.norm.shift, mean, rtol=1e-15)  # a few ulps
    np.testing.assert_allclose(run.data.norm.scale, std, rtol=1e-15)


def entries(tmp_path):
    return sorted(p.name for p in (tmp_path / "cache").iterdir())


def test_the_cache_is_reused_and_rebuilt_when_the_csv_changes(tmp_path, monkeypatch):
    write_data(tmp_path)
    cfg = config(tmp_path)
    before = train(cfg, True)
    first = entries(tmp_path)
    assert len(first) == 1

    def no_build(*a, **k):
        raise AssertionError("built again")
    real = cache.build
    monkeypatch.setattr(cache, "build", no_build)
    assert train(cfg, True)[0] == before[0]  # the same entry, read again
    monkeypatch.setattr(cache, "build", real)

    write_data(tmp_path, seed=1)  # new rows: the size and the modification time tell
    changed = train(cfg, True)
    assert changed[0] != before[0]
    assert_same(train(cfg, False), changed)
    after = entries(tmp_path)
    assert len(after) == 1 and after != first  # the old entry of the path is gone


def test_an_interrupted_build_leaves_nothing_that_a_later_run_would_use(tmp_path, monkeypatch):
    write_data(tmp_path)
    cfg = config(tmp_path)
    real = cache._write

    def interrupted(tmp, *args):
        (tmp / "x.bin").write_bytes(b"half")
        raise KeyboardInterrupt
    monkeypatch.setattr(cache, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prepare(cfg, stream=True)
    assert entries(tmp_path) == []
    monkeypatch.setattr(cache, "_write", real)
    assert_same(train(cfg, False), train(cfg, True))


def test_a_build_killed_midway_is_never_used_and_is_cleared_by_the_next(tmp_path):
    write_data(tmp_path)
    cfg = config(tmp_path)
    prefix = cache.key((tmp_path / "train.csv"), {})[0]
    dead = tmp_path / "cache" / f"{prefix}.tmp-999999999-x"  # no such process
    dead.mkdir(parents=True)
    (dead / "meta.json").write_text("{}")
    assert_same(train(cfg, False), train(cfg, True))
    assert len(entries(tmp_path)) == 1 and not dead.exists()


@pytest.mark.parametrize("code,why", [(errno.ENOSPC, "there is no room left on its disk"),
                                      (errno.EROFS, "it is not writable")])
def test_a_full_or_read_only_cache_folder_is_a_clear_error(tmp_path, monkeypatch, code, why):
    write_data(tmp_path)

    def fails(tmp, *args):
        (tmp / "x.bin").write_bytes(b"part")
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr(cache, "_write", fails)
    with pytest.raises(CacheError) as e:
        prepare(config(tmp_path), stream=True)
    assert str(e.value) == (f"cannot write the binary cache of the streamed data in "
                            f"{tmp_path / 'cache'}: {why}. Set NNBP_CACHE_DIR to a folder with "
                            "room, or train in memory (data.stream: false)")
    assert entries(tmp_path) == []


def test_bad_data_found_in_a_later_chunk_names_its_line(tmp_path):
    write_data(tmp_path)
    lines = (tmp_path / "train.csv").read_text().splitlines()
    lines[30] = lines[30].replace(",7,", ",seven,")
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as streamed:
        prepare(config(tmp_path), stream=True)
    with pytest.raises(DataError) as memory:
        prepare(config(tmp_path), stream=False)
    assert str(streamed.value) == str(memory.value) == (
        f"{tmp_path / 'train.csv'}, line 31: column 'c' holds 'seven'; expected a number; "
        "fix that value or remove its row, or leave the column out with data.ignore: [id, c]")
    assert entries(tmp_path) == []


def test_quoted_fields_with_line_breaks_cross_chunks_as_in_memory(tmp_path):
    write_data(tmp_path)
    lines = (tmp_path / "train.csv").read_text().splitlines()
    lines = [lines[0]] + [f'"{ln.split(",", 1)[0]}\nsecond line",{ln.split(",", 1)[1]}'
                          for ln in lines[1:]]
    (tmp_path / "train.csv").write_text("\r\n".join(lines) + "\r\n")
    cfg = config(tmp_path)
    assert_same(train(cfg, False), train(cfg, True))


# --- the command line ----------------------------------------------------------

def test_auto_streams_when_the_data_would_not_fit_and_says_why(nnbp_run, tmp_path, monkeypatch):
    write_data(tmp_path)
    config(tmp_path, validation_split=0.2, test="test.csv")
    memory = nnbp_run("train", "c.yaml", "--epochs", 6, "--out", "m.npz")
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    needed = reading_needs(train, 2) + reading_needs(test, 2)  # the text, its table, 2 copies
    monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", str(needed + 1000))  # more than half of it
    streamed = nnbp_run("train", "c.yaml", "--epochs", 6, "--out", "s.npz")
    forced = nnbp_run("train", "c.yaml", "--epochs", 6, "--out", "f.npz", "--no-stream")
    assert memory.returncode == streamed.returncode == forced.returncode == 0, streamed.stderr
    assert streamed.stderr.splitlines()[0] == (
        f"Streaming the data from a binary cache: reading {train} and {test} in memory and "
        f"training on them would take about {size_text(needed)}, more than half of the {size_text(needed + 1000)} "
        "available (data.stream: auto).")
    assert "Streaming" not in memory.stderr + forced.stderr
    assert forced.stdout == memory.stdout
    rows = [[float(v) for v in ln.split(",")] for ln in memory.stdout.splitlines()[1:]]
    srows = [[float(v) for v in ln.split(",")] for ln in streamed.stdout.splitlines()[1:]]
    assert streamed.stdout.splitlines()[0] == memory.stdout.splitlines()[0]
    assert len(srows) == 7
    np.testing.assert_allclose(srows, rows, rtol=1e-12)


def test_streamed_evaluate_and_predict_are_the_in_memory_ones(nnbp_run, tmp_path, monkeypatch):
    write_data(tmp_path)
    config(tmp_path, validation_split=0.2)
    assert nnbp_run("train", "c.yaml", "--epochs", 20, "--out", "m.npz", "-q").returncode == 0
    jobs = [("evaluate", "m.npz", "--json"), ("evaluate", "m.npz", "test.csv", "--json"),
            ("predict", "m.npz", "test.csv", "--proba", "--keep", "id")]
    memory = [nnbp_run(*j) for j in jobs]
    monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", "3000")  # the in-memory reader would refuse
    streamed = [nnbp_run(*j) for j in jobs]
    for m, s in zip(memory, streamed):
        assert m.returncode == s.returncode == 0, s.stderr
    for m, s in zip(memory[:2], streamed[:2]):
        a, b = json.loads(m.stdout), json.loads(s.stdout)
        assert a.pop("cost") == pytest.approx(b.pop("cost"), rel=1e-12)
        assert a.pop("cost_unregularized") == pytest.approx(b.pop("cost_unregularized"),
                                                            rel=1e-12)
        assert a == b
    assert json.loads(streamed[0].stdout)["examples"] == 10  # the validation rows
    assert streamed[2].stdout == memory[2].stdout
    assert streamed[2].stdout.splitlines()[1].startswith("r000,")


def test_a_streamed_predict_that_fails_says_how_many_rows_it_wrote(nnbp_run, tmp_path,
                                                                   monkeypatch):
    write_data(tmp_path, m=5000)  # 105 kB: the first chunk is 64 kB at least
    config(tmp_path)
    assert nnbp_run("train", "c.yaml", "--epochs", 2, "--out", "m.npz", "-q").returncode == 0
    lines = (tmp_path / "train.csv").read_text().splitlines()
    lines[4899] = lines[4899].replace(",7,", ",seven,")  # line 4900, in a later chunk
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    error = ("Error: bad.csv, line 4900: column 'c' holds 'seven'; expected a number; fix that "
             "value or remove its row")
    memory = nnbp_run("predict", "m.npz", "bad.csv", "--keep", "id")
    assert (memory.returncode, memory.stdout, memory.stderr) == (2, "", error + "\n")
    monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", "100000")  # streamed: chunks written as done
    streamed = nnbp_run("predict", "m.npz", "bad.csv", "--keep", "id")
    out = streamed.stdout.splitlines()
    assert streamed.returncode == 2 and out[0] == "id,prediction"
    written = len(out) - 1
    assert 2000 < written < 4898 and out[-1].startswith(f"r{written - 1:03d},")
    assert streamed.stderr == ("Reading bad.csv a block at a time: it would not fit in "
                               "memory; the predictions come out as each block is done.\n"
                               f"{error}. The predictions of the first {written} rows were "
                               "written before this error; the output is incomplete\n")
    lines[3] = lines[3].replace(",7,", ",seven,")  # in the first chunk: nothing written
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    first = nnbp_run("predict", "m.npz", "bad.csv", "--keep", "id")
    assert (first.returncode, first.stdout) == (2, "")
    assert first.stderr == ("Reading bad.csv a block at a time: it would not fit in "
                            "memory; the predictions come out as each block is done.\n"
                            "Error: bad.csv, line 4: column 'c' holds 'seven'; expected a "
                            "number; fix that value or remove its row\n")


def test_a_value_beyond_float32_trains_streamed_as_in_memory_without_a_warning(tmp_path):
    # 1e50 is read (below the 1e100 limit) but no float32 holds it: the cache keeps the
    # column in float64 instead of saying so with numpy's overflow warning
    write_data(tmp_path)
    lines = (tmp_path / "train.csv").read_text().splitlines()
    fields = lines[30].split(",")
    lines[30] = ",".join(fields[:2] + ["1e50"] + fields[3:])
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    cfg = config(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's overflow
        streamed, memory = train(cfg, True), train(cfg, False)
    assert memory[1]["norm_scale"][1] > 1e48
    assert_same(memory, streamed)


def test_streamed_regression_evaluate_is_the_in_memory_one(nnbp_run, tmp_path, monkeypatch):
    write_data(tmp_path, regression=True)
    config(tmp_path, "linear", "squared_error")
    assert nnbp_run("train", "c.yaml", "--epochs", 20, "--out", "m.npz", "-q").returncode == 0
    memory = json.loads(nnbp_run("evaluate", "m.npz", "test.csv", "--json").stdout)
    monkeypatch.setenv("NNBP_MEMORY_AVAILABLE", "3000")
    streamed = json.loads(nnbp_run("evaluate", "m.npz", "test.csv", "--json").stdout)
    assert sorted(memory) == sorted(streamed)
    for k in ("cost", "cost_unregularized", "mse", "r2"):
        assert streamed[k] == pytest.approx(memory[k], rel=1e-12)
    assert streamed["examples"] == memory["examples"] == 13


def test_a_closed_pipe_stops_a_streamed_run_and_saves_the_model(nnbp_popen, tmp_path):
    write_data(tmp_path)
    config(tmp_path)
    p = nnbp_popen("train", "c.yaml", "--stream", "--epochs", 200000, "--out", "m.npz")
    lines = [p.stdout.readline() for _ in range(3)]
    assert lines[0] == "epoch,cost,accuracy,passes\n"
    p.stdout.close()  # like `| head -3`
    assert p.wait(timeout=60) == 141
    assert "Traceback" not in p.stderr.read()
    assert 1 <= int(np.load(tmp_path / "m.npz")["epochs"]) < 200000


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_while_the_cache_is_built_exits_130_and_leaves_no_entry(nnbp_popen, tmp_path,
                                                                      monkeypatch):
    write_data(tmp_path, m=30000)
    config(tmp_path)
    monkeypatch.setenv("NNBP_STREAM_CHUNK_BYTES", "40")  # a chunk a row: a build of seconds
    np.savez(tmp_path / "m.npz", nnbp_version="an older model")  # enough to be overwritten
    older = (tmp_path / "m.npz").read_bytes()
    p = nnbp_popen("train", "c.yaml", "--stream", "--out", "m.npz")
    folder, deadline = tmp_path / "cache", time.monotonic() + 30
    while not (folder.is_dir() and any(folder.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the build has started
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=30) == 130
    assert p.stderr.read() == (f"Interrupted while building the binary cache of "
                               f"{tmp_path / 'train.csv'}: nothing of it was kept; no model was "
                               "saved (m.npz was left as it was).\n")
    assert list(folder.iterdir()) == []
    assert (tmp_path / "m.npz").read_bytes() == older


def test_a_cache_folder_that_cannot_be_made_is_one_error_line(nnbp_run, tmp_path, monkeypatch):
    write_data(tmp_path)
    config(tmp_path)
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "file" / "cache"))
    r = nnbp_run("train", "c.yaml", "--stream")
    assert r.returncode == 2
    assert r.stderr == (f"Error: cannot write the binary cache of the streamed data in "
                        f"{tmp_path / 'file' / 'cache'}: Not a directory. Set NNBP_CACHE_DIR "
                        "to a folder with room, or train in memory (data.stream: false)\n")


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal is POSIX")
def test_the_cache_build_shows_a_progress_bar_on_a_terminal_only(tmp_path, monkeypatch):
    import pty
    import subprocess

    from conftest import nnbp_argv, nnbp_env, run_nnbp

    write_data(tmp_path, m=2000)
    config(tmp_path)
    monkeypatch.setenv("NNBP_STREAM_CHUNK_BYTES", "4000")
    main, child = pty.openpty()
    p = subprocess.Popen([*nnbp_argv(), "train", "c.yaml", "--stream", "--epochs", "1"],
                         cwd=tmp_path, env=dict(nnbp_env(), COLUMNS="100"),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    screen = b""
    while True:
        try:
            data = os.read(main, 1 << 16)
        except OSError:  # the child has closed the terminal
            break
        if not data:
            break
        screen += data
    assert p.wait(timeout=60) == 0
    os.close(main)
    text = screen.decode(errors="replace")
    assert f"caching {tmp_path / 'train.csv'}" in text
    assert "Model saved to" in text
    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "cache2"))  # a build again
    piped = run_nnbp("train", "c.yaml", "--stream", "--epochs", 1, cwd=tmp_path)
    assert piped.returncode == 0 and "caching" not in piped.stderr  # not on a pipe
    assert (tmp_path / "cache2").is_dir()


def test_a_damaged_entry_is_built_anew(tmp_path):
    write_data(tmp_path)
    cfg = config(tmp_path)
    expected = train(cfg, False)
    train(cfg, True)
    [entry] = (tmp_path / "cache").iterdir()
    with open(entry / "x.bin", "r+b") as f:
        f.truncate(10)  # a disk error, a hand that slipped
    assert_same(expected, train(cfg, True))
    assert (entry / "x.bin").stat().st_size == 45 * 3 * 8  # decimals: float64


def test_lbfgs_on_a_streamed_run_is_lbfgs_in_memory(tmp_path):
    from nnbp.training import make_optimizer

    write_data(tmp_path)
    cfg = config(tmp_path, validation_split=0.2).override(training={"optimizer": "lbfgs",
                                                                       "epochs": 6})
    out = []
    for stream in (False, True):
        trainer = make_optimizer(prepare(cfg, stream=stream))
        out.append(([s.row for s in trainer if s.row], trainer.model()))
    assert out[0][0][-1]["epoch"] == 6
    assert_same(*out)


def test_float32_streamed_is_float32_in_memory_to_its_rounding(tmp_path):
    write_data(tmp_path)
    cfg = config(tmp_path, validation_split=0.2).override(training={"dtype": "float32"})
    (rows_m, model_m), (rows_s, model_s) = train(cfg, False), train(cfg, True)
    assert model_s["Theta1"].dtype == np.float32
    for k in ("Theta1", "Theta2"):  # one float32 rounding apart: Θ/c, or (x - s)/c
        np.testing.assert_allclose(model_s[k], model_m[k], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose([r["cost"] for r in rows_s], [r["cost"] for r in rows_m],
                               rtol=1e-5)


def test_data_stream_is_auto_true_or_false():
    from nnbp.config import parse_config
    from nnbp.errors import ConfigError

    base = "data:\n  train: a.csv\n  stream: {}\nnetwork:\n  layers: [2, 1]\n"
    assert parse_config(base.format("auto")).data.stream == "auto"
    assert parse_config(base.format("false")).data.stream is False
    with pytest.raises(ConfigError) as e:
        parse_config(base.format("1"), source="c.yaml")
    assert str(e.value) == "c.yaml, line 3: data.stream: expected auto, true or false, found 1 (number)"


def test_chunks_are_sized_from_the_memory_there_is(monkeypatch, tmp_path):
    from nnbp.data.cache_source import chunk_bytes
    from nnbp.data.reader import blocks
    from nnbp.data.file_size import size_and_fields

    monkeypatch.delenv("NNBP_STREAM_CHUNK_BYTES")
    # half the memory, at 40 bytes per byte of CSV; 4 MB at most, 64 kB at least
    assert chunk_bytes(None) == chunk_bytes(10**12) == 1 << 22
    assert chunk_bytes(300_000_000) == 3_750_000
    assert chunk_bytes(1_000_000) == 1 << 16
    monkeypatch.setenv("NNBP_STREAM_CHUNK_BYTES", "400")  # the test hook wins
    assert chunk_bytes(300_000_000) == 400
    # the first chunk is a chunk's worth of rows too, not the header's read and one more
    path = tmp_path / "d.csv"
    path.write_text("a,b\n" + "1,2\n" * 50000)  # 200 kB: 4 chunks of 64 kB, a bit more
    sizes = [len(t.values) for t, _ in blocks(path, chunk_bytes=1 << 16)]
    assert sum(sizes) == 50000 and max(sizes) <= (1 << 16) * 17 // 16 // 4, sizes
    # what decides: the text, its table and the copies a command makes of it
    size, fields = size_and_fields(path)
    assert reading_needs(path, 3) == 6 * size + 8 * fields * 4 == reading_needs(path) + 24 * fields
