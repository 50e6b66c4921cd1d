"""``explain --format latex|markdown|table|json``.

LaTeX: its structure, one equation per unit whose numbers are the JSON's at the
printed precision, folding, --layer/--unit, and (when a TeX system is installed)
that it compiles in a plain amsmath document.  Markdown: the same δ values.  The
command: --format json is --json, table is the default, bad values exit 2.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from cli.render.formats import latex, markdown
from nnbp.config import load_config
from nnbp.explain_setup import explain_setup

from conftest import run_nnbp
from steps import plain, rounds, shows


def written(e, v: float) -> str:
    """v as every view of the explanation ``e`` writes it, which is v to the digits
    shown, 5 at least."""
    from cli.render.explain_steps import writing

    s = writing(e).text(v)
    assert shows(s, v), (s, v)
    return s


def explained(name: str, t: int = 1, **kw):
    setup = explain_setup(load_config(name))
    return setup.explain(setup.example(t), **kw)


def layer(e: dict, l: int) -> dict:
    return next(d for d in e["layers"] if d["l"] == l)


def delta_lines(text: str) -> dict[tuple[int, int], tuple[str, str]]:
    """{(l, j): (the line δ_j^(l) &= …, the line after it)} of a LaTeX fragment."""
    lines = text.splitlines()
    out = {}
    for k, s in enumerate(lines):
        m = re.match(r"\\delta_\{(\d+)\}\^\{\((\d+)\)\} &= ", s)
        if m:
            out[int(m.group(2)), int(m.group(1))] = (s, lines[k + 1] if k + 1 < len(lines) else "")
    return out


def balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


# --- LaTeX ---------------------------------------------------------------------------------

def test_latex_structure():
    e = explained("lecture")
    text = latex(e, title="lecture")
    body = [s for s in text.splitlines() if not s.startswith("%")]
    assert text.count("\\begin{align*}") == text.count("\\end{align*}") == 4  # forward, δ^(4), 3, 2
    assert balanced(text)
    assert text.count("\\left") == text.count("\\right")
    # every line inside an environment but the last ends with \\
    for k, s in enumerate(body):
        if s.startswith("\\begin") or s.startswith("\\end"):
            continue
        assert s.endswith(" \\\\") == (not body[k + 1].startswith("\\end")), s
    # one equation per unit with a δ: 2 + 2 + 1
    assert sorted(delta_lines(text)) == [(2, 1), (2, 2), (3, 1), (3, 2), (4, 1)]
    assert "z^{(2)} &= \\Theta^{(1)} [1;\\ a^{(1)}] = \\left(0.095,\\ -0.13\\right)" in text
    assert f"\\mathrm{{cost}}(t) &= {e.cost:.8g}" in text


def test_latex_is_the_lectures_equation_with_the_numbers():
    e = explained("lecture")
    eqs = delta_lines(latex(e))
    symbols, numbers = eqs[2, 2]
    assert symbols == ("\\delta_{2}^{(2)} &= \\left(\\Theta^{(2)}_{12}\\delta^{(3)}_{1} + "
                       "\\Theta^{(2)}_{22}\\delta^{(3)}_{2}\\right) g'(z^{(2)}_{2}) \\\\")
    # the last line of its align*: δ_2^(3) and δ_2^(2) with the 6 digits the gradient's
    # entries need of them (0.0590753 × 0.523732 = 0.030940), as everywhere, and g′ with
    # the 6 that δ_2^(2) then needs
    assert numbers == ("&= \\left((0.6)(-0.078144) + (-0.3)(0.0590753)\\right)(0.248947) "
                       "= -0.0160842")
    assert eqs[4, 1][0] == ("\\delta_{1}^{(4)} &= a^{(4)}_{1} - y_{1} = 0.604591 - 1 "
                            "= -0.395409")


LATEX_NUMBER = r"-?[\d.]+(?: \\times 10\^\{-?\d+\})?"


@pytest.mark.parametrize("name,t", [("lecture", 1), ("lecture", 3), ("iris", 7), ("xor", 2)])
def test_latex_numbers_are_the_json(name, t):
    """Each number of an equation is the JSON's value to the digits printed (as many as
    the arithmetic needs, tests/test_explain_arithmetic.py), 5 at least."""
    explanation = explained(name, t)
    eqs = delta_lines(latex(explanation))
    e = explanation.to_json()
    L = len(e["layers"])
    for l in range(2, L):
        d, after, Theta = layer(e, l), layer(e, l + 1)["delta"], e["Theta"][str(l)]
        for j in range(1, len(d["a"]) + 1):
            symbols, numbers = eqs[l, j]
            products = re.findall(rf"\(({LATEX_NUMBER})\)\(({LATEX_NUMBER})\)", numbers)
            assert len(products) == len(after)
            for i, (theta, delta) in enumerate(products, start=1):  # Θ^(l)_{ij} δ_i^(l+1)
                assert f"\\Theta^{{({l})}}_{{{i}{j}}}\\delta^{{({l + 1})}}_{{{i}}}" in symbols
                assert rounds(theta, Theta[i - 1][j]) and rounds(delta, after[i - 1])
            assert numbers.startswith("&= \\left(")
            m = re.search(rf"\\right\)\(({LATEX_NUMBER})\) = ({LATEX_NUMBER})$",
                          numbers.removesuffix(" \\\\"))
            assert rounds(m.group(1), d["g_prime"][j - 1]) and shows(m.group(2), d["delta"][j - 1])
    out = layer(e, L)
    for k in range(1, len(out["a"]) + 1):
        assert shows(eqs[L, k][0].split(" = ")[-1].rstrip(" \\"), out["delta"][k - 1])


def test_latex_folds_long_sums_like_the_table():
    e = explained("digits")
    text = latex(e, layer=2)
    eqs = delta_lines(text)
    assert sorted(eqs) == [(2, j) for j in range(1, 26)]  # only --layer 2
    assert "a^{(1)}" not in text and "\\delta_{1}^{(3)}" not in text
    for j in range(1, 26):
        symbols, numbers = eqs[2, j]
        assert symbols.count("\\Theta") == 5 and "\\dots\\text{ (5 more)}" in symbols
        terms = layer(e.to_json(), 2)["terms"][j - 1]
        products = re.findall(rf"\(({LATEX_NUMBER})\)\(({LATEX_NUMBER})\)", numbers)
        assert len(products) == 5
        largest = sorted(sorted(range(10), key=lambda i: -abs(terms[i]))[:5])  # in their order
        printed = [float(plain(a)) * float(plain(b)) for a, b in products]
        assert printed == pytest.approx([terms[i] for i in largest], rel=1e-3)
        rest = re.search(rf"\(({LATEX_NUMBER})\)\\text\{{ \(5 more\)\}}", numbers).group(1)
        assert rounds(rest, math.fsum(terms[i] for i in range(10) if i not in largest))


def test_latex_two_digit_indices_and_one_unit():
    e = explained("digits")
    text = latex(e, layer=2, unit=3)  # one unit: every term
    eqs = delta_lines(text)
    assert list(eqs) == [(2, 3)]
    symbols, numbers = eqs[2, 3]
    assert symbols.count("\\Theta") == 10 and "more" not in symbols
    assert "\\Theta^{(2)}_{93}\\delta^{(3)}_{9} + \\Theta^{(2)}_{10,3}\\delta^{(3)}_{10}" in symbols
    assert text.count("\\begin{align*}") == 1


def test_latex_check_and_gradient():
    e = explained("lecture", check=True)
    text = latex(e, check=True, gradient=True)
    assert balanced(text)
    assert text.count("\\approx") == 5  # one finite difference per δ
    assert text.count("\\begin{array}{rrr}") == 3  # ∂cost/∂Θ^(1 … 3), s_l + 1 = 3 columns
    G = e.to_json()["gradient"]
    assert f"{written(e, G['1'][0][1])} & {written(e, G['1'][0][2])}" in text


TEX = shutil.which("pdflatex") or shutil.which("latexmk")


@pytest.mark.skipif(TEX is None, reason="no TeX system (pdflatex)")
def test_latex_compiles(tmp_path):
    fragments = [latex(explained("lecture", check=True), check=True, gradient=True, title="lecture"),
                 latex(explained("digits"), gradient=True, title="digits"),  # 65-column arrays
                 latex(explained("digits"), layer=2, unit=3)]
    doc = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
           + "\n".join(fragments) + "\n\\end{document}\n")
    (tmp_path / "doc.tex").write_text(doc, encoding="utf-8")
    argv = ([TEX, "-pdf", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
            if TEX.endswith("latexmk") else [TEX, "-interaction=nonstopmode", "-halt-on-error",
                                             "doc.tex"])
    p = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=240,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


# --- Markdown ------------------------------------------------------------------------------

def test_markdown_has_the_same_deltas():
    e = explained("lecture")
    text = markdown(e, title="lecture")
    assert text.startswith("## lecture: example 1\n")
    assert text.count("$$") % 2 == 0
    for d in e.to_json()["layers"][1:]:
        for v in d["delta"]:
            assert written(e, v) in text
    assert "| l | j | z_j^(l) | a_j^(l) |" in text
    assert "| 2 | 2 | -0.13 | 0.467546 |" in text
    # the δ table of layer 2: weighted sum, g'(z), δ
    assert "| 2 | -0.064609 | 0.248947 | -0.0160842 |" in text
    # and its equations, as in the LaTeX
    assert ("&= \\left((0.6)(-0.078144) + (-0.3)(0.0590753)\\right)(0.248947) = -0.0160842"
            in text)
    headings = [s for s in text.splitlines() if s.startswith("### ")]
    assert [h.split(":")[0] for h in headings] == ["### Forward pass", "### Output layer",
                                                   "### Layer 3", "### Layer 2"]


def test_markdown_one_unit():
    e = explained("lecture")
    text = markdown(e, layer=3, unit=2)
    assert [s for s in text.splitlines() if s.startswith("### ")] == [
        "### Layer 3: δ_j^(3) = (Σ_i Θ_ij^(3) δ_i^(4)) · g'(z_j^(3))"]
    d = layer(e.to_json(), 3)
    assert written(e, d["delta"][1]) in text and written(e, d["delta"][0]) not in text


# --- the command ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("formats")
    jobs = [("--json",), ("--format", "json"), (), ("--format", "table"), ("--format", "latex"),
            ("--format", "markdown"), ("--format", "latex", "--unit", "2,2"),
            ("--format", "latex", "--layer", "2", "--unit", "2"), ("--format", "pdf"),
            ("--json", "--format", "latex"), ("-f", "LaTeX")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = pool.map(lambda a: run_nnbp("explain", "lecture", *a, cwd=cwd), jobs)
        return dict(zip(jobs, done))


def test_format_json_is_json(runs):
    assert runs["--json",].returncode == 0
    assert runs["--format", "json"].stdout == runs["--json",].stdout


def test_format_table_is_the_default(runs):
    assert runs[()].returncode == 0 and "Layer 2:" in runs[()].stdout
    assert runs["--format", "table"].stdout == runs[()].stdout


def test_format_latex_and_markdown_on_stdout(runs):
    e = explained("lecture")
    for fmt, render in (("latex", latex), ("markdown", markdown)):
        p = runs["--format", fmt]
        assert p.returncode == 0 and p.stderr == ""
        assert p.stdout == render(e, title="lecture") + "\n"
    assert runs["-f", "LaTeX"].stdout == runs["--format", "latex"].stdout
    one = runs["--format", "latex", "--unit", "2,2"]
    assert one.stdout == runs["--format", "latex", "--layer", "2", "--unit", "2"].stdout
    assert list(delta_lines(one.stdout)) == [(2, 2)]


@pytest.mark.parametrize("args,needle", [(("--format", "pdf"), "--format pdf is not one of"),
                                         (("--json", "--format", "latex"), "--json")])
def test_bad_format_exits_2(runs, args, needle):
    p = runs[args]
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], p.stderr
