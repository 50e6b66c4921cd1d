"""What explain reads of a data file: rows picked by number (nnbp/data/rows.py), read
no further than the block that holds the last, and the training file described in
passes that keep none of its rows (nnbp/data/summary.py), as training describes it."""

from __future__ import annotations

import numpy as np
import pytest

from nnbp.config import load_config, parse_config
from nnbp.data import rows as rows_module
from nnbp.data.describe import column_roles
from nnbp.data.header import read_header
from nnbp.data.rows import pick_rows
from nnbp.data.memory_source import load_in_memory
from nnbp.data.stats import Stats
from nnbp.data.summary import describe_file
from nnbp.errors import DataError


def same_description(a, b, rtol=0.0) -> None:
    """Two descriptions of one file: features, classes, normalization, validation rows."""
    assert (a.features, a.ignored, a.norm.kind) == (b.features, b.ignored, b.norm.kind)
    assert {k: v for k, v in a.sizes.items() if k != "test"} == b.sizes
    np.testing.assert_array_equal(a.val_rows, b.val_rows)
    assert a.target.columns == b.target.columns and a.target.K == b.target.K
    if a.target.classes is None:
        assert b.target.classes is None
    else:
        np.testing.assert_array_equal(a.target.classes, b.target.classes)
    for x, y in ((a.norm.shift, b.norm.shift), (a.norm.scale, b.norm.scale)):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=0)
    assert (a.target.scaling is None) == (b.target.scaling is None)
    if a.target.scaling is not None:
        np.testing.assert_allclose(a.target.scaling.shift, b.target.scaling.shift, rtol=rtol)
        np.testing.assert_allclose(a.target.scaling.scale, b.target.scaling.scale, rtol=rtol)


@pytest.mark.parametrize("name,overrides", [
    ("lecture", {}), ("iris", {}), ("penguins", {}), ("digits", {}),
    ("iris", {"data": {"validation_split": 0.0}}),  # the statistics of the first pass
    ("penguins", {"data": {"normalize": "minmax", "normalize_target": "standard"},
                  "network": {"output": "linear"}}),
])
def test_a_file_is_described_as_training_describes_it(name, overrides):
    """One block: the same numbers to the last bit as the rows read in memory."""
    cfg = load_config(name).override(**overrides)
    same_description(load_in_memory(cfg, cfg.network.layers[-1]).description,
                     describe_file(cfg, cfg.network.layers[-1]))


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A regression file of about 11 MB, read by Arrow in three blocks."""
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300_000, 3)) * [1.0, 10.0, 100.0] + [0.0, 5.0, -50.0]
    y = X @ [0.5, -0.2, 0.01] + rng.normal(size=len(X))
    with open(folder / "big.csv", "w") as f:
        f.write("a,b,c,y\n")
        np.savetxt(f, np.column_stack([X, y]), fmt="%.5f", delimiter=",")
    cfg = parse_config("data: {train: big.csv, target: y, validation_split: 0.1, "
                       "normalize_target: standard}\n"
                       "network: {layers: [auto, 2, 1], output: linear, cost: squared_error}\n",
                       source="big.yaml", base=folder)
    return folder, cfg, X


def test_a_large_file_is_described_a_block_at_a_time(big, monkeypatch):
    folder, cfg, X = big
    seen = []
    of = Stats.of.__func__

    def counted(cls, rows):
        seen.append(len(rows))
        return of(cls, rows)
    with monkeypatch.context() as m:
        m.setattr(Stats, "of", classmethod(counted))
        summary = describe_file(cfg, 1)
    assert len(seen) >= 6 and max(seen) < len(X) / 2  # x and y of each block, two passes
    assert sum(seen) == 2 * (len(X) - len(summary.val_rows))  # the training rows' statistics
    # block by block, the statistics of the rows in memory to rounding
    same_description(load_in_memory(cfg, 1).description, summary, rtol=1e-12)


def test_a_row_is_read_without_the_blocks_after_it(big, monkeypatch):
    folder, cfg, X = big
    header = read_header(folder / "big.csv")
    want = column_roles(cfg, header).want()
    read, blocks = [], rows_module.blocks

    def counted(*args, **kw):
        for block in blocks(*args, **kw):
            read.append(block[0].m)
            yield block
    monkeypatch.setattr(rows_module, "blocks", counted)
    picked = pick_rows(folder / "big.csv", [4, 9], want, header)
    assert len(read) == 1 and read[0] < len(X) / 2 and picked.m is None
    assert [p.m for p in picked.rows] == [1, 1]
    np.testing.assert_allclose(picked.rows[1].matrix(["a", "b", "c"])[0], X[9], atol=5e-6)
    read.clear()
    last = pick_rows(folder / "big.csv", [len(X) - 1], want, header, count=True)
    assert sum(read) == len(X) and last.m == len(X) and len(last.rows) == 1
    short = pick_rows(folder / "big.csv", [len(X)], want, header)  # past the end
    assert short.rows == [] and short.m == len(X)


def test_a_picked_row_names_its_line_and_takes_its_own_value(tmp_path, engine):
    """Row 3's text makes the block's column text; row 4's number is still a number,
    and row 3 alone is the error, at its line."""
    (tmp_path / "d.csv").write_text("f1,f2,label\n1.0,10,a\n2.0,20,b\n4.0,oops,a\n7.0,40,b\n")
    header = read_header(tmp_path / "d.csv")
    cfg = parse_config("data: {train: d.csv, target: label}\nnetwork: {layers: [auto, 2, auto]}\n",
                       source="c.yaml", base=tmp_path)
    roles = column_roles(cfg, header)
    picked = pick_rows(tmp_path / "d.csv", [2, 3], roles.want(), header)
    bad, good = picked.rows
    assert good.matrix(["f1", "f2"]).tolist() == [[7.0, 40.0]] and good.text[2] == ["b"]
    from nnbp.data.describe import check_block

    check_block(good, roles)
    with pytest.raises(DataError) as err:
        check_block(bad, roles)
    assert err.value.line == 4 and "'oops'" in err.value.message
    assert "fix that value or remove its row" in err.value.message  # the column has numbers


def test_a_parquet_row_names_its_row(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"f1": [1.0, 2.0, 4.0, 7.0], "f2": ["10", "20", "oops", "40"],
                      "label": ["a", "b", "a", "b"]})
    pq.write_table(table, tmp_path / "d.parquet", row_group_size=2)
    header = read_header(tmp_path / "d.parquet")
    cfg = parse_config("data: {train: d.parquet, target: label}\n"
                       "network: {layers: [auto, 2, auto]}\n", source="c.yaml", base=tmp_path)
    roles = column_roles(cfg, header)
    from nnbp.data.describe import check_block

    bad, good = pick_rows(tmp_path / "d.parquet", [2, 3], roles.want(), header).rows
    assert good.matrix(["f1", "f2"]).tolist() == [[7.0, 40.0]]
    with pytest.raises(DataError) as err:
        check_block(bad, roles)
    assert err.value.row == 3
