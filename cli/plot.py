"""``nnbp plot``: cost curves of a cost log, in the terminal or as a PNG/SVG image.

    nnbp train digits | nnbp plot          # redrawn as rows arrive, on a terminal
    nnbp plot log.csv --out curves.png     # an image (the plot extra: matplotlib)
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Optional

import typer

from cli.exits import EXIT_PIPE, quiet_stdout

IMAGE_SUFFIXES = (".png", ".svg")
REFRESH_PER_SECOND = 4


def plot(
    log: Optional[str] = typer.Argument(None, metavar="LOG", help="A cost log written by "
                                        "nnbp train (csv, tsv or jsonl); - or none: stdin."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write an image instead "
                                       "(.png or .svg; needs the plot extra)."),
    title: Optional[str] = typer.Option(None, "--title", help="A title for the image "
                                        "(default: the log's file name)."),
) -> None:
    """Draw cost (and accuracy, validation and test) against epoch."""
    from nnbp.errors import UsageError

    from_stdin = log in (None, "-")
    if from_stdin and sys.stdin.isatty():
        raise UsageError("no log to plot: name a log file, or pipe one in "
                         "(nnbp train CONFIG | nnbp plot)")
    if out is not None:
        if out.suffix.lower() not in IMAGE_SUFFIXES:
            raise UsageError(f"--out {out}: the image must end in .png or .svg")
        if not out.parent.is_dir():
            raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
        from cli.render.image import require_matplotlib, write_image

        require_matplotlib()  # before reading: a pipe should fail fast
        reader = _read(log, from_stdin)
        write_image(reader, out, title if title is not None else
                    (None if from_stdin else Path(log).name))
        sys.stderr.write(f"Wrote {out}\n")
        return
    _draw(log, from_stdin)


def _read(log, from_stdin: bool):
    from nnbp.data.cost_log import read_lines, read_log

    return read_lines(sys.stdin, "<stdin>") if from_stdin else read_log(log)


def _draw(log, from_stdin: bool) -> None:
    """The chart on stdout: live while stdin is a pipe and stdout a terminal, else once."""
    from rich.console import Console


    console = Console(highlight=False, markup=False, emoji=False)
    live = from_stdin and console.is_terminal and not _regular_file(sys.stdin)
    try:
        if live:
            reader = _read_live(console)
        else:
            reader = _read(log, from_stdin)
            console.print(_chart(reader, console))
        sys.stdout.flush()
    except BrokenPipeError:  # the reader of stdout went away (| head)
        quiet_stdout()
        raise typer.Exit(EXIT_PIPE)


def _read_live(console):
    """Read stdin row by row while a rich Live redraws the chart a few times a second."""
    from rich.live import Live
    from rich.text import Text

    from nnbp.data.cost_log import LogReader

    reader, lock = LogReader("<stdin>"), threading.Lock()

    def picture():
        with lock:
            return _chart(reader, console) if len(reader) else Text("waiting for log rows…",
                                                                   style="dim")
    with Live(get_renderable=picture, console=console, refresh_per_second=REFRESH_PER_SECOND,
              redirect_stdout=False, redirect_stderr=False) as display:
        for line in sys.stdin:
            with lock:
                reader.feed(line)
        with lock:
            reader.finish()
        display.refresh()  # the final picture, with every row
    return reader


def _chart(reader, console):
    from cli.render.chart import panels, render

    metrics = [m for m, _ in panels(reader.columns)]
    room = max(8, min(console.height - 8, 30)) if console.is_terminal else 22
    heights = ({"cost": room} if len(metrics) == 1 else
               {"cost": round(room * 0.6), "accuracy": room - round(room * 0.6)})
    return render(reader.values, reader.columns, console.width, heights)


def _regular_file(stream) -> bool:
    import os
    import stat

    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError):
        return False
