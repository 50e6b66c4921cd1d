"""Columns that are not features: `data.ignore` in training (recorded in the
model, skipped by predict and evaluate), `predict --keep` copying ids to the
output as written, a warning for a column the model does not know, and the
closest names for a misspelt column."""

from __future__ import annotations

import numpy as np
import pytest

from nnbp.model import load_model

TRAIN = ("id,region,x1,x2,y\n"
         "001,north,0.5,2,a\n002,south,1.5,3,b\n003,north,2.5,1,a\n004,east,3.5,0,b\n")
NEW = "note,x2,id,region,x1\nfirst,2,007,west,0.5\nsecond,0,010,north,3\n"


def config(folder, ignore: str = "[id, region]") -> None:
    (folder / "d.csv").write_text(TRAIN)
    (folder / "c.yaml").write_text(f"data: {{train: d.csv, target: y, ignore: {ignore}}}\n"
                                   "network: {layers: [auto, 3, auto]}\ntraining: {epochs: 20}\n")


@pytest.fixture
def trained(nnbp_run, tmp_path):
    config(tmp_path)
    r = nnbp_run("train", "c.yaml", "--quiet", "--out", "m.npz")
    assert r.returncode == 0, r.stderr
    (tmp_path / "new.csv").write_text(NEW)
    return tmp_path


def test_ignored_columns_are_not_features_and_the_model_records_them(trained):
    m = load_model(trained / "m.npz")
    assert m.feature_names == ["x1", "x2"]
    assert m.ignored == ["id", "region"]
    with np.load(trained / "m.npz") as f:
        assert f["ignored_names"].tolist() == ["id", "region"]


def test_predict_skips_ignored_columns_and_warns_once_of_an_unknown_one(nnbp_run, trained):
    r = nnbp_run("predict", "m.npz", "new.csv")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == "prediction" and len(r.stdout.splitlines()) == 3
    assert r.stderr == ("Warning: new.csv: column(s) 'note' are not features of the model; they "
                        "were left out (--keep copies columns to the output).\n")
    assert nnbp_run("predict", "m.npz", "new.csv", "--quiet").stderr == ""


def test_keep_copies_columns_as_written_ahead_of_the_predictions(nnbp_run, trained):
    plain = nnbp_run("predict", "m.npz", "new.csv", "--proba").stdout.splitlines()
    r = nnbp_run("predict", "m.npz", "new.csv", "--proba", "--keep", "id, note")
    assert (r.returncode, r.stderr) == (0, "")  # a kept column is not unknown
    lines = r.stdout.splitlines()
    assert lines[0] == "id,note," + plain[0]
    assert lines[1:] == ["007,first," + plain[1], "010,second," + plain[2]]  # 007, not 7.0


def test_keep_in_a_semicolon_file(nnbp_run, trained):
    (trained / "semi.csv").write_text(NEW.replace(",", ";"))
    a = nnbp_run("predict", "m.npz", "new.csv", "--keep", "id").stdout
    b = nnbp_run("predict", "m.npz", "semi.csv", "--keep", "id").stdout
    assert a == b and a.splitlines()[1].startswith("007,")


@pytest.mark.parametrize("keep, error", [
    ("idd", "Error: new.csv: has no column 'idd' to keep (--keep) (did you mean 'id'?); its "
            "columns are: note, x2, id, region, x1"),
    ("id,,note", "Error: --keep 'id,,note': expected distinct column names separated by "
                 "commas, such as --keep id,name"),
    ("prediction", "Error: --keep prediction: the predictions are written in a column of that "
                   "name; keep other columns, or compare with the targets by nnbp evaluate"),
    ("id,note,id", "Error: --keep 'id,note,id': column 'id' is kept twice; name each column "
                   "once"),
])
def test_bad_keep_columns(nnbp_run, trained, keep, error):
    (trained / "new.csv").write_text(NEW.replace("note", "prediction") if keep == "prediction"
                                     else NEW)
    r = nnbp_run("predict", "m.npz", "new.csv", "--keep", keep)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", error + "\n")


def test_keep_takes_a_whole_name_with_a_comma_and_may_be_given_more_than_once(nnbp_run,
                                                                             trained):
    (trained / "commas.csv").write_text('"id, long",x2,note,x1\nA,2,first,0.5\nB,0,second,3\n')
    plain = nnbp_run("predict", "m.npz", "commas.csv", "--quiet").stdout.splitlines()
    r = nnbp_run("predict", "m.npz", "commas.csv", "--keep", "id, long", "--keep", "note")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.splitlines() == ['"id, long",note,' + plain[0], "A,first," + plain[1],
                                     "B,second," + plain[2]]
    r = nnbp_run("predict", "m.npz", "commas.csv", "--keep", "note,x1", "--keep", "x2")
    assert r.stdout.splitlines()[:2] == ["note,x1,x2," + plain[0], "first,0.5,2," + plain[1]]
    r = nnbp_run("predict", "m.npz", "commas.csv", "--keep", "note,id, long")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == ("Error: commas.csv: has no column 'id' to keep (--keep); its columns "
                        "are: 'id, long', x2, note, x1; a name with a comma is kept by a --keep "
                        "of its own, such as --keep 'id, long'\n")


def test_a_missing_feature_stays_an_error(nnbp_run, trained):
    (trained / "gone.csv").write_text("id,x1\n1,2\n")
    r = nnbp_run("predict", "m.npz", "gone.csv", "--keep", "id")
    assert r.returncode == 2
    assert r.stderr.startswith("Error: gone.csv: missing feature column(s) x2 (the model's ")


def test_evaluate_skips_ignored_columns_and_warns_of_unknown_ones(nnbp_run, trained):
    (trained / "labelled.csv").write_text(TRAIN.replace("id,", "note,id,").replace("\n0", "\nx,0"))
    r = nnbp_run("evaluate", "m.npz", "labelled.csv", "--json")
    assert r.returncode == 0
    assert r.stderr == ("Warning: labelled.csv: column(s) 'note' are neither features nor the "
                        "target of the model; they were left out.\n")
    r = nnbp_run("evaluate", "m.npz", "d.csv", "--json")
    assert (r.returncode, r.stderr) == (0, "")


# --- the errors that name the fix ------------------------------------------------

@pytest.mark.parametrize("ignore, error", [
    ("[]", "Error: {d}, line 2: column 'region' holds 'north'; expected a number; to leave "
           "text columns out of the features, data.ignore: [region]"),
    ("[id]", "Error: {d}, line 2: column 'region' holds 'north'; expected a number; to leave "
             "text columns out of the features, data.ignore: [id, region]"),
    ("[idd, region]", "Error: c.yaml, line 1: data.ignore: {d}: no column named 'idd' for the "
                      "ignore list (did you mean 'id'?); columns are: id, region, x1, x2, y"),
    ("[region, y]", "Error: c.yaml, line 1: data.ignore: 'y' is the target (data.target); a "
                    "column is either the target or ignored"),
    ("[id, region, x1, x2]", "Error: {d}: has no feature columns besides the target and the "
                             "ignored columns"),
    ("id", "Error: c.yaml, line 1: data.ignore: expected a list of column names or 0-based "
           "column indexes, such as [id, region], found 'id' (string)"),
])
def test_ignore_errors(nnbp_run, tmp_path, ignore, error):
    config(tmp_path, ignore)
    r = nnbp_run("train", "c.yaml", "--quiet")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == error.format(d=tmp_path / "d.csv") + "\n"
    assert not (tmp_path / "c.npz").exists()


def test_ignore_by_index(nnbp_run, tmp_path):
    config(tmp_path, "[0, 1]")
    assert nnbp_run("train", "c.yaml", "--quiet").returncode == 0
    assert load_model(tmp_path / "c.npz").ignored == ["id", "region"]
