"""The page's network figure, as SVG text with every unit and edge addressable.

A network small enough for ``explain --diagram`` is drawn by cli/render/diagram.py itself,
on a surface (``Addressable``) that gives each unit ``data-layer``/``data-unit`` and
each edge ``data-layer``/``data-from``/``data-to``, a keyboard stop and an accessible
name.  A larger one is drawn compactly here: every unit a small circle, each Θ^(l)
as thin lines (or one band past ``MAX_EDGES`` weights); the page draws the
selected unit's neighbourhood in full below it.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from nnbp.explanation import Explanation

from cli.render import diagram
from cli.render.notation import sub
from cli.render.svg import FONT, Svg

MAX_EDGES = 4000  # a Θ^(l) with more weights is drawn as a band, not edge by edge
ROWS = 64  # units a column of the compact figure holds before it wraps
STEP, RADIUS = 10, 3.6  # px between units, unit radius
COLUMN_GAP = 240  # px between layers


def unit_name(l: int, j: int, units: list[dict], L: int) -> str:
    """The accessible name of unit j of layer l: its δ first, as the tables write it."""
    if j == 0:
        return f"bias unit a_0^({l}) = 1 of layer {l}, which has no δ"
    u = units[l - 1]
    if l == 1:
        return f"{u.get('name', 'x')}_{j} = {u['a'][j - 1]}, input unit {j} (layer 1 has no δ)"
    return (f"δ{sub(j)}^({l}) = {u['delta'][j - 1]}, unit {j} of layer {l}"
            f"{' (output)' if l == L else ''}: z = {u['z'][j - 1]}, a = {u['a'][j - 1]}")


def edge_name(l: int, i: int, j: int, theta: str) -> str:
    return f"Θ{sub(i, j)}^({l}) = {theta}"


def _attrs(pairs: dict) -> str:
    return "".join(f" {k}={quoteattr(str(v))}" for k, v in pairs.items() if v is not None)


class Addressable(Svg):
    """cli/render/svg.py's surface, with the page's names on units and edges, and the
    headline left out (the page has its own)."""

    units: list[dict] = []  # per layer, the numbers as the tables print them
    thetas: dict = {}  # per layer, Θ as printed
    L = 0

    def __init__(self, W: int, H: int):
        super().__init__(W, H)
        self.W, self.H = W, H

    def line(self, x1, y1, x2, y2, *, stroke, width=1.0, opacity=1.0, cls=None, data=None,
             tip=None) -> None:
        if cls != "edge" or not data:
            return super().line(x1, y1, x2, y2, stroke=stroke, width=width, opacity=opacity,
                                cls=cls, data=data, tip=tip)
        l, i, j = data["l"], data["i"], data["j"]
        theta = float(data["theta"])
        name = edge_name(l, i, j, self.thetas[l - 1][i - 1][j])
        ends = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
        self.parts.append(
            f'<g class="edge{" neg" if theta < 0 else ""}"'
            + _attrs({"data-layer": l, "data-from": j, "data-to": i, "data-w": f"{width:.2f}",
                      "tabindex": 0, "role": "button", "aria-label": name})
            + f'><line class="hit" {ends}/>'
            f'<line class="stroke" {ends} stroke="{stroke}" stroke-width="{width:.2f}"/>'
            f"<title>{escape(name)}</title></g>")

    def circle(self, x, y, r, *, stroke, width=1.4, dash=False, fill="#ffffff", cls=None,
               data=None, tip=None) -> None:
        if not (cls or "").startswith("unit") or not data:
            return super().circle(x, y, r, stroke=stroke, width=width, dash=dash, fill=fill,
                                  cls=cls, data=data, tip=tip)
        l, j = data["l"], data["j"]
        name = unit_name(l, j, self.units, self.L)
        self.parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}"'
            + _attrs({"class": "unit bias" if j == 0 else "unit", "data-layer": l,
                      "data-unit": j, "tabindex": 0, "role": "button", "aria-label": name,
                      "fill": fill, "stroke": stroke, "stroke-width": width,
                      "stroke-dasharray": "4 3" if dash else None})
            + f"><title>{escape(name)}</title></circle>")

    def text(self, x, y, s, size, *, anchor=None, fill="#222222", weight=None, cls=None,
             data=None) -> None:
        if data:  # the numbers in a unit: tied to it, but not a unit themselves
            data = {"of": f"{data['l']},{data['j']}"}
        super().text(x, y, s, size, anchor=anchor, fill=fill, weight=weight, cls=cls, data=data)

    def close(self) -> str:
        # the page has its own headline and legend: the figure without the diagram's
        top, bottom = 70, 40
        self.parts[0] = (f'<svg xmlns="http://www.w3.org/2000/svg" id="network" '
                         f'viewBox="0 {top} {self.W} {self.H - top - bottom}" '
                         f'font-family="{FONT}" role="group" aria-label="The network">')
        return super().close()


def small(e: Explanation, units: list[dict], thetas: list, activation: str) -> str:
    """The diagram of cli/render/diagram.py, every unit and edge addressable."""
    surface = type("Surface", (Addressable,), {"units": units, "thetas": thetas, "L": e.L})
    return diagram.draw(surface, e, title="", activation=activation).close()


def fits_whole(sizes: list[int]) -> bool:
    """Is the network small enough for the lecture's figure (cli/render/diagram.py)?"""
    L = len(sizes)
    cols = [(l, ([0] if l < L else []) + list(range(1, s + 1))) for l, s in enumerate(sizes, 1)]
    return diagram.legible(cols)


def compact(e: Explanation, units: list[dict], thetas: list) -> str:
    """Every unit as a small circle in columns of up to ROWS, the bias on top; each
    Θ^(l) as thin lines, or as one band when it has more than MAX_EDGES weights."""
    L = e.L
    sizes = [e.layers[l].size for l in range(1, L + 1)]
    tall = min(max(sizes) + 1, ROWS)
    pos, x, widths = {}, 60.0, []
    for l, s in enumerate(sizes, start=1):
        ids = ([0] if l < L else []) + list(range(1, s + 1))
        cols = math.ceil(len(ids) / ROWS)
        for k, j in enumerate(ids):
            c, r = divmod(k, ROWS)
            rows = min(len(ids) - c * ROWS, ROWS)
            pos[l, j] = (x + c * STEP, 70 + (tall - rows) * STEP / 2 + r * STEP)
        widths.append((x, cols))
        x += (cols - 1) * STEP + COLUMN_GAP
    W, H = int(x - COLUMN_GAP + 80), int(70 + tall * STEP + 40)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="network" class="compact" '
           f'viewBox="0 0 {W} {H}" font-family="{FONT}" role="group" aria-label="The network">',
           f'<rect class="page" x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>']
    for l, (x0, cols) in enumerate(widths, start=1):
        kind = " (input)" if l == 1 else " (output)" if l == L else ""
        mid = x0 + (cols - 1) * STEP / 2
        out.append(f'<text x="{mid:.1f}" y="30" font-size="14" font-weight="bold" '
                   f'text-anchor="middle">layer {l}{kind}</text>')
        out.append(f'<text x="{mid:.1f}" y="48" font-size="12" fill="#777777" '
                   f'text-anchor="middle">{sizes[l - 1]} units</text>')
    biggest = max((abs(v) for T in e.Theta.values() for row in T.tolist() for v in row),
                  default=0) or 1
    for l in range(1, L):
        T = e.Theta[l].tolist()
        if sizes[l] * (sizes[l - 1] + 1) <= MAX_EDGES:
            for i in range(1, sizes[l] + 1):
                for j in range(0, sizes[l - 1] + 1):
                    theta = T[i - 1][j]
                    (x1, y1), (x2, y2) = pos[l, j], pos[l + 1, i]
                    w = 0.3 + 1.7 * abs(theta) / biggest
                    out.append(
                        f'<g class="edge{" neg" if theta < 0 else ""}"'
                        + _attrs({"data-layer": l, "data-from": j, "data-to": i,
                                  "data-w": f"{w:.2f}",
                                  "aria-label": edge_name(l, i, j, thetas[l - 1][i - 1][j])})
                        + f'><line class="stroke" x1="{x1 + RADIUS:.1f}" y1="{y1:.1f}" '
                        f'x2="{x2 - RADIUS:.1f}" y2="{y2:.1f}" '
                        f'stroke="{diagram.BLUE if theta >= 0 else diagram.RED}" '
                        f'stroke-width="{w:.2f}"/></g>')
            continue
        # a band for the weights, too many to draw one by one
        (xa, ca), (xb, _) = widths[l - 1], widths[l]
        x1, x2 = xa + (ca - 1) * STEP + 8, xb - 8
        ys_a = [pos[l, j][1] for j in range(0, sizes[l - 1] + 1)]
        ys_b = [pos[l + 1, i][1] for i in range(1, sizes[l] + 1)]
        out.append(f'<polygon class="band" points="{x1:.1f},{min(ys_a):.1f} '
                   f'{x2:.1f},{min(ys_b):.1f} {x2:.1f},{max(ys_b):.1f} '
                   f'{x1:.1f},{max(ys_a):.1f}" fill="#2166ac" fill-opacity="0.08"/>')
        out.append(f'<text x="{(x1 + x2) / 2:.1f}" y="{H - 14}" font-size="12" '
                   f'fill="#777777" text-anchor="middle">Θ^({l}): {sizes[l]} × '
                   f'{sizes[l - 1] + 1} weights, drawn around the selected unit</text>')
    for (l, j), (cx, cy) in pos.items():
        # a layer past 32 units is one keyboard stop: the arrows move along it
        stop = 0 if sizes[l - 1] <= 32 or j == (0 if l < L else 1) else -1
        name = unit_name(l, j, units, L)
        out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{RADIUS}"'
                   + _attrs({"class": "unit bias" if j == 0 else "unit", "data-layer": l,
                             "data-unit": j, "tabindex": stop, "role": "button",
                             "aria-label": name, "fill": "#ffffff",
                             "stroke": "#777777" if j == 0 else "#222222",
                             "stroke-width": 1,
                             "stroke-dasharray": "2 1.5" if j == 0 else None})
                   + f"><title>{escape(name)}</title></circle>")
    out.append("</svg>")
    return "\n".join(out) + "\n"

