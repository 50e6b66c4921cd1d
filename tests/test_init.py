"""`nnbp init PATH --data CSV [--target COL]`: a commented starter config that trains.

The CSV is read with nnbp's reader, so a bad file gets the error training
would give; an existing file is never touched.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from nnbp import schema
from nnbp.config import bundled_dir, load_config, parse_config
from nnbp.data.reader import read_table as read_csv
from nnbp.errors import DataError, NnbpError, UsageError
from nnbp.starter import hidden_units, starter_config, write_starter

DATASETS = bundled_dir("datasets")


@pytest.fixture
def iris(tmp_path) -> Path:
    """iris.csv in tmp_path/data, and an empty tmp_path/cfg for configs."""
    (tmp_path / "data").mkdir()
    (tmp_path / "cfg").mkdir()
    return Path(shutil.copy(DATASETS / "iris.csv", tmp_path / "data" / "iris.csv"))


def commented_keys(text: str) -> dict[str, str]:
    """leaf -> value text of each commented-out ``# key: value  # doc`` line."""
    return dict(re.findall(r"^\s*# (\w+): (.*?)\s+# ", text, flags=re.M))


def uncomment_all(text: str) -> str:
    return re.sub(r"^(\s*)# (\w+: )", r"\1\2", text, flags=re.M)


# --- the library ---------------------------------------------------------------------

def test_the_starter_for_iris(iris, tmp_path):
    s = starter_config(tmp_path / "cfg" / "iris.yaml", iris)
    assert (s.rows, s.target, s.layers) == (150, "species", [4, 6, 3])
    assert s.features == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert s.classes == ["setosa", "versicolor", "virginica"]
    raw = yaml.safe_load(s.text)
    assert raw == {"data": {"train": "../data/iris.csv", "target": "species"},
                   "network": {"layers": [4, 6, 3], "init": None},
                   "training": {"optimizer": "lbfgs"}, "output": None}
    assert "#   150 rows; 4 features: sepal_length, sepal_width, petal_length, petal_width" \
        in s.text.splitlines()
    assert "#   target species: 3 classes" in s.text.splitlines()
    assert re.search(r"^  target: species +# 3 classes: setosa, versicolor, virginica$", s.text,
                     flags=re.M)
    assert re.search(r"^  layers: \[4, 6, 3\] +# 4 features, 6 hidden units, 3 outputs, one per "
                     r"class$", s.text, flags=re.M)


def test_class_labels_train_with_lbfgs_and_the_file_says_why(iris, tmp_path):
    s = starter_config(tmp_path / "cfg" / "iris.yaml", iris)
    assert s.settings["training.optimizer"] == "lbfgs"
    assert re.search(r"^  optimizer: lbfgs +# L-BFGS for class labels \(why: at the top of "
                     r"this file\)$", s.text, flags=re.M)
    head = " ".join(line.lstrip("# ") for line in s.text.splitlines() if line.startswith("#"))
    assert ("target species: 3 classes Optimizer L-BFGS, not gradient descent: on 16000 rows "
            "of 30 features and 4 classes, 1000 gradient descent epochs reached 85% test "
            "accuracy, L-BFGS 93%") in head
    assert "L-BFGS takes no α and stops when it converges" in head
    cfg = parse_config(s.text, base=tmp_path / "cfg")
    assert cfg.training.optimizer == "lbfgs"
    assert "training.learning_rate" not in cfg.lines  # so no warning that α goes unused
    # a regression target keeps gradient descent at its measured α, and no such note
    r = starter_config(tmp_path / "reg.yaml", many_whole_numbers(tmp_path / "reg.csv"))
    assert "training.optimizer" not in r.settings
    assert re.search(r"^  # optimizer: gd +# gd: batch gradient descent", r.text, flags=re.M)
    assert "Optimizer L-BFGS" not in r.text


def test_every_other_key_is_there_commented_out_with_its_default_and_doc(iris, tmp_path):
    s = starter_config(tmp_path / "cfg" / "iris.yaml", iris)
    commented = commented_keys(s.text)
    for f in schema.FIELDS:
        leaf = f.key.rsplit(".", 1)[1]
        if f.key in s.settings:
            assert leaf not in commented
        else:
            assert yaml.safe_load(commented[leaf]) == f.default, f.key
            assert f.doc in next(line for line in s.text.splitlines()
                                 if line.lstrip().startswith(f"# {leaf}:"))
    # uncommenting every line gives the same config: the comments are the defaults
    base = tmp_path / "cfg"
    assert parse_config(uncomment_all(s.text), base=base).values == \
        parse_config(s.text, base=base).values


def test_each_commented_line_uncommented_alone_is_valid(iris, tmp_path):
    s = starter_config(tmp_path / "cfg" / "iris.yaml", iris)
    lines = s.text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*# \w+: ", line):
            text = "\n".join([*lines[:i], uncomment_all(line), *lines[i + 1:]])
            parse_config(text)


def test_a_binary_target_gets_one_sigmoid_unit_and_a_regression_target_a_linear_output(tmp_path):
    s = starter_config(tmp_path / "xor.yaml", DATASETS / "xor.csv", "y")
    assert (s.layers, s.classes) == ([2, 3, 1], ["0", "1"])
    assert "1 sigmoid output (y = 1 for class 1)" in s.text
    (tmp_path / "reg.csv").write_text("x1,x2,y\n0,1,0.5\n1,0,2.25\n1,1,1.5\n")
    r = starter_config(tmp_path / "reg.yaml", tmp_path / "reg.csv")
    assert (r.layers, r.classes) == ([2, 3, 1], None)
    assert yaml.safe_load(r.text)["network"] == {"layers": [2, 3, 1], "output": "linear",
                                                "cost": "squared_error", "init": None}


def test_the_target_by_name_by_index_or_the_last_column(tmp_path):
    csv = DATASETS / "lecture.csv"
    assert starter_config(tmp_path / "a.yaml", csv).target == "y"
    (tmp_path / "t.csv").write_text("label,x1,x2\na,1,2\nb,3,4\na,5,6\n")
    by_index = starter_config(tmp_path / "a.yaml", tmp_path / "t.csv", "0")
    assert (by_index.target, by_index.features) == ("label", ["x1", "x2"])
    assert yaml.safe_load(by_index.text)["data"]["target"] == "label"  # written by name


@pytest.mark.parametrize("n, K, h", [(2, 1, 3), (4, 3, 6), (64, 10, 25), (400, 10, 25)])
def test_hidden_units(n, K, h):
    assert hidden_units(n, K) == h


BAD_CSV = {
    "ragged.csv": "a,b,y\n1,2,0\n3,4\n",
    "empty.csv": "",
    "header-only.csv": "a,b,y\n",
    "text-feature.csv": "a,b,y\n1,x,0\n2,3,1\n",
    "dup-header.csv": "a,a,y\n1,2,0\n",
    "no-header.csv": "5.1,3.5,setosa\n4.9,3.0,setosa\n6.3,2.5,virginica\n",
    "blank-label.csv": "a,b,y\n1,2,x\n3,4,\n5,6,z\n",
    "huge-value.csv": "a,b,y\n1,2,x\n3,-4e300,y\n5,6,z\n",
    "decimal-comma.csv": "a;b;y\n1,5;2;x\n3,25;4;y\n",
}


@pytest.mark.parametrize("name, body", BAD_CSV.items(), ids=BAD_CSV.keys())
def test_a_bad_csv_gets_the_error_training_gives(tmp_path, name, body):
    csv = tmp_path / name
    csv.write_text(body)
    with pytest.raises(DataError) as got:
        write_starter(tmp_path / "c.yaml", csv)
    with pytest.raises(DataError) as training:  # what nnbp train says for the same file
        from nnbp.data.memory_source import load_in_memory as load_data

        load_data(parse_config(f"data:\n  train: {name}\nnetwork:\n  layers: [auto, 3, auto]\n",
                               base=tmp_path), "auto")
    assert str(got.value) == str(training.value).replace(str(csv.resolve()), str(csv))
    assert not (tmp_path / "c.yaml").exists()


def test_never_over_an_existing_file(iris, tmp_path):
    target = tmp_path / "cfg" / "c.yaml"
    target.write_text("mine\n")
    with pytest.raises(UsageError, match="already exists; nnbp init never overwrites a file"):
        write_starter(target, iris)
    assert target.read_text() == "mine\n"


# --- the command ------------------------------------------------------------------------

def test_init_writes_a_config_that_trains(nnbp_run, iris, tmp_path):
    r = nnbp_run("init", "cfg/iris.yaml", "--data", "data/iris.csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "Wrote cfg/iris.yaml: 4 features, 3 classes in species, layers [4, 6, 3].",
        "Train with:  nnbp train cfg/iris.yaml"]
    cfg = load_config(tmp_path / "cfg" / "iris.yaml")
    assert cfg.data.train == str(iris.resolve())
    t = nnbp_run("train", "cfg/iris.yaml", "--epochs", "5")
    assert t.returncode == 0, t.stderr
    assert [row.split(",")[0] for row in t.stdout.splitlines()] == \
        ["epoch", "0", "1", "2", "3", "4", "5"]
    assert (tmp_path / "iris.npz").is_file()


def test_the_starter_of_class_labels_trains_with_lbfgs_to_convergence(nnbp_run, iris, tmp_path):
    assert nnbp_run("init", "cfg/iris.yaml", "--data", "data/iris.csv").returncode == 0
    t = nnbp_run("train", "cfg/iris.yaml", "--out", "iris.npz")
    assert t.returncode == 0, t.stderr
    assert t.stderr.startswith("L-BFGS-B converged after ")
    assert "Warning" not in t.stderr
    rows = t.stdout.splitlines()
    assert 10 < len(rows) - 2 < 1000  # stopped by convergence, not by training.epochs
    assert float(rows[-1].split(",")[2]) > 0.95  # training accuracy
    with np.load(tmp_path / "iris.npz", allow_pickle=False) as m:
        assert str(m["optimizer"]) == "lbfgs"


@pytest.mark.parametrize("csv, target", [("xor.csv", "y"), ("digits-train.csv", None),
                                         ("lecture.csv", "2")])
def test_init_for_each_bundled_dataset_trains(nnbp_run, tmp_path, csv, target):
    args = ["--target", target] if target else []
    r = nnbp_run("init", "new.yaml", "--data", DATASETS / csv, *args)
    assert r.returncode == 0, r.stderr
    t = nnbp_run("train", "new.yaml", "--epochs", "5", "--quiet")
    assert t.returncode == 0, t.stderr


def test_init_for_a_regression_csv_trains(nnbp_run, tmp_path):
    rows = [f"{a / 4},{b / 4},{2 * a / 4 - b / 4 + 0.5}" for a in range(5) for b in range(5)]
    (tmp_path / "reg.csv").write_text("x1,x2,y\n" + "\n".join(rows) + "\n")
    assert nnbp_run("init", "reg.yaml", "--data", "reg.csv").returncode == 0
    t = nnbp_run("train", "reg.yaml", "--epochs", "5", "--quiet")
    assert t.returncode == 0, t.stderr
    assert t.stdout.splitlines()[0] == "epoch,cost,passes"


def test_init_leaves_a_constant_column_out_and_says_why(nnbp_run, tmp_path):
    rows = [f"{i},{i * 0.5},7,{i % 2}" for i in range(30)]
    (tmp_path / "d.csv").write_text("order_id,x,c,y\n" + "\n".join(rows) + "\n")
    r = nnbp_run("init", "d.yaml", "--data", "d.csv")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        "Wrote d.yaml: 1 feature, 2 classes in y, layers [1, 3, 1].",
        "Left out of the features (data.ignore): order_id (an identifier), c (constant).",
        "A constant column holds one value in every row: it carries no information.",
        "Train with:  nnbp train d.yaml"]
    text = (tmp_path / "d.yaml").read_text()
    assert "#   left out of the features (data.ignore): order_id (an identifier), c (constant)\n" \
        "#   (a constant column holds one value in every row: nothing to learn from)\n" in text
    assert load_config(tmp_path / "d.yaml").data.ignore == ["order_id", "c"]
    t = nnbp_run("train", "d.yaml", "--epochs", 1)
    assert t.returncode == 0 and "Warning" not in t.stderr


def test_init_leaves_pandas_row_index_out_of_a_csv_and_of_parquet(nnbp_run, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [f"{i},{i * 0.5},{(i * 7) % 3},{i % 2}" for i in range(30)]
    (tmp_path / "d.csv").write_text(",x,z,y\n" + "\n".join(rows) + "\n")  # to_csv()
    s = starter_config(tmp_path / "d.yaml", tmp_path / "d.csv")
    assert s.left_out == {"Unnamed: 0": "a row index written by pandas"}
    assert s.features == ["x", "z"]
    order = np.random.default_rng(0).permutation(30)  # a shuffled frame's index
    pq.write_table(pa.table({"x": order * 0.5, "z": order % 3.0, "y": order % 2,
                             "__index_level_0__": order}), tmp_path / "d.parquet")
    s = starter_config(tmp_path / "p.yaml", tmp_path / "d.parquet")
    assert s.left_out == {"__index_level_0__": "a row index written by pandas"}
    assert s.features == ["x", "z"] and s.targets == ["y"]
    r = nnbp_run("init", "d.yaml", "--data", "d.csv")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[1] == \
        "Left out of the features (data.ignore): Unnamed: 0 (a row index written by pandas)."
    assert load_config(tmp_path / "d.yaml").data.ignore == ["Unnamed: 0"]
    t = nnbp_run("train", "d.yaml", "--epochs", 1)
    assert t.returncode == 0 and "Warning" not in t.stderr
    p = nnbp_run("predict", "d.npz", "d.csv")  # the same file: the index is not a feature
    assert p.returncode == 0 and p.stderr == "" and len(p.stdout.splitlines()) == 31


def test_a_column_of_one_row_is_not_constant_and_one_that_varies_once_is_kept(tmp_path):
    (tmp_path / "one.csv").write_text("a,b,y\n1,2,0\n")
    (tmp_path / "d.csv").write_text("a,b,y\n" + "1,2,0\n" * 50 + "1,2.5,1\n")
    assert starter_config(tmp_path / "o.yaml", tmp_path / "one.csv",
                          regression=True).left_out == {}
    s = starter_config(tmp_path / "d.yaml", tmp_path / "d.csv")
    assert s.left_out == {"a": "constant"} and s.features == ["b"]


def test_init_never_overwrites(nnbp_run, iris, tmp_path):
    existing = tmp_path / "cfg" / "iris.yaml"
    existing.write_bytes(b"# my own config\n")
    before = existing.stat().st_mtime_ns
    r = nnbp_run("init", "cfg/iris.yaml", "--data", "data/iris.csv")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "Error: cfg/iris.yaml: already exists; nnbp init never overwrites a file"]
    assert existing.read_bytes() == b"# my own config\n"
    assert existing.stat().st_mtime_ns == before


@pytest.mark.parametrize("args, error", [
    (["new.yaml", "--data", "nope.csv"], "Error: nope.csv: no such file"),
    (["new.yaml", "--data", "data/iris.csv", "--target", "kind"],
     "Error: data/iris.csv: no column named 'kind' for the target; columns are: sepal_length, "
     "sepal_width, petal_length, petal_width, species; several targets are given as --target a "
     "--target b, or --target a,b"),
    (["new.yaml", "--data", "data/iris.csv", "--target", "9"],
     "Error: data/iris.csv: target index 9 is outside the 5 columns (0-based: 0 … 4)"),
    (["no/such/folder/new.yaml", "--data", "data/iris.csv"],
     "Error: no/such/folder/new.yaml: cannot be written: folder no/such/folder does not exist"),
    (["cfg", "--data", "data/iris.csv"],
     "Error: cfg: is a directory; give the path of the config file to write"),
])
def test_init_errors(nnbp_run, iris, tmp_path, args, error):
    r = nnbp_run("init", *args)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [error]
    assert not (tmp_path / "new.yaml").exists()


def test_init_of_a_ragged_csv_names_the_line(nnbp_run, tmp_path):
    (tmp_path / "bad.csv").write_text("a,b,y\n1,2,0\n3,4\n")
    r = nnbp_run("init", "new.yaml", "--data", "bad.csv")
    assert r.returncode == 2
    assert r.stderr.splitlines() == ["Error: bad.csv, line 3: has 2 fields, the header has 3 "
                                     "(separated by commas)"]
    assert str(pytest.raises(NnbpError, read_csv, tmp_path / "bad.csv", "bad.csv").value) \
        == "bad.csv, line 3: has 2 fields, the header has 3 (separated by commas)"
    assert not (tmp_path / "new.yaml").exists()


def test_init_needs_data(nnbp_run):
    r = nnbp_run("init", "new.yaml")
    assert r.returncode == 2
    assert "--data" in r.stderr


# --- regression, and columns that are not features ---------------------------------

def many_whole_numbers(path, m=60, distinct=30):
    """x1, x2 and a target of ``distinct`` whole numbers over m rows."""
    rows = "".join(f"{i % 7},{i % 5},{100 + i % distinct}\n" for i in range(m))
    path.write_text("x1,x2,amount\n" + rows)
    return path


def test_many_distinct_whole_numbers_are_a_quantity(tmp_path):
    s = starter_config(tmp_path / "a.yaml", many_whole_numbers(tmp_path / "a.csv"))
    assert (s.classes, s.layers) == (None, [2, 3, 1])
    assert s.settings["network.output"] == "linear"
    assert s.settings["network.cost"] == "squared_error"
    assert s.settings["training.learning_rate"] == 0.3
    text = " ".join(line.lstrip("# ") for line in s.text.splitlines() if line.startswith("#"))
    assert ("target amount: 30 distinct whole numbers in 60 rows, too many for classes (over 20, "
            "under 10 rows each; nnbp init --classification makes them classes);") in text
    assert "Learning rate 0.3, not 1: on standardized targets α = 1 diverged" in text
    assert "With 2 or 3 targets" not in text  # that note is for several


@pytest.mark.parametrize("m, distinct", [(60, 20), (300, 30)])  # few values, or 10 rows each
def test_few_distinct_whole_numbers_are_classes(tmp_path, m, distinct):
    s = starter_config(tmp_path / "a.yaml", many_whole_numbers(tmp_path / "a.csv", m, distinct))
    assert len(s.classes) == distinct
    assert "training.learning_rate" not in s.settings
    assert f"target amount: {distinct} classes (nnbp init --regression for a quantity)" in s.text


@pytest.mark.parametrize("m, distinct", [(15, 10), (20, 11), (5, 3)])
def test_under_two_rows_per_whole_number_is_a_quantity(tmp_path, m, distinct):
    # scikit-learn's linnerud: Pulse, 11 distinct whole numbers in 20 rows (10 in a
    # training split of 15); as classes, a value seen once could never be learnt
    s = starter_config(tmp_path / "a.yaml", many_whole_numbers(tmp_path / "a.csv", m, distinct))
    assert s.classes is None and s.settings["network.output"] == "linear"
    text = " ".join(line.lstrip("# ") for line in s.text.splitlines() if line.startswith("#"))
    assert (f"target amount: {distinct} distinct whole numbers in {m} rows, too many for "
            "classes (under 2 rows each; nnbp init --classification makes them classes);") in text


@pytest.mark.parametrize("m, distinct", [(6, 3), (4, 2), (3, 2)])  # 2 rows each; two values
def test_two_rows_per_whole_number_or_two_values_are_classes(tmp_path, m, distinct):
    s = starter_config(tmp_path / "a.yaml", many_whole_numbers(tmp_path / "a.csv", m, distinct))
    assert len(s.classes) == distinct


def test_decimal_commas_get_the_error_training_gives_not_a_file_without_features(tmp_path):
    # pandas' to_csv(sep=";", decimal=","): init took every number column for text
    (tmp_path / "w.csv").write_text("wine_id;region;alcohol;malic_acid;cultivar\n"
                                    "W0000;Piemonte, north;14,23;1,71;barolo\n"
                                    "W0001;Piemonte south;13,2;1,78;barbera\n")
    with pytest.raises(DataError) as got:
        starter_config(tmp_path / "w.yaml", tmp_path / "w.csv")
    (tmp_path / "t.yaml").write_text("data:\n  train: w.csv\n  ignore: [wine_id, region]\n"
                                     "network:\n  layers: [auto, 3, auto]\n")
    with pytest.raises(DataError) as training:
        from nnbp.data.memory_source import load_in_memory as load_data

        load_data(load_config(tmp_path / "t.yaml"), "auto")
    assert str(got.value) == str(training.value) == (
        f"{tmp_path / 'w.csv'}, line 2: column 'alcohol' holds '14,23'; expected a number; "
        "write numbers with a decimal point (3.5, not 3,5)")


def test_fractions_say_why(tmp_path):
    (tmp_path / "f.csv").write_text("x,y\n1,0.5\n2,3\n3,3\n")
    s = starter_config(tmp_path / "f.yaml", tmp_path / "f.csv")
    assert "#   target y: numbers such as 0.5, not class labels;" in s.text.splitlines()


def test_the_flags_override_the_choice(nnbp_run, tmp_path):
    many_whole_numbers(tmp_path / "a.csv")
    r = nnbp_run("init", "c.yaml", "--data", "a.csv", "--classification")
    assert r.returncode == 0, r.stderr
    assert "30 classes in amount" in r.stderr
    (tmp_path / "b.csv").write_text("x,level\n1,1\n2,2\n3,3\n4,2\n")
    r = nnbp_run("init", "r.yaml", "--data", "b.csv", "--regression")
    assert r.returncode == 0, r.stderr
    written = (tmp_path / "r.yaml").read_text()
    assert yaml.safe_load(written)["network"]["output"] == "linear"
    assert "#   target level: chosen with --regression;" in written.splitlines()


def test_text_and_id_columns_are_left_out_and_the_config_trains(nnbp_run, tmp_path):
    (tmp_path / "t.csv").write_text(
        "customer_id,name,x1,x2,y\n"
        + "".join(f"{i},n{i},{i % 3},{i % 4 / 2},{'ab'[i % 2]}\n" for i in range(12)))
    s = starter_config(tmp_path / "t.yaml", tmp_path / "t.csv")
    assert s.settings["data.ignore"] == ["customer_id", "name"]
    assert s.features == ["x1", "x2"]
    assert re.search(r"^  ignore: \[customer_id, name\] +# an identifier: customer_id; "
                     r"text: name$", s.text, flags=re.M)
    write_starter(tmp_path / "t.yaml", tmp_path / "t.csv")
    r = nnbp_run("train", "t.yaml", "--epochs", 5, "--quiet")
    assert r.returncode == 0, r.stderr


def test_a_numeric_column_with_a_text_value_is_not_left_out(tmp_path):
    (tmp_path / "t.csv").write_text("x1,x2,y\n1,2,a\n2,n/a,b\n")
    with pytest.raises(DataError) as e:
        starter_config(tmp_path / "t.yaml", tmp_path / "t.csv")
    assert str(e.value) == (f"{tmp_path / 't.csv'}, line 3: column 'x2' holds 'n/a'; expected a "
                            "number; fix that value or remove its row, or leave the column out "
                            "with data.ignore: [x2]")


def test_a_column_of_words_with_some_numbers_among_them_is_text(tmp_path):
    # product codes, a fifth of them all digits; a status that is once a number; and a
    # numeric column with one word, which stays the error above
    rows = [f"{'A%03d' % i if i % 5 else '%04d' % i},{'1.5' if i == 7 else 'ok'},"
            f"{i % 7},{i % 2}" for i in range(60)]
    (tmp_path / "t.csv").write_text("code,status,x,y\n" + "\n".join(rows) + "\n")
    s = starter_config(tmp_path / "t.yaml", tmp_path / "t.csv")
    assert s.left_out == {"code": "text", "status": "text"} and s.features == ["x"]
    rows[30] = rows[30].replace(f",{30 % 7},", ",seven,")
    (tmp_path / "t.csv").write_text("code,status,x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError, match=r"line 32: column 'x' holds 'seven'; expected a "
                       "number; fix that value"):
        starter_config(tmp_path / "t.yaml", tmp_path / "t.csv")


def test_a_column_that_counts_rows_is_left_out_whatever_its_name(tmp_path, monkeypatch):
    # a row index pandas named 'row', a running customer number, and a feature that
    # counts up by 1 for a while only (kept), read in several blocks
    import nnbp.data.csvfile as csvfile
    from nnbp.data.reader import blocks

    monkeypatch.setattr(csvfile, "CHUNK_BYTES", 300)
    monkeypatch.setattr(csvfile, "ROW_BYTES", 1)
    rows = [f"{i},{5000 + i},{i if i < 30 else i + 2},{(i * 7) % 11 / 10},{i % 2}"
            for i in range(60)]
    (tmp_path / "t.csv").write_text("row,customer_no,level,x,y\n" + "\n".join(rows) + "\n")
    assert len(list(blocks(tmp_path / "t.csv"))) > 3
    s = starter_config(tmp_path / "t.yaml", tmp_path / "t.csv")
    assert s.left_out == {"row": "a row number, up by 1 from each row to the next",
                          "customer_no": "a row number, up by 1 from each row to the next"}
    assert s.features == ["level", "x"]
    few = "\n".join(rows[:9])  # nine rows may count up by chance: kept
    (tmp_path / "few.csv").write_text("row,customer_no,level,x,y\n" + few + "\n")
    assert starter_config(tmp_path / "f.yaml", tmp_path / "few.csv").left_out == {}


def test_a_misspelt_target_gets_the_closest_names(nnbp_run, iris, tmp_path):
    r = nnbp_run("init", "new.yaml", "--data", "data/iris.csv", "--target", "specis")
    assert r.returncode == 2
    assert r.stderr == ("Error: data/iris.csv: no column named 'specis' for the target (did you "
                        "mean 'species'?); columns are: sepal_length, sepal_width, petal_length, "
                        "petal_width, species; several targets are given as --target a "
                        "--target b, or --target a,b\n")


# --- several targets -------------------------------------------------------------------

LINNERUD = ["Chins", "Situps", "Jumps", "Weight", "Waist", "Pulse"]


def linnerud(path: Path, columns: list[str] = LINNERUD) -> Path:
    """20 rows shaped as scikit-learn's linnerud: three exercises (Chins, Situps, Jumps)
    and three body measurements (Weight, Waist, Pulse), whole numbers."""
    rng = np.random.default_rng(7)
    chins, situps, jumps = rng.integers(1, 18, 20), rng.integers(50, 252, 20), \
        rng.integers(25, 251, 20)
    weight = 230 - 3 * chins - 0.15 * situps + rng.normal(0, 8, 20)
    waist = 42 - 0.3 * chins - 0.02 * situps + rng.normal(0, 1.5, 20)
    pulse = 60 - 0.01 * jumps + rng.normal(0, 5, 20)
    rows = np.column_stack([chins, situps, jumps, weight, waist, pulse]).round().astype(int)
    path.write_text(",".join(columns) + "\n" + "".join(",".join(map(str, r)) + "\n"
                                                       for r in rows.tolist()))
    return path


@pytest.mark.parametrize("target", [["Weight", "Waist", "Pulse"], ["Weight,Waist,Pulse"],
                                    ["Weight, Waist", "Pulse"], ["3,4,5"]],
                         ids=["repeated", "comma list", "both", "indexes"])
def test_several_targets_make_a_regression_config_and_none_is_a_feature(tmp_path, target):
    s = starter_config(tmp_path / "lin.yaml", linnerud(tmp_path / "lin.csv"), target)
    assert s.targets == ["Weight", "Waist", "Pulse"]
    assert s.features == ["Chins", "Situps", "Jumps"]
    assert (s.classes, s.layers) == (None, [3, 5, 3])
    raw = yaml.safe_load(s.text)
    assert raw["data"] == {"train": "lin.csv", "target": ["Weight", "Waist", "Pulse"]}
    assert raw["network"] == {"layers": [3, 5, 3], "output": "linear", "cost": "squared_error",
                              "init": None}
    assert raw["training"] == {"learning_rate": 0.3}
    assert re.search(r"^  target: \[Weight, Waist, Pulse\] +# 3 targets: regression, each "
                     r"standardized for training$", s.text, flags=re.M)
    assert re.search(r"^  layers: \[3, 5, 3\] +# 3 features, 5 hidden units, 3 linear outputs, "
                     r"one per target$", s.text, flags=re.M)
    head = " ".join(line.lstrip("# ") for line in s.text.splitlines() if line.startswith("#"))
    assert ("20 rows; 3 features: Chins, Situps, Jumps targets Weight, Waist, Pulse: 3 columns "
            "given with --target, none of them a feature; several targets are learnt together "
            "as a vector y of quantities (class labels are one column); so regression: a linear "
            "output per target and squared error, each target standardized for training "
            "(predictions come back in their units). Learning rate 0.3, not 1") in head
    assert ("Lower it if the cost rises. With 2 or 3 targets (penguins; 20 rows like linnerud) "
            "α = 1 diverged in 6 of 36 runs, 0.3 in none. Commented-out keys") in head
    cfg = parse_config(s.text, base=tmp_path)
    assert cfg.data.target == ["Weight", "Waist", "Pulse"]


def test_one_target_in_a_list_is_that_target(tmp_path):
    one = starter_config(tmp_path / "a.yaml", linnerud(tmp_path / "lin.csv"), ["Waist"])
    assert (one.targets, one.features) == (["Waist"], ["Chins", "Situps", "Jumps", "Weight",
                                                       "Pulse"])
    assert yaml.safe_load(one.text)["data"]["target"] == "Waist"  # a name, not a list


def test_a_column_name_with_a_comma_is_one_target(tmp_path):
    columns = ["Chins", "Situps", "Jumps", "Weight, kg", "Waist", "Pulse"]
    csv = linnerud(tmp_path / "lin.csv", [f'"{c}"' if "," in c else c for c in columns])
    s = starter_config(tmp_path / "a.yaml", csv, ["Weight, kg", "Waist"])
    assert s.targets == ["Weight, kg", "Waist"]
    assert yaml.safe_load(s.text)["data"]["target"] == ["Weight, kg", "Waist"]
    with pytest.raises(DataError) as e:
        starter_config(tmp_path / "a.yaml", csv, ["Weight, kg,Waist"])
    assert str(e.value) == (
        f"{csv}: no column named 'Weight' for the target (did you mean 'Weight, kg'?); columns "
        "are: Chins, Situps, Jumps, 'Weight, kg', Waist, Pulse; several targets are given as "
        "--target a --target b, or --target a,b; a name with a comma is a --target of its own, "
        "such as --target 'Weight, kg'")


def test_several_targets_init_train_and_evaluate(nnbp_run, tmp_path):
    linnerud(tmp_path / "lin_train.csv")
    r = nnbp_run("init", "lin.yaml", "--data", "lin_train.csv", "--target", "Weight",
                 "--target", "Waist", "--target", "Pulse")
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        "Wrote lin.yaml: 3 features, 3 regression targets in Weight, Waist, Pulse, "
        "layers [3, 5, 3].",
        "Train with:  nnbp train lin.yaml"]
    r = nnbp_run("init", "comma.yaml", "--data", "lin_train.csv", "--target", "Weight,Waist,Pulse")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "comma.yaml").read_text() == \
        (tmp_path / "lin.yaml").read_text().replace("train lin.yaml", "train comma.yaml")
    t = nnbp_run("train", "lin.yaml", "--out", "lin.npz")
    assert t.returncode == 0, t.stderr
    assert "Warning" not in t.stderr  # α = 0.3: the cost falls
    costs = [float(row.split(",")[1]) for row in t.stdout.splitlines()[1:]]
    assert len(costs) == 1001 and costs[-1] < costs[0] / 2
    with np.load(tmp_path / "lin.npz", allow_pickle=False) as m:
        assert m["target_names"].tolist() == ["Weight", "Waist", "Pulse"]
        assert m["feature_names"].tolist() == ["Chins", "Situps", "Jumps"]
        assert str(m["output"]) == "linear" and m["Theta2"].shape == (3, 6)
    e = nnbp_run("evaluate", "lin.npz", "lin_train.csv", "--json")
    assert e.returncode == 0, e.stderr
    out = json.loads(e.stdout)
    assert out["targets"] == ["Weight", "Waist", "Pulse"] and out["examples"] == 20
    assert len(out["r2_per_target"]) == 3
    # Weight and Waist follow the exercises; Pulse is mostly noise
    assert out["r2_per_target"][0] > 0.5 and out["r2_per_target"][1] > 0.5
    assert out["r2"] == pytest.approx(np.mean(out["r2_per_target"]), rel=1e-12)
    table = nnbp_run("evaluate", "lin.npz", "lin_train.csv").stdout
    rows = {line.split("│")[1].strip(): line.split("│")[3].strip()
            for line in table.splitlines() if line.count("│") == 4}
    assert rows == {name: f"{r2:.6g}" for name, r2 in zip(out["targets"], out["r2_per_target"])}


@pytest.mark.parametrize("target, error", [
    (["Weight,Wiast"], "Error: lin.csv: no column named 'Wiast' for the target (did you mean "
                       "'Waist'?); columns are: Chins, Situps, Jumps, Weight, Waist, Pulse; "
                       "several targets are given as --target a --target b, or --target a,b"),
    (["Weight Waist"], "Error: lin.csv: no column named 'Weight Waist' for the target (did you "
                       "mean 'Weight'?); columns are: Chins, Situps, Jumps, Weight, Waist, "
                       "Pulse; several targets are given as --target a --target b, or "
                       "--target a,b"),
    (["Weight,,Waist"], "Error: --target 'Weight,,Waist': expected column names separated by "
                        "commas, such as --target a,b"),
    (["Weight", "Waist,Weight"], "Error: --target 'Waist,Weight': column 'Weight' is named twice "
                                 "as a target; name each column once"),
    (["Weight,9"], "Error: lin.csv: target index 9 is outside the 6 columns (0-based: 0 … 5)"),
])
def test_several_targets_errors(nnbp_run, tmp_path, target, error):
    linnerud(tmp_path / "lin.csv")
    r = nnbp_run("init", "new.yaml", "--data", "lin.csv",
                 *[a for t in target for a in ("--target", t)])
    assert r.returncode == 2
    assert r.stderr.splitlines() == [error]
    assert not (tmp_path / "new.yaml").exists()


def test_several_targets_are_not_classes(nnbp_run, tmp_path):
    linnerud(tmp_path / "lin.csv")
    r = nnbp_run("init", "new.yaml", "--data", "lin.csv", "--target", "Weight,Waist",
                 "--classification")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "Error: --classification takes one target column, not 2 (Weight, Waist); several "
        "targets are regression, one linear output each"]
    assert not (tmp_path / "new.yaml").exists()


def test_text_in_one_of_several_targets_gets_the_error_training_gives(tmp_path):
    (tmp_path / "t.csv").write_text("x,y1,y2\n1,2,3\n2,4,n/a\n3,5,7\n")
    with pytest.raises(DataError) as got:
        starter_config(tmp_path / "t.yaml", tmp_path / "t.csv", "y1,y2")
    (tmp_path / "c.yaml").write_text("data:\n  train: t.csv\n  target: [y1, y2]\nnetwork:\n"
                                     "  layers: [auto, 3, auto]\n  output: linear\n"
                                     "  cost: squared_error\n")
    with pytest.raises(DataError) as training:
        from nnbp.data.memory_source import load_in_memory as load_data

        load_data(load_config(tmp_path / "c.yaml"), "auto")
    assert str(got.value) == str(training.value) == (
        f"{tmp_path / 't.csv'}, line 3: column 'y2' holds 'n/a'; expected a number; fix that value or remove its row")
