"""``nnbp train --plot``: a small cost curve under the progress bar, from the logged rows.

The curve is a rich renderable that the progress bar's live display draws
below the bar.  Rows come in on the training thread; the display renders on
its own thread, ten times a second, so the chart is rebuilt at most every
``PERIOD`` seconds and only when rows have arrived.  When the log itself goes
to the terminal, its rows would scroll through a live drawing, so the curve is
only drawn at the end (cli/render/progress.py); it stays on screen in both cases.
"""

from __future__ import annotations

import time

PERIOD = 0.3  # seconds between rebuilds of the chart
HEIGHT = 6  # rows of the curve itself


class LivePlot:
    def __init__(self, height: int = HEIGHT):
        self.height = height
        self.rows: list[dict] = []  # appended by the trainer, read by the display
        self._picture, self._drawn, self._at, self._width = None, -1, 0.0, 0

    def add(self, row: dict) -> None:
        self.rows.append(row)  # one atomic append: the display may be reading

    def _build(self, width: int):
        from cli.render.chart import render

        rows = self.rows[:]  # a snapshot: rows may arrive while drawing
        columns = [c for c in rows[0] if c == "epoch" or c.endswith("cost")]
        values = {c: [float(r[c]) for r in rows] for c in columns}
        return render(values, columns, width, {"cost": self.height}, caption=False)

    def final(self) -> LivePlot:
        """Itself, to be drawn with every row now, whenever it was last rebuilt."""
        self._at = -PERIOD
        return self

    def __rich_console__(self, console, options):
        from rich.text import Text

        now, n, width = time.monotonic(), len(self.rows), options.max_width
        stale = n != self._drawn and now - self._at >= PERIOD
        if n and (stale or width != self._width or self._picture is None):
            self._picture, self._drawn, self._at, self._width = self._build(width), n, now, width
        yield self._picture if self._picture is not None else Text("")


def with_plot(progress_class, plot: LivePlot):
    """A rich Progress class that shows ``plot`` under its bars."""
    class WithPlot(progress_class):
        def get_renderables(self):  # rich's hook for what the live display shows
            yield from super().get_renderables()
            yield plot
    return WithPlot
