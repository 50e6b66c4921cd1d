"""``nnbp plot --out``: cost curves as a PNG or SVG image, drawn with matplotlib.

matplotlib is the ``plot`` extra, imported only here.  The figure is a
``matplotlib.figure.Figure`` saved directly (the Agg renderer), never pyplot,
so no GUI backend or global state is involved.
"""

from __future__ import annotations

import math
from pathlib import Path

MISSING = "nnbp plot --out needs the plot extra: pip install 'nnbp[plot]'"
FAMILIES = {"": ("training", "C0", "-"), "val_": ("validation", "C1", "--"),
            "test_": ("test", "C2", (0, (1, 1.5)))}


def require_matplotlib() -> None:
    from nnbp.errors import UsageError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(MISSING) from None


def write_image(reader, out: Path, title: str | None) -> None:
    """Cost above accuracy (when logged), against epoch; written atomically."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from cli.chart import panels

    shown = panels(reader.columns)
    epochs = reader.values["epoch"]
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nnbp",
                                "font.size": 10}):
        heights = [3, 2] if len(shown) == 2 else [1]
        fig = Figure(figsize=(8, 6 if len(shown) == 2 else 4.2), dpi=150, layout="constrained")
        axes = fig.subplots(len(shown), 1, sharex=True, height_ratios=heights, squeeze=False)
        for ax, (metric, cols) in zip(axes[:, 0], shown):
            for c in cols:
                name, colour, style = FAMILIES[c[: -len(metric)]]
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
