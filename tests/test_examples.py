"""The bundled examples learn what they are there to show, run as a user runs
them: ``nnbp train NAME --log-format jsonl`` from a folder outside the checkout,
with each config's own epochs, reading the last log row.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent

# name -> the least each column of the last log row must reach
TARGETS = {
    "digits": {"accuracy": 0.97, "test_accuracy": 0.93},
    "iris": {"val_accuracy": 0.95},
    "xor": {"accuracy": 1.0},
    "lecture": {"accuracy": 1.0},
    "penguins": {},  # a regression: its fit in grams is checked by evaluate below
}


def checkout_files() -> dict[str, int]:
    """The checkout's own files (not caches or environments), with their modification times."""
    skip = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist"}
    return {str(p.relative_to(REPO)): p.stat().st_mtime_ns for p in REPO.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(REPO).parts)}


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory, nnbp_runner):
    """Each bundled example trained with its defaults, side by side, each in a fresh
    folder outside the checkout: name -> (folder, finished process)."""
    base = tmp_path_factory.mktemp("examples")
    assert REPO not in base.resolve().parents
    before = checkout_files()
    folders = {name: base / name for name in TARGETS}
    for folder in folders.values():
        folder.mkdir()
    with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
        futures = {name: pool.submit(nnbp_runner, "train", name, "--log-format", "jsonl",
                                     cwd=folders[name])
                   for name in TARGETS}
        runs = {name: (folders[name], f.result()) for name, f in futures.items()}
    runs["checkout"] = (before, checkout_files())
    return runs


def test_examples_run_outside_the_checkout_and_leave_it_as_it_was(example_runs):
    """A bundled example found from any folder, its config and data read in place,
    and nothing written beside them: every file of the checkout as it was."""
    before, after = example_runs["checkout"]
    assert after == before


@pytest.mark.parametrize("name", TARGETS)
def test_bundled_example_learns(example_runs, name):
    folder, r = example_runs[name]
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    last = rows[-1]

    default_epochs = yaml.safe_load((REPO / "configs" / f"{name}.yaml").read_text())[
        "training"]["epochs"]
    assert last["epoch"] == default_epochs
    for column, least in TARGETS[name].items():
        assert last[column] >= least, (name, column, last[column])
    assert last["cost"] < rows[0]["cost"]

    # The model lands in the working directory, under the example's name.
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.npz"]
    with np.load(folder / f"{name}.npz", allow_pickle=False) as m:
        assert int(m["epochs"]) == default_epochs
        assert float(m["cost_final"]) == last["cost"]


def test_penguins_predicts_body_mass_in_grams(example_runs, nnbp_runner):
    folder, r = example_runs["penguins"]
    assert r.returncode == 0, r.stderr
    r = nnbp_runner("evaluate", "penguins.npz", "--json", "--quiet", cwd=folder)
    out = json.loads(r.stdout)
    assert (out["source"], out["examples"]) == ("validation rows", 68)
    assert out["r2"] >= 0.8  # linear regression on the same three measurements: 0.76
    assert out["mse"] ** 0.5 < 400  # grams; body masses run from 2700 to 6300
