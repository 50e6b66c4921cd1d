"""``explain --html``: one self-contained page where a learner steps through
backpropagation on one example, selects any unit, nudges a weight and checks the
gradient, all in the browser, from a file, with no network.

The page is one HTML file: the figure as inline SVG (figure.py), the worked steps as
a table (steps.py), every number the terminal also prints formatted here in Python
(content.py), and the stylesheet and script of this folder (page.css, page.js)
written inline.  A Content-Security-Policy allows only those two,
by their hashes: the page fetches nothing.

In a notebook, ``cli.explain.explain_page`` makes one (a ``Page``, shown inline).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnbp.explain_setup import ExplainSetup
    from nnbp.explanation import Explanation

HERE = Path(__file__).resolve().parent


def asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def script_json(obj) -> str:
    """JSON for a <script type="application/json">: no "</script>" can end it early."""
    text = json.dumps(obj, allow_nan=False) if not isinstance(obj, str) else obj
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def digest(text: str) -> str:
    """The text's hash as a Content-Security-Policy source: 'sha256-…'."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode()}'"


def page(e: Explanation, setup: ExplainSetup, *, title: str, layer: int | None = None,
         unit: int | None = None, gradient: bool = False) -> str:
    """The page for the explanation ``e`` of ``setup``'s network (whose first training
    examples make the batch): ``unit`` of ``layer`` selected, or the steps opened at
    δ^(layer)."""
    from nnbp.errors import UsageError
    from cli.render.explain_steps import target_text, writing
    from cli.render.notation import vector
    from cli.render.page import content, figure, steps

    try:
        explanation = json.dumps(e.to_json(), allow_nan=False)
    except ValueError:
        raise UsageError("--html: this example's numbers include inf or nan, which a page "
                         "cannot hold (see them with --format table)") from None
    net = e.net
    L = net.L
    text = writing(e).text
    sizes = list(net.sizes)
    shown = content.numbers(e)
    units = content.units(e, net)
    edges = content.edges(e)
    lam = float(setup.cfg.training.lam)
    small = figure.fits_whole(sizes)
    svg = (figure.small(e, shown, edges["theta"], net.activation) if small
           else figure.compact(e, shown, edges["theta"]))
    data = {
        "title": title, "sizes": sizes, "activation": net.activation, "output": net.output,
        "cost": net.cost, "lambda": lam, "whole": small,
        "select": [layer, unit] if unit is not None else None,
        "start": layer if unit is None else None, "edges": "gradient" if gradient else "theta",
        "cost_text": text(e.cost),
        "cost_rounding": content.cost_rounding(e),
        "numbers": shown, "units": units, **edges,
        "batch": content.batch(setup.batch(content.BATCH), lam, text),
    }
    rows = steps.steps(e, units, net, lam)
    worked = "".join(
        f'<tr class="step" data-kind="{kind}" data-layer="{l}"><th scope="row">{k}</th>'
        f'<td class="what">{escape(what)}</td><td class="how">{how}</td></tr>'
        for k, (kind, l, what, how) in enumerate(rows, start=1))
    css, js = asset("page.css"), asset("page.js")
    csp = (f"default-src 'none'; script-src {digest(js)}; style-src {digest(css)}; "
           "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; "
           "form-action 'none'")
    t, w = e.example.t, e.example.written
    who = f"example {t}" if t is not None else "an example typed in"
    x = "x′" if w is not None and w.normalize != "none" else "x"
    g = (f"hidden g = {net.activation}, " if L > 2 else "") + f"output {net.output}, {net.cost}"
    return TEMPLATE.format(
        csp=escape(csp), title=escape(f"nnbp explain {title}: {who}"),
        h1=escape(f"{title}: {who}"),
        sub=escape(f"{x} = {vector(e.example.x.tolist(), text=text)}   "
                   f"{target_text(e)}   "
                   f"cost(t) = {text(e.cost)}   ({'-'.join(map(str, sizes))}; {g})"),
        css=css, js=js, svg=svg, steps=worked, n_steps=len(rows),
        explanation=script_json(explanation), data=script_json(data),
        batch=BATCH if data["batch"] is not None else
        '<section id="batch" hidden></section>',
        legend=LEGEND, large="" if small else NEAR)


def write_page(path: str, text: str) -> None:
    """Write the page to ``path`` (.html or .htm) and say so on stderr."""
    from nnbp.errors import UsageError

    if not path.lower().endswith((".html", ".htm")):
        raise UsageError(f"--html {path}: the file name must end in .html")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as err:
        raise UsageError(f"--html {path}: cannot write it ({err.strerror or err})") from None
    sys.stderr.write(f"Wrote {path}\n")


class Page:
    """An explanation page: ``.html`` the file's text, ``.save(path)`` writes it, and a
    notebook shows it inline (in an iframe of its own, so that its script and styles
    stay apart from the notebook's)."""

    def __init__(self, html: str):
        self.html = html

    def save(self, path: str) -> None:
        Path(path).write_text(self.html, encoding="utf-8")

    def _repr_html_(self) -> str:
        return (f'<iframe class="nnbp-explain" sandbox="allow-scripts" '
                f'title="nnbp explain" style="width: 100%; height: 900px; border: 0" '
                f'srcdoc="{escape(self.html, quote=True)}"></iframe>')


LEGEND = """<figcaption id="legend">
<span class="key"><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class="key-pos"/></svg> positive</span>
<span class="key"><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class="key-neg"/></svg> negative (dashed)</span>
<span class="key">width ∝ size</span>
<span class="key"><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="5" class="key-bias"/></svg> bias unit, a_0 = 1</span>
<span class="key check-key"><svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class="key-agree"/></svg> agrees
<svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class="key-unresolved"/></svg> too small to tell (dotted)
<svg width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" class="key-differs"/></svg> differs (dash-dot)</span>
</figcaption>"""

NEAR = """<section id="near" aria-labelledby="near-title" hidden>
<h2 id="near-title">Around the selected unit</h2>
<p class="hint">The whole network is too large to draw in full: here are the selected unit,
the units feeding its z (the largest terms, if there are many) and the units whose δ it sums.</p>
<svg id="neighbourhood" xmlns="http://www.w3.org/2000/svg" role="group" aria-label="The selected unit and its neighbours"></svg>
</section>"""

BATCH = """<section id="batch" aria-labelledby="batch-title">
<h2 id="batch-title">From one example to the batch</h2>
<p id="batch-intro"></p>
<div class="batch-controls">
<label>Θ^(l), l = <select id="batch-layer"></select></label>
<button type="button" id="batch-back">Back one example</button>
<button type="button" id="batch-next">Add the next example</button>
<button type="button" id="batch-all">Add them all</button>
<button type="button" id="batch-reset">Start again</button>
<label>λ = <input id="batch-lambda" type="number" step="any" size="6"></label>
</div>
<p id="batch-status" aria-live="polite"></p>
<div id="batch-eq"></div>
<div class="batch-entry"><span>Entry</span>
<label>i = <input id="batch-i" type="number" min="1" value="1"></label>
<label>j = <input id="batch-j" type="number" min="0" value="1"></label>
<span id="batch-entry-eq" aria-live="polite"></span></div>
<div id="batch-matrix"></div>
</section>"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{h1}</h1>
<p class="sub">{sub}</p>
<p class="keys">← and → step through the example · click a unit, or Tab to it (past the edges before it) or type l,j under Unit, and Enter to see its δ · Enter on an edge or a term to nudge that weight</p>
</header>
<div id="toolbar">
<button type="button" id="prev" aria-keyshortcuts="ArrowLeft">← Back</button>
<span id="where" aria-live="polite">Step 1 of {n_steps}</span>
<button type="button" id="next" aria-keyshortcuts="ArrowRight">Next →</button>
<fieldset id="edge-view"><legend>Edges show</legend>
<label><input type="radio" name="edges" value="theta" checked> Θ</label>
<label><input type="radio" name="edges" value="gradient"> ∂cost/∂Θ, this example</label>
<label><input type="radio" name="edges" value="check"> finite difference against backprop</label>
</fieldset>
<label class="goto">Unit l,j <input id="goto" size="7" placeholder="3,1" autocomplete="off"></label>
</div>
<main>
<div id="left">
<div id="views">
<figure id="figure">
{svg}
{legend}
</figure>
{large}
</div>
<section id="step-panel" aria-labelledby="steps-title">
<h2 id="steps-title">Worked steps</h2>
<table id="steps">
<thead><tr><th scope="col">Step</th><th scope="col">What</th><th scope="col">With this example's numbers</th></tr></thead>
<tbody>{steps}</tbody>
</table>
</section>
</div>
<aside id="panel">
<section id="help">
<h2>What you can do</h2>
<ul>
<li>Step with ← and → through the forward pass, the cost, each δ back to δ^(2), then Δ and D.</li>
<li>Select a unit (click it, or Tab to it and press Enter) to see its δ worked out, term by term.</li>
<li>Select an edge, or a term of a δ, to nudge its weight and check its gradient.</li>
<li>Switch what the edges show above: Θ, this example's ∂cost/∂Θ, or where finite differences agree with backprop.</li>
</ul>
</section>
<section id="unit-panel" aria-labelledby="unit-title" hidden>
<h2 id="unit-title"></h2>
<div id="unit-body"></div>
</section>
<section id="edge-panel" aria-labelledby="edge-title" hidden>
<h2 id="edge-title"></h2>
<div id="edge-values"></div>
<label class="nudge">Nudge the weight <input id="nudge" type="range"></label>
<p id="nudge-out" aria-live="polite"></p>
<svg id="plot" viewBox="0 0 420 220" role="img" aria-labelledby="plot-title"><title id="plot-title">cost(t) against the weight, and backprop's tangent</title></svg>
<div id="gradcheck">
<h3>Gradient check</h3>
<label>ε = <input id="epsilon" type="number" value="1e-5" step="any" size="8"></label>
<div id="check-out" aria-live="polite"></div>
</div>
</section>
</aside>
</main>
{batch}
<script type="application/json" id="nnbp-explanation">{explanation}</script>
<script type="application/json" id="nnbp-page">{data}</script>
<script>{js}</script>
</body>
</html>
"""
