"""Every ``$`` command of the README runs, in the README's order, and succeeds,
so that the tutorial cannot rot.  They run in a scratch folder that sees the
checkout's configs/ and datasets/, as a reader at the top of the checkout does."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import nnbp_env

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = [line.strip()[2:] for line in README.splitlines() if line.strip().startswith("$ ")]
PYTHON = re.findall(r"^```python\n(.*?)^```", README, flags=re.M | re.S)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    for folder in ("configs", "datasets"):
        (work / folder).symlink_to(REPO / folder)
    env = nnbp_env()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    done = {}
    for cmd in COMMANDS:
        # every stage of a pipeline must succeed, not only the last; a stage whose
        # reader (head, tail) stopped early may end with 141 (README, "Exit codes")
        script = (f"{cmd}\nst=(\"${{PIPESTATUS[@]}}\")\nlast=${{st[-1]}}\n"
                  "for s in \"${st[@]:0:${#st[@]}-1}\"; do [ $s = 0 ] || [ $s = 141 ] || exit $s; done\n"
                  "exit $last")
        done[cmd] = subprocess.run(["bash", "-c", script], cwd=work, env=env, text=True,
                                   capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
    return done


def test_the_readme_has_a_tutorial():
    assert len(COMMANDS) >= 12
    for command in ("train", "explain", "gradcheck", "evaluate", "predict", "init", "config"):
        assert any(c.startswith(f"nnbp {command} ") for c in COMMANDS), command


@pytest.mark.parametrize("cmd", COMMANDS)
def test_readme_command(results, cmd):
    r = results[cmd]
    assert r.returncode == 0, f"{cmd}\nexit {r.returncode}\n{r.stderr}"
    if not cmd.startswith("nnbp init "):  # init writes a file and says so on stderr
        assert r.stdout.strip(), f"{cmd} printed nothing on stdout"
    assert "Traceback" not in r.stderr


def test_the_readme_has_python(tmp_path):
    assert PYTHON and "train(" in PYTHON[0] and "explain" in PYTHON[0]


@pytest.mark.parametrize("code", PYTHON)
def test_readme_python(tmp_path, code):
    """A Python block of the README runs as written, in a scratch folder."""
    env = nnbp_env()
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, text=True,
                       capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() and "Traceback" not in r.stderr
