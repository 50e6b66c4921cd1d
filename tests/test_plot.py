"""`nnbp plot` and `nnbp train --plot`: the log reader on exact numbers, the real
process on exit codes, streams and the files it writes, images decoded back.

Logs for the reader are written by the CLI's own LogWriter, so that csv, tsv
and jsonl hold the very same rows; the pipeline tests run real `nnbp train`.
"""

from __future__ import annotations

import io
import math
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cli.render.logwriter import LogWriter
from conftest import nnbp_argv, nnbp_env
from nnbp.errors import DataError
from nnbp.data.cost_log import LogReader, read_lines, read_log

REPO = Path(__file__).resolve().parent.parent
COLUMNS = ["epoch", "cost", "accuracy", "val_cost", "val_accuracy"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def rows(n: int = 30) -> list[dict]:
    """A plausible run: cost falling from about 2.5 to 0.2, accuracy rising to 1."""
    return [{"epoch": 10 * e, "cost": 0.2 + 2.3 * math.exp(-e / 5),
             "accuracy": 1 - 0.7 * math.exp(-e / 4), "val_cost": 0.25 + 2.2 * math.exp(-e / 5),
             "val_accuracy": 0.95 - 0.6 * math.exp(-e / 4)} for e in range(n)]


def log_text(fmt: str, data: list[dict] | None = None, columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = LogWriter(out, fmt, columns)
    for row in rows() if data is None else data:
        writer.row(row)
    return out.getvalue()


@pytest.fixture
def log_csv(tmp_path) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(log_text("csv"))
    return path


# --- the reader: nnbp/data/cost_log.py ----------------------------------------------------------

def test_csv_tsv_and_jsonl_read_to_the_same_columns(tmp_path):
    expected = {c: [float(r[c]) for r in rows()] for c in COLUMNS}
    for fmt in ("csv", "tsv", "jsonl"):
        (tmp_path / f"log.{fmt}").write_text(log_text(fmt))
        log = read_log(tmp_path / f"log.{fmt}")
        assert log.format == fmt
        assert log.columns == COLUMNS
        assert log.values == expected  # exactly: the log keeps every digit
        assert len(log) == 30


def test_reader_takes_crlf_a_bom_blank_lines_and_non_finite_values():
    text = "\ufeffepoch,cost\r\n0,1.5\r\n\r\n1,nan\r\n2,inf\r\n"
    log = read_lines(io.StringIO(text, newline=""), "log.csv")
    assert log.values["epoch"] == [0.0, 1.0, 2.0]
    assert log.values["cost"][0] == 1.5 and math.isnan(log.values["cost"][1])
    assert log.values["cost"][2] == math.inf
    jsonl = read_lines(['{"epoch": 0, "cost": 1.0, "accuracy": null}\n'])
    assert jsonl.columns == ["epoch", "cost", "accuracy"]
    assert math.isnan(jsonl.values["accuracy"][0])


def test_reader_grows_one_line_at_a_time():
    reader = LogReader("x")
    lines = log_text("tsv").splitlines(keepends=True)
    reader.feed(lines[0])
    assert reader.columns == COLUMNS and len(reader) == 0
    for i, line in enumerate(lines[1:], 1):
        reader.feed(line)
        assert len(reader) == i and all(len(v) == i for v in reader.values.values())


@pytest.mark.parametrize("text, line, message", [
    ("", None, "is empty; expected a cost log as nnbp train writes it (csv, tsv or jsonl "
     "with columns epoch, cost, …)"),
    ("\n\n", None, "is empty; expected a cost log as nnbp train writes it (csv, tsv or jsonl "
     "with columns epoch, cost, …)"),
    ("epoch,cost\n", None, "has a header but no rows"),
    ("step,loss\n1,2\n", 1, "no 'epoch' or 'cost' column; expected a cost log with columns "
     "epoch, cost, … (found 'step', 'loss')"),
    ("epoch,cost\n0,1.5\n1,abc\n", 3, "column 'cost' holds 'abc'; expected a number"),
    ("epoch,cost\n0,1.5,7\n", 2, "has 3 fields, the header has 2"),
    ('{"epoch": 0, "cost": 1}\n{"epoch": 1, "cost": "x"}\n', 2,
     "column 'cost' holds 'x'; expected a number"),
    ('{"epoch": 0, "cost": 1}\n{"epoch": 1\n', 2,
     "is not valid JSON (Expecting ',' delimiter, column 12)"),
    ('{"epoch": 0, "cost": 1}\n[1, 2]\n', 2, "holds a JSON list; expected an object per line"),
    ('{"epoch": 0, "cost": 1}\n{"epoch": 1}\n', 2,
     "has no 'cost'; the first row has columns epoch, cost"),
    ('{"epoch": 0, "cost": true}\n', 1, "column 'cost' holds True; expected a number"),
])
def test_reader_errors_name_the_line(text, line, message):
    with pytest.raises(DataError) as e:
        read_lines(io.StringIO(text), "log.csv")
    assert (e.value.source, e.value.line, e.value.message) == ("log.csv", line, message)


# --- the terminal picture ----------------------------------------------------------------

def test_chart_fits_the_width_and_draws_every_series():
    from cli.render.chart import render

    data = rows()
    values = {c: [float(r[c]) for r in data] for c in COLUMNS}
    values["cost"][3] = math.nan  # a gap, not a crash
    for width in (40, 80, 132):
        text = render(values, COLUMNS, width, {"cost": 10, "accuracy": 6}).plain
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= width, text  # the caption wraps, uncut
        assert lines[0].startswith("cost") and "training" in lines[0] and "validation" in lines[0]
        assert sum(line.startswith("accuracy") for line in lines) == 1
        assert sum(any("\u2800" < ch <= "\u28ff" for ch in line) for line in lines) >= 12
        last = data[-1]
        start = next(k for k, line in enumerate(lines) if line.startswith("30 rows"))
        assert " ".join(lines[start:]) == (
            f"30 rows, epochs 0–290; last: cost {last['cost']:.6g}, accuracy "
            f"{last['accuracy']:.2%}, val_cost {last['val_cost']:.6g}, "
            f"val_accuracy {last['val_accuracy']:.2%}")


def test_series_differ_without_colour():
    """Training solid, validation dashed, test dotted: in plain text (a pipe, NO_COLOR)
    the three flat lines fill all, more than half and about a quarter of the columns."""
    from cli.render.chart import render

    columns = ["epoch", "cost", "val_cost", "test_cost"]
    values = {"epoch": [float(e) for e in range(100)], "cost": [1.0] * 100,
              "val_cost": [2.0] * 100, "test_cost": [3.0] * 100}
    lines = render(values, columns, 80, {"cost": 12}, caption=False).plain.splitlines()
    assert lines[0] == "cost  ─── training  ╌╌╌ validation  ··· test"
    drawn = [line.split("│", 1)[-1].split("┤", 1)[-1] for line in lines[1:13]]
    cells = sorted(sum(ch != " " for ch in row) for row in drawn if row.strip())
    assert len(cells) == 3  # each series on a row of its own
    test, val, train = (n / cells[-1] for n in cells)  # of the columns the solid line fills
    assert 0.45 < val < 0.75 and 0.15 < test < 0.4 and val - test > 0.2, cells


def test_summary_of_a_piped_plot_is_whole(nnbp_run, tmp_path):
    """Piped, rich draws 80 columns: the summary wraps instead of losing its end."""
    data = [dict(r, test_cost=r["val_cost"] * 1.1, test_accuracy=r["val_accuracy"] - 0.01)
            for r in rows()]
    cols = COLUMNS + ["test_cost", "test_accuracy"]
    (tmp_path / "log.csv").write_text(log_text("csv", data, cols))
    r = nnbp_run("plot", "log.csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    summary = " ".join(lines[next(k for k, s in enumerate(lines) if s.startswith("30 rows")):])
    assert summary.endswith(f"test_accuracy {data[-1]['test_accuracy']:.2%}")


def test_plot_draws_a_log_file_on_stdout(nnbp_run, log_csv):
    r = nnbp_run("plot", log_csv)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0].startswith("cost") and "┤" in r.stdout and "└┬" in r.stdout
    assert "30 rows, epochs 0–290" in r.stdout
    assert "\x1b" not in r.stdout  # not a terminal: no colour, no cursor movement


# --- images --------------------------------------------------------------------------------

def test_out_png_is_a_real_picture(nnbp_run, log_csv, tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    r = nnbp_run("plot", log_csv, "--out", "curves.png")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == "Wrote curves.png\n"
    data = (tmp_path / "curves.png").read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert (width, height) == (1200, 900) and 20_000 < len(data) < 1_000_000

    pixels = imread(tmp_path / "curves.png")  # (900, 1200, 4) floats in [0, 1]
    assert pixels.shape[:2] == (900, 1200)
    rgb = pixels[..., :3]
    assert (rgb.min(axis=2) > 0.95).mean() > 0.5  # mostly white paper…
    assert (rgb.max(axis=2) < 0.3).mean() > 0.002  # …black axes and text…
    r_, g_, b_ = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    assert ((b_ - r_ > 0.3) & (b_ > 0.5)).sum() > 1000  # …a blue training curve
    assert ((r_ - b_ > 0.5) & (g_ > 0.3)).sum() > 500  # …and an orange validation curve


def test_out_svg_is_xml_with_axis_labels(nnbp_run, log_csv, tmp_path):
    pytest.importorskip("matplotlib")
    r = nnbp_run("plot", log_csv, "--out", tmp_path / "curves.svg", "--title", "iris run")
    assert r.returncode == 0, r.stderr
    root = ET.parse(tmp_path / "curves.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"epoch", "cost", "accuracy", "iris run"} <= texts
    assert any(t.startswith("training (last") for t in texts)
    assert any(t.startswith("validation (last") for t in texts)
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "curves.svg").stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's


def test_out_png_of_a_regression_log_has_one_panel(nnbp_run, tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    (tmp_path / "reg.jsonl").write_text(log_text("jsonl", [
        {"epoch": e, "cost": 1 / (1 + e)} for e in range(5)], columns=["epoch", "cost"]))
    r = nnbp_run("plot", "reg.jsonl", "--out", "reg.png")
    assert r.returncode == 0, r.stderr
    assert imread(tmp_path / "reg.png").shape[:2] == (630, 1200)


def test_missing_plot_extra_is_one_error_line(monkeypatch, capsys, log_csv, tmp_path):
    """matplotlib made unimportable in this process: the error boundary's own line."""
    from cli import main

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises
    monkeypatch.setattr(sys, "argv", ["nnbp", "plot", str(log_csv), "--out",
                                      str(tmp_path / "c.png")])
    with pytest.raises(SystemExit) as e:
        main.run()
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "Error: nnbp plot --out needs the plot extra: "
                              "pip install 'nnbp[plot]'\n")
    assert not (tmp_path / "c.png").exists()

    # The terminal picture needs only rich.
    monkeypatch.setattr(sys, "argv", ["nnbp", "plot", str(log_csv)])
    with pytest.raises(SystemExit) as e:
        main.run()
    assert e.value.code == 0
    assert "30 rows, epochs 0–290" in capsys.readouterr().out


def test_help_does_not_import_plotting_or_numpy():
    code = "import sys, cli.main; print(sorted({'matplotlib', 'numpy'} & set(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=nnbp_env(), cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


# --- errors of the real process -------------------------------------------------------------

def test_user_errors_exit_2_with_one_error_line(nnbp_run_all, tmp_path):
    (tmp_path / "bad.csv").write_text("epoch,cost\n0,1.5\n10,oops\n")
    (tmp_path / "nocost.tsv").write_text("epoch\tloss\n0\t1\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "log.csv").write_text(log_text("csv"))
    cases = {
        ("plot", "bad.csv"): "Error: bad.csv, line 3: column 'cost' holds 'oops'; "
                             "expected a number",
        ("plot", "nocost.tsv"): "Error: nocost.tsv, line 1: no 'cost' column; expected a cost "
                                "log with columns epoch, cost, … (found 'epoch', 'loss')",
        ("plot", "empty.csv"): "Error: empty.csv: is empty; expected a cost log as nnbp train "
                               "writes it (csv, tsv or jsonl with columns epoch, cost, …)",
        ("plot",): "Error: <stdin>: is empty; expected a cost log as nnbp train writes it "
                   "(csv, tsv or jsonl with columns epoch, cost, …)",
        ("plot", "missing.csv"): "Error: missing.csv: no such file",
        ("plot", "log.csv", "--out", "c.pdf"): "Error: --out c.pdf: the image must end in "
                                               ".png or .svg",
        ("plot", "log.csv", "--out", "no/c.png"): "Error: --out no/c.png: the folder no does "
                                                  "not exist",
    }
    for args, r in zip(cases, nnbp_run_all(*cases)):
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.splitlines() == [cases[args]], args
        assert r.stdout == "", args


# --- pipes -----------------------------------------------------------------------------------

def test_train_piped_into_plot(tmp_path):
    train = subprocess.Popen([*nnbp_argv(), "train", "xor", "--epochs", "50", "--log-every",
                              "5"], cwd=tmp_path, env=nnbp_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    plot = subprocess.run([*nnbp_argv(), "plot"], cwd=tmp_path, env=nnbp_env(),
                          stdin=train.stdout, capture_output=True, text=True, timeout=120)
    train.stdout.close()
    assert train.wait(timeout=120) == 0, train.stderr.read()
    train.stderr.close()
    assert plot.returncode == 0, plot.stderr
    assert plot.stderr == ""
    assert plot.stdout.strip() and "11 rows, epochs 0–50" in plot.stdout


def test_rows_arriving_slowly_all_reach_the_picture(tmp_path):
    p = subprocess.Popen([*nnbp_argv(), "plot", "-"], cwd=tmp_path, env=nnbp_env(),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    text = log_text("jsonl", rows(12))

    def write_slowly():  # lines cut in two, with pauses between the pieces
        for line in text.splitlines(keepends=True):
            half = len(line) // 2
            for piece in (line[:half], line[half:]):
                p.stdin.write(piece)
                p.stdin.flush()
                time.sleep(0.03)
        p.stdin.close()
    writer = threading.Thread(target=write_slowly)
    writer.start()
    out, err = p.stdout.read(), p.stderr.read()
    writer.join()
    assert p.wait(timeout=60) == 0, err
    assert "12 rows, epochs 0–110" in out


def open_pty(rows_: int = 40, cols: int = 100):
    """A pseudo-terminal (master, slave) of the given size."""
    pty = pytest.importorskip("pty")
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows_, cols, 0, 0))
    return master, slave


def plain(screen: str) -> str:
    """Terminal output without its escape sequences (colour, cursor moves)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)


def read_available(fd: int, until: str, timeout: float = 30) -> str:
    """What the terminal shows up to the first time ``until`` is in it."""
    seen, deadline = b"", time.monotonic() + timeout
    while until.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the other side closed (Linux: EIO)
                break
    return seen.decode(errors="replace")


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_plot_on_a_terminal_redraws_as_rows_arrive(tmp_path):
    master, slave = open_pty()
    p = subprocess.Popen([*nnbp_argv(), "plot"], cwd=tmp_path, env=nnbp_env(),
                         stdin=subprocess.PIPE, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    try:
        lines = log_text("csv", rows(20)).splitlines(keepends=True)
        p.stdin.write("".join(lines[:6]).encode())  # the header and 5 rows, then nothing
        p.stdin.flush()
        early = read_available(master, "5 rows, epochs 0–40")
        assert "5 rows, epochs 0–40" in early  # drawn before the log ended
        p.stdin.write("".join(lines[6:]).encode())
        p.stdin.close()
        late = read_available(master, "20 rows, epochs 0–190")
        assert "20 rows, epochs 0–190" in late
        assert p.wait(timeout=30) == 0, p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
        p.stderr.close()
        os.close(master)


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_plot_with_a_terminal_for_input_asks_for_a_log(tmp_path):
    master, slave = open_pty()
    p = subprocess.run([*nnbp_argv(), "plot"], cwd=tmp_path, env=nnbp_env(), stdin=slave,
                       capture_output=True, text=True, timeout=60)
    os.close(slave)
    os.close(master)
    assert p.returncode == 2
    assert p.stderr == ("Error: no log to plot: name a log file, or pipe one in "
                        "(nnbp train CONFIG | nnbp plot)\n")


# --- nnbp train --plot --------------------------------------------------------------------------

def test_train_plot_without_a_terminal_changes_nothing(nnbp_run_all):
    plain, plotted = nnbp_run_all(["train", "xor", "--epochs", 30, "--out", "a.npz"],
                                  ["train", "xor", "--epochs", 30, "--out", "b.npz", "--plot"])
    assert plotted.returncode == 0, plotted.stderr
    assert plotted.stdout == plain.stdout
    assert [line.split(" in ")[0] for line in plotted.stderr.splitlines()] == [
        "Trained 30 epochs", "Model saved to b.npz"]


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_train_plot_on_a_terminal_draws_the_cost_under_the_bar(tmp_path):
    master, slave = open_pty()
    p = subprocess.Popen([*nnbp_argv(), "train", "iris", "--epochs", "400", "--plot"],
                         cwd=tmp_path, env=nnbp_env(), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    log = []
    reader = threading.Thread(target=lambda: log.append(p.stdout.read().decode()))
    reader.start()  # stdout and the terminal both drained: neither can fill up and block
    try:
        screen = plain(read_available(master, "Model saved to"))
        assert p.wait(timeout=60) == 0, screen
        reader.join()
    finally:
        if p.poll() is None:
            p.kill()
        reader.join()
        p.stdout.close()
        os.close(master)
    log = log[0]
    assert log.startswith("epoch,cost,accuracy,val_cost,val_accuracy,passes\n")  # untouched
    assert "epoch" in screen and "400/400" in screen  # the bar…
    assert "cost  ─── training  ╌╌╌ validation" in screen  # …the curve's legend…
    assert "┤" in screen and any("\u2800" < ch <= "\u28ff" for ch in screen)  # …and the curve
    tail = screen[screen.rindex("validation"):]  # the final curve stays, then the summary
    assert "Trained 400 epochs" in tail and "└┬" in tail
