"""Progress bar and summary on stderr (rich); the bar only on a terminal."""

from __future__ import annotations

import sys
import time


def stderr_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


class Progress:
    """A rich progress bar with the current cost, redrawn at most ten times a second;
    with ``plot``, a small live cost curve under it (cli/liveplot.py)."""

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
                from cli.liveplot import LivePlot, with_plot

                self._plot = LivePlot()
                if not sys.stdout.isatty():  # else log rows scroll there: the curve at the end
                    RichProgress = with_plot(RichProgress, self._plot)
            self._bar = RichProgress(
                TextColumn("epoch"), MofNCompleteColumn(), BarColumn(),
                TextColumn("cost {task.fields[cost]}"), TimeElapsedColumn(),
                TimeRemainingColumn(), console=stderr_console(), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("train", total=self.epochs, cost="…")
        return self

    def update(self, step) -> None:
        """Redraw from a training step, with the cost of the last logged epoch."""
        if self._bar is None:
            return
        if step.cost is not None:
            self._cost = f"{step.cost:.6g}"
        if self._plot is not None and step.row is not None:
            self._plot.add(step.row)
        now = time.monotonic()
        if now - self._last >= 0.1 or step.epoch == self.epochs:
            self._last = now
            self._bar.update(self._task, completed=step.epoch, cost=self._cost)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
            if self._plot is not None and self._plot.rows:  # the whole curve stays on screen
                self._bar.console.print(self._plot.final())
        return False


def summary(trainer, model_path, seconds: float) -> None:
    con = stderr_console()
    parts = [f"cost {trainer.cost:.6g}"]
    if trainer.accuracy is not None:
        parts.append(f"accuracy {trainer.accuracy:.2%}")
    last = trainer.last_row or {}
    for name in ("val", "test"):
        if f"{name}_accuracy" in last:
            parts.append(f"{name} accuracy {last[f'{name}_accuracy']:.2%}")
        elif f"{name}_cost" in last:
            parts.append(f"{name} cost {last[f'{name}_cost']:.6g}")
    con.print(f"Trained {trainer.epochs_done} epochs in {seconds:.1f} s: " + ", ".join(parts))
    con.print(f"Model saved to {model_path}")
