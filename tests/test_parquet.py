"""Parquet data: a .parquet file, or a folder of them as Dask and Spark write a table,
is read as its CSV would be, for every command and on every path (in memory, streamed
from the cache, on a Dask cluster), and a bad value is an error naming its row."""

from __future__ import annotations

import json
import logging

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from nnbp.config import load_config
from nnbp.errors import DataError
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare

CONFIG = """\
data:
  train: {train}
  test: {test}
  target: species
  ignore: [id]
  validation_split: 0.25
network:
  layers: [auto, 5, auto]
  activation: tanh
  init: {{seed: 2}}
training: {{epochs: 24, learning_rate: 0.5, lambda: 0.1, log_every: 4}}
"""


def write_problem(folder, m=200, m_test=40):
    """train.csv and test.csv (an id, three features at full precision, a species),
    and the same tables in Parquet: train.parquet in row groups of 64 rows, train/ as
    three files (and the _SUCCESS marker Spark leaves), test.parquet; a config for
    each way of giving the training data."""
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(m + m_test, 3))
    X = Z * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
    names = np.array(["setosa", "versicolor", "virginica"])
    labels = names[(Z @ rng.normal(size=(3, 3))).argmax(axis=1)]
    rows = [",".join([f"r{t:04d}", *map(repr, X[t].tolist()), labels[t]])
            for t in range(m + m_test)]
    head = "id,x1,x2,x3,species"
    (folder / "train.csv").write_text("\n".join([head, *rows[:m]]) + "\n")
    (folder / "test.csv").write_text("\n".join([head, *rows[m:]]) + "\n")
    train = pacsv.read_csv(folder / "train.csv")
    pq.write_table(train, folder / "train.parquet", row_group_size=64)
    (folder / "train").mkdir()
    for k, (a, b) in enumerate([(0, 70), (70, 140), (140, m)]):
        pq.write_table(train.slice(a, b - a), folder / "train" / f"part-{k:05d}.parquet")
    (folder / "train" / "_SUCCESS").write_text("")
    pq.write_table(pacsv.read_csv(folder / "test.csv"), folder / "test.parquet")
    for name, tr, te in (("csv", "train.csv", "test.csv"), ("file", "train.parquet",
                         "test.parquet"), ("folder", "train", "test.parquet")):
        (folder / f"{name}.yaml").write_text(CONFIG.format(train=tr, test=te))


def trained(folder, name, stream=False, client=None):
    run = prepare(load_config(folder / f"{name}.yaml"), stream=stream, client=client)
    t = run.cfg.training
    trainer = GradientDescent(run, t.epochs, t.learning_rate, t.lam, t.log_every)
    rows = [step.row for step in trainer if step.row is not None]
    return trainer.model(), rows


def test_a_parquet_file_and_folder_train_as_their_csv_in_memory_and_streamed(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "cache"))
    write_problem(tmp_path)
    csv, csv_rows = trained(tmp_path, "csv")
    assert len(csv_rows) == 7 and {"val_cost", "test_cost"} <= set(csv_rows[0])
    for name in ("file", "folder"):
        for stream in (False, True):
            model, rows = trained(tmp_path, name, stream)
            for key in ("Theta1", "Theta2", "norm_shift", "norm_scale", "classes",
                        "val_rows", "feature_names"):
                if stream and key.startswith(("Theta", "norm_s")):  # summed in another order
                    np.testing.assert_allclose(model[key], csv[key], rtol=1e-10, atol=0)
                else:
                    assert model[key].tobytes() == csv[key].tobytes(), (name, stream, key)
            assert [r["epoch"] for r in rows] == [r["epoch"] for r in csv_rows]


def test_predict_and_evaluate_read_parquet_as_csv(nnbp_run, tmp_path):
    write_problem(tmp_path)
    assert nnbp_run("train", "csv.yaml", "--out", "m.npz", "-q").returncode == 0
    for data in ("train", "test"):
        a = nnbp_run("predict", "m.npz", f"{data}.csv", "--proba", "--keep", "id")
        b = nnbp_run("predict", "m.npz", f"{data}.parquet", "--proba", "--keep", "id")
        assert (a.returncode, b.returncode) == (0, 0), b.stderr
        assert b.stdout == a.stdout and b.stdout.splitlines()[1].startswith("r0")
        a = json.loads(nnbp_run("evaluate", "m.npz", f"{data}.csv", "--json").stdout)
        b = json.loads(nnbp_run("evaluate", "m.npz", f"{data}.parquet", "--json").stdout)
        assert b == {**a, "data": f"{data}.parquet"}
    c = nnbp_run("predict", "m.npz", "train", "--keep", "id")  # the folder of three files
    assert c.stdout == nnbp_run("predict", "m.npz", "train.csv", "--keep", "id").stdout


def test_evaluate_without_data_reads_a_parquet_folder_as_its_csv(nnbp_run_all, tmp_path):
    # the model's validation rows of its training folder, and its test folder
    write_problem(tmp_path)
    (tmp_path / "tests").mkdir()
    pq.write_table(pacsv.read_csv(tmp_path / "test.csv"), tmp_path / "tests" / "a.parquet")
    for name, tr, te in (("vcsv", "train.csv", None), ("vdir", "train", None),
                         ("tcsv", "train.csv", "test.csv"), ("tdir", "train", "tests")):
        text = CONFIG.format(train=tr, test=te)
        (tmp_path / f"{name}.yaml").write_text(text if te else text.replace("  test: None\n", ""))
    trains = nnbp_run_all(*[["train", f"{n}.yaml", "--out", f"{n}.npz", "-q"]
                            for n in ("vcsv", "vdir", "tcsv", "tdir")])
    assert [r.returncode for r in trains] == [0] * 4, trains[1].stderr
    runs = nnbp_run_all(*[["evaluate", f"{n}.npz", "--json"]
                          for n in ("vcsv", "vdir", "tcsv", "tdir")])
    assert [r.returncode for r in runs] == [0] * 4, runs[1].stderr
    vcsv, vdir, tcsv, tdir = (json.loads(r.stdout) for r in runs)
    assert vcsv["source"] == "validation rows" and vcsv["examples"] == 50
    assert vdir == vcsv
    assert tcsv["examples"] == 40 and tdir == {**tcsv, "data": str(tmp_path / "tests")}
    assert runs[3].stderr == f"Evaluating on {tmp_path / 'tests'} (the model's test file).\n"


def test_a_parquet_file_gives_the_same_starter_as_its_csv(nnbp_run, tmp_path):
    write_problem(tmp_path)
    a = nnbp_run("init", "a.yaml", "--data", "train.csv", "--target", "species")
    b = nnbp_run("init", "b.yaml", "--data", "train.parquet", "--target", "species")
    assert (a.returncode, b.returncode) == (0, 0), b.stderr
    text = (tmp_path / "b.yaml").read_text().replace("train.parquet", "train.csv")
    words = " ".join(text.replace("b.yaml", "a.yaml").split())  # its comments aligned apart
    assert words == " ".join((tmp_path / "a.yaml").read_text().split())


def write_parquet(path, **columns):
    pq.write_table(pa.table(columns), path)


def test_a_bad_value_in_a_parquet_file_names_its_row(tmp_path):
    (tmp_path / "c.yaml").write_text("data: {train: d.parquet}\nnetwork: {layers: [auto, 2, auto]}\n")
    write_parquet(tmp_path / "d.parquet", x1=pa.array([1.0, 2.0, None, 4.0]),
                  y=pa.array(["a", "b", "a", "b"]))
    with pytest.raises(DataError) as e:
        prepare(load_config(tmp_path / "c.yaml"))
    assert str(e.value) == (f"{tmp_path / 'd.parquet'}, row 3: column 'x1' holds an empty "
                            "value; expected a number; fix that value or remove its row, or "
                            "leave the column out with data.ignore: [x1]")
    write_parquet(tmp_path / "d.parquet", x1=pa.array([1.0, 2.0, 3.0, np.nan]),
                  y=pa.array(["a", "b", "a", "b"]))
    with pytest.raises(DataError) as e:
        prepare(load_config(tmp_path / "c.yaml"))
    assert str(e.value) == (f"{tmp_path / 'd.parquet'}, row 4: column 'x1' holds 'nan'; "
                            "expected a finite number; fix that value or remove its row, or, "
                            "for a feature, leave the column out by adding it to data.ignore")
    write_parquet(tmp_path / "d.parquet", x1=pa.array([1.0, 2.0, 3.0, 4.0]),
                  y=pa.array(["a", "b", "", "b"]))
    with pytest.raises(DataError) as e:
        prepare(load_config(tmp_path / "c.yaml"), stream=True)
    assert str(e.value) == (f"{tmp_path / 'd.parquet'}, row 3: the target column 'y' is "
                            "empty; every row needs its label there: fill it in, or remove "
                            "the row")


def test_a_parquet_folder_whose_files_differ_is_an_error(tmp_path):
    (tmp_path / "d").mkdir()
    write_parquet(tmp_path / "d" / "part-0.parquet", x1=[1.0, 2.0], y=["a", "b"])
    write_parquet(tmp_path / "d" / "part-1.parquet", x2=[1.0, 2.0], y=["a", "b"])
    (tmp_path / "c.yaml").write_text("data: {train: d}\nnetwork: {layers: [auto, 2, auto]}\n")
    with pytest.raises(DataError) as e:
        prepare(load_config(tmp_path / "c.yaml"))
    assert str(e.value).endswith(f"{tmp_path / 'd' / 'part-1.parquet'}: has the columns x2, y, "
                                 "but part-0.parquet has x1, y; every file of a Parquet folder "
                                 "must have the same columns")


def test_a_parquet_file_and_folder_train_on_a_dask_cluster_as_their_csv(tmp_path):
    from distributed import Client, LocalCluster

    write_problem(tmp_path)
    _, csv_rows = trained(tmp_path, "csv")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        csv, _ = trained(tmp_path, "csv")
        for name in ("file", "folder"):
            model, rows = trained(tmp_path, name, client=client)
            assert len(rows) == len(csv_rows)
            for r, e in zip(rows, csv_rows):
                np.testing.assert_allclose([r[k] for k in sorted(r)], [e[k] for k in sorted(e)],
                                           rtol=1e-10, atol=0)
            for key in ("Theta1", "Theta2"):
                np.testing.assert_allclose(model[key], csv[key], rtol=1e-10, atol=0)
            assert model["val_rows"].tobytes() == csv["val_rows"].tobytes()


def test_a_folder_partitioned_by_columns_trains_as_its_csv_everywhere(tmp_path,
                                                                      monkeypatch):
    """A table written with partition_cols: its columns are the files' and then the
    folders' (species=…/island=…), numbers where every folder names one."""
    from distributed import Client, LocalCluster

    monkeypatch.setenv("NNBP_CACHE_DIR", str(tmp_path / "cache"))
    write_problem(tmp_path)
    train = pacsv.read_csv(tmp_path / "train.csv")
    island = pa.array((np.arange(train.num_rows) % 3).astype(float))
    with_island = train.append_column("island", island)
    pq.write_to_dataset(with_island, tmp_path / "parts", partition_cols=["species", "island"])
    # the same rows as a CSV, in the order the folder gives them (by its folders' names)
    rows = pq.read_table(tmp_path / "parts").to_pylist()
    (tmp_path / "flat.csv").write_text("id,x1,x2,x3,species,island\n" + "".join(
        f"{r['id']},{r['x1']!r},{r['x2']!r},{r['x3']!r},{r['species']},{float(r['island'])!r}\n"
        for r in rows))
    assert len(rows) == train.num_rows
    for name, train_path in (("parts", "parts"), ("flat", "flat.csv")):
        (tmp_path / f"{name}.yaml").write_text(CONFIG.format(train=train_path, test="test.csv"))
    (tmp_path / "test.csv").write_text("\n".join(
        line + f",{k % 3}.0" if k else line + ",island"
        for k, line in enumerate((tmp_path / "test.csv").read_text().splitlines())) + "\n")
    flat, _ = trained(tmp_path, "flat")
    assert flat["feature_names"].tolist() == ["x1", "x2", "x3", "island"]
    for stream in (False, True):
        model, _ = trained(tmp_path, "parts", stream)
        assert model["feature_names"].tolist() == ["x1", "x2", "x3", "island"]
        for key in ("Theta1", "Theta2", "norm_shift", "norm_scale"):
            np.testing.assert_allclose(model[key], flat[key], rtol=1e-10, atol=0)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        model, _ = trained(tmp_path, "parts", client=client)
    for key in ("Theta1", "Theta2"):
        np.testing.assert_allclose(model[key], flat[key], rtol=1e-10, atol=0)


def test_a_folder_partitioned_two_ways_or_twice_is_an_error(nnbp_run, tmp_path):
    table = pa.table({"x": np.arange(20) * 0.5, "z": np.arange(20) % 3,
                      "label": np.arange(20) % 2})
    pq.write_to_dataset(table, tmp_path / "mixed", partition_cols=["label"])
    pq.write_table(table.drop(["label"]), tmp_path / "mixed" / "flat.parquet")
    pq.write_table(table, tmp_path / "twice.parquet")
    (tmp_path / "twice").mkdir()
    (tmp_path / "twice" / "label=0").mkdir()
    pq.write_table(table, tmp_path / "twice" / "label=0" / "p.parquet")
    for folder, message in (
            ("mixed", "mixed: has files partitioned by different columns (none; label): every "
                      "file of a Parquet folder must be in folders named by the same columns"),
            ("twice", "twice: has the column 'label' both in its files and in the names of "
                      "its folders (label=…)")):
        r = nnbp_run("init", "n.yaml", "--data", folder)
        assert (r.returncode, r.stderr) == (2, f"Error: {message}\n")
