"""Cost curves in the terminal: braille line charts built as rich Text.

Each character cell holds 2×4 dots (Unicode braille), so a chart 80 cells wide
has 160 dots across.  Panels share the epoch axis: cost (and val_cost,
test_cost) above, accuracy below when the log has it.  Training, validation
and test curves differ in colour and also in pattern (solid, dashed, dotted),
so that they stay apart without colour (NO_COLOR, a pipe).
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Callable, NamedTuple


class Family(NamedTuple):
    """How one series of a log (training, validation, test) is drawn."""

    name: str
    colour: str  # in the terminal (rich)
    pattern: Callable[[int], bool]  # in the terminal: draw dot k of the path when pattern(k)
    symbol: str  # in the terminal's legend
    image_colour: str  # in an image (matplotlib)
    linestyle: Any  # in an image


# by the prefix of the log's columns.  A braille cell is 2 dots wide: a gap must span
# a cell or more to be seen, so the dashes are 6 dots on, 6 off, and the dots 1 in 8
FAMILIES = {"": Family("training", "cyan", lambda k: True, "───", "C0", "-"),
            "val_": Family("validation", "magenta", lambda k: k % 12 < 6, "╌╌╌", "C1", "--"),
            "test_": Family("test", "yellow", lambda k: k % 8 == 0, "···", "C2",
                            (0, (1, 1.5)))}
BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [dot row][dot column]


def panels(columns: list[str]) -> list[tuple[str, list[str]]]:
    """(metric, its columns in the log) for cost, then every other metric present."""
    metrics = [c for c in columns if c in ("cost", "accuracy")]
    return [(m, [p + m for p in FAMILIES if p + m in columns]) for m in metrics]


def nice_step(span: float, n: int) -> float:
    """The 1-2-5 step nearest (geometrically) to span / n."""
    raw = span / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    return min((s * mag for s in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / raw)))


def y_range(values: list[float], rows: int) -> tuple[float, float, list[float]]:
    """(lo, hi, ticks): the data's range, and round values inside it to label."""
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        pad = 0.5 * abs(hi) if hi else 0.5
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, max(3, rows // 3))
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return lo, hi, [k * step for k in range(first, last + 1)]


def tick_text(t: float, ticks: list[float], percent: bool) -> str:
    """t with as many decimals as its tick step needs."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(t) or 1.0
    if percent:
        t, step = 100 * t, 100 * step
    if 1e-4 <= step and abs(t) < 1e6:
        text = f"{t:.{max(0, -math.floor(math.log10(step) + 1e-9))}f}"
    else:
        text = f"{t:.3g}"
    return text + ("%" if percent else "")


class Canvas:
    """A grid of braille cells; each remembers the colour of the last curve through it."""

    def __init__(self, width: int, height: int):
        self.w, self.h = width, height
        self.bits = [[0] * width for _ in range(height)]
        self.style = [[""] * width for _ in range(height)]

    def dot(self, px: int, py: int, style: str) -> None:
        if 0 <= px < 2 * self.w and 0 <= py < 4 * self.h:
            self.bits[py // 4][px // 2] |= BITS[py % 4][px % 2]
            self.style[py // 4][px // 2] = style

    def curve(self, points: list[tuple[float, float]], style: str, pattern) -> None:
        """Join consecutive points (in dots); a None point breaks the line."""
        k, prev = 0, None
        for p in points:
            if p is not None:
                a = prev or p
                n = max(1, round(max(abs(p[0] - a[0]), abs(p[1] - a[1]))))
                for i in range(n if prev is None else 1, n + 1):  # the first point: once
                    if pattern(k):
                        self.dot(round(a[0] + (p[0] - a[0]) * i / n),
                                 round(a[1] + (p[1] - a[1]) * i / n), style)
                    k += 1
            prev = p

    def row(self, r: int):
        """Row r as (text, style) runs."""
        runs: list[list[str]] = []
        for bits, style in zip(self.bits[r], self.style[r]):
            ch, style = (chr(0x2800 + bits), style) if bits else (" ", "")
            if runs and runs[-1][1] == style:
                runs[-1][0] += ch
            else:
                runs.append([ch, style])
        if runs and not runs[-1][1]:  # no trailing blanks
            runs[-1][0] = runs[-1][0].rstrip()
        return runs


def thin(xs: list[float], ys: list[float], most: int) -> tuple[list[float], list[float]]:
    """At most about ``most`` points, evenly strided, always keeping the last."""
    n = min(len(xs), len(ys))
    if n <= most:
        return xs[:n], ys[:n]
    step = math.ceil(n / most)
    idx = list(range(0, n, step)) + ([n - 1] if (n - 1) % step else [])
    return [xs[i] for i in idx], [ys[i] for i in idx]


def render(values: dict[str, list[float]], columns: list[str], width: int,
           heights: dict[str, int], titles: bool = True, caption: bool = True):
    """The chart as a rich Text, ``width`` cells wide; ``heights`` in rows per metric
    (a metric missing from it is left out)."""
    from rich.text import Text

    n = min(len(values[c]) for c in columns)
    epochs = values["epoch"][:n]
    shown = [(m, cols) for m, cols in panels(columns) if heights.get(m)]
    ranges = {m: y_range([v for c in cols for v in values[c][:n]], heights[m])
              for m, cols in shown}
    gutter = max((len(tick_text(t, ticks, m != "cost")) for m, (_, _, ticks) in ranges.items()
                  for t in ticks), default=1)
    w = max(10, width - gutter - 1)
    x = (epochs[0], max(epochs[-1], epochs[0] + 1)) if n else (0.0, 1.0)
    out = Text(no_wrap=True, overflow="crop")
    for m, cols in shown:
        if titles:
            out.append(m, style="bold")
            for c in cols if len(cols) > 1 else ():
                family = FAMILIES[c[: -len(m)]]
                out.append(f"  {family.symbol} ", style=family.colour)
                out.append(family.name)
            out.append("\n")
        _panel(out, {c: values[c][:n] for c in ["epoch", *cols]}, m, x, ranges[m], gutter, w,
               heights[m])
    _x_axis(out, x, gutter, w)
    if caption and n:
        last = ", ".join(f"{c} {values[c][n - 1]:.{'2%' if c.endswith('accuracy') else '6g'}}"
                         for c in columns if c != "epoch")
        rows = f"{n} row{'s' if n > 1 else ''}"
        text = f"{rows}, epochs {epochs[0]:g}–{epochs[-1]:g}; last: {last}"
        for line in textwrap.wrap(text, width, break_on_hyphens=False):  # all of it, wrapped
            out.append(line + "\n")
    out.rstrip()
    return out


def _panel(out, values, metric, x, y, gutter: int, w: int, h: int) -> None:
    """One metric's curves, h rows high, with its y axis in the gutter."""
    (x_lo, x_hi), (lo, hi, ticks) = x, y
    canvas = Canvas(w, h)
    for c in values:
        if c == "epoch":
            continue
        colour, pattern = FAMILIES[c[: -len(metric)]][1:3]
        xs, ys = thin(values["epoch"], values[c], 4 * w)  # (dot x, dot y) below, 0 at the top
        canvas.curve([((x - x_lo) / (x_hi - x_lo) * (2 * w - 1),
                       (hi - y) / (hi - lo) * (4 * h - 1)) if math.isfinite(y) else None
                      for x, y in zip(xs, ys)], colour, pattern)
    labels = {}
    for t in ticks:
        labels.setdefault(round((hi - t) / (hi - lo) * (4 * h - 1)) // 4,
                          tick_text(t, ticks, metric != "cost"))
    for r in range(h):
        out.append(labels.get(r, "").rjust(gutter) + ("┤" if r in labels else "│"), style="dim")
        for text, style in canvas.row(r):
            out.append(text, style=style or None)
        out.append("\n")


def _x_axis(out, x, gutter: int, w: int) -> None:
    """The epoch axis: ticks on round epochs, their labels where they do not collide."""
    x_lo, x_hi = x
    axis, under, free = ["─"] * w, [" "] * w, 0
    step = max(1, nice_step(x_hi - x_lo, max(1, w // 12)))
    for k in range(math.ceil(x_lo / step), math.floor(x_hi / step) + 1):
        col = round((k * step - x_lo) / (x_hi - x_lo) * (2 * w - 1)) // 2
        axis[col], label = "┬", f"{k * step:g}"
        start = min(max(col - len(label) // 2, 0), w - len(label))
        if start >= free:
            under[start:start + len(label)] = label
            free = start + len(label) + 1
    out.append(" " * gutter + "└" + "".join(axis) + "\n", style="dim")
    labels = "".join(under).rstrip()
    if len(labels) + 7 <= w:
        labels = labels.ljust(w - 5) + "epoch"
    out.append(" " * (gutter + 1) + labels + "\n", style="dim")
