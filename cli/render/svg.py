"""A few SVG elements written as text (PNG: the same elements with matplotlib, cli/render/image.py).

Text takes the course's notation: ``δ_{2}^{(3)}`` sets "2" as a subscript and "(3)" as
a superscript, each a <tspan> moved by dy (which every SVG renderer knows).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
SMALL = 0.72  # size of a subscript or superscript
SHIFT = {"": 0.0, "_": 0.3, "^": -0.45}  # baseline offsets, in font sizes
PIECES = re.compile(r"([_^])\{([^}]*)\}")


def pieces(text: str) -> list[tuple[str, str]]:
    """``"δ_{2}^{(3)} = 1"`` -> [("", "δ"), ("_", "2"), ("^", "(3)"), ("", " = 1")]."""
    out, at = [], 0
    for m in PIECES.finditer(text):
        out += [("", text[at:m.start()]), (m.group(1), m.group(2))]
        at = m.end()
    return [(k, s) for k, s in out + [("", text[at:])] if s]


def rich(text: str, size: float) -> str:
    """The text's tspans: subscripts and superscripts smaller and off the baseline."""
    out, level = [], 0.0
    for kind, s in pieces(text):
        dy = (SHIFT[kind] - level) * size
        level = SHIFT[kind]
        attrs = (f' dy="{dy:.1f}"' if dy else "") + (
            f' font-size="{size * SMALL:.1f}"' if kind else "")
        out.append(f"<tspan{attrs}>{escape(s)}</tspan>" if attrs else escape(s))
    return "".join(out)


def width(text: str, size: float) -> float:
    """About how wide the text is drawn (px): enough to size a box around it."""
    return sum(len(s) * 0.62 * size * (SMALL if kind else 1) for kind, s in pieces(text))


def _attrs(**kw) -> str:
    return "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in kw.items()
                   if v is not None)


def _data(data: dict | None) -> str:
    return "".join(f" data-{k}={quoteattr(str(v))}" for k, v in (data or {}).items())


def _tip(tip: str | None) -> str:
    return f"<title>{escape(tip)}</title>" if tip else ""


class Svg:
    """An SVG document, element by element, on a white page."""

    def __init__(self, W: int, H: int):
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
            f'viewBox="0 0 {W} {H}" font-family="{FONT}">',
            f'<rect class="page" x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>']

    def line(self, x1, y1, x2, y2, *, stroke, width=1.0, opacity=1.0, cls=None, data=None,
             tip=None) -> None:
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
            + _attrs(**{"class": cls}, stroke=stroke, stroke_width=f"{width:.2f}",
                     stroke_opacity=opacity if opacity != 1 else None, stroke_linecap="round")
            + _data(data) + (f">{_tip(tip)}</line>" if tip else "/>"))

    def circle(self, x, y, r, *, stroke, width=1.4, dash=False, fill="#ffffff", cls=None,
               data=None, tip=None) -> None:
        self.parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}"'
            + _attrs(**{"class": cls}, fill=fill, stroke=stroke, stroke_width=width,
                     stroke_dasharray="4 3" if dash else None)
            + _data(data) + (f">{_tip(tip)}</circle>" if tip else "/>"))

    def rect(self, x, y, w, h, *, fill, stroke, rx=0) -> None:
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"'
                          + _attrs(rx=rx, fill=fill, stroke=stroke, stroke_width=1.5) + "/>")

    def text(self, x, y, s, size, *, anchor=None, fill="#222222", weight=None, cls=None,
             data=None) -> None:
        self.parts.append(
            f'<text xml:space="preserve" x="{x:.1f}" y="{y:.1f}" font-size="{size}"'
            + _attrs(**{"class": cls}, text_anchor=anchor, fill=fill, font_weight=weight)
            + _data(data) + f">{rich(s, size)}</text>")

    def close(self) -> str:
        return "\n".join(self.parts + ["</svg>"]) + "\n"
