"""CSV files as people bring them: fields separated by commas, semicolons or
tabs (told from the first lines; a .tsv is tab), read into exactly the numbers of
the comma version, and a first row of numbers refused as a missing header."""

from __future__ import annotations

import numpy as np
import pytest

from nnbp.data.describe import first_non_numeric
from nnbp.data.header import detect_delimiter
from nnbp.data.reader import read_table as read_csv
from nnbp.errors import DataError

pytestmark = pytest.mark.usefixtures("engine")  # every test with the csv module and with Arrow

ROWS = [["x1", "x2", "label"], ["1", "20", "0"], ["3", "4", "1"], ["15", "0", "1"]]


def write(path, rows, delimiter):
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rows", [
    ROWS,  # plain integers: the vectorized reader
    [["x1", "x2", "label"], ["1.5", "-2e3", "0"], ["3", "4.25", "1"]],  # numpy's text parser
    [["x1", "x2", "label"], ["1.5", "2", "a b"], ["3", "4.25", "c"]],  # text: the csv module
], ids=["integers", "decimals", "text"])
@pytest.mark.parametrize("delimiter,suffix", [(";", ".csv"), ("\t", ".csv"), ("\t", ".tsv")])
def test_a_semicolon_or_tab_file_reads_as_its_comma_version(tmp_path, rows, delimiter, suffix):
    comma = read_csv(write(tmp_path / "comma.csv", rows, ","))
    other = read_csv(write(tmp_path / f"other{suffix}", rows, delimiter))
    assert (comma.delimiter, other.delimiter) == (",", delimiter)
    assert other.columns == comma.columns == rows[0]
    assert other.values.tobytes() == comma.values.tobytes()
    assert other.text == comma.text


@pytest.mark.parametrize("sample,suffix,expected", [
    ("a,b\n1,2\n", "", ","),
    ("a;b\n1,5;2\n", "", ";"),  # decimal commas inside: the semicolons are the fields
    ("a\tb\n1,5\t2\n", "", "\t"),
    ('name,x,y\n"a;b",1,2\n', "", ","),  # a semicolon inside a quoted field
    ("a;b;c\n1;2;3\n4;5\n", "", ";"),  # a ragged row: the header decides, the reader says where
    ("a,b\n1,2\n", ".tsv", "\t"),  # a .tsv is tab-separated whatever it holds
    ("y\n1\n2\n", "", ","),  # one column: nothing to tell, comma
])
def test_the_delimiter_is_told_from_the_header_and_first_lines(sample, suffix, expected):
    assert detect_delimiter(sample, suffix) == expected


def test_a_semicolon_file_with_decimal_commas_says_to_write_decimal_points(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x;y\n1,5;0\n2;1\n")
    table = read_csv(path)
    assert str(first_non_numeric(table, 0)) == (
        f"{path}, line 2: column 'x' holds '1,5'; expected a number; write numbers with a "
        "decimal point (3.5, not 3,5)")


def test_a_ragged_row_names_the_separator(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a;b;c\n1;2;3\n4;5\n")
    with pytest.raises(DataError) as e:
        read_csv(path)
    assert str(e.value) == (f"{path}, line 3: has 2 fields, the header has 3 (separated by "
                            "semicolons)")


@pytest.mark.parametrize("first", ["5.1,3.5,0", "1,2,0", "-1,.5,2e3"])
def test_a_first_row_of_numbers_is_not_taken_for_a_header(tmp_path, first):
    path = tmp_path / "n.csv"
    path.write_text(f"{first}\n4.9,3.0,1\n")
    with pytest.raises(DataError) as e:
        read_csv(path)
    shown = first.replace(",", ", ")
    assert str(e.value) == (
        f"{path}, line 1: the first row is all numbers ({shown}), not a header row; nnbp needs a "
        "header row naming the columns, since configs refer to columns by name: add one as the "
        "first line (e.g. x1,…,y)")


@pytest.mark.parametrize("header", ["0,1,2", "1,2,3"])
def test_the_column_names_pandas_and_r_give_are_a_header(tmp_path, header):
    path = tmp_path / "p.csv"
    path.write_text(f"{header}\n4,3,1\n")
    assert read_csv(path).columns == header.split(",")


def test_a_header_with_one_number_among_names_is_a_header(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("x,2019,y\n1,2,3\n")
    table = read_csv(path)
    assert table.columns == ["x", "2019", "y"]
    np.testing.assert_array_equal(table.values, [[1, 2, 3]])


@pytest.mark.parametrize("first, shown", [
    ("5.1,3.5,1.4,0.2,Iris-setosa", "4 of its 5 fields numbers (5.1, 3.5, 1.4, 0.2, …)"),
    ("17,2.5e3,yes", "2 of its 3 fields numbers (17, 2.5e3, yes)"),
])
def test_a_first_row_that_looks_like_data_is_not_taken_for_a_header(tmp_path, first, shown):
    # UCI's iris.data: numbers with decimals and a text label, no header row
    path = tmp_path / "n.csv"
    path.write_text(f"{first}\n4.9,3.0,1.4,0.2,Iris-setosa\n")
    with pytest.raises(DataError) as e:
        read_csv(path)
    assert str(e.value) == (
        f"{path}, line 1: the first row looks like data, {shown}, not a header row; nnbp "
        "needs a header row naming the columns, since configs refer to columns by name: add one "
        "as the first line (e.g. x1,…,y)")


@pytest.mark.parametrize("header", ["id,2019,2020,label", "id,2019,2020,2021,label",
                                    "x,0.5,label,note"])
def test_a_header_of_years_or_of_few_numbers_is_a_header(tmp_path, header):
    # whole numbers (years) are names; so is a row of numbers with a decimal point when
    # they are not more than half of it
    path = tmp_path / "h.csv"
    path.write_text(f"{header}\n" + ",".join(["1"] * header.count(",")) + ",a\n")
    assert read_csv(path).columns == header.split(",")


def test_the_same_model_from_comma_semicolon_and_tab_files(nnbp_run_all, tmp_path):
    """iris as its comma, semicolon and tab versions: Θ identical to the last bit."""
    from conftest import _REPO

    rows = [line.split(",") for line in
            (_REPO / "datasets" / "iris.csv").read_text().splitlines()]
    for name, d in (("comma.csv", ","), ("semicolon.csv", ";"), ("tab.tsv", "\t")):
        write(tmp_path / name, rows, d)
        (tmp_path / f"{name}.yaml").write_text(
            f"data: {{train: {name}, target: species}}\nnetwork: {{layers: [auto, 5, auto]}}\n"
            "training: {epochs: 50}\n")
    runs = nnbp_run_all(*[["train", f"{n}.yaml", "--quiet", "--out", f"{n}.npz"]
                          for n in ("comma.csv", "semicolon.csv", "tab.tsv")])
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr for r in runs]
    models = [np.load(tmp_path / f"{n}.npz") for n in ("comma.csv", "semicolon.csv", "tab.tsv")]
    for m in models[1:]:
        for key in ("Theta1", "Theta2", "norm_shift", "norm_scale", "classes"):
            assert m[key].tobytes() == models[0][key].tobytes(), key
    assert runs[1].stdout == runs[0].stdout == runs[2].stdout  # the same cost log


def test_an_unnamed_first_column_is_pandas_row_index_named_as_pandas_reads_it(tmp_path):
    # pandas' to_csv writes its index first, with no name; read_csv calls it "Unnamed: 0"
    path = tmp_path / "i.csv"
    path.write_text(",x,y\n0,1.5,a\n1,2.5,b\n")
    table = read_csv(path)
    assert table.columns == ["Unnamed: 0", "x", "y"]
    assert table.values[:, :2].tolist() == [[0.0, 1.5], [1.0, 2.5]]
    big = tmp_path / "big.csv"  # read by Arrow, in blocks
    big.write_text(",x,y\n" + "".join(f"{i},{i / 7!r},a\n" for i in range(20000)))
    assert read_csv(big).columns == ["Unnamed: 0", "x", "y"]
    path.write_text("x,,y\n0,1.5,a\n")  # elsewhere, an empty name is a mistake
    with pytest.raises(DataError) as e:
        read_csv(path)
    assert str(e.value) == f"{path}, line 1: the header has an empty column name (column 2)"


@pytest.mark.parametrize("rows_after", [6000, 100])
@pytest.mark.parametrize("chunked", [False, True])
def test_a_quote_never_closed_is_reported_where_it_opens(tmp_path, chunked, rows_after):
    """csv reads on past an unclosed quote, taking the lines after it into one field,
    until that field is over its size limit thousands of lines on, or to the end of a
    smaller file (which it took for one label): the error names the line with the
    quote, in memory and read in chunks alike."""
    from nnbp.data.reader import blocks

    rows = ["5.1,3.5,1.4,0.2,setosa"] * rows_after
    rows[10] = '5.4,3.7,1.5,0.2,"setosa'  # line 12 of the file, after the header
    path = tmp_path / "q.csv"
    path.write_text("a,b,c,d,species\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataError) as e:
        if chunked:
            for _ in blocks(path, chunk_bytes=3000):
                pass
        else:
            read_csv(path)
    assert e.value.line == 12
    assert str(e.value).startswith(f"{path}, line 12: a field opens a quote (\") on this "
                                   "line that is not closed, so the lines ")
    assert str(e.value).endswith(": close the quote, or remove it")


def test_a_quote_open_on_the_last_line_is_reported_there(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('a,b,y\n1,2,x\n3,4,"y\n5,6,x\n')
    with pytest.raises(DataError, match=r"line 3: a field opens a quote \(\"\) on this line "
                       r"that is not closed, so the lines after it, to the end of the file, "
                       r"were read as one value: close the quote"):
        read_csv(path)
    path.write_text('a,b,y\n1,2,x\n3,4,"y\nz"\n5,6,x\n')  # a label over two lines: fine
    assert read_csv(path).text[2] == ["x", "y\nz", "x"]
