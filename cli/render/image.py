"""Images drawn with matplotlib: cost curves (``nnbp plot --out``, PNG or SVG) and the
network diagram as PNG (``explain --diagram FILE.png``).

matplotlib is the ``plot`` extra, imported only here.  Figures are
``matplotlib.figure.Figure`` objects saved directly (the Agg renderer), never pyplot,
so no GUI backend or global state is involved.
"""

from __future__ import annotations

import math
from pathlib import Path

EXTRA = "pip install 'nnbp[plot]'"


def require_matplotlib(what: str = "nnbp plot --out") -> None:
    from nnbp.errors import UsageError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(f"{what} needs the plot extra: {EXTRA}") from None


def write_image(reader, out: Path, title: str | None) -> None:
    """Cost above accuracy (when logged), against epoch; written atomically."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from cli.render.chart import FAMILIES, panels

    shown = panels(reader.columns)
    epochs = reader.values["epoch"]
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nnbp",
                                "font.size": 10}):
        heights = [3, 2] if len(shown) == 2 else [1]
        fig = Figure(figsize=(8, 6 if len(shown) == 2 else 4.2), dpi=150, layout="constrained")
        axes = fig.subplots(len(shown), 1, sharex=True, height_ratios=heights, squeeze=False)
        for ax, (metric, cols) in zip(axes[:, 0], shown):
            for c in cols:
                family = FAMILIES[c[: -len(metric)]]
                name, colour, style = family.name, family.image_colour, family.linestyle
                ys = [v if math.isfinite(v) else math.nan for v in reader.values[c]]
                last = next((v for v in reversed(ys) if not math.isnan(v)), math.nan)
                shown_last = f"{last:.1%}" if metric == "accuracy" else f"{last:.3g}"
                ax.plot(epochs, ys, color=colour, linestyle=style, linewidth=1.8,
                        label=f"{name} (last {shown_last})")
            ax.set_ylabel(metric)
            ax.grid(True, alpha=0.3)
            ax.legend(loc="lower right" if metric == "accuracy" else "upper right",
                      frameon=False)
            if metric == "accuracy":
                ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        bottom = axes[-1, 0]
        bottom.set_xlabel("epoch")
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.set_xlim(epochs[0], epochs[-1] if epochs[-1] > epochs[0] else epochs[0] + 1)
        fig.align_ylabels(axes[:, 0])
        if title:
            fig.suptitle(title)
        fmt = out.suffix.lower().lstrip(".")
        from nnbp.model import write_atomic

        write_atomic(out, lambda f: fig.savefig(
            f, format=fmt, metadata={"Date": None} if fmt == "svg" else None))


PT = 0.72  # points per pixel of the diagram's coordinates (100 pixels an inch)


class Drawing:
    """The diagram's elements drawn with matplotlib, for a PNG: the same calls as
    cli/render/svg.py's ``Svg`` (pixel coordinates, y downwards), so that both draw one
    picture; the PNG is cropped to what is drawn."""

    def __init__(self, W: int, H: int, scale: float = 2.0):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.scale = scale
        self.fig = Figure(figsize=(W / 100, H / 100), dpi=100 * scale, facecolor="white")
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, W)
        self.ax.set_ylim(H, 0)
        self.ax.axis("off")
        self.z = 0  # later elements on top, as in SVG

    def _next(self) -> int:
        self.z += 1
        return self.z

    def line(self, x1, y1, x2, y2, *, stroke, width=1.0, opacity=1.0, cls=None, data=None,
             tip=None) -> None:
        self.ax.plot([x1, x2], [y1, y2], color=stroke, linewidth=width * PT, alpha=opacity,
                     solid_capstyle="round", zorder=self._next())

    def circle(self, x, y, r, *, stroke, width=1.4, dash=False, fill="#ffffff", cls=None,
               data=None, tip=None) -> None:
        from matplotlib.patches import Circle

        lw = width * PT
        style = (0, (4 * PT / lw, 3 * PT / lw)) if dash else "solid"  # "4 3" px, as in the SVG
        self.ax.add_patch(Circle((x, y), r, facecolor=fill, edgecolor=stroke, linewidth=lw,
                                 linestyle=style, zorder=self._next()))

    def rect(self, x, y, w, h, *, fill, stroke, rx=0) -> None:
        from matplotlib.patches import FancyBboxPatch

        self.ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={rx}",
                                         facecolor=fill, edgecolor=stroke, linewidth=1.5 * PT,
                                         zorder=self._next()))

    def text(self, x, y, s, size, *, anchor=None, fill="#222222", weight=None, cls=None,
             data=None) -> None:
        self.ax.text(x, y, mathtext(s), fontsize=size * PT, color=fill,
                     fontweight=weight or "normal", family="DejaVu Sans",
                     ha={"middle": "center", "end": "right"}.get(anchor, "left"),
                     va="baseline", zorder=self._next(), gid=cls)  # gid: its class

    def close(self) -> "Drawing":
        return self

    def extent(self):
        """What is drawn, in inches: the union of every element's box, and a margin."""
        from matplotlib.transforms import Bbox

        renderer = self.fig.canvas.get_renderer()
        drawn = [a.get_window_extent(renderer)
                 for a in (*self.ax.texts, *self.ax.patches, *self.ax.lines)]
        return Bbox.union(drawn).transformed(self.fig.dpi_scale_trans.inverted()).padded(0.15)

    def save(self, path) -> None:
        """The PNG, cropped to the drawing, written atomically."""
        from nnbp.model import write_atomic

        box = self.extent()
        write_atomic(path, lambda f: self.fig.savefig(f, format="png", bbox_inches=box,
                                                      facecolor="white"))


def mathtext(text: str) -> str:
    """The diagram's ``δ_{2}^{(3)}`` in matplotlib's mathtext: δ$_{2}$$^{(3)}$."""
    from cli.render.svg import pieces

    out = []
    for kind, s in pieces(text):
        out.append(s.replace("$", r"\$") if not kind else f"${kind}{{{s}}}$")
    return "".join(out)
