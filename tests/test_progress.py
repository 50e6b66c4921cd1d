"""The progress bar and the cost log on one terminal, as a person sees them.

``nnbp train`` runs at a prompt inside tmux, stdout and stderr both the terminal;
tmux's record of the screen (scrollback included) is what the person would read.
Every log row must be a line of its own, and the bar, which is transient, must
leave no copy of itself among the rows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time

import pytest

from cli.render.progress import same_terminal
from conftest import nnbp_argv, nnbp_env

TMUX = shutil.which("tmux")


@pytest.mark.skipif(TMUX is None, reason="needs tmux")
def test_log_rows_and_the_bar_on_one_terminal(tmp_path):
    env = nnbp_env()
    script = tmp_path / "run.sh"
    script.write_text(
        "#!/bin/sh\n"
        + "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items()
                  if k in ("PYTHONPATH", "NO_COLOR", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"))
        + f"cd {shlex.quote(str(tmp_path))}\n"
        + shlex.join([*nnbp_argv(), "train", "digits", "--epochs", "400", "--log-every", "1",
                      "--out", "d.npz"]) + "\necho __done__\n")
    script.chmod(0o755)
    tmux = [TMUX, "-L", f"nnbp-test-{os.getpid()}", "-f", "/dev/null"]
    subprocess.run([*tmux, "start-server", ";", "set", "-g", "history-limit", "5000", ";",
                    "set", "-g", "remain-on-exit", "on", ";",
                    "new-session", "-d", "-x", "100", "-y", "30", str(script)], check=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pane = subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True, text=True)
            if "__done__" in pane.stdout:
                break
            time.sleep(0.3)
        screen = subprocess.run([*tmux, "capture-pane", "-p", "-S", "-", "-E", "-"],
                                capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    lines = [s.rstrip() for s in screen.splitlines() if s.strip()]
    done = lines.index("__done__")
    header = lines.index("epoch,cost,accuracy,test_cost,test_accuracy,passes")
    # before it only the note of digits' blank corner pixels, wrapped at the pane's width
    assert " ".join(lines[:header]).startswith("Note: columns 'p0' holds 0, "), lines[:3]
    summary = next(i for i, s in enumerate(lines) if s.startswith("Trained 400 epochs in "))
    rows = lines[header + 1:summary]  # (the summary itself may wrap at the terminal's width)
    assert [int(r.split(",")[0]) for r in rows] == list(range(401))  # each row, whole, in order
    assert all(len(r.split(",")) == 6 for r in rows)
    assert not any("━" in s or "/400" in s for s in lines)  # no copy of the bar is left
    assert lines[done - 1] == "Model saved to d.npz"


def test_same_terminal_is_false_for_pipes_and_files(tmp_path):
    r, w = os.pipe()
    with os.fdopen(r) as a, os.fdopen(w, "w") as b, open(tmp_path / "f", "w") as f:
        assert not same_terminal(a, b) and not same_terminal(f, f)
