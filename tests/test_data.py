"""CSV data into X and Y: targets, classes, one-hot rows, normalization from the
training rows only, the seeded stratified validation split, test files, the
CSV quirks that must work, and the exact message of every CSV error."""

from __future__ import annotations

import numpy as np
import pytest

from nnbp.config import parse_config
from nnbp.data.memory_source import load_in_memory as load_data
from nnbp.errors import ConfigError, DataError
from nnbp.training.run import prepare

pytestmark = pytest.mark.usefixtures("engine")  # every test with the csv module and with Arrow


def write(path, content) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")


def config(tmp_path, *, layers="[auto, 3, auto]", data="", network="", training="",
           test=None):
    """A config over tmp_path/train.csv (and test.csv), parsed with base=tmp_path.
    ``data``/``network``/``training`` are extra lines, already indented."""
    text = ("data:\n  train: train.csv\n" + ("  test: test.csv\n" if test is not None else "")
            + data + f"network:\n  layers: {layers}\n" + network
            + ("training:\n" + training if training else ""))
    if test is not None:
        write(tmp_path / "test.csv", test)
    return parse_config(text, source="c.yaml", base=tmp_path)


def run(tmp_path, csv, **kw):
    write(tmp_path / "train.csv", csv)
    return prepare(config(tmp_path, **kw))


def data_error(tmp_path, csv, **kw) -> str:
    """The message of the DataError, with the training file's path as TRAIN
    and the test file's as TEST."""
    with pytest.raises(DataError) as info:
        run(tmp_path, csv, **kw)
    root = str(tmp_path.resolve())
    return (str(info.value).replace(f"{root}/train.csv", "TRAIN")
            .replace(f"{root}/test.csv", "TEST"))


# --- the target --------------------------------------------------------------

def test_target_by_name(tmp_path):
    r = run(tmp_path, "a,label,b\n1,x,2\n3,y,4\n5,x,6\n", data="  target: label\n  normalize: none\n")
    assert r.data.features == ["a", "b"]
    assert r.data.target.columns == ["label"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(r.data.train.Y, [[0], [1], [0]])


def test_target_by_zero_based_index(tmp_path):
    r = run(tmp_path, "c,a,b\n1,10,20\n0,30,40\n", data="  target: 0\n  normalize: none\n")
    assert r.data.features == ["a", "b"]
    assert r.data.target.columns == ["c"]
    np.testing.assert_array_equal(r.data.train.X, [[10, 20], [30, 40]])
    np.testing.assert_array_equal(r.data.train.Y, [[1], [0]])


def test_target_defaults_to_the_last_column(tmp_path):
    r = run(tmp_path, "a,b,c\n1,2,0\n3,4,1\n", data="  normalize: none\n")
    assert r.data.features == ["a", "b"]
    assert r.data.target.columns == ["c"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4]])


def test_a_list_of_columns_is_y_as_is(tmp_path):
    r = run(tmp_path, "a,y1,b,y2\n1,0.5,2,-1.5\n3,2.5,4,3.25\n",
            data="  target: [y1, y2]\n  normalize: none\n  normalize_target: none\n",
            network="  output: linear\n  cost: squared_error\n")
    assert r.data.features == ["a", "b"]
    assert r.data.target.classes is None
    assert r.data.target.K == 2
    assert r.net.sizes == (2, 3, 2)
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(r.data.train.Y, [[0.5, -1.5], [2.5, 3.25]])


def test_a_single_column_with_a_linear_output_is_regression(tmp_path):
    r = run(tmp_path, "a,y\n1,0.25\n2,7.5\n", data="  normalize_target: none\n",
            network="  output: linear\n  cost: squared_error\n")
    assert r.data.target.classes is None
    np.testing.assert_array_equal(r.data.train.Y, [[0.25], [7.5]])
    assert r.net.sizes == (1, 3, 1)


def test_a_list_of_one_hot_columns_with_sigmoid_outputs(tmp_path):
    r = run(tmp_path, "a,p,q\n1,1,0\n2,0,1\n", data="  target: [p, q]\n")
    assert r.data.target.classes is None
    np.testing.assert_array_equal(r.data.train.Y, [[1, 0], [0, 1]])


def test_string_labels_become_sorted_classes_and_one_hot_rows(tmp_path):
    r = run(tmp_path, "a,species\n1,dog\n2,cat\n3,bird\n4,cat\n5,dog\n")
    assert r.data.target.classes.tolist() == ["bird", "cat", "dog"]
    assert r.data.target.K == 3
    assert r.net.sizes == (1, 3, 3)
    np.testing.assert_array_equal(r.data.train.Y, [[0, 0, 1],
                                                   [0, 1, 0],
                                                   [1, 0, 0],
                                                   [0, 1, 0],
                                                   [0, 0, 1]])
    classes = r.data.target.classes  # each row's label, back from its one-hot row
    assert classes[r.data.train.Y.argmax(axis=1)].tolist() == ["dog", "cat", "bird", "cat", "dog"]


def test_integer_labels_are_sorted_numerically(tmp_path):
    r = run(tmp_path, "a,digit\n1,10\n2,2\n3,-1\n4,2\n")
    classes = r.data.target.classes
    assert classes.dtype.kind == "i"
    assert classes.tolist() == [-1, 2, 10]  # numbers, not strings: 10 after 2
    np.testing.assert_array_equal(r.data.train.Y, [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 0]])


def test_binary_with_one_sigmoid_unit(tmp_path):
    r = run(tmp_path, "a,answer\n1,yes\n2,no\n3,yes\n4,no\n5,no\n")
    assert r.data.target.classes.tolist() == ["no", "yes"]
    assert r.data.target.K == 1
    assert r.net.sizes == (1, 3, 1)
    # y = 1 for the second class
    np.testing.assert_array_equal(r.data.train.Y, [[1], [0], [1], [0], [0]])


def test_binary_with_two_explicit_output_units_is_one_hot(tmp_path):
    r = run(tmp_path, "a,answer\n1,yes\n2,no\n", layers="[auto, 3, 2]")
    assert r.data.target.K == 2
    np.testing.assert_array_equal(r.data.train.Y, [[0, 1], [1, 0]])


def test_binary_with_softmax_has_two_units(tmp_path):
    r = run(tmp_path, "a,answer\n1,yes\n2,no\n", network="  output: softmax\n")
    assert r.data.target.K == 2
    np.testing.assert_array_equal(r.data.train.Y, [[0, 1], [1, 0]])


def test_class_count_and_output_units_must_agree(tmp_path):
    msg = config_error(tmp_path, "a,label\n1,x\n2,y\n3,z\n", layers="[auto, 3, 4]")
    assert msg == ("c.yaml, line 4: network.layers: the output layer has 4 units but target "
                   "'label' has 3 classes (x, y, z) in TRAIN: make the last layer 3, or auto")


def test_two_classes_fit_one_sigmoid_unit_or_two(tmp_path):
    msg = config_error(tmp_path, "a,label\n1,x\n2,y\n", layers="[auto, 3, 3]")
    assert msg == ("c.yaml, line 4: network.layers: the output layer has 3 units but target "
                   "'label' has 2 classes (x, y) in TRAIN: make the last layer 1 or 2, or auto")


def test_target_columns_and_output_units_must_agree(tmp_path):
    msg = config_error(tmp_path, "a,y1,y2\n1,2,3\n", layers="[auto, 3, 3]",
                       data="  target: [y1, y2]\n",
                       network="  output: linear\n  cost: squared_error\n")
    assert msg == ("c.yaml, line 5: network.layers: the output layer has 3 units but the target "
                   "has 2 columns (y1, y2) in TRAIN: make the last layer 2, or auto")


def test_features_and_input_units_must_agree(tmp_path):
    write(tmp_path / "train.csv", "a,b,label\n1,2,x\n3,4,y\n")
    with pytest.raises(ConfigError) as info:
        prepare(config(tmp_path, layers="[3, 4, auto]"))
    assert str(info.value) == ("c.yaml, line 4: network.layers: the input layer has 3 units "
                               "but the data has 2 feature columns")


def test_explicit_sizes_that_agree(tmp_path):
    r = run(tmp_path, "a,b,label\n1,2,x\n3,4,y\n5,6,z\n", layers="[2, 4, 3]")
    assert r.net.sizes == (2, 4, 3)


def test_non_integer_numbers_are_not_class_labels(tmp_path):
    msg = data_error(tmp_path, "a,y\n1,0.5\n2,1\n")
    assert msg == ("TRAIN: target column 'y' holds non-integer numbers; class labels must be "
                   "integers or strings (for regression use network.output: linear)")


@pytest.mark.parametrize("label, shown", [("1e20", "1e+20"), ("-1e50", "-1e+50")])
def test_labels_too_large_for_a_class(tmp_path, label, shown):
    msg = data_error(tmp_path, f"a,y\n1,0\n2,{label}\n3,1\n")
    assert msg == (f"TRAIN: target column 'y' holds {shown}, too large for a class label "
                   "(integers up to 2^53, or strings)")


def test_a_single_class(tmp_path):
    msg = data_error(tmp_path, "a,label\n1,cat\n2,cat\n")
    assert msg == ("TRAIN: target column 'label' has a single class (cat); classification "
                   "needs at least 2")
    msg = data_error(tmp_path, "a,label\n1,3\n2,3\n")
    assert msg == ("TRAIN: target column 'label' has a single class (3); classification "
                   "needs at least 2")


def test_only_a_target_column(tmp_path):
    assert data_error(tmp_path, "y\n0\n1\n") == "TRAIN: has no feature columns besides the target"


# --- normalization -----------------------------------------------------------

# 12 rows, 2 classes of 6, features far from centred; column b is skewed so
# that the statistics of the training rows differ from those of all rows.
SKEWED = "a,b,label\n" + "".join(
    f"{i},{i ** 3},{'p' if i % 2 else 'q'}\n" for i in range(1, 13))
RAW = np.array([[i, i ** 3] for i in range(1, 13)], dtype=float)


def test_standard_normalization_uses_the_training_rows_only(tmp_path):
    r = run(tmp_path, SKEWED, data="  validation_split: 0.34\n  normalize: standard\n")
    d = r.data
    tr, va = d.train.rows, d.val.rows
    assert len(va) == 4  # round(0.34 · 6) = 2 of each class
    mean, std = RAW[tr].mean(axis=0), RAW[tr].std(axis=0)
    assert not np.allclose(mean, RAW.mean(axis=0))  # the test would mean nothing otherwise
    np.testing.assert_allclose(d.norm.shift, mean, rtol=1e-15)
    np.testing.assert_allclose(d.norm.scale, std, rtol=1e-15)
    np.testing.assert_allclose(d.train.X, (RAW[tr] - mean) / std, rtol=1e-14)
    np.testing.assert_allclose(d.val.X, (RAW[va] - mean) / std, rtol=1e-14)
    np.testing.assert_allclose(d.train.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.train.X.std(axis=0), 1, rtol=1e-12)
    assert d.norm.kind == "standard"


def test_minmax_normalization_uses_the_training_rows_only(tmp_path):
    r = run(tmp_path, SKEWED, data="  validation_split: 0.34\n  normalize: minmax\n",
            network="  init:\n    seed: 3\n")  # holds out the largest row
    d = r.data
    tr, va = d.train.rows, d.val.rows
    lo, hi = RAW[tr].min(axis=0), RAW[tr].max(axis=0)
    assert not (np.array_equal(lo, RAW.min(axis=0)) and np.array_equal(hi, RAW.max(axis=0)))
    np.testing.assert_array_equal(d.norm.shift, lo)
    np.testing.assert_array_equal(d.norm.scale, hi - lo)
    np.testing.assert_allclose(d.train.X, (RAW[tr] - lo) / (hi - lo), rtol=1e-15)
    np.testing.assert_allclose(d.val.X, (RAW[va] - lo) / (hi - lo), rtol=1e-15)
    assert d.train.X.min() == 0.0 and d.train.X.max() == 1.0


def test_no_normalization_leaves_x_as_written(tmp_path):
    r = run(tmp_path, SKEWED, data="  validation_split: 0.34\n  normalize: none\n")
    d = r.data
    np.testing.assert_array_equal(d.norm.shift, [0, 0])
    np.testing.assert_array_equal(d.norm.scale, [1, 1])
    np.testing.assert_array_equal(d.train.X, RAW[d.train.rows])
    np.testing.assert_array_equal(d.val.X, RAW[d.val.rows])


def test_the_test_file_is_normalized_with_the_training_statistics(tmp_path):
    r = run(tmp_path, "a,label\n1,x\n3,y\n5,x\n7,y\n", test="a,label\n4,x\n100,y\n")
    # training a: mean 4, population std √5
    np.testing.assert_allclose(r.data.norm.shift, [4.0])
    np.testing.assert_allclose(r.data.norm.scale, [np.sqrt(5.0)])
    np.testing.assert_allclose(r.data.test.X, [[0.0], [96 / np.sqrt(5.0)]])


@pytest.mark.parametrize("kind", ["standard", "minmax"])
def test_a_constant_column_is_not_divided_by_zero(tmp_path, kind):
    r = run(tmp_path, "a,k,label\n1,7,x\n2,7,y\n4,7,x\n", data=f"  normalize: {kind}\n")
    d = r.data
    assert np.isfinite(d.train.X).all()
    assert d.norm.scale[1] == 1.0
    assert d.norm.shift[1] == 7.0
    np.testing.assert_array_equal(d.train.X[:, 1], [0, 0, 0])


# --- the validation split ----------------------------------------------------

# 40 rows: 8 of class a, 12 of b, 20 of c, interleaved
STRATA = "x,label\n" + "".join(f"{i},{'abcbcacbcc'[i % 10]}\n" for i in range(40))
LABELS = np.array(["abcbcacbcc"[i % 10] for i in range(40)])  # the file's, row by row


def split(tmp_path, seed, fraction="0.25"):
    return run(tmp_path, STRATA, data=f"  validation_split: {fraction}\n",
               network=f"  init:\n    seed: {seed}\n").data


def test_the_validation_split_is_seeded(tmp_path):
    first, again = split(tmp_path, 7), split(tmp_path, 7)
    np.testing.assert_array_equal(first.val.rows, again.val.rows)
    np.testing.assert_array_equal(first.val.X, again.val.X)
    other = split(tmp_path, 8)
    assert not np.array_equal(first.val.rows, other.val.rows)


def test_the_validation_split_is_stratified(tmp_path):
    d = split(tmp_path, 3)
    counts = {c: int((LABELS == c).sum()) for c in "abc"}
    assert counts == {"a": 8, "b": 12, "c": 20}
    held = {c: int((LABELS[d.val.rows] == c).sum()) for c in "abc"}
    assert held == {c: round(0.25 * n) for c, n in counts.items()} == {"a": 2, "b": 3, "c": 5}


def test_validation_and_training_rows_are_disjoint_and_cover_the_file(tmp_path):
    d = split(tmp_path, 11)
    tr, va = set(d.train.rows.tolist()), set(d.val.rows.tolist())
    assert not tr & va
    assert tr | va == set(range(40))
    assert len(d.train.X) == 30 and len(d.val.X) == 10
    # each split's Y rows are its own rows' labels
    classes = d.target.classes
    assert classes[d.val.Y.argmax(axis=1)].tolist() == LABELS[d.val.rows].tolist()
    assert classes[d.train.Y.argmax(axis=1)].tolist() == LABELS[d.train.rows].tolist()


def test_no_validation_split_means_no_validation_rows(tmp_path):
    d = run(tmp_path, STRATA).data
    assert d.val is None
    np.testing.assert_array_equal(d.train.rows, np.arange(40))


def test_a_split_that_leaves_no_training_rows(tmp_path):
    msg = data_error(tmp_path, "x,label\n1,a\n2,a\n3,b\n4,b\n", data="  validation_split: 0.9\n")
    assert msg == "TRAIN: validation_split 0.9 of 4 rows leaves 0 training and 4 validation rows"


def test_a_split_that_leaves_no_validation_rows(tmp_path):
    msg = data_error(tmp_path, "x,label\n1,a\n2,a\n3,b\n4,b\n", data="  validation_split: 0.1\n")
    assert msg == "TRAIN: validation_split 0.1 of 4 rows leaves 4 training and 0 validation rows"


# --- the test file -----------------------------------------------------------

def test_a_test_file_with_columns_in_another_order_is_matched_by_name(tmp_path):
    r = run(tmp_path, "a,b,label\n1,10,cat\n2,20,dog\n", data="  normalize: none\n",
            test="label,b,a\ndog,40,4\ncat,30,3\n")
    np.testing.assert_array_equal(r.data.test.X, [[4, 40], [3, 30]])
    np.testing.assert_array_equal(r.data.test.Y, [[1], [0]])


def test_a_test_label_unknown_to_training(tmp_path):
    msg = data_error(tmp_path, "a,label\n1,cat\n2,dog\n", test="a,label\n1,bird\n")
    assert msg == "TEST: label bird does not occur in the training data (classes: cat, dog)"
    msg = data_error(tmp_path, "a,label\n1,0\n2,1\n", test="a,label\n1,7\n")
    assert msg == "TEST: label 7 does not occur in the training data (classes: 0, 1)"
    msg = data_error(tmp_path, "a,label\n1,0\n2,1\n", test="a,label\n1,cat\n")
    assert msg == "TEST: label cat does not occur in the training data (classes: 0, 1)"


def test_numeric_test_labels_match_string_classes(tmp_path):
    # training labels are text (because of "n/a"), the test column is all numbers
    r = run(tmp_path, "a,label\n1,2\n2,n/a\n3,10\n", test="a,label\n5,10\n6,2\n")
    assert r.data.target.classes.tolist() == ["10", "2", "n/a"]
    np.testing.assert_array_equal(r.data.test.Y, [[1, 0, 0], [0, 1, 0]])


def test_a_test_file_without_a_feature(tmp_path):
    msg = data_error(tmp_path, "a,b,label\n1,2,x\n3,4,y\n", test="a,label\n1,x\n")
    assert msg == "TEST: missing feature column(s) b"


def test_a_test_file_without_the_target(tmp_path):
    msg = data_error(tmp_path, "a,b,label\n1,2,x\n3,4,y\n", test="a,b\n1,2\n")
    assert msg == "TEST: no column named 'label' for the target; columns are: a, b"


# --- CSV files that must work ------------------------------------------------

def test_a_utf8_byte_order_mark(tmp_path):
    r = run(tmp_path, b"\xef\xbb\xbfa,b,label\n1,2,x\n3,4,y\n", data="  normalize: none\n")
    assert r.data.features == ["a", "b"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4]])


def test_crlf_line_endings(tmp_path):
    r = run(tmp_path, b"a,b,label\r\n1,2,x\r\n3,4,y\r\n", data="  normalize: none\n")
    assert r.data.target.classes.tolist() == ["x", "y"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4]])


def test_crlf_numeric_labels(tmp_path):
    r = run(tmp_path, b"a,label\r\n1,0\r\n3,1\r\n", data="  normalize: none\n")
    assert r.data.target.classes.tolist() == [0, 1]
    np.testing.assert_array_equal(r.data.train.X, [[1], [3]])


def test_quoted_fields_with_commas(tmp_path):
    r = run(tmp_path, 'a,b,label\n1,2,"Smith, John"\n3,4,"Doe, Jane"\n"5","6","Smith, John"\n',
            data="  normalize: none\n")
    assert r.data.target.classes.tolist() == ["Doe, Jane", "Smith, John"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(r.data.train.Y, [[1], [0], [1]])


def test_trailing_blank_lines(tmp_path):
    r = run(tmp_path, "a,label\n1,x\n2,y\n\n\n\n", data="  normalize: none\n")
    assert len(r.data.train.X) == 2
    r = run(tmp_path, "a,label\n1,0\n2,1\n\n\r\n  \n", data="  normalize: none\n")
    assert len(r.data.train.X) == 2


def test_spaces_around_values_and_names(tmp_path):
    r = run(tmp_path, " a , b ,  label \n 1 ,  2 , x \n3,4 ,  y\n", data="  normalize: none\n")
    assert r.data.features == ["a", "b"]
    assert r.data.target.columns == ["label"]
    assert r.data.target.classes.tolist() == ["x", "y"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4]])


def test_all_quirks_together(tmp_path):
    r = run(tmp_path, b'\xef\xbb\xbf a ,"b",label\r\n 1 , "2" ,"x, 1"\r\n3,4, y \r\n\r\n',
            data="  normalize: none\n")
    assert r.data.features == ["a", "b"]
    assert r.data.target.classes.tolist() == ["x, 1", "y"]
    np.testing.assert_array_equal(r.data.train.X, [[1, 2], [3, 4]])


# --- CSV errors --------------------------------------------------------------

def test_a_missing_file_is_an_error_at_its_key(tmp_path):
    with pytest.raises(ConfigError) as info:
        prepare(config(tmp_path))
    assert str(info.value) == f"c.yaml, line 2: data.train: {tmp_path.resolve() / 'train.csv'}: " \
                              "no such file"
    write(tmp_path / "train.csv", "a,b\n1,0\n2,1\n")
    (tmp_path / "test.csv").mkdir()
    with pytest.raises(ConfigError) as info:
        prepare(parse_config("data:\n  train: train.csv\n  test: test.csv\nnetwork:\n"
                             "  layers: [auto, 2, auto]\n", source="c.yaml", base=tmp_path))
    assert str(info.value) == f"c.yaml, line 3: data.test: {tmp_path.resolve() / 'test.csv'}: " \
                              "is a directory, not a CSV file"


def test_a_directory(tmp_path):
    (tmp_path / "train.csv").mkdir()
    with pytest.raises(ConfigError) as info:
        prepare(config(tmp_path))
    assert str(info.value) == (f"c.yaml, line 2: data.train: {tmp_path.resolve() / 'train.csv'}: "
                               "is a directory, not a CSV file")


def test_an_empty_file(tmp_path):
    assert data_error(tmp_path, "") == "TRAIN: is empty; expected a header row and data rows"
    assert data_error(tmp_path, "\n\n") == "TRAIN: is empty; expected a header row and data rows"


@pytest.mark.parametrize("csv", ["a,b,label\n", "a,b,label", "a,b,label\n\n\n", "a,b,label\r\n"])
def test_a_header_only(tmp_path, csv, recwarn):
    assert data_error(tmp_path, csv) == "TRAIN: has a header but no data rows"
    assert len(recwarn) == 0  # and numpy's "input contained no data" warning is not shown


def test_a_ragged_row(tmp_path):
    msg = data_error(tmp_path, "a,b,label\n1,2,0\n3,4\n5,6,1\n")
    assert msg == "TRAIN, line 3: has 2 fields, the header has 3 (separated by commas)"
    msg = data_error(tmp_path, "a,b,label\n1,2,x\n\n3,4,y,9\n")
    assert msg == "TRAIN, line 4: has 4 fields, the header has 3 (separated by commas)"


def test_a_non_numeric_feature_value(tmp_path):
    msg = data_error(tmp_path, "a,b,label\n1,2,0\n3,4,1\n5,oops,0\n")
    assert msg == ("TRAIN, line 4: column 'b' holds 'oops'; expected a number; fix that value "
                   "or remove its row, or leave the column out with data.ignore: [b]")


def test_an_empty_feature_value(tmp_path):
    msg = data_error(tmp_path, "a,b,label\n1,2,0\n3,,1\n")
    assert msg == ("TRAIN, line 3: column 'b' holds an empty value; expected a number; fix that "
                   "value or remove its row, or leave the column out with data.ignore: [b]")


def test_line_numbers_count_blank_lines_and_multiline_quotes(tmp_path):
    msg = data_error(tmp_path, 'a,b,label\n1,2,"two\nlines"\n\n3,x,y\n')
    assert msg.startswith("TRAIN, line 5: column 'b' holds 'x'; expected a number; ")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_nan_and_inf_values(tmp_path, value):
    msg = data_error(tmp_path, f"a,b,label\n1,2,0\n3,{value},1\n")
    assert msg == (f"TRAIN, line 3: column 'b' holds '{value}'; expected a finite number; fix "
                   "that value or remove its row, or, for a feature, leave the column out by "
                   "adding it to data.ignore")


def config_error(tmp_path, csv, **kw) -> str:
    with pytest.raises(ConfigError) as info:
        run(tmp_path, csv, **kw)
    return str(info.value).replace(f"{tmp_path.resolve()}/train.csv", "TRAIN")


def test_a_missing_target_column_lists_the_columns(tmp_path):
    msg = config_error(tmp_path, "a,b,c\n1,2,0\n3,4,1\n", data="  target: label\n")
    assert msg == ("c.yaml, line 3: data.target: TRAIN: no column named 'label' for the target; "
                   "columns are: a, b, c")


def test_a_misspelt_target_gets_the_closest_names(tmp_path):
    msg = config_error(tmp_path, "size,Class,weight\n1,a,0\n3,b,1\n", data="  target: clas\n")
    assert msg == ("c.yaml, line 3: data.target: TRAIN: no column named 'clas' for the target "
                   "(did you mean 'Class'?); columns are: size, Class, weight")


def test_a_target_index_out_of_range(tmp_path):
    msg = config_error(tmp_path, "a,b,c\n1,2,0\n3,4,1\n", data="  target: 3\n")
    assert msg == ("c.yaml, line 3: data.target: TRAIN: target index 3 is outside the 3 columns "
                   "(0-based: 0 … 2)")


def test_a_binary_file(tmp_path):
    msg = data_error(tmp_path, b"a,b,c\n1,2,0\x00\x01\x02\n3,4,1\n")
    assert msg == "TRAIN: is a binary file, not CSV text"


def test_non_utf8_bytes_are_shown_as_windows_1252_reads_them_with_the_fix(tmp_path):
    msg = data_error(tmp_path, b"a,b,label\n1,2,x\n3,4,caf\xe9 cr\xe8me\n")
    assert msg == ("TRAIN, line 3: is not UTF-8 text (byte 0xe9, '\u00e9' in Windows-1252 or "
                   "Latin-1: 'caf\u00e9'); save it as UTF-8 (in Excel: Save As, CSV UTF-8), or "
                   "convert it: iconv -f WINDOWS-1252 -t UTF-8 train.csv > train-utf8.csv")
    # a byte that Windows-1252 does not have either: no guess
    msg = data_error(tmp_path, b"a,b,label\n1,2,x\n3,4,\x81\n")
    assert msg == ("TRAIN, line 3: is not UTF-8 text (byte 0x81); save it as UTF-8 (in Excel: "
                   "Save As, CSV UTF-8)")


@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"),
                                            ("utf-16-be", "UTF-16BE"), ("utf-32", "UTF-32"),
                                            ("utf-32-le", "UTF-32LE")])
def test_utf16_and_utf32_are_named_by_their_mark_or_their_nul_bytes(tmp_path, encoding, name):
    msg = data_error(tmp_path, "a,b,label\n1,2,x\n3,4,y\n".encode(encoding))
    excel = " (Excel's Unicode Text)" if "16" in name else ""
    assert msg == (f"TRAIN: is {name} text{excel}, not UTF-8: save it as UTF-8 (in Excel: Save "
                   f"As, CSV UTF-8), or convert it: iconv -f {name} -t UTF-8 train.csv > "
                   "train-utf8.csv")


def test_an_empty_column_name(tmp_path):
    assert data_error(tmp_path, "a,,c\n1,2,0\n") == ("TRAIN, line 1: the header has an empty "
                                                     "column name (column 2)")


def test_a_duplicate_column_name(tmp_path):
    assert data_error(tmp_path, "a,b,a\n1,2,0\n") == "TRAIN, line 1: the header names column 'a' twice"


# --- dtype -------------------------------------------------------------------

def test_float32(tmp_path):
    r = run(tmp_path, "a,label\n1,x\n2,y\n3,x\n4,y\n", test="a,label\n5,x\n",
            data="  validation_split: 0.5\n", training="  dtype: float32\n")
    d = r.data
    for part in (d.train, d.val, d.test):
        assert part.X.dtype == np.float32
        assert part.Y.dtype == np.float32
    assert all(T.dtype == np.float32 for T in r.Theta.values())


def test_float64_is_the_default(tmp_path):
    r = run(tmp_path, "a,label\n1,x\n2,y\n")
    assert r.data.train.X.dtype == np.float64 and r.data.train.Y.dtype == np.float64


def test_load_data_directly(tmp_path):
    write(tmp_path / "train.csv", "a,b,label\n1,2,x\n3,4,y\n")
    d = load_data(config(tmp_path), "auto")
    assert d.features == ["a", "b"]
    assert d.target.K == 1
