"""Packaging: `nnbp --version`, shell completion, and a wheel that carries the
bundled configs and datasets, so that `nnbp train NAME` works from any folder
after `pip install` into a fresh venv (with the dask extra, as `--scheduler local`).

The wheel test builds the wheel (hatchling, through pip's build isolation),
installs it with its dependencies into a clean venv and runs the installed
`nnbp` outside the checkout, with no PYTHONPATH: about a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import nnbp
from conftest import nnbp_argv, nnbp_env
from nnbp.config import bundled_names

REPO = Path(__file__).resolve().parent.parent


# --- the checkout's nnbp ---------------------------------------------------------------

def test_version(nnbp_run):
    r = nnbp_run("--version")
    assert r.returncode == 0
    assert r.stdout == f"nnbp {nnbp.__version__}\n"


# Typer's --show-completion is a flag: it prints the script of the shell it finds
# among nnbp's parent processes (a word after it, such as "bash", is ignored). So
# the script is asked for from a bash, sourced there, and made to complete.
COMPLETE = """\
source <(nnbp --show-completion) || exit 1
for line in "nnbp con" "nnbp config s" "nnbp train --lo"; do
    COMP_WORDS=($line); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _nnbp_completion nnbp; echo "$line: ${COMPREPLY[*]}"
done
"""


def completions(bin_dir: Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run COMPLETE in bash with ``bin_dir`` (where ``nnbp`` is) first on PATH."""
    env = dict(env, PATH=os.pathsep.join([str(bin_dir), env.get("PATH", "")]))
    return subprocess.run([shutil.which("bash") or "bash", "-c", COMPLETE], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


COMPLETED = ["nnbp con: config", "nnbp config s: show schema",
             "nnbp train --lo: --log-format --log-every"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_script_completes_commands_and_options(tmp_path):
    script = Path(nnbp_argv()[0])
    if script.name != "nnbp":
        pytest.skip("needs the nnbp console script")
    r = completions(script.parent, nnbp_env(), tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == COMPLETED


# --- the wheel ----------------------------------------------------------------------------

def clean_env() -> dict[str, str]:
    """No PYTHONPATH and no venv of ours: the installed wheel alone is importable."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    return env


def sh(*args, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    r = subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, f"{args}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    sh(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", out, cwd=REPO)
    (whl,) = out.glob("nnbp-*.whl")
    return whl


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin folder of a fresh venv with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    sh(sys.executable, "-m", "venv", venv, cwd=venv)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    sh(bin_dir / "python", "-m", "pip", "install", "-q", "--no-compile", f"{wheel}[dask]",
       cwd=venv)
    return bin_dir


@pytest.mark.slow
def test_the_wheel_holds_both_packages_and_the_bundled_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"nnbp/_bundled/configs/digits.yaml", "nnbp/_bundled/datasets/digits-train.csv",
            "cli/__init__.py", "cli/main.py", "nnbp/__init__.py",
            "cli/render/page/__init__.py", "cli/render/page/page.js", "cli/render/page/page.css"} <= names
    for name in bundled_names():
        assert f"nnbp/_bundled/configs/{name}.yaml" in names
    for csv in (REPO / "datasets").glob("*.csv"):
        assert f"nnbp/_bundled/datasets/{csv.name}" in names
    assert not any(n.startswith(("tests/", ".venv/")) for n in names)
    entry_points = zipfile.ZipFile(wheel).read(f"nnbp-{nnbp.__version__}.dist-info/"
                                               "entry_points.txt").decode()
    assert "nnbp = cli:run" in entry_points


@pytest.mark.slow
def test_the_installed_nnbp_works_from_any_folder(installed, tmp_path):
    nnbp_bin = installed / "nnbp"
    where = sh(installed / "python", "-c", "import nnbp, cli; print(nnbp.__file__, cli.__file__)",
               cwd=tmp_path).stdout
    assert str(REPO) not in where  # the installed copy, not the checkout

    assert sh(nnbp_bin, "--version", cwd=tmp_path).stdout == f"nnbp {nnbp.__version__}\n"

    r = sh(nnbp_bin, "train", "xor", "--quiet", cwd=tmp_path)
    rows = r.stdout.splitlines()
    assert rows[0].startswith("epoch,cost,accuracy")
    assert rows[-1].startswith("2000,") and rows[-1].endswith(",1.0,2001")  # XOR learned
    assert r.stderr == ""
    assert (tmp_path / "xor.npz").is_file()

    r = sh(nnbp_bin, "train", "xor", "--optimizer", "lbfgs", "--quiet", "--out", "x.npz",
           cwd=tmp_path)  # scipy came with the wheel's dependencies
    assert r.stdout.splitlines()[-1].split(",")[2] == "1.0" and r.stderr == ""

    r = sh(nnbp_bin, "train", "lecture", "--epochs", "3", cwd=tmp_path)
    assert [row.split(",")[0] for row in r.stdout.splitlines()] == ["epoch", "0", "3"]
    assert "Trained 3 epochs" in r.stderr
    assert (tmp_path / "lecture.npz").is_file()

    for name in bundled_names():  # every bundled name, from a folder of its own
        folder = tmp_path / f"run-{name}"
        folder.mkdir()
        sh(nnbp_bin, "train", name, "--epochs", "2", "--quiet", cwd=folder)
        assert (folder / f"{name}.npz").is_file()

    # the dask extra: a cluster of this machine's cores, started for the run and closed after
    r = sh(nnbp_bin, "train", "iris", "--scheduler", "local", "--epochs", "20", cwd=tmp_path)
    assert r.stdout.splitlines()[-1].startswith("20,")
    assert "Training on the Dask cluster at tcp://127.0.0.1:" in r.stderr

    # the explain page reads its script and stylesheet from the installed package
    page = sh(nnbp_bin, "explain", "lecture", "--format", "html", cwd=tmp_path).stdout
    assert (REPO / "cli" / "render" / "page" / "page.js").read_text(encoding="utf-8") in page
    assert (REPO / "cli" / "render" / "page" / "page.css").read_text(encoding="utf-8") in page

    shown = sh(nnbp_bin, "config", "show", "iris", cwd=tmp_path).stdout
    assert f"{os.sep}nnbp{os.sep}_bundled{os.sep}datasets{os.sep}iris.csv" in shown

    if shutil.which("bash"):
        assert completions(installed, clean_env(), tmp_path).stdout.splitlines() == COMPLETED
