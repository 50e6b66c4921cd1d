"""``explain --html`` in a real browser: Debian's Chromium, headless, driven by
Selenium through the system chromedriver, the page loaded from file://.

One test for each thing a learner can do (step, select a unit, switch the edges,
nudge a weight, check the gradient, accumulate the batch), each read back from the
DOM against the terminal and the library; then the page's own arithmetic against
Python's, its speed on a digits model, a 784-wide input, keyboard, motion, print, and
the notebook's iframe.

Under CI (NNBP_CI or CI set; .ci/run sets NNBP_CI) a missing browser fails these
tests; elsewhere they are skipped without one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from cli.render.notation import write
from conftest import nnbp_argv, nnbp_env, run_nnbp
from nnbp.config import load_config
from nnbp.network import backprop
from nnbp.training.run import prepare
from steps import shows

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else \
    shutil.which("chromedriver")
UNDER_CI = any(os.environ.get(v, "").lower() not in ("", "0", "false")
               for v in ("NNBP_CI", "CI"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,950"]


@pytest.fixture(scope="module")
def browser():
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", DRIVER))
               if not path]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium (the test extra)")
    if missing:
        if UNDER_CI:
            pytest.fail(f"the browser tests must run under CI: {', '.join(missing)} missing")
        pytest.skip(f"no browser here: {', '.join(missing)} missing")
    profile = tempfile.mkdtemp(prefix="nnbp-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The pages the tests read, made once: name -> path."""
    d = tmp_path_factory.mktemp("pages")
    made = {}

    def make(name, *args):
        p = run_nnbp("explain", *args, "--html", f"{name}.html", cwd=d, timeout=300)
        assert p.returncode == 0, p.stderr
        made[name] = d / f"{name}.html"
    make("lecture", "lecture")
    make("penguins", "penguins")
    p = run_nnbp("train", "digits", "--epochs", "20", "--quiet", "--out", "digits.npz", cwd=d)
    assert p.returncode == 0, p.stderr
    make("digits", "digits", "--model", "digits.npz")
    return made


def terminal(*args, cwd=None) -> str:
    """What ``nnbp explain ARGS`` prints on a terminal wide enough for whole rows."""
    env = dict(nnbp_env(), COLUMNS="300")
    p = subprocess.run([*nnbp_argv(), "explain", *args], capture_output=True, text=True, env=env,
                       cwd=cwd or REPO, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    return p.stdout


def sym(name, l, *k):
    s = "".join(map(str, k)) if all(i < 10 for i in k) else ",".join(map(str, k))
    return f"{name}_{s}^({l})" if all(i < 10 for i in k) else f"{name}_{{{s}}}^({l})"


def squash(text: str) -> str:
    return re.sub(r"[\s│]+", "", text)


def delta_line(out: str, l: int, j: int, L: int) -> str:
    """The terminal's δ line of unit j of layer l: the output layer's sentence, or the
    hidden table's row "= δ_j^(l) … value", whitespace and borders aside."""
    if l == L:
        (line,) = [s for s in out.splitlines() if s.strip().startswith(f"{sym('δ', L, j)} = ")]
        return squash(line)
    (row,) = [s for s in out.splitlines()
              if "│" in s and s.split("│")[2].strip() == f"= {sym('δ', l, j)}"]
    return squash(row)


def unit_rows(out: str) -> list[list[str]]:
    """The rows of the hidden table that ``explain --unit l,j`` prints, cell by cell."""
    return [[c.strip() for c in s.split("│")[1:-1]] for s in out.splitlines()
            if s.startswith("│")]


def load(driver, path: Path):
    driver.get(path.as_uri())
    wait_ready(driver)
    return driver


def wait_ready(driver, seconds=10):
    """Until the page's script has set itself up (it marks <body data-ready>)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds, poll_frequency=0.02).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && document.body.dataset.ready"))


def by_css(driver, css):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def one(driver, css):
    (el,) = by_css(driver, css)
    return el


def click(driver, el):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).move_to_element(el).click().perform()


def keys(driver, *ks):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*ks).perform()


def detail(driver) -> str:
    return squash(one(driver, "#detail").get_attribute("textContent"))


def select(driver, l, j, where="#network"):
    click(driver, one(driver, f'{where} .unit[data-layer="{l}"][data-unit="{j}"]'))


def explained(config, *args) -> dict:
    p = run_nnbp("explain", config, *args, "--json", cwd=REPO)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def close(actual, expected, rtol=1e-12):
    """Each entry equal to ``rtol`` relative to itself (an exact 0 exactly)."""
    a, e = np.asarray(actual, float), np.asarray(expected, float)
    assert a.shape == e.shape
    assert np.all(np.abs(a - e) <= rtol * np.abs(e)), np.max(np.abs(a - e) / np.abs(e))


# --- the page, as the terminal and --json have it -------------------------------------------

@pytest.mark.parametrize("name", ["lecture", "digits"])
def test_the_page_requests_nothing_and_embeds_the_json(browser, pages, name):
    load(browser, pages[name])
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    embedded = browser.execute_script(
        "return document.getElementById('nnbp-explanation').textContent")
    args = ["--model", str(pages[name].parent / "digits.npz")] if name == "digits" else []
    assert json.loads(embedded) == explained(name, *args)


# --- 1. step through the example, with the keyboard alone -----------------------------------

def test_stepping_with_the_keyboard_shows_every_delta_of_the_lecture(browser, pages):
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["lecture"])
    out = terminal("lecture")
    wanted = {(l, j): delta_line(out, l, j, 4) for l, s in ((4, 1), (3, 2), (2, 2))
              for j in range(1, s + 1)}
    sizes = [2, 2, 2, 1]
    seen, kinds = "", []
    for k in range(10):
        row = one(browser, "#steps tr.step.current")
        kind, l = row.get_attribute("data-kind"), int(row.get_attribute("data-layer"))
        kinds.append((kind, l))
        assert browser.find_element("id", "where").text.startswith(f"Step {k + 1} of 10: ")
        assert row.is_displayed() and len([r for r in by_css(browser, "#steps tr.step")
                                           if r.is_displayed()]) == 1
        lit_edges = {e.get_attribute("data-layer") for e in by_css(browser, "#network .edge.lit")}
        lit_units = {(u.get_attribute("data-layer"), u.get_attribute("data-unit"))
                     for u in by_css(browser, "#network .unit.lit")}
        if kind == "forward":  # Θ^(l) carries layer l into layer l+1
            assert lit_edges == {str(l)}
            assert len(by_css(browser, "#network .edge.lit")) == (sizes[l - 1] + 1) * sizes[l]
            assert lit_units == {(str(l + 1), str(j)) for j in range(1, sizes[l] + 1)}
        if kind == "delta":  # δ^(l) is computed; those to its left not yet
            assert lit_units == {(str(l), str(j)) for j in range(1, sizes[l - 1] + 1)}
            for t in by_css(browser, "#network text.delta"):
                m = int(t.get_attribute("data-of").split(",")[0])
                assert ("pending" in t.get_attribute("class")) == (m < l)
        seen += squash(row.get_attribute("textContent"))
        keys(browser, Keys.ARROW_RIGHT)
    assert kinds == [("example", 1), ("forward", 1), ("forward", 2), ("forward", 3), ("cost", 4),
                     ("delta", 4), ("delta", 3), ("delta", 2), ("Delta", 0), ("D", 0)]
    for unit, line in wanted.items():
        assert line in seen, (unit, line)
    assert "cost(t)" in seen and "=0.50320301" in seen
    keys(browser, Keys.ARROW_LEFT)
    assert one(browser, "#steps tr.step.current").get_attribute("data-kind") == "Delta"
    for _ in range(12):
        keys(browser, Keys.ARROW_LEFT)
    assert browser.find_element("id", "prev").get_attribute("disabled") == "true"


# --- 2. select any unit: its δ line, its terms as chips, why some units have none -----------

def test_selecting_a_unit_shows_its_delta_as_the_terminal_prints_it(browser, pages):
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["lecture"])
    out = terminal("lecture")
    # Tab then Enter, from the top of the page
    for _ in range(80):
        keys(browser, Keys.TAB)
        a = browser.switch_to.active_element
        if (a.get_attribute("data-layer"), a.get_attribute("data-unit")) == ("3", "1") \
                and "unit" in a.get_attribute("class"):
            break
    else:
        pytest.fail("Tab never reached unit 1 of layer 3")
    keys(browser, Keys.ENTER)
    assert detail(browser) == delta_line(out, 3, 1, 4) == squash("= δ_1^(3) -0.078144")
    for l, s in ((2, 2), (3, 2), (4, 1)):
        for j in range(1, s + 1):
            select(browser, l, j)
            assert detail(browser) == delta_line(out, l, j, 4), (l, j)
            if l < 4:  # every row of the unit's table, cell by cell, as --unit l,j prints it
                rows = [[c.get_attribute("textContent").strip()
                         for c in r.find_elements("css selector", "td")]
                        for r in by_css(browser, "#unit-body table.work tbody tr")]
                assert rows == unit_rows(terminal("lecture", "--unit", f"{l},{j}"))
    select(browser, 4, 1)
    assert detail(browser) == squash("δ_1^(4) = 0.604591 − 1 = -0.395409")
    assert "cross-entropy" in one(browser, "#unit-body").text
    select(browser, 2, 0)
    assert "no δ" in one(browser, "#detail").text
    assert "no λ" in one(browser, "#unit-body").text or "λ" in one(browser, "#unit-body").text
    select(browser, 1, 2)
    assert one(browser, "#detail").text == "x_2 = 0.1: layer 1 has no δ"
    assert "no δ^(1)" in one(browser, "#unit-body").text
    # δ_1^(2): a chip per term; hover and focus light its edge and the unit on the right
    select(browser, 2, 1)
    body = one(browser, "#unit-body").text
    assert "g′(z_1^(2)) = σ(z_1^(2)) · (1 − σ(z_1^(2)))" in body  # g' of z, and of a
    assert "= a_1^(2) · (1 − a_1^(2)) = 0.523732 × (1 − 0.523732) = 0.24944" in body
    chips = by_css(browser, "#unit-body .chip")
    assert [c.get_attribute("aria-label") for c in chips] == [
        "Θ_11^(2)·δ_1^(3) = -0.5 × -0.078144 = 0.039072",
        "Θ_21^(2)·δ_2^(3) = 0.7 × 0.0590753 = 0.041353"]
    assert "feeds" in one(browser, '#network .edge[data-layer="2"][data-from="1"][data-to="2"]') \
        .get_attribute("class")
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).move_to_element(chips[1]).perform()

    def hot():
        return ({(e.get_attribute("data-layer"), e.get_attribute("data-to"),
                  e.get_attribute("data-from")) for e in by_css(browser, "#network .edge.hot")},
                {(u.get_attribute("data-layer"), u.get_attribute("data-unit"))
                 for u in by_css(browser, "#network .unit.hot")})
    assert hot() == ({("2", "2", "1")}, {("3", "2")})
    ActionChains(browser).move_to_element(one(browser, "h1")).perform()
    assert hot() == (set(), set())
    browser.execute_script("arguments[0].focus()", chips[0])
    assert hot() == ({("2", "1", "1")}, {("3", "1")})


def test_output_layer_of_a_regression_and_a_large_networks_units(browser, pages):
    load(browser, pages["penguins"])
    select(browser, 3, 1)
    out = terminal("penguins")
    assert detail(browser) == delta_line(out, 3, 1, 3) == \
        squash("δ_1^(3) = -0.45263305 − (-0.55956439) = 0.1069313")
    assert "g′(z) = 1" in one(browser, "#unit-body").text
    load(browser, pages["digits"])
    out = terminal("digits", "--model", str(pages["digits"].parent / "digits.npz"))
    goto = browser.find_element("id", "goto")
    from selenium.webdriver.common.keys import Keys

    for l, j in [(2, 1), (2, 10), (2, 25), (3, 1), (3, 10)]:
        goto.clear()
        goto.send_keys(f"{l},{j}", Keys.ENTER)
        assert detail(browser) == delta_line(out, l, j, 3), (l, j)
        near = by_css(browser, "#neighbourhood .edge")  # the neighbourhood, in full
        # z_j of layer 2 sums 65 terms: the 12 largest; δ_j sums the 10 of layer 3.
        # An output unit's z sums the 26 of layer 2, all drawn.
        assert len(near) == (12 + 10 if l == 2 else 26)
        for e in near:
            assert all(e.get_attribute(a) for a in ("data-layer", "data-from", "data-to"))
            assert e.get_attribute("aria-label").startswith("Θ_")
        # every label inside the figure's box: none cut off at its edges
        inside = browser.execute_script("""
            const svg = document.getElementById('neighbourhood'), v = svg.viewBox.baseVal;
            return [...svg.querySelectorAll('text')].every((t) => { const b = t.getBBox();
              return b.x >= v.x && b.x + b.width <= v.x + v.width; });""")
        assert inside, (l, j)
    goto.clear()
    goto.send_keys("4,1", Keys.ENTER)  # there is no layer 4: said, and nothing moves
    assert goto.get_attribute("aria-invalid") == "true"
    assert one(browser, "#announce").get_attribute("textContent").startswith("No unit 4,1")
    assert detail(browser) == delta_line(out, 3, 10, 3)
    # a neighbour is a unit too: selecting it moves there
    select(browser, 2, 4, where="#neighbourhood")
    assert detail(browser) == delta_line(out, 2, 4, 3)


# --- 3. the edges: Θ, or this example's ∂cost/∂Θ --------------------------------------------

def test_edges_switch_between_theta_and_the_gradient(browser, pages):
    load(browser, pages["lecture"])
    e = explained("lecture")
    click(browser, one(browser, 'input[name="edges"][value="gradient"]'))
    edges = by_css(browser, "#network .edge")
    assert len(edges) == 15
    sizes = []
    for el in edges:
        l, i, j = (int(el.get_attribute(a)) for a in ("data-layer", "data-to", "data-from"))
        G = e["gradient"][str(l)][i - 1][j]
        label = el.get_attribute("aria-label")
        assert label.startswith(f"∂cost/∂Θ_{i}{j}^({l}) = ") and shows(label.split(" = ")[1], G)
        line = el.find_element("css selector", ".stroke")
        assert line.get_attribute("stroke") == ("#c0392b" if G < 0 else "#2166ac")
        assert ("neg" in el.get_attribute("class")) == (G < 0)  # and dashed: not colour alone
        dash = browser.execute_script("return getComputedStyle(arguments[0]).strokeDasharray", line)
        assert (dash != "none") == (G < 0)
        sizes.append((abs(G), float(line.get_attribute("stroke-width"))))
    sizes.sort()
    assert all(b[1] >= a[1] for a, b in zip(sizes, sizes[1:]))
    assert sizes[-1][1] > 4 * sizes[0][1]
    click(browser, one(browser, 'input[name="edges"][value="theta"]'))
    el = one(browser, '#network .edge[data-layer="3"][data-from="2"][data-to="1"]')
    assert el.get_attribute("aria-label") == "Θ_12^(3) = -0.6"


# --- 4. nudge a weight: the forward pass and the cost again, and backprop's tangent ---------

def test_nudging_a_weight_recomputes_the_cost_and_draws_the_tangent(browser, pages):
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["lecture"])
    click(browser, one(browser, '#network .edge[data-layer="3"][data-from="2"][data-to="1"]'))
    assert one(browser, "#edge-title").text.startswith("Θ_12^(3)")
    out = one(browser, "#nudge-out")
    assert out.text.startswith("Θ_12^(3) = -0.6: cost(t) = 0.50320301")
    slider = browser.find_element("id", "nudge")
    slider.send_keys(*[Keys.ARROW_RIGHT] * 25)
    from nnbp.explain_setup import explain_setup

    run = explain_setup(load_config("lecture"))
    ex = run.example(1)
    theta = float(out.get_attribute("data-theta"))
    assert theta == pytest.approx(-0.6 + 25 * 1.2 / 200, abs=1e-15)
    T = {l: np.array(v, float) for l, v in run.Theta.items()}
    T[3][0, 2] = theta
    bp = backprop(run.net, T, ex.x[None, :], ex.y[None, :], 0.0)
    assert float(out.get_attribute("data-cost")) == pytest.approx(bp.J, rel=1e-13)
    assert f"cost(t) = {bp.J:.8g}" in out.text
    tangent = one(browser, "#plot .tangent")
    assert float(tangent.get_attribute("data-slope")) == pytest.approx(bp.D[3][0, 2], rel=1e-12)
    assert len(one(browser, "#plot .curve").get_attribute("points").split()) == 101
    # the tangent touches the curve where the marker is
    m = one(browser, "#plot .marker")
    x1, y1, x2, y2 = (float(tangent.get_attribute(a)) for a in ("x1", "y1", "x2", "y2"))
    cx, cy = float(m.get_attribute("cx")), float(m.get_attribute("cy"))
    assert (x1 + x2) / 2 == pytest.approx(cx, abs=0.01)
    assert (y1 + y2) / 2 == pytest.approx(cy, abs=0.01)
    slider.send_keys(*[Keys.ARROW_LEFT] * 25)
    assert out.text.startswith("Θ_12^(3) = -0.6: cost(t) = 0.50320301")


# --- 5. the gradient check, for one weight and for every edge -------------------------------

def test_the_page_checks_the_gradient(browser, pages, tmp_path):
    load(browser, pages["lecture"])
    e = explained("lecture")
    click(browser, one(browser, '#network .edge[data-layer="1"][data-from="2"][data-to="2"]'))
    box = one(browser, "#check-out")
    G = e["gradient"]["1"][1][2]
    assert float(box.get_attribute("data-backprop")) == G
    assert float(box.get_attribute("data-numeric")) == pytest.approx(G, rel=1e-7)
    assert float(box.get_attribute("data-relative")) < 1e-7
    assert box.get_attribute("data-verdict") == "agrees" and "agree" in box.text
    click(browser, one(browser, 'input[name="edges"][value="check"]'))
    verdicts = [el.get_attribute("class") for el in by_css(browser, "#network .edge")]
    assert all("v-agrees" in c for c in verdicts) and len(verdicts) == 15
    assert browser.execute_script("return document.body.dataset.differs") == "0"
    # a wrong backprop value is caught: the same page with one gradient entry off
    page = pages["lecture"].read_text(encoding="utf-8")
    wrong = dict(e, gradient=dict(e["gradient"], **{"2": [row[:] for row in e["gradient"]["2"]]}))
    wrong["gradient"]["2"][1][0] += 1e-4
    page = page.replace(json.dumps(e, allow_nan=False).replace("<", "\\u003c"),
                        json.dumps(wrong, allow_nan=False).replace("<", "\\u003c"))
    (tmp_path / "wrong.html").write_text(page, encoding="utf-8")
    load(browser, tmp_path / "wrong.html")
    click(browser, one(browser, 'input[name="edges"][value="check"]'))
    differs = [tuple(el.get_attribute(a) for a in ("data-layer", "data-to", "data-from"))
               for el in by_css(browser, "#network .edge.v-differs")]
    assert differs == [("2", "2", "0")]
    assert "differ" in one(browser, '#network .edge.v-differs').get_attribute("aria-label")
    # every weight of a digits model agrees
    load(browser, pages["digits"])
    click(browser, one(browser, 'input[name="edges"][value="check"]'))
    assert browser.execute_script("return document.body.dataset.differs") == "0"
    assert len(by_css(browser, "#network .edge.v-agrees")) > 1500


def test_an_epsilon_that_is_not_above_zero_is_said_and_checks_nothing(browser, pages):
    load(browser, pages["lecture"])
    click(browser, one(browser, '#network .edge[data-layer="1"][data-from="2"][data-to="2"]'))
    box = one(browser, "#check-out")
    before = box.get_attribute("data-numeric")

    def enter(text):
        browser.execute_script("const e = document.getElementById('epsilon'); e.value = "
                               "arguments[0]; e.dispatchEvent(new Event('change'));", text)

    for bad in ("0", "-1", ""):
        enter(bad)
        assert one(browser, "#epsilon").get_attribute("aria-invalid") == "true"
        assert one(browser, "#epsilon-note").text == (
            "ε must be a number above 0, such as 1e-5; what is shown was checked at ε = 1e-05.")
        assert box.get_attribute("data-numeric") == before
    enter("1e-3")
    assert one(browser, "#epsilon").get_attribute("aria-invalid") == "false"
    assert not by_css(browser, "#epsilon-note")
    assert box.get_attribute("data-numeric") != before  # checked again, at 1e-3
    enter("1e-10")  # agreement by the rounding floor alone is said as such
    assert float(box.get_attribute("data-relative")) > 1e-6
    assert box.get_attribute("data-verdict") == "agrees"
    assert one(browser, "#check-out p").text.startswith(
        "They agree only as far as the rounding of cost(t) lets a difference at this ε tell")


# --- 6. from one example to the batch: Δ accumulates, then D ---------------------------------

def test_the_batch_accumulates_delta_then_d_with_column_0_unregularized(browser, pages):
    load(browser, pages["lecture"])
    run = prepare(load_config("lecture"))
    X, Y = run.data.train.X, run.data.train.Y
    T = {l: np.asarray(v, float) for l, v in run.Theta.items()}
    for k in range(1, 5):
        click(browser, browser.find_element("id", "batch-next"))
        assert one(browser, "#batch").get_attribute("data-count") == str(k)
        part = backprop(run.net, T, X[:k], Y[:k], 0.0)  # D = Δ/k at λ = 0
        for l in (1, 2, 3):
            close(browser.execute_script(f"return nnbp.batchDelta({l})"), part.D[l] * k)
    assert browser.find_element("id", "batch-next").get_attribute("disabled") == "true"
    full = backprop(run.net, T, X, Y, 0.0)
    for l in (1, 2, 3):
        close(browser.execute_script(f"return nnbp.batchD({l})"), full.D[l])
    tables = by_css(browser, "#batch-matrix table.matrix")
    assert len(tables) == 2  # Δ^(3), then D^(3)
    cells = [float(td.get_attribute("data-value"))
             for td in tables[1].find_elements("css selector", "td")]
    close(cells, full.D[3].ravel())
    assert [td.text for td in tables[1].find_elements("css selector", "td")] == \
        [write(v) for v in full.D[3].ravel()]
    heads = [th.text for th in tables[1].find_elements("css selector", "thead th")]
    assert heads[1] == "j=0 (bias, no λ)"
    # λ = 3: every column but the bias's gains (λ/m)Θ
    lam = browser.find_element("id", "batch-lambda")
    lam.clear()
    lam.send_keys("3")
    reg = backprop(run.net, T, X, Y, 3.0)
    for l in (1, 2, 3):
        D = np.array(browser.execute_script(f"return nnbp.batchD({l})"))
        close(D, reg.D[l])
        close(D[:, 0], full.D[l][:, 0])
        assert np.all(np.abs(D[:, 1:] - full.D[l][:, 1:]) > 0)
    j = browser.find_element("id", "batch-j")
    j.clear()
    j.send_keys("0")
    assert "column 0: no λ" in one(browser, "#batch-eq").text


# --- the page's arithmetic is Python's ------------------------------------------------------

CONFIGS = {
    "tanh-softmax": """data: {{train: {d}/iris.csv, target: species, normalize: standard}}
network: {{layers: [auto, 5, 4, auto], activation: tanh, output: softmax, cost: cross_entropy,
          init: {{seed: 2}}}}""",
    "relu-squared": """data: {{train: {d}/iris.csv, target: species, normalize: standard}}
network: {{layers: [auto, 6, auto], activation: relu, output: sigmoid, cost: squared_error,
          init: {{seed: 5}}}}""",
}


@pytest.mark.parametrize("name", ["lecture", "digits", "penguins", "iris", "xor", *CONFIGS])
def test_the_pages_forward_and_backward_pass_is_pythons(browser, tmp_path, name):
    config = name
    if name in CONFIGS:
        config = str(tmp_path / f"{name}.yaml")
        Path(config).write_text(CONFIGS[name].format(d=REPO / "datasets"), encoding="utf-8")
    p = run_nnbp("explain", config, "--example", "3", "--html", "p.html", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    load(browser, tmp_path / "p.html")
    e = explained(config, "--example", "3")
    js = browser.execute_script("return nnbp.backprop()")
    L = len(e["layers"])
    assert js["cost"] == pytest.approx(e["cost"], rel=1e-12)
    for d in e["layers"][1:]:
        l = d["l"]
        for key in ("z", "a", "delta"):
            close(js[key][l], d[key])
    for l in range(1, L):
        close(js["grad"][str(l)], e["gradient"][str(l)])


def test_numbers_the_page_computes_are_written_as_python_writes_them(browser, pages):
    load(browser, pages["lecture"])
    rng = np.random.default_rng(0)
    values = [0.0, -0.0, 1.0, -1.0, 1.03125, 2.5, 0.000125, 1e-5, 123456.5, 99999.5, 9.99995,
              0.5, 1e16, 1.5e-300, -7.25e-8, 5e-324, 0.1 + 0.2, 1 - 2e-9, -0.9999999999999999,
              1.0000000000000002, 0.30000000000000004 * 1e-7, 100000.0]
    values += list(rng.normal(size=40) * 10.0 ** rng.integers(-8, 8, size=40))
    for n in (2, 5, 8):
        got = browser.execute_script(f"return arguments[0].map(v => nnbp.pyg(v, {n}))", values)
        assert got == [write(v, n) for v in values], n
    assert "-0" not in browser.execute_script("return nnbp.pyg(-0.0)")


# --- large networks ------------------------------------------------------------------------

def test_a_digits_models_page_opens_in_under_a_second(browser, pages):
    load(browser, pages["digits"])  # once to warm the browser up
    t0 = time.perf_counter()
    load(browser, pages["digits"])
    wall = time.perf_counter() - t0
    nav = browser.execute_script(
        "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd")
    ready = float(browser.execute_script("return document.body.dataset.ready"))
    assert nav < 1000 and ready < 1000 and wall < 1.0, (nav, ready, wall)
    # the README gives its size
    size = pages["digits"].stat().st_size
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"a digits model's page is ([\d.]+) MB", readme, re.I)
    assert m and abs(float(m.group(1)) - size / 1e6) <= 0.05, (m and m.group(1), size)


def test_a_784_wide_input_is_usable(browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    rng = np.random.default_rng(0)
    X, y = rng.integers(0, 256, size=(60, 784)), np.arange(60) % 10
    with open(tmp_path / "wide.csv", "w") as f:
        f.write(",".join([f"p{k}" for k in range(784)] + ["label"]) + "\n")
        f.writelines(",".join(map(str, row)) + f",{lab}\n" for row, lab in zip(X, y))
    (tmp_path / "wide.yaml").write_text(
        "data: {train: wide.csv, target: label, normalize: minmax}\n"
        "network: {layers: [auto, 30, auto], init: {seed: 1}}\n", encoding="utf-8")
    p = run_nnbp("explain", "wide.yaml", "--html", "wide.html", cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stderr
    t0 = time.perf_counter()
    load(browser, tmp_path / "wide.html")
    assert time.perf_counter() - t0 < 5
    assert len(by_css(browser, "#network .unit")) == 785 + 31 + 10
    out = terminal("wide.yaml", cwd=tmp_path)
    goto = browser.find_element("id", "goto")
    goto.send_keys("2,7", Keys.ENTER)
    assert detail(browser) == delta_line(out, 2, 7, 3)
    # the neighbourhood: the largest 12 of the 785 terms of z_7, and the 10 units it feeds
    assert len(by_css(browser, '#neighbourhood .edge[data-layer="1"]')) == 12
    assert len(by_css(browser, '#neighbourhood .edge[data-layer="2"]')) == 10
    assert "+ 773 more" in one(browser, "#neighbourhood").text
    click(browser, by_css(browser, '#neighbourhood .edge[data-layer="2"]')[0])
    assert one(browser, "#check-out").get_attribute("data-verdict") == "agrees"
    goto.clear()
    goto.send_keys("1,300", Keys.ENTER)
    assert one(browser, "#detail").text.startswith("x′_300 = ")  # normalized (minmax)
    assert one(browser, '#network .unit[data-layer="1"][data-unit="300"]').get_attribute(
        "aria-label").startswith("x′_300 = ")


# --- keyboard, motion, print, notebook ------------------------------------------------------

def test_keyboard_names_motion_and_print(browser, pages):
    from selenium.webdriver.common.keys import Keys

    load(browser, pages["lecture"])
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('#network .unit, #network .edge'))"
        ".map(e => [e.getAttribute('tabindex'), e.getAttribute('aria-label')])")
    assert len(names) == 10 + 15 and all(t == "0" and n for t, n in names)
    # an edge, from the keyboard: Tab to it, Enter, then the slider's arrows
    for _ in range(40):
        keys(browser, Keys.TAB)
        if "edge" in (browser.switch_to.active_element.get_attribute("class") or ""):
            break
    keys(browser, Keys.ENTER)
    assert not one(browser, "#edge-panel").get_attribute("hidden")
    # motion: transitions, unless the reader asks for less
    unit = one(browser, '#network .unit[data-layer="2"][data-unit="1"]')
    style = "return getComputedStyle(arguments[0]).transitionDuration"
    assert browser.execute_script(style, unit) != "0s"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})
    assert set(browser.execute_script(style, unit).split(", ")) == {"0s"}
    # print: the worked steps as a whole table, no controls
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print", "features": []})
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('#steps tr.step'))"
        ".map(r => getComputedStyle(r).display)")
    assert shown == ["table-row"] * 10
    display = "return getComputedStyle(document.querySelector(arguments[0])).display"
    assert browser.execute_script(display, "#toolbar") == "none"
    assert browser.execute_script(display, "#steps > thead") == "table-header-group"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})


def test_the_notebook_object_shows_the_page_in_an_iframe(browser, tmp_path):
    from cli.explain import explain_page

    shown = explain_page("lecture")._repr_html_()
    (tmp_path / "notebook.html").write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{shown}</body></html>",
        encoding="utf-8")
    browser.get((tmp_path / "notebook.html").as_uri())
    browser.switch_to.frame(one(browser, "iframe.nnbp-explain"))
    try:
        wait_ready(browser)
        select(browser, 3, 2)
        assert detail(browser) == delta_line(terminal("lecture"), 3, 2, 4)
        assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    finally:
        browser.switch_to.default_content()
