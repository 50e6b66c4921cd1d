"""Every bad input gets one clear error, and nothing is lost or half-written.

A table of bad configs, data files, model files and output paths, each given to
the real ``nnbp`` process through the command that reads it (train, explain,
gradcheck, evaluate, predict, init, config show).  For each one:

- the exit code is the README's ("Exit codes": 2, bad usage, config or data);
- stderr is exactly one ``Error:`` line, naming the culprit (the file, and the
  key or line where there is one); no traceback, nothing on stdout;
- no file of the working folder was created, changed or removed (names, sizes
  and modification times compared before and after).

The cases run side by side, each in its own copy of the fixture folder.
tests/test_cli_train.py has the train errors of the first kind (missing config,
unknown key, bad CSV, missing output folder …); the cases here are the others.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from conftest import nnbp_argv, nnbp_env
from nnbp.config import load_config
from nnbp.model import save_npz_atomic
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare

REPO = Path(__file__).resolve().parent.parent
XOR = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
NETWORK = "network:\n  layers: [auto, 3, auto]\n"
GOOD = "data:\n  train: data.csv\n  target: y\n" + NETWORK + "training:\n  epochs: 3\n"


def with_network(section: str) -> str:
    """The good config with another network section."""
    return GOOD.replace(NETWORK, section)


def build(folder: Path) -> None:
    """The fixture files: a good config, data and model, and one bad file per case."""
    text = {
        "data.csv": XOR,
        "good.yaml": GOOD,
        "iris.yaml": "data:\n  train: iris.csv\nnetwork:\n  layers: [auto, 8, auto]\n",
        # configs
        "syntax.yaml": "data:\n  train: data.csv\nnetwork:\n  layers: [auto, 3\n  x: 1\n",
        "section_typo.yaml": GOOD + "trainng:\n  epochs: 3\n",
        "wrong_type.yaml": GOOD.replace("epochs: 3", "epochs: ten"),
        "out_of_range.yaml": GOOD.replace("target: y\n", "target: y\n  validation_split: 1.5\n"),
        "bad_choice.yaml": with_network(NETWORK + "  activation: softplus\n"),
        "empty.yaml": "# nothing here yet\n",
        "list.yaml": "- data\n- network\n",
        "scalar.yaml": "just some words\n",
        "features.yaml": with_network("network:\n  layers: [3, 2, auto]\n"),
        "classes.yaml": with_network("network:\n  layers: [auto, 2, 3]\n"),
        "python_tag.yaml": "data: !!python/object/apply:os.system ['touch pwned']\n",
        "deep.yaml": "data: " + "[" * 3000 + "]" * 3000 + "\n",
        "control.yaml": "data:\n  train: data.csv\x01\n",
        "huge_number.yaml": GOOD + "  learning_rate: 1" + "0" * 400 + "\n",
        "huge_layer.yaml": with_network("network:\n  layers: [auto, 1000000000000, auto]\n"),
        "inline_weights.yaml": with_network(
            "network:\n  layers: [2, 3, 1]\n  init:\n    weights:\n"
            "      Theta1: [[1, 2], [3, 4]]\n      Theta2: [[1, 2, 3, 4]]\n"),
        "pickled_weights.yaml": with_network(
            "network:\n  layers: [2, 3, 1]\n  init:\n    weights: pickled.npz\n"),
        "missing_data.yaml": GOOD.replace("train: data.csv", "train: nothere.csv"),
        "ragged.yaml": GOOD.replace("train: data.csv", "train: ragged.csv"),
        "no_target.yaml": GOOD.replace("target: y", "target: label"),
        "inf.yaml": GOOD.replace("train: data.csv", "train: inf.csv"),
        "huge.yaml": GOOD.replace("train: data.csv", "train: huge.csv"),
        "huge_target.yaml": GOOD.replace("train: data.csv", "train: huge_target.csv").replace(
            NETWORK, NETWORK + "  output: linear\n  cost: squared_error\n"),
        "blank_label.yaml": GOOD.replace("train: data.csv", "train: blank_label.csv"),
        "nodir_out.yaml": GOOD + "output:\n  model: nodir/m.npz\n",
        # data
        "empty.csv": "",
        "header.csv": "x1,x2,y\n\n\n",
        "ragged.csv": "x1,x2,y\n0,0,0\n0,1\n1,0,1\n",
        "text_value.csv": "x1,x2,y\n0,0,0\noops,1,1\n",
        "nan.csv": "x1,x2,y\nnan,0,0\n0,1,1\n",
        "inf.csv": "x1,x2,y\n0,0,0\n0,-inf,1\n",
        "huge.csv": "x1,x2,y\n0,0,0\n0,1e300,1\n1,0,1\n",
        "huge_target.csv": "x1,x2,y\n0,0,0\n0,1,2.5\n1,0,-1e300\n",
        "blank_label.csv": "x1,x2,y\n0,0,0\n0,1,\n1,0,1\n",
        "no_header.csv": "0.5,1.5,a\n1.5,0.5,b\n",
        "single.csv": "x1,x2,y\n0,0,1\n0,1,1\n",
        "latin1.csv": None,  # written as bytes below
        "bigfield.csv": 'x1,x2,y\n0,"' + "9" * 140000 + '",1\n',
        "wrong_columns.csv": "x1,x3,y\n0,0,0\n",
        "notes.txt": "my notes, not a model\n",
    }
    for name, content in text.items():
        if content is not None:
            (folder / name).write_text(content, encoding="utf-8")
    (folder / "latin1.csv").write_bytes("x1,x2,y\n0,é,0\n".encode("latin-1"))
    (folder / "utf16.csv").write_bytes(XOR.encode("utf-16"))
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (folder / "data.csv.gz").write_bytes(__import__("gzip").compress(XOR.encode()))
    import zipfile
    with zipfile.ZipFile(folder / "book.csv", "w") as book:  # an .xlsx renamed, as made
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    with zipfile.ZipFile(folder / "zipped.csv", "w") as z:
        z.writestr("data.csv", XOR)
    (folder / "garbage.yaml").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "folder").mkdir()
    shutil.copy(REPO / "datasets" / "iris.csv", folder / "iris.csv")
    bomb = ["&a [" + ", ".join(["lol"] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        bomb.append(f"&{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    (folder / "bomb.yaml").write_text("data:\n  train: data.csv\n  target: [" + ", ".join(bomb)
                                      + "]\nnetwork:\n  layers: [auto, 3, auto]\n")

    # a real model, written as nnbp train writes it, and damaged copies of it
    run = prepare(load_config(folder / "good.yaml"))
    trainer = GradientDescent(run, epochs=3, learning_rate=1.0, lam=0.0)
    for _ in trainer:
        pass
    save_npz_atomic(folder / "model.npz", trainer.model())
    arrays = trainer.model()
    raw = (folder / "model.npz").read_bytes()
    (folder / "truncated.npz").write_bytes(raw[: len(raw) // 2])
    (folder / "empty.npz").write_bytes(b"")
    np.savez(folder / "pickled.npz", **{**arrays, "Theta1": np.array([{"a": 1}], dtype=object)})
    np.savez(folder / "no_theta2.npz", **{k: v for k, v in arrays.items() if k != "Theta2"})
    np.savez(folder / "misshaped.npz", **{**arrays, "Theta1": np.zeros((5, 5))})
    np.savez(folder / "layers_text.npz", **{**arrays, "layers": np.array(["2", "3", "1"])})
    np.savez(folder / "weights_only.npz", Theta1=arrays["Theta1"], Theta2=arrays["Theta2"])


@dataclass
class Case:
    args: list[str]
    culprit: list[str]  # each must be in the Error: line
    code: int = 2
    env: dict = field(default_factory=dict)


CASES: dict[str, Case] = {
    # --- configs ---
    "yaml syntax error": Case(["config", "show", "syntax.yaml"],
                              ["syntax.yaml, line 5", "column", "invalid YAML"]),
    "misspelled section": Case(["explain", "section_typo.yaml"],
                               ["section_typo.yaml, line 8", "trainng", "did you mean training?"]),
    "wrong type": Case(["gradcheck", "wrong_type.yaml"],
                       ["wrong_type.yaml, line 7", "training.epochs", "'ten'"]),
    "out of range": Case(["train", "out_of_range.yaml"],
                         ["out_of_range.yaml, line 4", "data.validation_split", "1.5"]),
    "unknown choice": Case(["config", "show", "bad_choice.yaml"],
                           ["bad_choice.yaml, line 6", "network.activation", "softplus",
                            "sigmoid, tanh, relu"]),
    "empty config": Case(["train", "empty.yaml"], ["empty.yaml", "is empty"]),
    "config is a list": Case(["explain", "list.yaml"], ["list.yaml", "found a list"]),
    "config is a scalar": Case(["gradcheck", "scalar.yaml"], ["scalar.yaml", "found a string"]),
    "config is a folder": Case(["config", "show", "folder"], ["folder", "is a directory"]),
    "config is binary": Case(["train", "garbage.yaml"], ["garbage.yaml", "not UTF-8"]),
    "config is a CSV": Case(["train", "data.csv"], ["data.csv, line 1", "mapping of sections"]),
    "layers vs features": Case(["train", "features.yaml"],
                               ["features.yaml, line 5", "network.layers", "3 units",
                                "2 feature"]),
    "layers vs classes": Case(["explain", "classes.yaml"],
                              ["classes.yaml, line 5", "network.layers", "3 units", "2 classes",
                               "data.csv", "make the last layer 1 or 2, or auto"]),
    "python tag": Case(["config", "show", "python_tag.yaml"],
                       ["python_tag.yaml, line 1", "python/object/apply"]),
    "nested too deep": Case(["train", "deep.yaml"], ["deep.yaml", "nested"]),
    "control character": Case(["config", "show", "control.yaml"],
                              ["control.yaml, line 2", "unacceptable character #x0001"]),
    "alias bomb": Case(["config", "show", "bomb.yaml"], ["bomb.yaml, line 3", "data.target"]),
    "number too large for a float": Case(["train", "huge_number.yaml"],
                                         ["huge_number.yaml, line 8", "training.learning_rate"]),
    "layer too large for memory": Case(["train", "huge_layer.yaml"],
                                       ["huge_layer.yaml, line 5", "network.layers", "memory"]),
    "inline weights misshaped": Case(["gradcheck", "inline_weights.yaml"],
                                     ["inline_weights.yaml", "Theta1", "2 × 2", "3 × 3"]),
    "init weights pickled": Case(["train", "pickled_weights.yaml"], ["pickled.npz", "pickled"]),
    # --- data ---
    "missing data file": Case(["explain", "missing_data.yaml"],
                              ["missing_data.yaml, line 2", "data.train", "nothere.csv",
                               "no such file"]),
    "empty csv": Case(["predict", "model.npz", "empty.csv"], ["empty.csv", "is empty"]),
    "header only": Case(["evaluate", "model.npz", "header.csv"], ["header.csv", "no data rows"]),
    "ragged row": Case(["gradcheck", "ragged.yaml"], ["ragged.csv, line 3", "2 fields"]),
    "non-numeric value": Case(["predict", "model.npz", "text_value.csv"],
                              ["text_value.csv, line 3", "'x1'", "'oops'"]),
    "nan value": Case(["evaluate", "model.npz", "nan.csv"],
                      ["nan.csv, line 2", "'nan'", "fix that value or remove its row"]),
    "inf value": Case(["train", "inf.yaml"],
                      ["inf.csv, line 3", "'x2'", "'-inf'", "expected a finite number; fix that "
                       "value or remove its row, or, for a feature, leave the column out by "
                       "adding it to data.ignore"]),
    "huge value": Case(["train", "huge.yaml"], ["huge.csv, line 3", "'x2'", "'1e300'",
                                               "between -1e100 and 1e100"]),
    "huge regression target": Case(["train", "huge_target.yaml"],
                                   ["huge_target.csv, line 4", "'y'", "'-1e300'", "1e100"]),
    "huge value to predict": Case(["predict", "model.npz", "huge.csv"],
                                  ["huge.csv, line 3", "'x2'", "'1e300'", "1e100"]),
    "blank label": Case(["train", "blank_label.yaml"],
                        ["blank_label.csv, line 3", "target column 'y' is empty"]),
    "no header row": Case(["init", "new.yaml", "--data", "no_header.csv"],
                          ["no_header.csv, line 1", "looks like data", "header row"]),
    "missing target column": Case(["train", "no_target.yaml"],
                                  ["data.csv", "'label'", "columns are: x1, x2, y"]),
    "single class": Case(["init", "new.yaml", "--data", "single.csv"],
                         ["single.csv", "single class"]),
    "binary data": Case(["predict", "model.npz", "binary.csv"], ["binary.csv", "binary"]),
    "gzipped csv": Case(["init", "new.yaml", "--data", "data.csv.gz"],
                        ["data.csv.gz: is gzip-compressed, not CSV text: decompress it first "
                         "(gunzip -k data.csv.gz)"]),
    "xlsx renamed": Case(["init", "new.yaml", "--data", "book.csv"],
                         ["book.csv: is an Excel workbook (.xlsx), not CSV text: save it as "
                          "CSV (in Excel: Save As, CSV UTF-8)"]),
    "zipped csv": Case(["init", "new.yaml", "--data", "zipped.csv"],
                       ["zipped.csv: is zip-compressed, not CSV text: decompress it first "
                        "(unzip zipped.csv)"]),
    "not utf-8": Case(["evaluate", "model.npz", "latin1.csv"],
                      ["latin1.csv, line 2", "not UTF-8", "0xe9", "'é' in Windows-1252",
                       "save it as UTF-8"]),
    "utf-16": Case(["predict", "model.npz", "utf16.csv"],
                   ["utf16.csv", "is UTF-16 text", "save it as UTF-8",
                    "iconv -f UTF-16 -t UTF-8"]),
    "data is a folder": Case(["init", "new.yaml", "--data", "folder"],
                             ["folder", "is a directory"]),
    "field over the csv limit": Case(["predict", "model.npz", "bigfield.csv"],
                                     ["bigfield.csv, line 2", "field"]),
    "csv larger than memory": Case(["train", "good.yaml", "--no-stream"],  # else it streams
                                   ["data.csv", "memory", "100 bytes"],
                                   env={"NNBP_MEMORY_AVAILABLE": "100"}),
    "columns the model lacks": Case(["evaluate", "model.npz", "wrong_columns.csv"],
                                    ["wrong_columns.csv", "missing feature column(s) x2",
                                     "'x3'"]),
    # --- models ---
    "model is a folder": Case(["evaluate", "folder"], ["folder", "not a file"]),
    "model is empty": Case(["predict", "empty.npz", "data.csv"], ["empty.npz", "not a zip"]),
    "model is text": Case(["explain", "good.yaml", "--model", "notes.txt"],
                          ["notes.txt", "not a readable .npz"]),
    "model is truncated": Case(["gradcheck", "good.yaml", "--model", "truncated.npz"],
                               ["truncated.npz", "not a readable .npz"]),
    "model is a config": Case(["evaluate", "good.yaml"], ["good.yaml", "not a readable .npz"]),
    "model holds pickles": Case(["evaluate", "pickled.npz", "data.csv"],
                                ["pickled.npz", "pickled Python objects"]),
    "model lacks Theta2": Case(["predict", "no_theta2.npz", "data.csv"],
                               ["no_theta2.npz", "has no Theta2", "found: Theta1"]),
    "model Theta1 misshaped": Case(["explain", "good.yaml", "--model", "misshaped.npz"],
                                   ["misshaped.npz", "Theta1 has shape 5 × 5", "3 × 3"]),
    "model layers as text": Case(["gradcheck", "good.yaml", "--model", "layers_text.npz"],
                                 ["layers_text.npz", "layers"]),
    "model for another config": Case(["gradcheck", "iris.yaml", "--model", "model.npz"],
                                     ["model.npz", "[2, 3, 1]", "[4, 8, 3]"]),
    "model for other data": Case(["evaluate", "model.npz", "iris.csv"],
                                 ["iris.csv", "missing feature column(s) x1, x2"]),
    "weights only, not a model": Case(["predict", "weights_only.npz", "data.csv"],
                                      ["weights_only.npz", "not an nnbp model"]),
    # --- outputs ---
    "output folder missing (config)": Case(["train", "nodir_out.yaml"],
                                           ["nodir/m.npz", "folder", "does not exist"]),
    "output is a folder": Case(["train", "good.yaml", "--out", "folder"],
                               ["folder", "is a directory"]),
    "output is not a model": Case(["train", "good.yaml", "--out", "data.csv"],
                                  ["data.csv", "not an nnbp model", "refusing"]),
    "init over a file": Case(["init", "good.yaml", "--data", "data.csv"],
                             ["good.yaml", "already exists"]),
    "init into a missing folder": Case(["init", "nodir/new.yaml", "--data", "data.csv"],
                                       ["nodir/new.yaml", "folder nodir does not exist"]),
    "init onto a folder": Case(["init", "folder", "--data", "data.csv"],
                               ["folder", "is a directory"]),
    # --- command-line values ---
    "example out of range": Case(["explain", "good.yaml", "--example", "99"],
                                 ["--example 99", "4 examples"]),
    "no such layer": Case(["explain", "good.yaml", "--layer", "9"], ["--layer 9"]),
    "typed example too long": Case(["explain", "good.yaml", "--x", "1,2,3", "--y", "1"],
                                   ["--x has 3 values", "2 inputs"]),
    "too few examples": Case(["gradcheck", "good.yaml", "--examples", "0"], ["--examples 0"]),
}
if Path("/sys").is_dir() and sys.platform.startswith("linux"):  # read-only, even for root
    CASES["output folder not writable"] = Case(["train", "good.yaml", "--out", "/sys/m.npz"],
                                               ["/sys/m.npz", "not writable"])


def snapshot(folder: Path) -> dict:
    """Every file's size and modification time, and every folder's name."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            if p.is_file() else "folder" for p in sorted(folder.rglob("*"))}


def run_case(case: Case, cwd: Path):
    env = {**nnbp_env(), **case.env}
    before = snapshot(cwd)
    r = subprocess.run([*nnbp_argv(), *case.args], cwd=cwd, capture_output=True, text=True,
                       timeout=60, env=env, stdin=subprocess.DEVNULL)
    return r, before, snapshot(cwd)


def run_cases(tmp_path_factory, cases: dict[str, Case]) -> dict:
    base = tmp_path_factory.mktemp("fixtures")
    build(base)
    work = tmp_path_factory.mktemp("cases")
    folders = {}
    for i, name in enumerate(cases):
        folders[name] = work / f"case{i:02d}"
        shutil.copytree(base, folders[name])  # copy2: the same times, for every case
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run_case, case, folders[name]) for name, case in cases.items()}
        return {name: f.result() for name, f in futures.items()}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_cases(tmp_path_factory, CASES)


# the cases of a bad CSV file, whose small files the csv module reads: again with Arrow
CSV_CASES = {name: case for name, case in CASES.items()
             if any(".csv" in part for part in case.culprit)}


@pytest.fixture(scope="module")
def arrow_results(tmp_path_factory):
    return run_cases(tmp_path_factory, {name: Case(case.args, case.culprit, case.code,
                                                   {**case.env, "NNBP_SMALL_CSV_BYTES": "0"})
                                        for name, case in CSV_CASES.items()})


@pytest.mark.parametrize("name", CSV_CASES)
def test_arrow_reads_a_bad_file_to_the_same_error(results, arrow_results, name):
    r, a = results[name][0], arrow_results[name][0]
    here = re.compile(r"/\S*/case\d+/")  # each case's own folder
    assert (a.returncode, here.sub("", a.stderr)) == (r.returncode, here.sub("", r.stderr))


def test_the_table_is_wide():
    assert len(CASES) >= 40
    commands = {c.args[0] if c.args[0] != "config" else "config show" for c in CASES.values()}
    assert commands == {"train", "explain", "gradcheck", "evaluate", "predict", "init",
                        "config show"}


@pytest.mark.parametrize("name", CASES)
def test_one_clear_error_and_nothing_written(results, name):
    case = CASES[name]
    r, before, after = results[name]
    assert r.returncode == case.code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    assert "internal error" not in lines[0]
    for part in case.culprit:
        assert part in lines[0], (part, lines[0])
    assert after == before  # nothing created, changed or removed


def test_python_tags_were_not_run(results):
    r, before, after = results["python tag"]
    assert "pwned" not in after
