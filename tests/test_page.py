"""``explain --html``: the page as a file, read without a browser.

What it embeds (the ``--json`` object, the numbers as the terminal prints them), that
it is self-contained (a Content-Security-Policy that allows only its own script and
style, by hash; nothing to fetch), that every unit and edge is addressable, the
options and their errors, and the notebook object.  tests/test_page_browser.py runs
the page in Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from xml.etree import ElementTree as ET

import pytest

from conftest import modules_after, run_nnbp

SVG = "{http://www.w3.org/2000/svg}"


def script(page: str, ident: str) -> str:
    m = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', page, re.S)
    assert m, ident
    return m.group(1)


def embedded(page: str) -> dict:
    return json.loads(script(page, "nnbp-explanation"))


def data(page: str) -> dict:
    return json.loads(script(page, "nnbp-page"))


def network(page: str) -> ET.Element:
    m = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" id="network".*?</svg>', page, re.S)
    return ET.fromstring(m.group(0))


def the_page(tmp_path, *args) -> str:
    p = run_nnbp("explain", *args, "--format", "html", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return p.stdout


def error_only(p) -> str:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), p.stderr
    assert p.stdout == "" and "Traceback" not in p.stderr
    return lines[0]


def test_html_writes_the_file_and_format_html_prints_the_same_page(tmp_path):
    p = run_nnbp("explain", "lecture", "--html", "page.html", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == "Wrote page.html\n"
    text = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert the_page(tmp_path, "lecture") == text
    p = run_nnbp("explain", "lecture", "--html", "-", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == text


@pytest.mark.parametrize("args", [
    ["lecture"], ["lecture", "--example", "3"], ["lecture", "--x", "0.05,0.10", "--y", "1"],
    ["lecture", "--check"], ["digits", "--example", "5"], ["penguins", "--example", "2"],
])
def test_the_page_embeds_what_json_prints(tmp_path, args):
    p = run_nnbp("explain", *args, "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    page = the_page(tmp_path, *args)
    assert script(page, "nnbp-explanation") == p.stdout.strip()  # the same text, byte for byte
    assert embedded(page) == json.loads(p.stdout)


def test_embedded_json_cannot_end_its_script_early():
    from cli.render.page import script_json

    text = script_json({"feature": "</script><script>alert(1)</script> & more"})
    assert "</" not in text and "<" not in text
    assert json.loads(text) == {"feature": "</script><script>alert(1)</script> & more"}


def test_the_page_is_self_contained(tmp_path):
    page = the_page(tmp_path, "lecture")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1

    def sha(text):
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
    # the inline script and stylesheet, and nothing else, by their hashes
    assert f"script-src {sha(scripts[0])};" in policy and f"style-src {sha(styles[0])};" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"\b(src|href)=", page)
    assert not re.search(r"@import|url\(|@font-face", styles[0])
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls


def test_every_unit_and_edge_is_addressable_once(tmp_path):
    page = the_page(tmp_path, "lecture")
    root = network(page)
    units = [(int(c.get("data-layer")), int(c.get("data-unit"))) for c in root.iter()
             if c.get("data-unit") is not None]
    sizes = [2, 2, 2, 1]
    expected = [(l, j) for l, s in enumerate(sizes, 1) for j in range(0 if l < 4 else 1, s + 1)]
    assert sorted(units) == sorted(expected)
    e = embedded(page)
    edges = [g for g in root.iter(f"{SVG}g") if "edge" in g.get("class", "").split()]
    seen = {(int(g.get("data-layer")), int(g.get("data-to")), int(g.get("data-from"))): g
            for g in edges}
    assert len(seen) == len(edges) == sum((sizes[k] + 1) * sizes[k + 1] for k in range(3))
    for (l, i, j), g in seen.items():
        theta = e["Theta"][str(l)][i - 1][j]
        assert g.get("aria-label") == f"Θ_{i}{j}^({l}) = {theta:.5g}"
        assert g.get("tabindex") == "0" and g.get("role") == "button"
        assert ("neg" in g.get("class").split()) == (theta < 0)  # dashed: sign is not colour alone
    for c in root.iter(f"{SVG}circle"):
        if c.get("data-unit") is not None:
            assert c.get("tabindex") == "0" and c.get("aria-label")
    named = {(c.get("data-layer"), c.get("data-unit")): c.get("aria-label") for c in root.iter()
             if c.get("data-unit") is not None}
    assert named["3", "1"].startswith("δ_1^(3) = -0.078144,")
    assert named["4", "1"].startswith("δ_1^(4) = -0.395409,")
    assert "no δ" in named["2", "0"] and "no δ" in named["1", "2"]


def test_a_large_network_is_drawn_compactly_with_every_unit(tmp_path):
    page = the_page(tmp_path, "digits")
    root = network(page)
    assert "compact" in root.get("class")
    units = {(int(c.get("data-layer")), int(c.get("data-unit"))) for c in root.iter()
             if c.get("data-unit") is not None}
    assert len(units) == 65 + 26 + 10
    edges = [g for g in root.iter(f"{SVG}g") if "edge" in g.get("class", "").split()]
    assert len(edges) == 65 * 25 + 26 * 10
    # a layer wider than 32 units is one keyboard stop; the arrows move along it
    stops = [c for c in root.iter(f"{SVG}circle") if c.get("data-layer") == "1"
             and c.get("tabindex") == "0"]
    assert len(stops) == 1
    assert '<section id="near"' in page


def test_numbers_are_the_terminals(tmp_path):
    """The strings the page places are the terminal's, digit for digit."""
    page = the_page(tmp_path, "lecture")
    d = data(page)
    p = run_nnbp("explain", "lecture", cwd=tmp_path)
    out = p.stdout
    assert d["cost_text"] == "0.50320301" and "cost(t) = 0.50320301" in out
    # δ_1^(4) with the 6 digits its terms need (0.8 × -0.395409 = -0.316327), here too
    assert d["units"][3][1]["line"] == "δ_1^(4) = 0.604591 − 1 = -0.395409"
    assert d["units"][3][1]["line"] in out
    rows = d["units"][2][1]["rows"]
    assert rows[-1] == ["", "= δ_1^(3)", "", "", "-0.078144"]
    assert ["1", "  Θ_11^(3)·δ_1^(4)", "0.8", "-0.395409", "-0.316327"] == rows[0]
    assert d["units"][2][1]["g_prime"] == "0.247035"
    # g' in terms of a, with the digits that make a(1 - a) print as the table's factor
    assert d["units"][2][1]["g_lines"][1] == ("= a_1^(3) · (1 − a_1^(3)) = 0.55445 × "
                                               "(1 − 0.55445) = 0.247035")
    assert f"{0.55445 * (1 - 0.55445):.6g}" == "0.247035"
    assert d["numbers"][1]["z"] == ["0.095", "-0.13"] and d["numbers"][3]["a"] == ["0.604591"]
    assert d["numbers"][2]["a"][0] == "0.55445"  # a_1^(3), as its g′ line has it


def test_a_scaled_target_is_shown_as_written_beside_what_the_network_learns(tmp_path):
    page = the_page(tmp_path, "penguins")
    term = run_nnbp("explain", "penguins", cwd=tmp_path).stdout
    # the terminal's words and numbers: y as in the file, and y′, the standardized target
    said = "y = (3750) in the file, y′ = (-0.55956439) as the network learns it"
    assert re.sub(r"\s+", " ", term).count(said) == 1
    assert page.count(html.escape(said, quote=False)) == 2  # the heading, the first step


def test_steps_are_the_lecture_in_order(tmp_path):
    page = the_page(tmp_path, "lecture")
    kinds = re.findall(r'<tr class="step" data-kind="(\w+)" data-layer="(\d+)">', page)
    assert kinds == [("example", "1"), ("forward", "1"), ("forward", "2"), ("forward", "3"),
                     ("cost", "4"), ("delta", "4"), ("delta", "3"), ("delta", "2"),
                     ("Delta", "0"), ("D", "0")]


@pytest.mark.parametrize("args,needle", [
    (["--html", "p.html", "--diagram", "x.svg"], "--diagram"),
    (["--html", "p.html", "--format", "latex"], "--format latex"),
    (["--html", "p.html", "--json"], "--json"),
    (["--format", "html", "--diagram", "-"], "--diagram -"),
    (["--format", "html", "--diagram", "x.svg"], "--diagram"),
    (["--html", "p.txt"], "must end in .html"),
    (["--html", "no/such/dir/p.html"], "cannot write"),
    (["--format", "pdf"], "html"),
])
def test_cli_errors(tmp_path, args, needle):
    line = error_only(run_nnbp("explain", "lecture", *args, cwd=tmp_path))
    assert needle in line
    assert not (tmp_path / "p.html").exists() and not (tmp_path / "x.svg").exists()


def test_a_page_cannot_hold_nan():
    from cli.explain import explanation
    from cli.render.page import page
    from nnbp.errors import UsageError

    from dataclasses import replace

    e, setup, name, _ = explanation("lecture")
    e = replace(e, cost=float("nan"))
    with pytest.raises(UsageError, match="inf or nan"):
        page(e, setup, title=name)


def test_unit_option_selects_a_unit_and_layer_opens_its_step(tmp_path):
    assert data(the_page(tmp_path, "lecture", "--unit", "2,2"))["select"] == [2, 2]
    d = data(the_page(tmp_path, "lecture", "--layer", "3"))
    assert d["select"] is None and d["start"] == 3
    assert data(the_page(tmp_path, "lecture", "--gradient"))["edges"] == "gradient"


def test_only_a_page_imports_the_page_module(tmp_path):
    _, modules = modules_after("explain", "lecture", cwd=tmp_path)
    assert not [m for m in modules if m.startswith("cli.render.page")]
    r, modules = modules_after("explain", "lecture", "--html", "p.html", cwd=tmp_path)
    assert "cli.render.page" in modules and (tmp_path / "p.html").exists()


def test_notebook_object_shows_the_same_page(tmp_path):
    from cli.explain import explain_page
    from cli.render.page import Page

    p = explain_page("lecture", unit="3,1")
    assert isinstance(p, Page)
    assert p.html == the_page(tmp_path, "lecture", "--unit", "3,1")
    shown = p._repr_html_()
    m = re.fullmatch(r'<iframe [^>]*srcdoc="([^"]*)"></iframe>', shown, re.S)
    assert m and 'sandbox="allow-scripts"' in shown
    assert html.unescape(m.group(1)) == p.html
    p.save(tmp_path / "nb.html")
    assert (tmp_path / "nb.html").read_text(encoding="utf-8") == p.html


def test_batch_is_the_first_training_examples(tmp_path):
    d = data(the_page(tmp_path, "lecture"))["batch"]
    assert d["n"] == d["m"] == 4 and d["rows"] == [1, 2, 3, 4]
    assert d["X"][0] == [0.05, 0.1] and d["delta"][0][2] == ["-0.395409"]  # the example's
    d = data(the_page(tmp_path, "penguins"))["batch"]
    assert d["n"] == 50 and d["m"] == 274  # 68 of the 342 rows are held out
    assert d["rows"][:4] == [2, 3, 4, 5] and d["lambda"] == 1.0
