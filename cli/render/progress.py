"""Progress bar and summary on stderr; the bar (rich) only on a terminal.

When stdout is that same terminal, the log rows go through the bar's console, which
prints them above the bar and redraws it under them: written straight to stdout,
the first row would land on the bar's line and each redraw would leave a copy of
the bar among the rows.
"""

from __future__ import annotations

import os
import sys
import time


def note(line: str) -> None:
    """One line on stderr (a summary, a warning): plain text, no need for rich."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def same_terminal(a, b) -> bool:
    """Whether two streams are the same terminal (device), such as stdout and stderr
    of a command run at a prompt."""
    try:
        if not (a.isatty() and b.isatty()):
            return False
        sa, sb = os.fstat(a.fileno()), os.fstat(b.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (sa.st_rdev, sa.st_ino) == (sb.st_rdev, sb.st_ino)


class _AboveTheBar:
    """A text stream whose lines the bar's console prints above the bar."""

    def __init__(self, console):
        self.console = console

    def write(self, text: str) -> None:
        for line in text.splitlines():
            self.console.print(line, markup=False, highlight=False, emoji=False,
                               soft_wrap=True)

    def flush(self) -> None:
        self.console.file.flush()


class Progress:
    """A rich progress bar with the current cost, redrawn at most ten times a second;
    with ``plot``, a small live cost curve under it (cli/render/liveplot.py)."""

    def __init__(self, epochs: int, enabled: bool = True, plot: bool = False):
        self.epochs = epochs
        self.enabled = enabled and sys.stderr.isatty()
        self._bar = None
        self._last = 0.0
        self._cost = "…"
        self._plot, self._plot_wanted = None, plot

    def __enter__(self):
        if self.enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)
            from rich.progress import Progress as RichProgress

            if self._plot_wanted:
                from cli.render.liveplot import LivePlot, with_plot

                self._plot = LivePlot()
                if not sys.stdout.isatty():  # else log rows scroll there: the curve at the end
                    RichProgress = with_plot(RichProgress, self._plot)
            from rich.console import Console

            self._bar = RichProgress(
                TextColumn("epoch"), MofNCompleteColumn(), BarColumn(),
                TextColumn("cost {task.fields[cost]}"), TimeElapsedColumn(),
                TimeRemainingColumn(), transient=True, redirect_stdout=False,
                redirect_stderr=False,
                console=Console(stderr=True, highlight=False, markup=False, emoji=False,
                                soft_wrap=True))
            self._bar.__enter__()
            self._task = self._bar.add_task("train", total=self.epochs, cost="…")
        return self

    def log_stream(self, stdout):
        """Where the log rows go: ``stdout``, or above the bar when it is the same terminal."""
        if self._bar is not None and same_terminal(stdout, sys.stderr):
            return _AboveTheBar(self._bar.console)
        return stdout

    def note(self, line: str) -> None:
        """A line on stderr while training: above the bar when there is one."""
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, emoji=False,
                                    soft_wrap=True)
        else:
            note(line)

    def due(self, epoch: int) -> bool:
        """Whether the bar redraws after ``epoch``: the trainer computes J for it then,
        so that the bar shows the cost of the epoch it shows, not the last logged one."""
        return self._bar is not None and (time.monotonic() - self._last >= 0.1
                                          or epoch == self.epochs)

    def update(self, step) -> None:
        """Redraw from a training step (at most ten times a second), with its cost."""
        if self._bar is None:
            return
        if step.cost is not None:
            self._cost = f"{step.cost:.6g}"
        if self._plot is not None and step.row is not None:
            self._plot.add(step.row)
        now = time.monotonic()
        # the epochs ``due`` asked J for, or the last; the others come too fast to see
        if step.cost is not None and now - self._last >= 0.1 or step.epoch == self.epochs:
            self._last = now
            self._bar.update(self._task, completed=step.epoch, cost=self._cost)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
            if self._plot is not None and self._plot.rows:  # the whole curve stays on screen
                self._bar.console.print(self._plot.final())
        return False


class CountBar:
    """``bar(done, total)``: a transient bar of things counted (on a terminal's stderr
    only), drawn once the work has taken half a second, redrawn ten times a second."""

    def __init__(self, description: str):
        self.description = description
        self.enabled = sys.stderr.isatty()
        self._bar = self._task = None
        self._start = time.monotonic()
        self._last = 0.0

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._start < 0.5 or (now - self._last < 0.1 and
                                                          done < total):
            return
        self._last = now
        if self._bar is None:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeRemainingColumn)

            console = Console(stderr=True, highlight=False, markup=False, emoji=False)
            self._bar = Progress(TextColumn(self.description), BarColumn(),
                                 MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=console, transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=total)
        self._bar.update(self._task, completed=done)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False
