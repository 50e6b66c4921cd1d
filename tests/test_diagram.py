"""``explain --diagram``: the network figure, read back with xml.etree.

The figure is checked against the ``explain`` object it draws (circles, edges,
labels, the highlighted edges of --unit, colours by sign), against the size limits,
and as a PNG drawn with matplotlib: the same elements, cropped, no text on text.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from cli.render.diagram import MAX_EDGES, MAX_UNITS, draw, plan, svg
from nnbp.config import load_config
from nnbp.errors import UsageError
from nnbp.explain import explain
from nnbp.explain_setup import explain_setup
from nnbp.explanation import Example
from nnbp.network import Network

from conftest import run_nnbp
from steps import rounds, shows

NS = {"s": "http://www.w3.org/2000/svg"}
REPO = Path(__file__).resolve().parent.parent


def number(label: str) -> str:
    """The number a label ends in, with a hyphen for its minus sign: "δ2 −0.016" -> "-0.016"."""
    return label.split()[-1].replace("−", "-")


def lecture(t: int = 1):
    setup = explain_setup(load_config("lecture"))
    return setup.explain(setup.example(t))


def random_net(sizes, seed=0):
    net = Network(tuple(sizes))
    rng = np.random.default_rng(seed)
    Theta = {l: rng.uniform(-1, 1, size=net.shape(l)) for l in range(1, net.L)}
    return explain(net, Theta, Example(1, rng.normal(size=sizes[0]), np.eye(sizes[-1])[0]))


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def classed(root, tag: str, name: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{{{NS['s']}}}{tag}") if name in el.get("class", "").split()]


def text_of(el) -> str:
    return "".join(el.itertext())


def layer(e, l: int) -> dict:
    return next(d for d in e.to_json()["layers"] if d["l"] == l)


# --- what is drawn -------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [(2, 2, 2, 1), (4, 8, 3), (3, 12, 2), (2, 3, 1), (1, 1)])
def test_circles_and_edges_are_the_network(sizes):
    e = lecture() if sizes == (2, 2, 2, 1) else random_net(sizes)
    root = parse(svg(e))
    L = len(sizes)
    units = classed(root, "circle", "unit")
    for l, s in enumerate(sizes, start=1):
        in_layer = [c for c in units if c.get("data-l") == str(l)]
        bias = [c for c in in_layer if "bias" in c.get("class")]
        assert len(in_layer) == s + (l < L), l  # s_l units and the bias (not in the output layer)
        assert len(bias) == (l < L) and all(c.get("data-j") == "0" for c in bias)
        assert sorted(int(c.get("data-j")) for c in in_layer) == list(range(0 if l < L else 1, s + 1))
    edges = classed(root, "line", "edge")
    assert len(edges) == sum((sizes[k] + 1) * sizes[k + 1] for k in range(L - 1))
    drawn = {(int(x.get("data-l")), int(x.get("data-i")), int(x.get("data-j"))) for x in edges}
    assert len(drawn) == len(edges)  # each Θ^(l)_{ij} once
    for x in edges:  # each edge carries its own Θ^(l)_{ij}: row i, column j (0 is the bias)
        l, i, j = (int(x.get(f"data-{k}")) for k in "lij")
        assert float(x.get("data-theta")) == e.to_json()["Theta"][str(l)][i - 1][j]
    assert not classed(root, "line", "hl")  # nothing chosen, nothing highlighted


def test_colours_and_widths_follow_theta():
    e = random_net((4, 8, 3), seed=3)
    edges = classed(parse(svg(e)), "line", "edge")
    theta = [float(x.get("data-theta")) for x in edges]
    assert any(t > 0 for t in theta) and any(t < 0 for t in theta)
    for x, t in zip(edges, theta):
        r, g, b = (int(x.get("stroke")[k:k + 2], 16) for k in (1, 3, 5))
        assert (b > r) if t >= 0 else (r > b), (t, x.get("stroke"))  # blue positive, red negative
    positive = {x.get("stroke") for x, t in zip(edges, theta) if t >= 0}
    negative = {x.get("stroke") for x, t in zip(edges, theta) if t < 0}
    assert len(positive) == len(negative) == 1 and positive != negative
    widths = [float(x.get("stroke-width")) for x in edges]
    order = np.argsort(np.abs(theta))
    assert all(np.diff(np.array(widths)[order]) >= -1e-9)  # wider as |Θ| grows
    assert widths[order[-1]] > 3 * widths[order[0]]


def test_labels_are_the_explain_numbers():
    e = lecture()
    root = parse(svg(e))
    for d in e.to_json()["layers"]:
        l = d["l"]
        for kind, key in (("a", "a"), ("delta", "delta"), ("z", "z")):
            labels = {int(t.get("data-j")): text_of(t) for t in classed(root, "text", kind)
                      if t.get("data-l") == str(l)}
            if key not in d:  # layer 1: a = x, no z and no δ
                assert labels == {}, (l, kind)
                continue
            assert sorted(labels) == list(range(1, len(d[key]) + 1))
            for j, v in enumerate(d[key], start=1):
                assert shows(number(labels[j]), v), (l, kind, j, labels[j])
                if l > 1:  # "a1 0.52373"; an input unit shows x_j above its value
                    assert labels[j].startswith({"a": "a", "delta": "δ", "z": "z"}[kind] + str(j))
    # the lecture's numbers, as the table writes them
    assert "−0.0160842" in text_of(next(t for t in classed(root, "text", "delta")
                                        if (t.get("data-l"), t.get("data-j")) == ("2", "2")))
    assert [text_of(t) for t in classed(root, "text", "y")] == ["y1 = 1"]


def test_headers_name_a_z_delta_of_each_layer():
    root = parse(svg(lecture(), title="lecture"))
    texts = [text_of(t) for t in root.iter(f"{{{NS['s']}}}text")]
    assert "lecture: example 1" in texts
    assert "a(1) = x" in texts  # a^(1) = x, the superscript a tspan
    for l in (2, 3):
        assert f"z({l})   a({l})   δ({l})" in texts
    assert "z(4)   a(4) = hΘ(x)   δ(4)" in texts


# --- --unit: the edges into δ_j^(l) and the weighted sum ------------------------------

def highlighted(root) -> set[tuple[int, int, int]]:
    return {tuple(int(x.get(f"data-{k}")) for k in "lij") for x in classed(root, "line", "hl")}


@pytest.mark.parametrize("l,j", [(2, 1), (2, 2), (3, 1), (3, 2)])
def test_unit_highlights_exactly_the_edges_into_its_delta(l, j):
    e = lecture()
    root = parse(svg(e, layer=l, unit=j))
    s_next = len(layer(e, l + 1)["a"])
    # δ_j^(l) = (Σ_i Θ^(l)_{ij} δ_i^(l+1)) g'(z_j^(l)): column j of Θ^(l), every row i
    assert highlighted(root) == {(l, i, j) for i in range(1, s_next + 1)}
    chosen = classed(root, "circle", "chosen")
    assert [(c.get("data-l"), c.get("data-j")) for c in chosen] == [(str(l), str(j))]
    eq = [text_of(t) for t in classed(root, "text", "equation")]
    d = layer(e, l)
    assert eq[0].startswith(f"δ{j}({l}) = (")
    products = re.findall(r"\((−?[\d.]+)\)\((−?[\d.]+)\)", eq[1])
    assert len(products) == s_next
    for i, (theta, delta_i) in enumerate(products, start=1):
        assert f"Θ{i}{j}({l}) δ{i}({l + 1})" in eq[0]  # the lecture's symbols ...
        # ... and the numbers, to the digits the arithmetic needs (test_explain_arithmetic.py)
        assert rounds(theta, e.to_json()["Theta"][str(l)][i - 1][j])
        assert rounds(delta_i, layer(e, l + 1)["delta"][i - 1])
    assert rounds(eq[1].rsplit("· ", 1)[1], d["g_prime"][j - 1])
    total, factor, delta = re.fullmatch(r"= (\S+) · (\S+) = (\S+)", eq[-1]).groups()
    assert rounds(total, d["weighted_sum"][j - 1]) and rounds(factor, d["g_prime"][j - 1])
    assert shows(delta.replace("−", "-"), d["delta"][j - 1])
    tags = [text_of(t) for t in classed(root, "text", "theta")]
    assert len(tags) == s_next


def test_lecture_unit_2_2_is_the_lectures_sum():
    root = parse(svg(lecture(), layer=2, unit=2))
    assert highlighted(root) == {(2, 1, 2), (2, 2, 2)}  # Θ^(2)_12 and Θ^(2)_22
    eq = [text_of(t) for t in classed(root, "text", "equation")]
    assert eq == ["δ2(2) = (Θ12(2) δ1(3) + Θ22(2) δ2(3)) · g′(z2(2))",
                  "= ((0.6)(−0.078144) + (−0.3)(0.0590753)) · 0.248947",
                  "= −0.064609 · 0.248947 = −0.0160842"]
    assert sorted(text_of(t) for t in classed(root, "text", "theta")) == [
        "Θ12(2) = 0.6", "Θ22(2) = −0.3"]


def test_output_unit_has_no_edges_into_it_and_says_a_minus_y():
    e = lecture()
    root = parse(svg(e, layer=4, unit=1))
    assert highlighted(root) == set()
    assert [text_of(t) for t in classed(root, "text", "equation")] == [
        "δ1(4) = a1(4) − y1 = 0.604591 − 1 = −0.395409"]


def test_two_digit_indices_and_escaping():
    e = random_net((3, 2, 11), seed=5)
    root = parse(svg(e, layer=2, unit=1, title='a <b> & "c"'))
    assert highlighted(root) == {(2, i, 1) for i in range(1, 12)}
    eq = " ".join(text_of(t) for t in classed(root, "text", "equation"))
    assert "Θ10,1(2) δ10(3)" in eq and "Θ11,1(2) δ11(3)" in eq
    assert text_of(next(root.iter(f"{{{NS['s']}}}text"))) == 'a <b> & "c": example 1'


# --- networks too large to draw -------------------------------------------------------------

def test_size_limits():
    assert plan([MAX_UNITS, 2, 1], None, None)[0] == (1, list(range(MAX_UNITS + 1)))
    with pytest.raises(UsageError, match="too large to draw legibly.*--layer"):
        plan([MAX_UNITS + 1, 2, 1], None, None)
    with pytest.raises(UsageError, match="too large"):  # narrow layers, too many edges
        plan([10, 10, 10, 10], None, None)  # 3 · 11 · 10 = 330 edges
    assert 3 * 11 * 10 > MAX_EDGES >= 11 * 10
    # the part around --layer, and one unit of a layer too wide to draw
    with pytest.raises(UsageError, match="add --unit"):
        plan([64, 25, 10], 2, None)
    assert plan([64, 25, 10], 2, 3) == [(2, [3]), (3, list(range(1, 11)))]
    assert plan([64, 8, 10], 2, None) == [(2, list(range(9))), (3, list(range(1, 11)))]
    assert plan([64, 25, 10], 3, None) == [(3, list(range(1, 11)))]
    with pytest.raises(UsageError, match="--format table"):
        plan([64, 25, 30], 2, 3)  # δ_3^(2) sums over 30 units


def test_part_of_a_large_network():
    setup = explain_setup(load_config("digits"))
    e = setup.explain(setup.example(1))
    root = parse(svg(e, layer=2, unit=3))
    units = classed(root, "circle", "unit")
    assert {(c.get("data-l"), c.get("data-j")) for c in units} == (
        {("2", "3")} | {("3", str(i)) for i in range(1, 11)})
    assert highlighted(root) == {(2, i, 3) for i in range(1, 11)}
    assert len(classed(root, "line", "edge")) == 10
    texts = [text_of(t) for t in root.iter(f"{{{NS['s']}}}text")]
    assert "layer 2, 1 of 25 units" in texts
    eq = " ".join(text_of(t) for t in classed(root, "text", "equation"))
    assert "Θ10,3(2) δ10(3)" in eq and shows(number(eq), layer(e, 2)["delta"][2])


# --- the command ----------------------------------------------------------------------------

def error_only(p) -> str:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), p.stderr
    assert p.stdout == "" and "Traceback" not in p.stderr
    return lines[0]


def test_cli_writes_the_svg_and_says_so_on_stderr(tmp_path):
    p = run_nnbp("explain", "lecture", "--unit", "2,2", "--diagram", "fig.svg", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == "Wrote fig.svg\n"
    text = (tmp_path / "fig.svg").read_text(encoding="utf-8")
    assert text == svg(lecture(), layer=2, unit=2, title="lecture", activation="sigmoid")
    # --layer 2 --unit 2 is the same figure, and --diagram - prints it
    q = run_nnbp("explain", "lecture", "--layer", "2", "--unit", "2", "--diagram", "-", cwd=tmp_path)
    assert q.returncode == 0 and q.stdout == text and q.stderr == ""


def test_cli_diagram_beside_a_format(tmp_path):
    """--diagram with --format: the file, and that format on stdout."""
    p = run_nnbp("explain", "lecture", "--unit", "3,1", "--diagram", "f.svg", "--format", "json",
                 cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["example"] == 1 and p.stderr == "Wrote f.svg\n"
    assert highlighted(parse((tmp_path / "f.svg").read_text(encoding="utf-8"))) == {
        (3, 1, 1)}


def test_docs_figure_is_up_to_date(tmp_path):
    """docs/lecture.svg is what docs/make_images.sh makes: run it again after a change."""
    p = run_nnbp("explain", "lecture", "--example", "1", "--unit", "2,2", "--diagram", "-",
                 cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (REPO / "docs" / "lecture.svg").read_text(encoding="utf-8") == p.stdout, \
        "docs/lecture.svg is out of date: run bash docs/make_images.sh"
    assert "--diagram docs/lecture.svg" in (REPO / "docs" / "make_images.sh").read_text()


@pytest.mark.parametrize("args,needle", [
    (["digits", "--diagram", "x.svg"], "--layer"),
    (["digits", "--layer", "2", "--diagram", "x.svg"], "--unit"),
    (["lecture", "--diagram", "x.pdf"], ".svg or .png"),
    (["lecture", "--diagram", "no/such/dir/x.svg"], "cannot write"),
    (["lecture", "--diagram", "-", "--json"], "--diagram -"),
])
def test_cli_errors(tmp_path, args, needle):
    line = error_only(run_nnbp("explain", *args, cwd=tmp_path))
    assert needle in line
    assert not (tmp_path / "x.svg").exists()


# --- PNG: the same picture with matplotlib, cropped, its text apart ------------------------------

def drawn(e: dict, **how):
    from cli.render.image import Drawing

    return draw(Drawing, e, **how)


def test_png_is_a_picture(tmp_path):
    from matplotlib.image import imread

    p = run_nnbp("explain", "lecture", "--unit", "2,2", "--diagram", "fig.png", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == "Wrote fig.png\n"
    px = (imread(tmp_path / "fig.png")[:, :, :3] * 255).round().astype(np.int64)
    h, w = px.shape[:2]
    # twice the drawing's size in pixels (200 dpi), cropped to it with a 0.15-inch margin
    box = drawn(lecture(), layer=2, unit=2, title="lecture", activation="sigmoid").extent()
    assert (w, h) == pytest.approx((box.width * 200, box.height * 200), abs=2)
    ink = np.argwhere(np.any(px < 235, axis=2))
    (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0)
    assert left <= 40 and top <= 40 and w - right <= 40 and h - bottom <= 40  # no empty side
    rgb = px.reshape(-1, 3)
    white = np.all(rgb > 240, axis=1).mean()
    assert 0.5 < white < 0.98  # a white page with a drawing on it
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    assert ((b > r + 60) & (b > 120)).sum() > 200  # blue edges (Θ > 0)
    assert ((r > b + 60) & (r > 120) & (g < 120)).sum() > 200  # red edges (Θ < 0)
    assert ((r > 200) & (g > 100) & (g < 170) & (b < 80)).sum() > 200  # the orange highlight


def _wine() -> dict:
    return random_net((13, 12, 3), seed=4)


FIGURES = {
    "lecture": (lecture, {}),
    "lecture unit 2,2": (lecture, {"layer": 2, "unit": 2}),
    "lecture unit 3,1": (lecture, {"layer": 3, "unit": 1}),
    "4-8-3 unit 2,5": (lambda: random_net((4, 8, 3), seed=2), {"layer": 2, "unit": 5}),
    "13-12-3 layer 2 unit 3": (_wine, {"layer": 2, "unit": 3}),
    "13-12-3 layer 3": (_wine, {"layer": 3}),
}


def text_boxes(picture) -> list:
    """Each text's bounding box in the picture (pixels), and its class."""
    renderer = picture.fig.canvas.get_renderer()
    return [(t.get_window_extent(renderer), t.get_gid()) for t in picture.ax.texts]


@pytest.mark.parametrize("name", FIGURES)
def test_png_text_does_not_overlap(name):
    make, how = FIGURES[name]
    boxes = text_boxes(drawn(make(), title=name, activation="sigmoid", **how))
    assert len(boxes) > 10
    for k, (a, cls_a) in enumerate(boxes):
        for b, cls_b in boxes[k + 1:]:
            # boxes of the glyphs as drawn, less half a pixel for anti-aliasing
            apart = (a.x1 - 0.5 <= b.x0 or b.x1 - 0.5 <= a.x0 or
                     a.y1 - 0.5 <= b.y0 or b.y1 - 0.5 <= a.y0)
            assert apart, (name, cls_a, cls_b, a, b)


def _tiny():
    """Weights of 0.01 to 12: deltas like −0.00040085 and 3.8343e−05, the longest labels."""
    net = Network((10, 12, 3))
    rng = np.random.default_rng(0)
    Theta = {l: rng.uniform(-1, 1, size=net.shape(l)) * scale
             for l, scale in ((1, 12.0), (2, 0.01))}
    return explain(net, Theta, Example(1, rng.normal(size=10), np.eye(3)[0]))


@pytest.mark.parametrize("name", [*FIGURES, "10-12-3 long labels"])
def test_png_labels_fit_inside_their_units(name):
    """Every z, a and δ label, as matplotlib draws it, lies inside its unit's circle:
    each corner of its box within the circle, less half the circle's line."""
    from matplotlib.patches import Circle

    make, how = FIGURES.get(name, (_tiny, {"layer": 2, "unit": 3}))
    picture = drawn(make(), title=name, activation="sigmoid", **how)
    to_px = picture.ax.transData.transform
    circles = [(to_px(c.center), (to_px((c.center[0] + c.radius, c.center[1])) - to_px(c.center))[0]
                - c.get_linewidth() / 72 * picture.fig.dpi / 2)
               for c in picture.ax.patches if isinstance(c, Circle)]
    labels = [(box, cls) for box, cls in text_boxes(picture) if cls in ("z", "a", "delta")]
    assert len(labels) >= 3 * 3
    long = 0
    for box, cls in labels:
        (cx, cy), r = min(circles, key=lambda c: np.hypot(*(c[0] - box.get_points().mean(0))))
        corners = [(x, y) for x in (box.x0, box.x1) for y in (box.y0, box.y1)]
        assert max(np.hypot(x - cx, y - cy) for x, y in corners) <= r, (name, cls, box)
        long += box.width > 1.4 * r
    if name == "10-12-3 long labels":
        assert long >= 10  # labels as wide as the circle allows, still inside it


@pytest.mark.parametrize("name", ["lecture unit 2,2", "13-12-3 layer 2 unit 3"])
def test_png_draws_what_the_svg_draws(name):
    make, how = FIGURES[name]
    e = make()
    root = parse(svg(e, **how))
    picture = drawn(e, **how)
    ax = picture.ax
    assert len(ax.lines) == len(list(root.iter(f"{{{NS['s']}}}line")))
    assert len(ax.patches) == (len(list(root.iter(f"{{{NS['s']}}}circle")))
                               + len(list(root.iter(f"{{{NS['s']}}}rect"))) - 1)  # no page
    shown_svg = sorted(text_of(t) for t in root.iter(f"{{{NS['s']}}}text"))
    shown_png = sorted(re.sub(r"\$[_^]\{([^}]*)\}\$", r"\1", t.get_text()) for t in ax.texts)
    assert shown_png == shown_svg


def test_png_without_matplotlib_is_a_clear_error(monkeypatch, capsys, tmp_path):
    """matplotlib made unimportable in this process: one Error: line, exit 2, no file."""
    from cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises
    monkeypatch.setattr(sys, "argv", ["nnbp", "explain", "lecture", "--diagram", "fig.png"])
    with pytest.raises(SystemExit) as e:
        main.run()
    assert e.value.code == 2
    assert capsys.readouterr() == ("", "Error: --diagram fig.png: writing PNG needs the plot "
                                       "extra: pip install 'nnbp[plot]'\n")
    assert not (tmp_path / "fig.png").exists()
