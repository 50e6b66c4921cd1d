"""The config file: defaults, every validation rule, safe loading, paths, bundled names.

Each rule has a test that trips it and checks the whole message, with the line
where the message has one (README, "Config" and "Exit codes").
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from nnbp import schema
from nnbp.config import (Config, bundled_dir, bundled_names, load_config, parse_config,
                         section_keys)
from nnbp.errors import ConfigError

MINIMAL = """\
data:
  train: a.csv
network:
  layers: [2, 3, 1]
"""


def error(text: str) -> ConfigError:
    """The ConfigError that parsing ``text`` (as c.yaml) raises."""
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="c.yaml")
    return info.value


def with_section(section: str, body: str) -> str:
    """MINIMAL plus one more section, e.g. with_section("training", "epochs: 0")
    puts ``epochs: 0`` on line 6."""
    return MINIMAL + f"{section}:\n  {body}\n"


# --- defaults and required keys ---------------------------------------------

def test_defaults_are_filled_for_every_key_of_the_schema():
    cfg = parse_config(MINIMAL)
    assert set(cfg.values) == {f.key for f in schema.FIELDS}
    for f in schema.FIELDS:
        if not f.required:
            assert cfg.values[f.key] == f.default, f.key


def test_the_typed_sections_read_every_key_of_the_schema_and_nothing_else():
    keys = section_keys()
    assert sorted(keys) == sorted(f.key for f in schema.FIELDS) and len(set(keys)) == len(keys)
    cfg = parse_config(MINIMAL + "  init:\n    seed: 4\ntraining:\n  lambda: 0.25\n")
    assert (cfg.training.lam, cfg.network.init.seed, cfg.training.epochs) == (0.25, 4, 1000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.training.epochs = 3


def test_the_defaults_are_the_ones_the_spec_names():
    cfg = parse_config(MINIMAL)
    assert {k: v for k, v in cfg.values.items() if k not in ("data.train", "network.layers")} == {
        "data.target": None, "data.ignore": [], "data.test": None,
        "data.validation_split": 0.0, "data.normalize": "standard",
        "data.normalize_target": "standard", "data.stream": "auto",
        "network.activation": "sigmoid", "network.output": "sigmoid",
        "network.cost": "cross_entropy", "network.init.epsilon": "auto",
        "network.init.seed": 0, "network.init.weights": None,
        "training.epochs": 1000, "training.learning_rate": 1.0, "training.lambda": 1.0,
        "training.dtype": "float64", "training.log_every": 1, "training.optimizer": "gd",
        "training.scheduler": None, "training.worker_wait": 120,
        "output.model": None,
    }
    assert cfg.data.train == "a.csv"  # no base folder given: left as written
    assert cfg.network.layers == [2, 3, 1]


def test_an_empty_section_means_all_its_defaults():
    cfg = parse_config(MINIMAL + "training:\noutput:\n")
    assert cfg.training.epochs == 1000
    assert cfg.output.model is None


def test_data_train_is_required():
    e = error("network:\n  layers: [2, 1]\n")
    assert str(e) == "c.yaml: data.train is required (CSV of training examples, with a header row)"


def test_network_layers_is_required():
    e = error("data:\n  train: a.csv\n")
    assert str(e) == ("c.yaml: network.layers is required (units per layer s_1 … s_L; "
                      "s_1 and s_L may be auto)")


# --- unknown keys and "did you mean" ----------------------------------------

def test_a_misspelled_section_suggests_the_section():
    e = error(with_section("trainig", "epochs: 5"))
    assert str(e) == "c.yaml, line 5: unknown key trainig (did you mean training?)"
    assert e.line == 5


def test_a_misspelled_key_suggests_the_dotted_key():
    e = error(with_section("training", "learning_rat: 0.1"))
    assert str(e) == ("c.yaml, line 6: unknown key training.learning_rat "
                      "(did you mean training.learning_rate?)")
    assert e.line == 6


def test_a_key_in_the_wrong_section_suggests_where_it_belongs():
    e = error("data:\n  train: a.csv\nnetwork: {layers: [2, 1], epochs: 5}\n")
    assert str(e) == "c.yaml, line 3: unknown key network.epochs (did you mean training.epochs?)"
    e = error(MINIMAL + "  epochs: 5\n")
    assert str(e) == "c.yaml, line 5: unknown key network.epochs (did you mean training.epochs?)"


def test_a_misspelled_key_in_the_wrong_section_is_found():
    e = error(with_section("training", "sed: 3"))
    assert str(e) == "c.yaml, line 6: unknown key training.sed (did you mean network.init.seed?)"


def test_a_section_at_the_wrong_level_suggests_its_place():
    e = error(MINIMAL + "init:\n  seed: 3\n")
    assert str(e) == "c.yaml, line 5: unknown key init (did you mean network.init?)"


def test_an_unknown_key_with_nothing_close_lists_the_allowed_keys():
    e = error(MINIMAL + "  foo: 1\n")
    assert str(e) == ("c.yaml, line 5: unknown key network.foo; allowed here: network.layers, "
                      "network.activation, network.output, network.cost, network.init")
    e = error(MINIMAL + "zebra: 1\n")
    assert str(e) == ("c.yaml, line 5: unknown key zebra; allowed here: data, network, "
                      "output, training")


def test_a_section_that_is_not_a_mapping():
    e = error("data: 5\nnetwork:\n  layers: [2, 1]\n")
    assert str(e) == "c.yaml, line 1: data must be a mapping of keys, found 5 (number)"


# --- wrong types -------------------------------------------------------------

def test_a_string_is_not_an_integer():
    e = error(with_section("training", "epochs: '5'"))
    assert str(e) == "c.yaml, line 6: training.epochs: expected an integer ≥ 1, found '5' (string)"
    e = error(with_section("training", "epochs: five"))
    assert str(e) == ("c.yaml, line 6: training.epochs: expected an integer ≥ 1, "
                      "found 'five' (string)")


def test_a_float_is_not_an_integer():
    e = error(with_section("training", "epochs: 10.5"))
    assert str(e) == "c.yaml, line 6: training.epochs: expected an integer ≥ 1, found 10.5 (number)"


def test_a_boolean_is_not_a_number():
    e = error(with_section("training", "lambda: true"))
    assert str(e) == "c.yaml, line 6: training.lambda: expected a number ≥ 0, found True (boolean)"
    e = error(with_section("training", "epochs: yes"))  # YAML 1.1: yes is a boolean
    assert str(e) == ("c.yaml, line 6: training.epochs: expected an integer ≥ 1, "
                      "found True (boolean)")


def test_a_null_value_is_not_a_number():
    e = error(with_section("training", "learning_rate:"))
    assert str(e) == "c.yaml, line 6: training.learning_rate: expected a number > 0, found null"


def test_infinity_and_nan_are_not_numbers():
    e = error(with_section("training", "lambda: .inf"))
    assert str(e) == "c.yaml, line 6: training.lambda: expected a number ≥ 0, found inf (number)"
    e = error(with_section("training", "learning_rate: .nan"))
    assert str(e) == ("c.yaml, line 6: training.learning_rate: expected a number > 0, "
                      "found nan (number)")


# --- out of range ------------------------------------------------------------

@pytest.mark.parametrize("section, body, message", [
    ("training", "learning_rate: -0.1",
     "training.learning_rate: expected a number > 0, found -0.1 (number)"),
    ("training", "learning_rate: 0",
     "training.learning_rate: expected a number > 0, found 0 (number)"),
    ("training", "lambda: -1",
     "training.lambda: expected a number ≥ 0, found -1 (number)"),
    ("training", "epochs: 0",
     "training.epochs: expected an integer ≥ 1, found 0 (number)"),
    ("training", "log_every: 0",
     "training.log_every: expected an integer ≥ 1, found 0 (number)"),
])
def test_out_of_range_training_values(section, body, message):
    assert str(error(with_section(section, body))) == "c.yaml, line 6: " + message


@pytest.mark.parametrize("split", ["1.0", "-0.1", "1"])
def test_validation_split_must_be_in_0_1(split):
    e = error(f"data:\n  train: a.csv\n  validation_split: {split}\nnetwork:\n  layers: [2, 1]\n")
    assert str(e) == (f"c.yaml, line 3: data.validation_split: expected a number ≥ 0 and < 1, "
                      f"found {float(split) if '.' in split else int(split)} (number)")


def test_validation_split_just_below_1_is_allowed():
    cfg = parse_config("data:\n  train: a.csv\n  validation_split: 0.99\n"
                       "network:\n  layers: [2, 1]\n")
    assert cfg.data.validation_split == 0.99


def test_a_negative_seed():
    e = error(MINIMAL + "  init:\n    seed: -1\n")
    assert str(e) == "c.yaml, line 6: network.init.seed: expected an integer ≥ 0, found -1 (number)"


@pytest.mark.parametrize("value, shown", [("0", "0 (number)"), ("-0.1", "-0.1 (number)"),
                                          ("big", "'big' (string)")])
def test_epsilon_must_be_auto_or_positive(value, shown):
    e = error(MINIMAL + f"  init:\n    epsilon: {value}\n")
    assert str(e) == f"c.yaml, line 6: network.init.epsilon: expected auto or a number > 0, found {shown}"


def test_epsilon_may_be_a_number():
    cfg = parse_config(MINIMAL + "  init:\n    epsilon: 0.12\n")
    assert cfg.network.init.epsilon == 0.12


# --- choices -----------------------------------------------------------------

def test_softmax_is_not_a_hidden_activation():
    e = error(MINIMAL + "  activation: softmax\n")
    assert str(e) == ("c.yaml, line 5: network.activation: expected one of sigmoid, tanh, relu, "
                      "found 'softmax' (string)")


def test_an_unknown_normalization_lists_the_allowed_ones():
    e = error("data:\n  train: a.csv\n  normalize: zscore\nnetwork:\n  layers: [2, 1]\n")
    assert str(e) == ("c.yaml, line 3: data.normalize: expected one of none, standard, minmax, "
                      "found 'zscore' (string)")


def test_an_unknown_optimizer_lists_the_allowed_ones():
    e = error(with_section("training", "optimizer: adam"))
    assert str(e) == ("c.yaml, line 6: training.optimizer: expected one of gd, lbfgs, cg, "
                      "found 'adam' (string)")
    assert parse_config(with_section("training", "optimizer: cg")).training.optimizer == "cg"


def test_an_unknown_dtype_lists_the_allowed_ones():
    e = error(with_section("training", "dtype: float16"))
    assert str(e) == ("c.yaml, line 6: training.dtype: expected one of float64, float32, "
                      "found 'float16' (string)")


def test_an_unknown_output_and_cost():
    e = error(MINIMAL + "  output: tanh\n")
    assert str(e) == ("c.yaml, line 5: network.output: expected one of sigmoid, softmax, linear, "
                      "found 'tanh' (string)")
    e = error(MINIMAL + "  cost: hinge\n")
    assert str(e) == ("c.yaml, line 5: network.cost: expected one of cross_entropy, "
                      "squared_error, found 'hinge' (string)")


# --- output / cost pairs -----------------------------------------------------

def test_softmax_with_squared_error_is_refused_naming_both():
    e = error(MINIMAL + "  output: softmax\n  cost: squared_error\n")
    assert str(e) == ("c.yaml, line 6: network.cost: squared_error does not pair with a softmax "
                      "output (it pairs with: sigmoid, linear)")


def test_linear_with_cross_entropy_is_refused_naming_both():
    e = error(MINIMAL + "  output: linear\n  cost: cross_entropy\n")
    assert str(e) == ("c.yaml, line 6: network.cost: cross_entropy does not pair with a linear "
                      "output (it pairs with: sigmoid, softmax)")


def test_linear_output_alone_trips_the_default_cost():
    # the cost is not written, so the message names the key without a line
    e = error(MINIMAL + "  output: linear\n")
    assert str(e) == ("c.yaml: network.cost: cross_entropy does not pair with a linear output "
                      "(it pairs with: sigmoid, softmax)")


@pytest.mark.parametrize("output, cost", [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"),
                                          ("sigmoid", "squared_error"), ("linear", "squared_error")])
def test_the_good_pairs(output, cost):
    cfg = parse_config(MINIMAL + f"  output: {output}\n  cost: {cost}\n")
    assert (cfg.network.output, cfg.network.cost) == (output, cost)


# --- layers ------------------------------------------------------------------

LAYERS_RULE = ("expected a list of at least 2 layer sizes (integers ≥ 1; the first and last "
               "may be auto)")


@pytest.mark.parametrize("layers, shown", [
    ("[2]", "[2] (list)"),
    ("[2, auto, 1]", "[2, 'auto', 1] (list)"),
    ("[2, 0, 1]", "[2, 0, 1] (list)"),
    ("[2, -3, 1]", "[2, -3, 1] (list)"),
    ("[2, 2.5, 1]", "[2, 2.5, 1] (list)"),
    ("5", "5 (number)"),
])
def test_layers_rules(layers, shown):
    e = error(f"data:\n  train: a.csv\nnetwork:\n  layers: {layers}\n")
    assert str(e) == f"c.yaml, line 4: network.layers: {LAYERS_RULE}, found {shown}"
    assert e.line == 4


def test_auto_at_both_ends_is_allowed():
    cfg = parse_config("data:\n  train: a.csv\nnetwork:\n  layers: [auto, 4, auto]\n")
    assert cfg.network.layers == ["auto", 4, "auto"]


# --- target and weights ------------------------------------------------------

@pytest.mark.parametrize("target, value", [("species", "species"), ("0", 0), ("[y1, y2]", ["y1", "y2"]),
                                           ("[3, y]", [3, "y"])])
def test_good_targets(target, value):
    cfg = parse_config(f"data:\n  train: a.csv\n  target: {target}\nnetwork:\n  layers: [2, 1]\n")
    assert cfg.data.target == value


def test_bad_targets():
    rule = "a column name, a 0-based column index, a list of columns, or null (last column)"
    e = error("data:\n  train: a.csv\n  target: -1\nnetwork:\n  layers: [2, 1]\n")
    assert str(e) == f"c.yaml, line 3: data.target: expected {rule}, found -1 (number)"
    e = error("data:\n  train: a.csv\n  target: [y, y]\nnetwork:\n  layers: [2, 1]\n")
    assert str(e) == ("c.yaml, line 3: data.target: expected a list of distinct columns, "
                      "found ['y', 'y'] (list)")


def test_inline_weights_and_bad_weights():
    cfg = parse_config(MINIMAL + "  init:\n    weights: {Theta1: [[0.1, 0.2, 0.3]]}\n")
    assert cfg.network.init.weights == {"Theta1": [[0.1, 0.2, 0.3]]}
    e = error(MINIMAL + "  init:\n    weights: 5\n")
    assert str(e) == ("c.yaml, line 6: network.init.weights: expected null, the path of an .npz "
                      "holding Theta1 …, or a mapping Theta1: [[…], …], found 5 (number)")


# --- YAML itself -------------------------------------------------------------

def test_a_yaml_syntax_error_reports_line_and_column():
    e = error("data:\n  train: a.csv\n network: x\n")
    assert str(e) == ("c.yaml, line 3: invalid YAML, column 2: expected <block end>, "
                      "but found '<block mapping start>'")
    assert e.line == 3


def test_an_unclosed_bracket_reports_where_yaml_noticed():
    e = error("data:\n  train: a.csv\nnetwork:\n  layers: [2, 3, 1\ntraining:\n  epochs: 5\n")
    assert str(e) == ("c.yaml, line 5: invalid YAML, column 9: expected ',' or ']', but got ':' "
                      "(while parsing a flow sequence that starts on line 4, column 11)")
    assert e.line == 5


def test_an_unclosed_quote_says_where_it_was_opened():
    e = error('data:\n  train: "a.csv\nnetwork:\n  layers: [2, 1]\n')
    assert str(e) == ("c.yaml, line 5: invalid YAML, column 1: found unexpected end of stream "
                      "(while scanning a quoted scalar that starts on line 2, column 10)")


def test_a_tab_in_the_indentation():
    e = error("data:\n\ttrain: a.csv\n")
    assert str(e) == ("c.yaml, line 2: invalid YAML, column 1: found character '\\t' that "
                      "cannot start any token")


def test_a_duplicate_key():
    e = error("data:\n  train: a.csv\n  train: b.csv\nnetwork:\n  layers: [2, 1]\n")
    assert str(e) == "c.yaml, line 3: duplicate key data.train"
    assert e.line == 3


def test_a_duplicate_section():
    e = error(MINIMAL + "data:\n  test: b.csv\n")
    assert str(e) == "c.yaml, line 5: duplicate key data"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_an_empty_file(text):
    assert str(error(text)) == ("c.yaml: is empty; a config needs at least data.train and "
                                "network.layers")


def test_a_file_that_is_a_list():
    assert str(error("- data\n- network\n")) == ("c.yaml, line 1: must be a mapping of sections "
                                                 "(data, network, training, output), found a list")


def test_a_file_that_is_a_scalar():
    assert str(error("hello\n")) == ("c.yaml, line 1: must be a mapping of sections "
                                     "(data, network, training, output), found a string")
    assert str(error("42\n")) == ("c.yaml, line 1: must be a mapping of sections "
                                  "(data, network, training, output), found a number")


def test_exponent_without_a_dot_is_a_float():
    cfg = parse_config(with_section("training", "learning_rate: 1e-4"))
    assert cfg.training.learning_rate == 1e-4
    assert isinstance(cfg.training.learning_rate, float)
    cfg = parse_config(with_section("training", "lambda: 5E+2"))
    assert cfg.training.lam == 500.0
    cfg = parse_config(MINIMAL + "  init:\n    epsilon: 2e-1\n")
    assert cfg.network.init.epsilon == 0.2


def test_an_exponent_float_is_still_not_an_integer():
    e = error(with_section("training", "epochs: 1e3"))
    assert str(e) == ("c.yaml, line 6: training.epochs: expected an integer ≥ 1, "
                      "found 1000.0 (number)")


def test_python_tags_are_refused_and_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.yaml"
    path.write_text(MINIMAL + 'training:\n  epochs: !!python/object/apply:os.system '
                    '["echo hacked > X"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (f"{path}, line 6: invalid YAML, column 11: could not determine a "
                               "constructor for the tag "
                               "'tag:yaml.org,2002:python/object/apply:os.system'")
    assert not (tmp_path / "X").exists()
    assert list(tmp_path.iterdir()) == [path]


def test_a_whole_file_python_tag_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        parse_config('!!python/object/apply:os.system ["echo hacked > X"]\n', source="c.yaml")
    assert str(info.value).startswith("c.yaml, line 1: invalid YAML, column 1: could not "
                                      "determine a constructor for the tag")
    assert not (tmp_path / "X").exists()


# --- files, paths and bundled examples ---------------------------------------

def test_paths_are_resolved_relative_to_the_config_file(tmp_path, monkeypatch):
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "run.yaml").write_text(
        "data:\n  train: ../data/train.csv\n  test: test.csv\n"
        "network:\n  layers: [2, 1]\n  init:\n    weights: w/init.npz\n"
        "output:\n  model: ../models/out.npz\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = load_config("../configs/run.yaml")
    root = tmp_path.resolve()
    assert cfg.data.train == str(root / "data" / "train.csv")
    assert cfg.data.test == str(root / "configs" / "test.csv")
    assert cfg.network.init.weights == str(root / "configs" / "w" / "init.npz")
    assert cfg.output.model == str(root / "models" / "out.npz")
    assert cfg.name == "run"
    assert cfg.source == "../configs/run.yaml"


def test_absolute_paths_are_kept(tmp_path):
    cfg = parse_config(f"data:\n  train: {tmp_path / 'x.csv'}\nnetwork:\n  layers: [2, 1]\n",
                       base=Path("/somewhere/else"))
    assert cfg.data.train == str(tmp_path / "x.csv")


def test_parse_config_with_a_base_folder(tmp_path):
    cfg = parse_config(MINIMAL, base=tmp_path)
    assert cfg.data.train == str(tmp_path.resolve() / "a.csv")


def test_a_missing_file_lists_the_bundled_examples(tmp_path):
    path = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (f"{path}: no such file, and not a bundled example; "
                               f"bundled examples: {', '.join(bundled_names())}")


def test_a_directory_is_not_a_config(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a config file"


def test_an_empty_config_file(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (f"{path}: is empty; a config needs at least data.train and "
                               "network.layers")


def test_a_config_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"data:\n  train: caf\xe9.csv\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: is not UTF-8 text; is it the right file?"


def test_a_config_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_config(path).network.layers == [2, 3, 1]


def test_the_bundled_examples_are_there():
    assert {"xor", "iris", "digits", "lecture"} <= set(bundled_names())


def test_a_bundled_example_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # works from any folder
    cfg = load_config("digits")
    assert cfg.name == "digits"
    assert cfg.data.train == str((bundled_dir("datasets") / "digits-train.csv").resolve())
    assert Path(cfg.data.train).is_file()
    assert cfg.data.target == "digit"
    assert cfg.network.layers == ["auto", 25, "auto"]


def test_a_config_of_the_same_name_in_the_working_folder_comes_before_the_bundled_one(
        tmp_path, monkeypatch):
    # `nnbp init iris.yaml` then `nnbp train iris`: the user's own file, whose model
    # would otherwise be overwritten by the bundled example's (both iris.npz)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "iris.csv").write_text("a,b,y\n1,2,0\n2,1,1\n")
    (tmp_path / "iris.yaml").write_text("data: {train: iris.csv}\nnetwork: {layers: [2, 1]}\n")
    cfg = load_config("iris")
    assert cfg.data.train == str(tmp_path.resolve() / "iris.csv") and cfg.name == "iris"
    (tmp_path / "mine.yml").write_text("data: {train: iris.csv}\nnetwork: {layers: [2, 1]}\n")
    assert load_config("mine").name == "mine"  # the suffix may be left out, .yml too


def test_a_misspelled_bundled_name_suggests_the_right_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_config("digts")
    assert str(info.value) == ("digts: no such file, and not a bundled example (did you mean "
                               f"digits?); bundled examples: {', '.join(bundled_names())}")


@pytest.mark.parametrize("name", ["xor", "iris", "digits", "lecture"])
def test_every_bundled_example_validates(name):
    cfg = load_config(name)
    assert Path(cfg.data.train).is_file()


# --- replace, to_yaml, line numbers ------------------------------------------

def test_override_returns_a_validated_copy():
    cfg = parse_config(MINIMAL)
    new = cfg.override(training={"epochs": 5, "learning_rate": 0.5})
    assert (new.training.epochs, new.training.learning_rate) == (5, 0.5)
    assert cfg.training.epochs == 1000  # the original is unchanged
    assert isinstance(new, Config) and new.source == cfg.source


@pytest.mark.parametrize("sections, message", [
    ({"training": {"epochs": 0}}, "training.epochs (set on the command line): expected an "
                                  "integer ≥ 1, found 0"),
    ({"training": {"learning_rate": -1.0}}, "training.learning_rate (set on the command line): "
                                            "expected a number > 0, found -1.0"),
    ({"training": {"lam": True}}, "training.lambda (set on the command line): expected a number "
                                  "≥ 0, found True"),
    ({"network": {"init": {"seed": -2}}}, "network.init.seed (set on the command line): expected "
                                          "an integer ≥ 0, found -2"),
])
def test_override_refuses_bad_values(sections, message):
    cfg = parse_config(MINIMAL)
    with pytest.raises(ConfigError) as info:
        cfg.override(**sections)
    assert str(info.value) == message


def test_override_checks_the_output_cost_pair():
    cfg = parse_config(MINIMAL, source="c.yaml")
    with pytest.raises(ConfigError) as info:
        cfg.override(network={"output": "softmax", "cost": "squared_error"})
    assert str(info.value) == ("c.yaml: network.cost: squared_error does not pair with a "
                               "softmax output (it pairs with: sigmoid, linear)")


FULL = """\
data:
  train: train.csv
  target: [y1, y2]
  test: test.csv
  validation_split: 0.25
  normalize: minmax
network:
  layers: [auto, 7, 5, auto]
  activation: tanh
  output: linear
  cost: squared_error
  init:
    epsilon: 0.05
    seed: 42
    weights: {Theta1: [[0.5, -1.0e-4]], Theta2: [[1, 2]]}
training:
  epochs: 12
  learning_rate: 3e-3
  lambda: 0.0
  dtype: float32
  log_every: 4
output:
  model: out/model.npz
"""


def test_to_yaml_round_trips_to_the_same_values(tmp_path):
    cfg = parse_config(FULL, base=tmp_path)
    again = parse_config(cfg.to_yaml(), base=tmp_path / "anywhere")  # paths are absolute now
    assert again.values == cfg.values
    assert cfg.training.learning_rate == 0.003
    assert cfg.data.train == str(tmp_path.resolve() / "train.csv")


def test_to_yaml_of_the_defaults_round_trips():
    cfg = parse_config(MINIMAL)
    assert parse_config(cfg.to_yaml()).values == cfg.values


def test_to_yaml_is_nested_like_the_file():
    cfg = parse_config(MINIMAL)
    nested = cfg.nested()
    assert list(nested) == ["data", "network", "training", "output"]
    assert nested["network"]["init"] == {"epsilon": "auto", "seed": 0, "weights": None}


def test_the_error_line_points_at_the_key():
    e = error(FULL.replace("    seed: 42", "    seed: -42"))
    assert e.line == 14
    assert str(e) == "c.yaml, line 14: network.init.seed: expected an integer ≥ 0, found -42 (number)"
    e = error(FULL.replace("  dtype: float32", "  dtype: float8"))
    assert e.line == 20


def test_the_error_line_counts_comments_and_blank_lines():
    e = error("# a comment\n\ndata:\n  train: a.csv   # the data\n\n# more\nnetwork:\n"
              "  layers: [2, 1]\ntraining: {epochs: 3,\n  lambda: -1}\n")
    assert e.line == 10
    assert str(e) == "c.yaml, line 10: training.lambda: expected a number ≥ 0, found -1 (number)"


def test_the_lines_are_recorded_for_every_key():
    cfg = parse_config(FULL)
    assert cfg.lines["data.train"] == 2
    assert cfg.lines["network.init.weights"] == 15
    assert cfg.lines["output.model"] == 23
    err = cfg.error("training.epochs", "too many")
    assert (err.line, str(err)) == (17, "<config>, line 17: training.epochs: too many")
