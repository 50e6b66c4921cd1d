"""Property-based tests: whatever bytes or YAML a user hands nnbp, the only
exceptions that come out of the library are its own (``NnbpError`` and its
subclasses), which the CLI turns into one ``Error:`` line.  Anything else
would be a traceback, or an "internal error" line asking for a bug report.

Each test also checks something positive where it can: a config that parses
is fully validated, a CSV that reads has the shape its text says, and
numbers written with real-world quirks (BOM, CRLF, quotes, spaces, blank
lines) read back exactly.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nnbp.config import Config, load_config, parse_config
from nnbp.data.reader import read_table as read_csv
from nnbp.data.memory_source import load_in_memory as load_data
from nnbp.errors import NnbpError
from nnbp.model import save_npz_atomic
from nnbp.evaluate import evaluation_result, evaluation_sums
from nnbp.inputs import read_batch
from nnbp.predict import outputs, predictions
from nnbp.model import load_model
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare
from nnbp.schema import BY_KEY, FIELDS, SECTIONS

SETTINGS = dict(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

SCRATCH = Path()  # the module's scratch folder, set by the fixture below


@pytest.fixture(scope="module", autouse=True)
def scratch(tmp_path_factory):
    """One folder for the whole module: hypothesis runs many examples per test, and a
    function-scoped tmp_path would be shared between them anyway."""
    global SCRATCH
    SCRATCH = tmp_path_factory.mktemp("properties")


def only_our_errors(fn, *args, **kwargs):
    """Call fn; an NnbpError is a fine answer (returned), anything else fails the test."""
    try:
        return fn(*args, **kwargs)
    except NnbpError as e:
        text = str(e)
        assert text and "\n" not in text, repr(text)  # one line, for the CLI's Error: line
        return e


# --- YAML --------------------------------------------------------------------

LEAVES = sorted({k.rpartition(".")[2] for k in BY_KEY} | {s.rpartition(".")[2] for s in SECTIONS})
scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.integers()
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from(["auto", "sigmoid", "softmax", "linear", "tanh", "relu", "none",
                              "standard", "minmax", "float32", "float64", "cross_entropy",
                              "squared_error", "x.csv", "", " ", "Theta1"])
           | st.text(max_size=12))
keys = st.sampled_from(LEAVES) | st.text(max_size=8)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25)


@st.composite
def config_like(draw):
    """Mappings shaped like a config (known sections and keys, mostly), with random values."""
    doc: dict = {}
    for section in draw(st.lists(st.sampled_from(["data", "network", "training", "output",
                                                  "netwrk", "init"]), max_size=5, unique=True)):
        names = [k.rpartition(".")[2] for k in BY_KEY if k.startswith(section + ".")]
        names += ["init"] if section == "network" else []
        body = {}
        for name in draw(st.lists(st.sampled_from(names or LEAVES) | keys, max_size=6)):
            if name == "init":
                body[name] = draw(st.dictionaries(st.sampled_from(["epsilon", "seed", "weights",
                                                                    "sed"]), yaml_values,
                                                  max_size=3) | yaml_values)
            else:
                body[name] = draw(yaml_values)
        doc[section] = draw(st.just(body) | yaml_values) if draw(st.booleans()) else body
    return doc


def check_parsed(result):
    if isinstance(result, Config):  # accepted: every key there, every value valid
        assert set(result.values) == set(BY_KEY)
        for f in FIELDS:
            assert f.check(result.values[f.key]) is None, (f.key, result.values[f.key])
        parse_config(result.to_yaml(), source="round trip")  # what it writes, it reads


@settings(**SETTINGS)
@given(yaml_values)
def test_any_yaml_document_gives_a_config_or_our_error(doc):
    text = yaml.safe_dump(doc, allow_unicode=True)
    check_parsed(only_our_errors(parse_config, text, source="random.yaml"))


@settings(**SETTINGS)
@given(config_like())
@example({"data": {"train": "x.csv"}, "network": {"layers": [2, "auto"]}})
def test_config_shaped_documents_give_a_config_or_our_error(doc):
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    check_parsed(only_our_errors(parse_config, text, source="random.yaml"))


YAML_CHARS = string.printable + "ÄΘδ\u00a0\u2028\ufeff\x00\x01\x1b\x85&*!|>%@`'\"[]{}#-?:,"


@settings(**SETTINGS)
@given(st.text(alphabet=YAML_CHARS, max_size=200) | st.text(max_size=200))
@example("a: !!python/object/apply:os.system ['echo pwned']")
@example("!!python/name:os.system")
@example("[" * 2000)
@example("a: &a [*a]")
@example("\x01")
def test_any_text_gives_a_config_or_our_error(text):
    check_parsed(only_our_errors(parse_config, text, source="random.yaml"))


VALID = """\
data:
  train: x.csv
  target: [y]
network:
  layers: [2, 3, auto]
  init: {epsilon: 0.1, seed: 1, weights: {Theta1: [[1, 2, 3]]}}
training: {epochs: 5, learning_rate: 1e-1}
"""


@settings(**SETTINGS)
@given(st.data())
def test_a_valid_config_with_a_few_characters_changed(data):
    """Typos in a real config: each one gives a config or our error."""
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:i] + data.draw(st.text(alphabet=YAML_CHARS, max_size=3)) + text[i + cut:]
    check_parsed(only_our_errors(parse_config, text, source="typo.yaml"))


def test_the_valid_config_is_valid():
    assert isinstance(parse_config(VALID), Config)


@settings(**SETTINGS)
@given(st.binary(max_size=300) | st.text(alphabet=YAML_CHARS, max_size=200).map(str.encode))
@example(b"\xef\xbb\xbfdata: {train: x.csv}\nnetwork: {layers: [1, 1]}\n")
@example(b"\xff\xfed\x00a\x00")
def test_any_config_file_gives_a_config_or_our_error(content):
    check_parsed(only_our_errors(load_config, write("random.yaml", content)))


# --- CSV ---------------------------------------------------------------------

def write(name: str, content: bytes) -> Path:
    path = SCRATCH / name
    path.write_bytes(content)
    return path


def check_table(result):
    if not isinstance(result, NnbpError):
        assert result.values.ndim == 2 and result.values.shape[1] == len(result.columns)
        assert result.values.shape[0] >= 1 and all(result.columns)
        assert len(set(result.columns)) == len(result.columns)
        numeric = [j for j in range(len(result.columns)) if j not in result.text]
        assert np.isfinite(result.values[:, numeric]).all()


@settings(**SETTINGS)
@given(st.binary(max_size=400))
@example(b"\xef\xbb\xbf")
@example(b"a,b\r1,2\r")
@example(b'a,b\n"' + b"x" * 140000 + b'",1\n')
@example(b"a,b\n1,2\x00\n")
def test_any_bytes_give_a_table_or_our_error(content):
    check_table(only_our_errors(read_csv, write("bytes.csv", content)))


cells = (st.integers(-1000, 1000).map(str)
         | st.floats(allow_nan=True, allow_infinity=True).map(repr)
         | st.sampled_from(["", " ", "nan", "inf", "-inf", "1e999", "0x10", "1_0", "a", "b",
                            "cat", '"1,5"', '"a ""b"""', '"', "é", "\t3"])
         | st.text(alphabet=string.ascii_letters + string.digits + ' ,."-', max_size=5))


@st.composite
def csv_text(draw):
    """CSV-looking text: a header, rows of mixed cells (sometimes ragged), and the
    quirks of real files."""
    n = draw(st.integers(1, 4))
    header = draw(st.lists(st.sampled_from(["a", "b", "c", "y", " y ", "", '"y"', "a"]),
                           min_size=n, max_size=n) | st.just(["a", "b", "y"][:n]))
    rows = draw(st.lists(st.lists(cells, min_size=max(1, n - 1), max_size=n + 1), max_size=8))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join([",".join(header)] + [",".join(r) for r in rows])
    text += draw(st.sampled_from(["", end, end * 3, "  " + end]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return (bom + text).encode("utf-8")


@settings(**SETTINGS)
@given(csv_text())
def test_csv_looking_text_gives_a_table_or_our_error(content):
    check_table(only_our_errors(read_csv, write("text.csv", content)))


def read_by(engine: str, path: Path):
    """read_csv of the file by the csv module (a small file's engine) or by Arrow."""
    import os

    os.environ["NNBP_SMALL_CSV_BYTES"] = "0" if engine == "arrow" else str(1 << 30)
    try:
        return only_our_errors(read_csv, path)
    finally:
        del os.environ["NNBP_SMALL_CSV_BYTES"]


@settings(**SETTINGS)
@given(csv_text() | st.binary(max_size=300))
@example(b"a,b,y\n,,\n1,2,x\n")  # a row of empty fields is a blank line
@example(b'a,b\n1, "2,3"\n')  # a quoted value after a space
@example(b"a,b\n1,2\n   \n3,4\n")  # a line of spaces
@example(b'a,b,y\r\n0,",0\r\n0,",0\r\n')  # a line break inside a quoted value, CRLF
def test_the_csv_module_and_arrow_read_any_file_alike(content):
    path = write("engines.csv", content)
    by_csv, by_arrow = read_by("csv", path), read_by("arrow", path)
    if isinstance(by_csv, NnbpError) or isinstance(by_arrow, NnbpError):
        assert str(by_arrow) == str(by_csv)
        return
    assert by_arrow.columns == by_csv.columns
    assert np.array_equal(by_arrow.values, by_csv.values, equal_nan=True)
    assert by_arrow.text == by_csv.text
    assert {j: t.tolist() for j, t in by_arrow.text.items()} == \
        {j: t.tolist() for j, t in by_csv.text.items()}


OUTPUTS = [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"),
           ("linear", "squared_error"), ("sigmoid", "squared_error")]


@settings(**SETTINGS)
@given(content=csv_text() | st.binary(max_size=200),
       target=st.sampled_from([None, "y", 0, 5, "nope", ["a", "y"]]),
       pair=st.sampled_from(OUTPUTS),
       last=st.sampled_from(["auto", 1, 2, 3]),
       first=st.sampled_from(["auto", 1, 2]),
       split=st.sampled_from([0.0, 0.3, 0.9]),
       normalize=st.sampled_from(["none", "standard", "minmax"]),
       test_file=st.booleans())
def test_load_data_gives_data_or_our_error(content, target, pair, last, first, split,
                                           normalize, test_file):
    path = write("train.csv", content)
    data = {"train": str(path), "target": target, "validation_split": split,
            "normalize": normalize}
    if test_file:
        data["test"] = str(path)
    doc = {"data": data, "network": {"layers": [first, 2, last], "output": pair[0],
                                     "cost": pair[1]}}
    cfg = parse_config(yaml.safe_dump(doc), source="p.yaml")
    result = only_our_errors(load_data, cfg, last)
    if not isinstance(result, NnbpError):
        X, Y = result.train.X, result.train.Y
        assert X.shape[0] == Y.shape[0] >= 1 and np.isfinite(X).all() and np.isfinite(Y).all()
        assert X.shape[1] == len(result.features)


# --- real-world files that must work -----------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(**SETTINGS)
@given(matrix=st.integers(1, 6).flatmap(
           lambda rows: st.lists(st.lists(finite, min_size=3, max_size=3),
                                 min_size=rows, max_size=rows)),
       bom=st.booleans(), crlf=st.booleans(), quote=st.booleans(), spaces=st.booleans(),
       blank=st.integers(0, 3))
def test_numbers_with_real_world_quirks_read_back_exactly(matrix, bom, crlf, quote, spaces,
                                                          blank):
    end = "\r\n" if crlf else "\n"

    def cell(v):
        text = repr(v)
        text = f'"{text}"' if quote else text
        return f" {text} " if spaces else text

    lines = [",".join(["a", "b", "c"])] + [",".join(map(cell, row)) for row in matrix]
    content = ("\ufeff" if bom else "") + end.join(lines) + end * (1 + blank)
    table = read_csv(write("quirks.csv", content.encode()))
    assert table.columns == ["a", "b", "c"]
    assert not table.text
    np.testing.assert_array_equal(table.values, np.array(matrix))


@pytest.mark.parametrize("content", [b"x,y\n1,0\n2,1\n", b"x,y\r\n1,0\r\n2,1\r\n",
                                     b"x,y\r1,0\r2,1\r"])
def test_line_endings_of_every_kind(content):
    table = read_csv(write("ends.csv", content))
    assert table.columns == ["x", "y"] and table.values.tolist() == [[1, 0], [2, 1]]


# --- a saved model on random data (evaluate, predict) -----------------------

def xor_model():
    """A model of x1, x2 -> y (classes 0 and 1), trained a few epochs, read back."""
    if not (SCRATCH / "model.npz").exists():
        (SCRATCH / "xor.csv").write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
        cfg = parse_config("data: {train: xor.csv}\nnetwork: {layers: [auto, 3, auto]}\n",
                           base=SCRATCH, name="xor")
        trainer = GradientDescent(prepare(cfg), epochs=3, learning_rate=1.0, lam=0.0)
        for _ in trainer:
            pass
        save_npz_atomic(SCRATCH / "model.npz", trainer.model())
    return load_model(SCRATCH / "model.npz")


@st.composite
def model_csv(draw):
    """CSVs with (mostly) the model's columns, in any order, and random cells."""
    columns = draw(st.permutations(["x1", "x2", "y"]) | st.lists(
        st.sampled_from(["x1", "x2", "y", "z", "x1"]), min_size=1, max_size=4))
    rows = draw(st.lists(st.lists(cells | st.sampled_from(["0", "1", "2", "0.5"]),
                                  min_size=len(columns), max_size=len(columns)), max_size=5))
    return "\n".join(",".join(r) for r in [columns] + rows).encode()


@settings(**SETTINGS)
@given(content=model_csv() | csv_text() | st.binary(max_size=100),
       with_target=st.booleans(), proba=st.booleans())
def test_evaluate_and_predict_give_results_or_our_error(content, with_target, proba):
    model = xor_model()
    batch = only_our_errors(read_batch, model, write("new.csv", content),
                            with_target=with_target)
    if isinstance(batch, NnbpError):
        return
    assert np.isfinite(batch.X).all()
    header, rows = predictions(model, outputs(model, batch.X), proba)
    assert len(rows) == len(batch.X) and all(len(r) == len(header) for r in rows)
    if with_target:
        result = evaluation_result(model, evaluation_sums(model, batch))
        assert 0 <= result["accuracy"] <= 1 and np.isfinite(result["cost"])

