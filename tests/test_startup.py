"""``nnbp --help`` and ``--version`` stay quick: they import neither numpy nor
rich (timings are in benchmarks/bench_startup.py; this checks the cause)."""

import importlib.util

import pytest

from conftest import modules_after


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["train", "--help"],
                                  ["explain", "--help"]])
def test_help_and_version_import_no_numpy_or_rich(args):
    r, modules = modules_after(*args)
    assert r.stdout.strip()  # the help or the version was printed
    heavy = [m for m in modules if m.split(".")[0] in ("numpy", "rich", "yaml")]
    assert heavy == []


LEFT_OUT = [
    (["train", "xor", "--epochs", "1", "--out", "x.npz", "--quiet"],
     ["pydantic", "rich", "numpy.ma", "cli.explain", "cli.plot", "nnbp.data.cache_source",
      "concurrent.futures", "threadpoolctl"]),
    (["explain", "lecture"], ["pydantic", "numpy.random", "numpy.ma", "nnbp.gradcheck",
                              "cli.render.diagram", "cli.render.page", "cli.train", "cli.evaluate"]),
    (["gradcheck", "lecture"], ["pydantic", "numpy.random"]),
]


@pytest.mark.parametrize("args,absent", LEFT_OUT)
def test_commands_leave_out_what_they_do_not_use(tmp_path, args, absent):
    """Typer's option parsing without pydantic (typer < 0.27), only the command that
    runs and only the view asked for, no progress bar off a terminal, no streaming or
    threads for a small batch in memory, no random numbers for a network with its
    weights written out, no masked arrays for finding the classes."""
    r, modules = modules_after(*args, cwd=tmp_path)
    assert r.stdout.strip()  # the command ran
    assert [m for m in absent if m in modules] == []


@pytest.mark.parametrize("optimizer, imports_scipy", [("gd", False), ("lbfgs", True)])
def test_scipy_is_imported_only_by_the_runs_that_use_it(tmp_path, optimizer, imports_scipy):
    r, modules = modules_after("train", "xor", "--epochs", 1, "--quiet", "--optimizer",
                               optimizer, "--out", "x.npz", cwd=tmp_path)
    assert r.stdout.startswith("epoch,cost,accuracy,passes\n") and (tmp_path / "x.npz").exists()
    assert ("scipy" in modules) == imports_scipy


def test_each_module_left_out_is_one_there_is():
    """A module that no longer exists is never imported, and its absence proves nothing:
    each name above is a module of this checkout or of its environment.  pydantic alone
    is not installed here: typer below 0.27 (pyproject.toml) has no need of it, and
    would bring and import it from 0.27 on."""
    names = {m for _, absent in LEFT_OUT for m in absent}
    assert [m for m in sorted(names) if importlib.util.find_spec(m) is None] in (
        [], ["pydantic"])
