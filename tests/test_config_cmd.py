"""`nnbp config show` and `nnbp config schema`, and the JSON Schema against the validator.

The schema is generated from ``schema.FIELDS``, the table the validator reads;
these tests hold the two to the same verdict on a table of good and bad configs.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from nnbp import schema
from nnbp.config import _Loader, bundled_dir, bundled_names, load_config, parse_config
from nnbp.errors import ConfigError
from nnbp.jsonschema_gen import DRAFT, config_schema

MINIMAL = "data:\n  train: a.csv\nnetwork:\n  layers: [2, 3, 1]\n"


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(config_schema())


def nnbp_accepts(text: str) -> bool:
    try:
        parse_config(text, source="c.yaml")
    except ConfigError:
        return False
    return True


def schema_accepts(text: str) -> bool:
    return validator().is_valid(yaml.load(text, Loader=_Loader))  # the loader nnbp reads with


def schema_leaves(node: dict, prefix: str = "") -> dict[str, dict]:
    """Dotted key -> property schema; a property with additionalProperties is a section."""
    out = {}
    for name, prop in node["properties"].items():
        if "additionalProperties" in prop:
            out.update(schema_leaves(prop, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = prop
    return out


# --- the schema is the table ---------------------------------------------------

def test_the_schema_is_a_valid_draft_2020_12_schema():
    s = config_schema()
    assert s["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(s)


def test_every_key_of_fields_is_in_the_schema_and_nothing_else():
    assert set(schema_leaves(config_schema())) == {f.key for f in schema.FIELDS}


def test_each_key_carries_its_doc_default_and_the_rule_of_its_check():
    leaves = schema_leaves(config_schema())
    for f in schema.FIELDS:
        prop = leaves[f.key]
        assert f.json_schema is not None, f.key
        assert prop["description"] == f.doc
        assert {k: v for k, v in prop.items() if k not in ("description", "default")} \
            == f.json_schema
        if f.required:
            assert "default" not in prop
        else:  # the default passes both the check and its fragment
            assert prop["default"] == f.default
            assert f.check(f.default) is None
            assert jsonschema.Draft202012Validator(f.json_schema).is_valid(f.default), f.key


def test_no_extra_keys_at_any_level_and_the_required_ones():
    s = config_schema()
    assert s["additionalProperties"] is False
    assert s["required"] == ["data", "network"]
    sections = s["properties"]
    for name in ("data", "network", "training", "output"):
        assert sections[name]["additionalProperties"] is False
    assert sections["network"]["properties"]["init"]["additionalProperties"] is False
    assert sections["data"]["required"] == ["train"]
    assert sections["network"]["required"] == ["layers"]
    assert sections["training"]["type"] == ["object", "null"]  # an empty section is allowed


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_config_is_valid_under_the_schema(name):
    text = (bundled_dir("configs") / f"{name}.yaml").read_text(encoding="utf-8")
    validator().validate(yaml.load(text, Loader=_Loader))


# --- the same verdict as the validator -------------------------------------------

BAD = {
    "unknown top-level key": MINIMAL + "trainig:\n  epochs: 3\n",
    "unknown key in a section": MINIMAL + "training:\n  epoch: 3\n",
    "unknown key in network.init": MINIMAL.replace("layers: [2, 3, 1]",
                                                   "layers: [2, 3, 1]\n  init:\n    sed: 1"),
    "data.train missing": "data:\n  target: y\nnetwork:\n  layers: [2, 1]\n",
    "network.layers missing": "data:\n  train: a.csv\n",
    "network section empty": "data:\n  train: a.csv\nnetwork:\n",
    "empty file": "",
    "not a mapping": "- data\n- network\n",
    "section not a mapping": MINIMAL + "training: 5\n",
    "blank data.train": "data:\n  train: '  '\nnetwork:\n  layers: [2, 1]\n",
    "one layer": "data:\n  train: a.csv\nnetwork:\n  layers: [2]\n",
    "layer of 0 units": "data:\n  train: a.csv\nnetwork:\n  layers: [2, 0, 1]\n",
    "epochs 0": MINIMAL + "training:\n  epochs: 0\n",
    "epochs a string": MINIMAL + "training:\n  epochs: many\n",
    "epochs a boolean": MINIMAL + "training:\n  epochs: true\n",
    "learning rate 0": MINIMAL + "training:\n  learning_rate: 0\n",
    "negative lambda": MINIMAL + "training:\n  lambda: -0.5\n",
    "validation_split 1": "data:\n  train: a.csv\n  validation_split: 1.0\n"
                          "network:\n  layers: [2, 1]\n",
    "unknown activation": MINIMAL.replace("[2, 3, 1]", "[2, 3, 1]\n  activation: swish"),
    "unknown dtype": MINIMAL + "training:\n  dtype: float16\n",
    "unknown optimizer": MINIMAL + "training:\n  optimizer: adam\n",
    "negative target index": "data:\n  train: a.csv\n  target: -1\nnetwork:\n  layers: [2, 1]\n",
    "empty target list": "data:\n  train: a.csv\n  target: []\nnetwork:\n  layers: [2, 1]\n",
    "repeated target column": "data:\n  train: a.csv\n  target: [y, y]\n"
                              "network:\n  layers: [2, 1]\n",
    "epsilon 0": MINIMAL.replace("[2, 3, 1]", "[2, 3, 1]\n  init:\n    epsilon: 0"),
    "negative seed": MINIMAL.replace("[2, 3, 1]", "[2, 3, 1]\n  init:\n    seed: -1"),
    "weights a number": MINIMAL.replace("[2, 3, 1]", "[2, 3, 1]\n  init:\n    weights: 3"),
    "linear output with the default cost": MINIMAL.replace("[2, 3, 1]",
                                                           "[2, 3, 1]\n  output: linear"),
    "softmax with squared error": MINIMAL.replace(
        "[2, 3, 1]", "[2, 3, 1]\n  output: softmax\n  cost: squared_error"),
    "cross entropy with a linear output": MINIMAL.replace(
        "[2, 3, 1]", "[2, 3, 1]\n  output: linear\n  cost: cross_entropy"),
}

GOOD = {
    "minimal": MINIMAL,
    "empty optional sections": MINIMAL + "training:\noutput:\n",
    "everything set": """\
data: {train: a.csv, target: [y1, 3], test: b.csv, validation_split: 0.2, normalize: minmax}
network:
  layers: [auto, 5, 4, auto]
  activation: relu
  output: softmax
  cost: cross_entropy
  init: {epsilon: 1e-2, seed: 7, weights: w.npz}
training: {epochs: 5, learning_rate: 0.5, lambda: 0, dtype: float32, log_every: 2,
           optimizer: lbfgs}
output: {model: m.npz}
""",
    "inline weights": MINIMAL.replace("[2, 3, 1]", "[2, 1]\n  init:\n    weights:\n"
                                      "      Theta1: [[0.1, 0.2, 0.3]]"),
    "regression": MINIMAL.replace("[2, 3, 1]", "[2, 3, 1]\n  output: linear\n"
                                  "  cost: squared_error"),
    "squared error with the default sigmoid output": MINIMAL.replace(
        "[2, 3, 1]", "[2, 3, 1]\n  cost: squared_error"),
    "target by index": MINIMAL.replace("a.csv", "a.csv\n  target: 0"),
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_a_bad_config_is_rejected_by_both(text):
    assert not nnbp_accepts(text)
    assert not schema_accepts(text)


@pytest.mark.parametrize("text", GOOD.values(), ids=GOOD.keys())
def test_a_good_config_is_accepted_by_both(text):
    assert nnbp_accepts(text)
    assert schema_accepts(text)


# JSON has one kind of number and no position-from-the-end rule for arrays: there
# the schema is looser than nnbp (never stricter). Pinned so that a change shows.
LOOSER = {
    "integer written as 3.0": MINIMAL + "training:\n  epochs: 3.0\n",
    "auto in a hidden layer": "data:\n  train: a.csv\nnetwork:\n  layers: [2, auto, 1]\n",
    "target [1, '1']": "data:\n  train: a.csv\n  target: [1, '1']\nnetwork:\n  layers: [2, 1]\n",
}


@pytest.mark.parametrize("text", LOOSER.values(), ids=LOOSER.keys())
def test_where_json_schema_cannot_say_it_only_nnbp_rejects(text):
    assert not nnbp_accepts(text)
    assert schema_accepts(text)


def test_config_schema_prints_the_schema_as_json(nnbp_run):
    r = nnbp_run("config", "schema")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == config_schema()
    assert r.stderr == ""


# --- config show -------------------------------------------------------------------

@pytest.mark.parametrize("name", bundled_names())
def test_config_show_prints_every_key_with_defaults_and_absolute_paths(nnbp_run, name):
    r = nnbp_run("config", "show", name)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    shown = yaml.safe_load(r.stdout)
    assert shown == load_config(name).nested()
    flat = parse_config(r.stdout).values  # no base folder: paths are kept as printed
    assert set(flat) == {f.key for f in schema.FIELDS}
    assert Path(flat["data.train"]).is_absolute()
    assert Path(flat["data.train"]).is_file()


def test_config_show_resolves_paths_against_the_config_folder(nnbp_run, tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "c.yaml").write_text(
        "data:\n  train: ../data/x.csv\n  test: t.csv\nnetwork:\n  layers: [2, 3, 1]\n"
        "training:\n  epochs: 7\n")
    r = nnbp_run("config", "show", "cfg/c.yaml")
    assert r.returncode == 0, r.stderr
    shown = yaml.safe_load(r.stdout)
    assert shown["data"]["train"] == str((tmp_path / "data" / "x.csv").resolve())
    assert shown["data"]["test"] == str((tmp_path / "cfg" / "t.csv").resolve())
    assert shown["training"] == {"epochs": 7, "learning_rate": 1.0, "lambda": 1.0,
                                 "dtype": "float64", "log_every": 1, "optimizer": "gd",
                                 "scheduler": None, "worker_wait": 120}
    assert shown["output"] == {"model": None}
    assert "  layers: [2, 3, 1]" in r.stdout.splitlines()  # lists of numbers on one line


@pytest.mark.parametrize("name", bundled_names())
def test_what_config_show_prints_is_the_same_config(nnbp_run, tmp_path, name):
    r = nnbp_run("config", "show", name)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "shown.yaml").write_text(r.stdout)
    again = load_config(elsewhere / "shown.yaml")
    assert again.values == load_config(name).values


@pytest.mark.parametrize("name", ["xor", "lecture", "iris"])
def test_config_show_output_trains(nnbp_run, tmp_path, name):
    shown = tmp_path / "somewhere" / "shown.yaml"
    shown.parent.mkdir()
    shown.write_text(nnbp_run("config", "show", name).stdout)
    r = nnbp_run("train", shown, "--epochs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("epoch,cost")
    assert (tmp_path / "shown.npz").is_file()


def test_config_show_of_a_missing_config(nnbp_run):
    r = nnbp_run("config", "show", "iriss")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "Error: iriss: no such file, and not a bundled example (did you mean iris?); "
        "bundled examples: digits, iris, lecture, penguins, xor"]


def test_config_show_of_a_bad_config_names_file_line_and_key(nnbp_run, tmp_path):
    (tmp_path / "bad.yaml").write_text(MINIMAL + "training:\n  epochs: 0\n")
    r = nnbp_run("config", "show", "bad.yaml")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "Error: bad.yaml, line 6: training.epochs: expected an integer ≥ 1, found 0 (number)"]


def test_config_without_a_subcommand_shows_its_help(nnbp_run):
    r = nnbp_run("config")
    assert "show" in r.stdout + r.stderr and "schema" in r.stdout + r.stderr
