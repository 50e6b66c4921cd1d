/* nnbp explain --html: the page's one script (inline; the page loads nothing).
 *
 * The numbers the terminal prints come formatted from Python (the "nnbp-page" JSON);
 * this script places them.  It computes, in float64 as nnbp does, only what the
 * learner changes: the forward pass and cost with a nudged weight, backprop's
 * gradient there, finite differences, and Δ and D over the batch.  Those it writes
 * with `pyg`, by the rule Python writes every number of explain with (5 digits).
 */
(function () {
  "use strict";
  const E = JSON.parse(document.getElementById("nnbp-explanation").textContent);
  const P = JSON.parse(document.getElementById("nnbp-page").textContent);
  const L = P.sizes.length;
  const S = P.sizes;
  const THETA = {};
  for (let l = 1; l < L; l++) THETA[l] = E.Theta[String(l)];
  const $ = (id) => document.getElementById(id);
  const SVGNS = "http://www.w3.org/2000/svg";
  const BLUE = "#2166ac", RED = "#c0392b", AGREE = "#1b7837", DIFFERS = "#c51b7d", GREY = "#777777";

  // --- the tables' notation ---------------------------------------------------------------
  function sub(...k) { return k.every((i) => i < 10) ? "_" + k.join("") : "_{" + k.join(",") + "}"; }
  function sym(name, l, ...k) { return name + sub(...k) + "^(" + l + ")"; }

  // --- numbers as explain writes them (cli/render/notation.py's write), for those computed here ---
  function layout(neg, d, exp, p) {  // digits d, the first at 10^exp, laid out as %g at precision p
    let s;
    if (exp < -4 || exp >= p) {
      s = d[0] + (d.length > 1 ? "." + d.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") +
        String(Math.abs(exp)).padStart(2, "0");
    } else if (exp >= 0) {
      const whole = d.slice(0, exp + 1).padEnd(exp + 1, "0"), frac = d.slice(exp + 1);
      s = whole + (frac ? "." + frac : "");
    } else {
      s = "0." + "0".repeat(-exp - 1) + d;
    }
    return (neg ? "-" : "") + s;
  }
  function rounded(v, n) {  // |v| to n significant digits, rounded half to even on its exact digits
    const parts = Math.abs(v).toExponential(Math.min(100, n + 24)).split("e");
    let exp = parseInt(parts[1], 10);
    const digits = parts[0].replace(".", "");
    const keep = digits.slice(0, n).split("").map(Number);
    const rest = digits.slice(n);
    const up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || keep[n - 1] % 2 === 1));
    if (up) {
      let k = n - 1;
      while (k >= 0 && keep[k] === 9) { keep[k] = 0; k--; }
      if (k < 0) { keep.unshift(1); keep.pop(); exp += 1; } else keep[k] += 1;
    }
    return [keep.join(""), exp];
  }
  function apart(v, n) {  // n, or the digits that keep v from being written as a rounded ±1
    const x = Math.abs(v);
    if (!(x > 0.9 && x < 1.1) || x === 1) return n;
    for (;;) {
      const [d, exp] = rounded(x, n);
      if (n >= 17 || !(exp === 0 && /^10*$/.test(d))) return n;
      n += 1;
    }
  }
  // n significant digits, trailing zeros kept; a value that fewer digits name written
  // with those; 0 without a sign; a value near ±1 never as a rounded ±1
  function pyg(v, n) {
    n = n || 5;
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (v === 0) return "0";
    n = apart(v, n);
    const neg = v < 0;
    const [m, e] = Math.abs(v).toExponential().split("e");  // the shortest that reads back as v
    const shortest = m.replace(".", "").replace(/0+$/, "");
    if (shortest.length <= n) return layout(neg, shortest, parseInt(e, 10), n);
    const [d, exp] = rounded(v, n);
    return layout(neg, d, exp, n);
  }

  // --- the network, in float64 ------------------------------------------------------------
  // math.fsum: the exactly rounded sum (Shewchuk), as explain sums each δ's terms
  function fsum(xs) {
    const partials = [];
    let special = 0;
    for (let x of xs) {
      if (!Number.isFinite(x)) { special += x; continue; }
      let i = 0;
      for (let y of partials) {
        if (Math.abs(x) < Math.abs(y)) { const t = x; x = y; y = t; }
        const hi = x + y;
        const lo = y - (hi - x);
        if (lo !== 0) partials[i++] = lo;
        x = hi;
      }
      partials.length = i;
      partials.push(x);
    }
    if (special !== 0 || Number.isNaN(special)) return special;
    let n = partials.length, hi = 0, lo = 0;
    if (n > 0) {
      hi = partials[--n];
      while (n > 0) {
        const x = hi, y = partials[--n];
        hi = x + y;
        const yr = hi - x;
        lo = y - yr;
        if (lo !== 0) break;
      }
      if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
        const y = lo * 2, x = hi + y, yr = x - hi;
        if (y === yr) hi = x;
      }
    }
    return hi;
  }

  const sigmoid = (z) => 1 / (1 + Math.exp(-z));
  function g(kind, z) {  // a = g(z) for a layer
    if (kind === "softmax") {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      let s = 0;
      for (const v of e) s += v;
      return e.map((v) => v / s);
    }
    if (kind === "sigmoid") return z.map(sigmoid);
    if (kind === "tanh") return z.map(Math.tanh);
    if (kind === "relu") return z.map((v) => (v > 0 ? v : 0));
    return z.slice();
  }
  function gPrime(kind, z, a) {
    if (kind === "sigmoid") return a.map((v) => (1 - v) * v);
    if (kind === "tanh") return a.map((v) => 1 - v * v);
    if (kind === "relu") return z.map((v) => (v > 0 ? 1 : 0));
    return z.map(() => 1);
  }
  const kindOf = (l) => (l === L ? P.output : P.activation);
  function logaddexp0(z) {  // log(1 + e^z), as numpy's logaddexp(0, z)
    if (z === 0) return Math.LN2;
    return z < 0 ? Math.log1p(Math.exp(z)) : z + Math.log1p(Math.exp(-z));
  }
  function costOf(zL, aL, y) {
    let c = 0;
    if (P.cost === "squared_error") {
      for (let k = 0; k < aL.length; k++) { const r = aL[k] - y[k]; c += r * r; }
      return 0.5 * c;
    }
    if (P.output === "softmax") {
      const m = Math.max(...zL);
      let s = 0, ys = 0, yz = 0;
      for (const v of zL) s += Math.exp(v - m);
      for (let k = 0; k < zL.length; k++) { ys += y[k]; yz += y[k] * zL[k]; }
      return (m + Math.log(s)) * ys - yz;
    }
    for (let k = 0; k < zL.length; k++) c += logaddexp0(zL[k]) - y[k] * zL[k];
    return c;
  }
  function layerZ(T, a) {  // z = Θ [1; a]
    return T.map((row) => {
      let s = row[0];
      for (let j = 1; j < row.length; j++) s += row[j] * a[j - 1];
      return s;
    });
  }
  // forward propagation from layer `from` (its a given): z[l], a[l] for l = 1 … L
  function forward(T, x, from, known) {
    const z = known ? known.z.slice() : [], a = known ? known.a.slice() : [];
    from = from || 1;
    if (from === 1) a[1] = x.slice();
    for (let l = from; l < L; l++) {
      z[l + 1] = layerZ(T[l], a[l]);
      a[l + 1] = g(kindOf(l + 1), z[l + 1]);
    }
    return { z, a };
  }
  function cost(T, x, y) {
    const f = forward(T, x);
    return costOf(f.z[L], f.a[L], y);
  }
  // backpropagation of one example, as nnbp/explain.py does it
  function backprop(T, x, y) {
    const { z, a } = forward(T, x);
    const delta = [];
    delta[L] = a[L].map((v, k) => v - y[k]);
    if (P.cost === "squared_error") {
      const gp = gPrime(P.output, z[L], a[L]);
      delta[L] = delta[L].map((v, k) => v * gp[k]);
    }
    for (let l = L - 1; l >= 2; l--) {
      const gp = gPrime(P.activation, z[l], a[l]);
      delta[l] = [];
      for (let j = 1; j <= S[l - 1]; j++) {
        const terms = T[l].map((row, i) => row[j] * delta[l + 1][i]);
        delta[l].push(fsum(terms) * gp[j - 1]);
      }
    }
    const grad = {};
    for (let l = 1; l < L; l++) {
      const a1 = [1].concat(a[l]);
      grad[l] = delta[l + 1].map((d) => a1.map((v) => d * v));
    }
    return { z, a, delta, grad, cost: costOf(z[L], a[L], y) };
  }
  // Θ with one entry replaced: the rows of its layer copied on write
  function withEntry(l, i, j, v) {
    const T = Object.assign({}, THETA);
    T[l] = THETA[l].slice();
    T[l][i - 1] = THETA[l][i - 1].slice();
    T[l][i - 1][j] = v;
    return T;
  }
  const BASE = forward(THETA, E.x);
  // cost(t) with Θ^(l)_ij = v: the layers before l+1 are unchanged
  function costWith(l, i, j, v, base) {
    base = base || BASE;
    const T = withEntry(l, i, j, v);
    const z = base.z.slice(), a = base.a.slice();
    const row = T[l][i - 1];
    let s = row[0];
    for (let k = 1; k < row.length; k++) s += row[k] * a[l][k - 1];
    z[l + 1] = base.z[l + 1].slice();
    z[l + 1][i - 1] = s;
    a[l + 1] = g(kindOf(l + 1), z[l + 1]);
    const f = forward(T, E.x, l + 1, { z, a });
    return costOf(f.z[L], f.a[L], E.y);
  }
  // the finite difference against backprop, for one weight
  function checkEntry(l, i, j, eps, at) {
    const theta = at === undefined ? THETA[l][i - 1][j] : at;
    const up = theta + eps, down = theta - eps;
    const base = at === undefined ? BASE : forward(withEntry(l, i, j, theta), E.x);
    const numeric = (costWith(l, i, j, up, base) - costWith(l, i, j, down, base)) / (up - down);
    const bp = at === undefined ? E.gradient[String(l)][i - 1][j]
      : backprop(withEntry(l, i, j, theta), E.x, E.y).grad[l][i - 1][j];
    const diff = Math.abs(numeric - bp), size = Math.abs(numeric) + Math.abs(bp);
    const floor = 3 * P.cost_rounding / eps;  // what rounding of cost(t) lets the difference resolve
    let verdict;
    if (Math.max(Math.abs(numeric), Math.abs(bp)) <= floor) verdict = "unresolved";
    else verdict = diff <= Math.max(1e-6 * size, floor) ? "agrees" : "differs";
    return { numeric, backprop: bp, relative: size > 0 ? diff / size : 0, verdict, floor };
  }

  // --- the figure -------------------------------------------------------------------------
  const NET = $("network");
  const WHOLE = P.whole;
  const sel = (q) => Array.from(document.querySelectorAll(q));
  const unitsAt = (l, j) => sel(`.unit[data-layer="${l}"][data-unit="${j}"]`);
  const edgesAt = (l, i, j) => sel(`.edge[data-layer="${l}"][data-from="${j}"][data-to="${i}"]`);
  let view = "theta", verdicts = null, eps = 1e-5;

  function unitName(l, j) {
    if (j === 0) return `bias unit a_0^(${l}) = 1 of layer ${l}, which has no δ`;
    const n = P.numbers[l - 1];
    if (l === 1) return `${n.name}_${j} = ${n.a[j - 1]}, input unit ${j} (layer 1 has no δ)`;
    return `${sym("δ", l, j)} = ${n.delta[j - 1]}, unit ${j} of layer ${l}` +
      (l === L ? " (output)" : "") + `: z = ${n.z[j - 1]}, a = ${n.a[j - 1]}`;
  }
  function edgeValue(l, i, j) {
    return view === "gradient" ? E.gradient[String(l)][i - 1][j] : THETA[l][i - 1][j];
  }
  function edgeName(l, i, j) {
    const th = sym("Θ", l, i, j);
    if (view === "gradient") return `∂cost/∂${th} = ${P.grad[l - 1][i - 1][j]}`;
    if (view === "check" && verdicts) {
      const c = verdicts[l][i - 1][j];
      return `${th}: finite difference ${pyg(c.numeric)}, backprop ${P.grad[l - 1][i - 1][j]}, ` +
        `relative difference ${pyg(c.relative, 2)}: ${c.verdict}`;
    }
    return `${th} = ${P.theta[l - 1][i - 1][j]}`;
  }
  let biggest = {};
  function computeBiggest() {
    biggest = { theta: 0, gradient: 0 };
    for (let l = 1; l < L; l++) {
      for (let i = 1; i <= S[l]; i++) {
        for (let j = 0; j <= S[l - 1]; j++) {
          biggest.theta = Math.max(biggest.theta, Math.abs(THETA[l][i - 1][j]));
          biggest.gradient = Math.max(biggest.gradient, Math.abs(E.gradient[String(l)][i - 1][j]));
        }
      }
    }
  }
  function paintEdge(el) {
    const l = +el.dataset.layer, i = +el.dataset.to, j = +el.dataset.from;
    const line = el.querySelector(".stroke");
    const compact = !!el.closest(".compact");
    const [w0, w1] = compact ? [0.3, 1.7] : [0.8, 5.2];
    el.classList.remove("v-agrees", "v-unresolved", "v-differs");
    if (view === "check" && verdicts) {
      const c = verdicts[l][i - 1][j];
      el.classList.add("v-" + c.verdict);
      el.classList.remove("neg");
      line.setAttribute("stroke", c.verdict === "agrees" ? AGREE : c.verdict === "differs" ? DIFFERS : GREY);
      line.setAttribute("stroke-width", compact ? "0.8" : "2.5");
    } else {
      const v = edgeValue(l, i, j);
      const big = biggest[view === "gradient" ? "gradient" : "theta"] || 1;
      el.classList.toggle("neg", v < 0);
      line.setAttribute("stroke", v < 0 ? RED : BLUE);
      line.setAttribute("stroke-width", (w0 + w1 * Math.abs(v) / big).toFixed(2));
    }
    const name = edgeName(l, i, j);
    el.setAttribute("aria-label", name);
    const t = el.querySelector("title");
    if (t) t.textContent = name;
  }
  function setView(v) {
    view = v;
    if (v === "check" && !verdicts) verdicts = checkAll();
    document.body.classList.toggle("view-check", v === "check");
    sel(".edge").forEach(paintEdge);
    const radio = document.querySelector(`input[name="edges"][value="${v}"]`);
    if (radio && !radio.checked) radio.checked = true;
    if (v === "check") {
      let counts = { agrees: 0, unresolved: 0, differs: 0 };
      for (let l = 1; l < L; l++) verdicts[l].forEach((r) => r.forEach((c) => counts[c.verdict]++));
      announce(`Every weight checked at ε = ${pyg(eps)}: ${counts.agrees} agree, ` +
        `${counts.unresolved} too small to tell, ${counts.differs} differ`);
      document.body.dataset.differs = String(counts.differs);
    }
  }
  function checkAll() {
    const out = {};
    for (let l = 1; l < L; l++) {
      out[l] = [];
      for (let i = 1; i <= S[l]; i++) {
        const row = [];
        for (let j = 0; j <= S[l - 1]; j++) row.push(checkEntry(l, i, j, eps));
        out[l].push(row);
      }
    }
    return out;
  }
  function announce(text) { $("announce").textContent = text; }

  // --- the worked steps -------------------------------------------------------------------
  const STEPS = sel("#steps tr.step");
  let step = 0;
  function known(kind, l) {  // up to which layer z, a and δ are computed at a step
    if (kind === "example") return { a: 1, delta: L + 1 };
    if (kind === "forward") return { a: l + 1, delta: L + 1 };
    if (kind === "cost") return { a: L, delta: L + 1 };
    if (kind === "delta") return { a: L, delta: l };
    return { a: L, delta: 2 };
  }
  function showStep(k) {
    step = Math.max(0, Math.min(STEPS.length - 1, k));
    STEPS.forEach((r, n) => r.classList.toggle("current", n === step));
    const row = STEPS[step];
    const kind = row.dataset.kind, l = +row.dataset.layer;
    $("where").textContent = `Step ${step + 1} of ${STEPS.length}: ${row.querySelector(".what").textContent}`;
    $("prev").disabled = step === 0;
    $("next").disabled = step === STEPS.length - 1;
    sel(".unit.lit, .edge.lit").forEach((el) => el.classList.remove("lit"));
    let units = [], edges = [];
    if (kind === "example") units = [1];
    else if (kind === "forward") { units = [l + 1]; edges = [l]; }
    else if (kind === "cost") units = [L];
    else if (kind === "delta") { units = [l]; if (l < L) edges = [l]; }
    else edges = Array.from({ length: L - 1 }, (_, n) => n + 1);
    units.forEach((m) => sel(`.unit[data-layer="${m}"]`).forEach((el) => { if (el.dataset.unit !== "0") el.classList.add("lit"); }));
    edges.forEach((m) => sel(`.edge[data-layer="${m}"]`).forEach((el) => el.classList.add("lit")));
    if (NET) NET.classList.toggle("dim", edges.length > 0 && edges.length < L - 1);
    const k2 = known(kind, l);
    sel("text.z, text.a, text.delta").forEach((el) => {
      const m = +(el.dataset.of || `${L},0`).split(",")[0];
      const pending = el.classList.contains("delta") ? m < k2.delta : m > k2.a;
      el.classList.toggle("pending", pending);
    });
    document.body.dataset.step = String(step + 1);
  }

  // --- a unit's panel ---------------------------------------------------------------------
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function eqs(parent, lines) { lines.forEach((s) => parent.appendChild(el("div", { class: "eq" }, s))); }
  function workTable(l, rows, deltaRow) {
    const t = el("table", { class: "work" });
    const head = el("tr");
    ["j", "term", `Θ_ij^(${l})`, `δ_i^(${l + 1})`, "value"].forEach((h) => head.appendChild(el("th", { scope: "col" }, h)));
    t.appendChild(el("thead")).appendChild(head);
    const body = t.appendChild(el("tbody"));
    rows.forEach((r, n) => {
      const tr = body.appendChild(el("tr", n === deltaRow ? { id: "detail", class: "delta-row" } : {}));
      r.forEach((c) => tr.appendChild(el("td", {}, c)));
    });
    return t;
  }
  let selected = null;  // [l, j]
  function clearMarks(...names) {
    names.forEach((n) => sel("." + n).forEach((e) => e.classList.remove(n)));
  }
  function selectUnit(l, j, focus) {
    if (!(l >= 1 && l <= L && j >= (l < L ? 0 : 1) && j <= S[l - 1])) return false;
    selected = [l, j];
    clearMarks("selected", "feeds", "inbound", "hot", "chosen");
    $("edge-panel").hidden = true;
    if (!WHOLE) drawNear(l, j);
    unitsAt(l, j).forEach((e) => e.classList.add("selected"));
    if (l < L) {
      sel(`.edge[data-layer="${l}"][data-from="${j}"]`).forEach((e) => e.classList.add("feeds"));
      sel(`.unit[data-layer="${l + 1}"]:not([data-unit="0"])`).forEach((e) => e.classList.add("feeds"));
    }
    if (l > 1 && j > 0) sel(`.edge[data-layer="${l - 1}"][data-to="${j}"]`).forEach((e) => e.classList.add("inbound"));
    renderUnit(l, j);
    $("unit-panel").hidden = false;
    $("help").hidden = true;
    announce(unitName(l, j));
    document.body.dataset.selected = `${l},${j}`;
    if (focus) { const u = unitsAt(l, j)[0]; if (u) u.focus(); }
    return true;
  }
  function renderUnit(l, j) {
    const u = P.units[l - 1][j];
    const body = $("unit-body");
    body.textContent = "";
    const title = $("unit-title");
    if (u.kind === "bias") {
      title.textContent = `Bias unit of layer ${l}: a_0^(${l}) = 1`;
      body.appendChild(el("div", { id: "detail" }, `a_0^(${l}) = 1: a bias unit has no δ`));
      body.appendChild(el("p", {}, "The bias unit always outputs 1. It has no z and no weights coming in, " +
        "and δ is ∂cost/∂z: with no z there is nothing for a δ to measure."));
      body.appendChild(el("p", {}, `Its weights going out, column 0 of Θ^(${l}), still learn: ` +
        `∂cost/∂Θ_k0^(${l}) = δ_k^(${l + 1}) · 1. Regularization leaves them alone: column 0 of D has no λ term.`));
      return;
    }
    if (u.kind === "input") {
      title.textContent = `Input unit ${j}` + (u.feature ? ` (${u.feature})` : "");
      body.appendChild(el("div", { id: "detail" }, `${P.numbers[0].name}_${j} = ${u.x}: layer 1 has no δ`));
      if (u.raw !== undefined) body.appendChild(el("p", {}, `${u.feature || "x_" + j} = ${u.raw} as given, normalized to x′_${j} = ${u.x} for the network.`));
      body.appendChild(el("p", {}, "Layer 1 is the input: a^(1) = x is given, not computed from weights, " +
        "so there is no δ^(1), nothing upstream to adjust. Backpropagation stops at δ^(2)."));
      body.appendChild(el("p", {}, `The weights leaving this unit still learn: ∂cost/∂Θ_k${j}^(1) = δ_k^(2) · x_${j}.`));
      return;
    }
    if (u.kind === "output") {
      title.textContent = `Output unit ${j} of layer ${l}: ${sym("δ", l, j)} = ${u.delta}`;
      body.appendChild(el("h3", {}, "Forward"));
      eqs(body, u.forward);
      body.appendChild(el("h3", {}, "Its δ"));
      body.appendChild(el("div", { id: "detail", class: "eq" }, u.line));
      body.appendChild(el("p", { class: "note" }, u.why));
      if (u.g_lines) { body.appendChild(el("h4", {}, "g′ in terms of z, and of a")); eqs(body, u.g_lines); }
      if (u.check) body.appendChild(el("p", { class: "note" }, u.check));
      return;
    }
    title.textContent = `Unit ${j} of layer ${l}: ${sym("δ", l, j)} = ${u.delta}`;
    body.appendChild(el("h3", {}, "Forward"));
    eqs(body, u.forward);
    body.appendChild(el("h3", {}, `Backward: ${sym("δ", l, j)} sums the δ of layer ${l + 1}`));
    eqs(body, [`${sym("δ", l, j)} = (Σ_k Θ_k${j}^(${l}) δ_k^(${l + 1})) · g′(${sym("z", l, j)})`]);
    const line = body.appendChild(el("div", { class: "eq chips" }));
    line.appendChild(document.createTextNode("= ("));
    u.chips.forEach((c, n) => {
      if (n) line.appendChild(document.createTextNode(" + "));
      const b = el("button", {
        type: "button", class: "chip" + (c.value.startsWith("-") ? " neg" : ""),
        "data-layer": l, "data-from": j, "data-to": c.to,
        "aria-label": `${c.name} = ${c.theta} × ${c.delta} = ${c.value}`, title: `${c.name} = ${c.value}`,
      }, `(${c.theta})(${c.delta})`);
      line.appendChild(b);
    });
    if (u.folded) line.appendChild(el("span", { class: "folded" }, ` + ${u.folded[1]} (${u.folded[0]} smaller terms)`));
    line.appendChild(document.createTextNode(`) · ${u.g_prime}`));
    eqs(body, [`= ${u.sum} × ${u.g_prime} = ${u.delta}`]);
    body.appendChild(el("p", { class: "note" }, "Each term is a chip: hover or focus it to light its edge and " +
      `the unit of layer ${l + 1} it comes from; Enter selects that weight.`));
    body.appendChild(el("h4", {}, "g′ in terms of z, and of a"));
    eqs(body, u.g_lines);
    body.appendChild(el("h4", {}, "As the terminal prints it"));
    const wrap = body.appendChild(el("div", { class: "wide" }));
    wrap.appendChild(workTable(l, u.rows.concat(u.check || []), u.delta_row));
    body.appendChild(el("p", { class: "note" }, "The lecture's δ stops at the weighted sum; the real δ has the factor g'(z)."));
    sel("#unit-body .chip").forEach(wireChip);
  }
  function wireChip(b) {
    const l = +b.dataset.layer, j = +b.dataset.from, k = +b.dataset.to;
    const on = () => {
      clearMarks("hot");
      b.classList.add("hot");
      edgesAt(l, k, j).forEach((e) => e.classList.add("hot"));
      unitsAt(l + 1, k).forEach((e) => e.classList.add("hot"));
    };
    const off = () => clearMarks("hot");
    b.addEventListener("mouseenter", on);
    b.addEventListener("focus", on);
    b.addEventListener("mouseleave", off);
    b.addEventListener("blur", off);
    b.addEventListener("click", () => selectEdge(l, k, j));
  }

  // --- an edge: nudge its weight, check its gradient ----------------------------------------
  let chosen = null, range = null;
  const STEPS_EACH_WAY = 200;
  function sliderValue() {
    const k = +$("nudge").value;
    return k === STEPS_EACH_WAY ? range.theta : range.theta + (k - STEPS_EACH_WAY) * range.r / STEPS_EACH_WAY;
  }
  function selectEdge(l, i, j) {
    if (!(l >= 1 && l < L && i >= 1 && i <= S[l] && j >= 0 && j <= S[l - 1])) return false;
    chosen = [l, i, j];
    clearMarks("chosen");
    edgesAt(l, i, j).forEach((e) => e.classList.add("chosen"));
    const th = sym("Θ", l, i, j);
    $("edge-title").textContent = `${th}: from unit ${j} of layer ${l} to unit ${i} of layer ${l + 1}`;
    const vals = $("edge-values");
    vals.textContent = "";
    const ops = P.grad_ops[l - 1][i - 1][j];  // null: not one of the entries worked out
    eqs(vals, [`${th} = ${P.theta[l - 1][i - 1][j]}`,
      `∂cost/∂${th} = ${sym("δ", l + 1, i)} · ${j ? sym("a", l, j) : `a_0^(${l})`} = ` +
      (ops ? `(${ops[0]})(${ops[1]}) = ` : "") + P.grad[l - 1][i - 1][j]]);
    const theta = THETA[l][i - 1][j];
    range = { theta, r: Math.max(1, 2 * Math.abs(theta)) };
    const s = $("nudge");
    s.min = "0"; s.max = String(2 * STEPS_EACH_WAY); s.step = "1"; s.value = String(STEPS_EACH_WAY);
    s.setAttribute("aria-label", `Nudge ${th}`);
    range.curve = [];
    for (let k = 0; k <= 100; k++) {
      const v = theta - range.r + (2 * range.r * k) / 100;
      range.curve.push([v, costWith(l, i, j, v)]);
    }
    $("edge-panel").hidden = false;
    $("help").hidden = true;
    nudged();
    document.body.dataset.edge = `${l},${i},${j}`;
    announce(edgeName(l, i, j));
    return true;
  }
  function nudged() {
    const [l, i, j] = chosen;
    const v = sliderValue();
    const T = withEntry(l, i, j, v);
    const bp = backprop(T, E.x, E.y);
    const th = sym("Θ", l, i, j);
    const at = v === range.theta;
    const c = at ? P.cost_text : pyg(bp.cost, 8);
    const slope = bp.grad[l][i - 1][j];
    const out = $("nudge-out");
    out.textContent = `${th} = ${at ? P.theta[l - 1][i - 1][j] : pyg(v)}: cost(t) = ${c}` +
      (at ? " (the example's own weights)" : ` (from ${P.cost_text} at ${P.theta[l - 1][i - 1][j]})`) +
      `; h_Θ(x) = (${bp.a[L].map((x) => pyg(x)).join(", ")}); backprop's ∂cost/∂${th} = ` +
      (at ? P.grad[l - 1][i - 1][j] : pyg(slope));
    out.dataset.theta = String(v);
    out.dataset.cost = String(bp.cost);
    out.dataset.slope = String(slope);
    $("nudge").setAttribute("aria-valuetext", `${th} = ${pyg(v)}, cost(t) = ${c}`);
    plot(v, bp.cost, slope);
    checked(v);
  }
  function plot(v, c, slope) {
    const svg = $("plot");
    while (svg.lastChild && svg.lastChild.nodeName !== "title") svg.removeChild(svg.lastChild);
    const W = 420, H = 220, x0 = 56, x1 = W - 12, y0 = 14, y1 = H - 34;
    const pts = range.curve;
    let lo = Math.min(...pts.map((p) => p[1])), hi = Math.max(...pts.map((p) => p[1]));
    if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
    const pad = (hi - lo) * 0.08;
    lo -= pad; hi += pad;
    const vmin = range.theta - range.r, vmax = range.theta + range.r;
    const X = (t) => x0 + ((t - vmin) / (vmax - vmin)) * (x1 - x0);
    const Y = (q) => y1 - ((q - lo) / (hi - lo)) * (y1 - y0);
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(SVGNS, tag);
      for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, val);
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    };
    add("line", { class: "axis", x1: x0, y1: y1, x2: x1, y2: y1 });
    add("line", { class: "axis", x1: x0, y1: y0, x2: x0, y2: y1 });
    add("text", { x: x0, y: H - 18, "text-anchor": "middle" }, pyg(vmin, 3));
    add("text", { x: x1, y: H - 18, "text-anchor": "end" }, pyg(vmax, 3));
    add("text", { x: (x0 + x1) / 2, y: H - 4, "text-anchor": "middle" }, sym("Θ", chosen[0], chosen[1], chosen[2]));
    add("text", { x: x0 - 4, y: y0 + 8, "text-anchor": "end" }, pyg(hi, 3));
    add("text", { x: x0 - 4, y: y1, "text-anchor": "end" }, pyg(lo, 3));
    add("text", { x: 4, y: (y0 + y1) / 2 }, "cost(t)");
    add("line", { class: "origin", x1: X(range.theta), y1: y0, x2: X(range.theta), y2: y1 });
    add("polyline", { class: "curve", points: pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" ") });
    const half = range.r / 3;
    const t = add("line", {
      class: "tangent", x1: X(v - half), y1: Y(c - slope * half), x2: X(v + half), y2: Y(c + slope * half),
      "data-slope": String(slope),
    });
    t.appendChild(document.createElementNS(SVGNS, "title")).textContent = `tangent, slope ${pyg(slope)} (backprop)`;
    add("circle", { class: "marker", cx: X(v), cy: Y(c), r: 5 });
  }
  function checked(v) {
    const [l, i, j] = chosen;
    const at = v === range.theta;
    const c = checkEntry(l, i, j, eps, at ? undefined : v);
    const box = $("check-out");
    box.textContent = "";
    const th = sym("Θ", l, i, j);
    eqs(box, [`(cost(${th} + ε) − cost(${th} − ε)) / 2ε = ${pyg(c.numeric, 8)}`,
      `backprop's ∂cost/∂${th} = ${pyg(c.backprop, 8)}`,
      `relative difference |num − bp| / (|num| + |bp|) = ${pyg(c.relative, 2)}`]);
    let verdict = { agrees: "they agree", differs: "they differ", unresolved: "both are too small to tell apart from 0 at this ε" }[c.verdict];
    if (c.verdict === "agrees" && c.relative > 1e-6) {  // by the rounding floor alone
      verdict = `they agree only as far as the rounding of cost(t) lets a difference at ` +
        `this ε tell (±${pyg(c.floor, 2)}); a larger ε, such as 1e-5, checks more finely`;
    }
    box.appendChild(el("p", { class: "verdict-" + c.verdict }, verdict.charAt(0).toUpperCase() + verdict.slice(1) +
      (c.verdict === "differs" ? " (✗)" : c.verdict === "agrees" ? " (✓)" : " (?)")));
    box.dataset.numeric = String(c.numeric);
    box.dataset.backprop = String(c.backprop);
    box.dataset.relative = String(c.relative);
    box.dataset.verdict = c.verdict;
  }

  // --- a large network: the selected unit's neighbourhood, in full -------------------------
  const NEAR_MAX = 40, NEAR_TOP = 12;
  function pick(count, size) {  // all the indices, or the NEAR_TOP largest by size
    const all = Array.from({ length: count }, (_, n) => n);
    if (count <= NEAR_MAX) return { shown: all, more: 0 };
    const top = all.sort((p, q) => size(q) - size(p)).slice(0, NEAR_TOP).sort((p, q) => p - q);
    return { shown: top, more: count - NEAR_TOP };
  }
  function drawNear(l, j) {
    const svg = $("neighbourhood");
    svg.textContent = "";
    $("near").hidden = false;
    const add = (parent, tag, attrs, text) => {
      const e = document.createElementNS(SVGNS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      parent.appendChild(e);
      return e;
    };
    let left = null, right = null;
    if (l > 1 && j > 0) {  // what feeds z_j: the bias and the units of layer l-1
      const row = THETA[l - 1][j - 1], a = [1].concat(E.layers[l - 2].a);
      left = Object.assign({ l: l - 1 }, pick(S[l - 2] + 1, (n) => Math.abs(row[n] * a[n])));
    }
    if (l < L) {  // what δ_j sums: the units of layer l+1
      const d = E.layers[l].delta;
      right = Object.assign({ l: l + 1 }, pick(S[l], (n) => Math.abs(THETA[l][n][j] * d[n])));
      right.shown = right.shown.map((n) => n + 1);
    }
    const R = 20, GAP = 48;
    const rows = Math.max(left ? left.shown.length : 1, right ? right.shown.length : 1, 1);
    const H = 70 + rows * GAP + 30, W = 780;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const cx = { left: 150, mid: 370, right: 570 };
    const ys = (n, count) => 70 + (rows - count) * GAP / 2 + n * GAP + GAP / 2;
    const at = {};
    at[`${l},${j}`] = [cx.mid, 70 + rows * GAP / 2];
    const edgesG = add(svg, "g", {});
    const unitsG = add(svg, "g", {});
    const column = (side, x) => {
      if (!side) return;
      add(svg, "text", { x, y: 30, "text-anchor": "middle", "font-size": 14, "font-weight": "bold" }, `layer ${side.l}`);
      side.shown.forEach((m, n) => { at[`${side.l},${m}`] = [x, ys(n, side.shown.length)]; });
      if (side.more) add(svg, "text", { class: "more", x, y: H - 12, "text-anchor": "middle" }, `+ ${side.more} more, smaller`);
    };
    column(left, cx.left);
    column(right, cx.right);
    add(svg, "text", { x: cx.mid, y: 30, "text-anchor": "middle", "font-size": 14, "font-weight": "bold" }, `layer ${l}`);
    const edge = (el_, i, jj) => {  // Θ^(el_)_{i jj}: unit jj of layer el_ to unit i of layer el_+1
      const [xa, ya] = at[`${el_},${jj}`], [xb, yb] = at[`${el_ + 1},${i}`];
      const dx = xb - xa, dy = yb - ya, d = Math.hypot(dx, dy);
      const p = [xa + dx * R / d, ya + dy * R / d, xb - dx * R / d, yb - dy * R / d].map((v) => v.toFixed(1));
      const gEl = add(edgesG, "g", { class: "edge near", "data-layer": el_, "data-from": jj, "data-to": i, tabindex: 0, role: "button" });
      add(gEl, "line", { class: "hit", x1: p[0], y1: p[1], x2: p[2], y2: p[3] });
      add(gEl, "line", { class: "stroke", x1: p[0], y1: p[1], x2: p[2], y2: p[3] });
      add(gEl, "title", {});
      paintEdge(gEl);
      if (el_ === l) gEl.classList.add("feeds"); else gEl.classList.add("inbound");
    };
    if (left) left.shown.forEach((m) => edge(l - 1, j, m));
    if (right) right.shown.forEach((i) => edge(l, i, j));
    const unit = (m, u) => {
      const [x, y] = at[`${m},${u}`];
      const c = add(unitsG, "circle", {
        class: "unit near" + (u === 0 ? " bias" : ""), cx: x, cy: y, r: u === 0 ? 14 : R, fill: "#ffffff",
        stroke: u === 0 ? GREY : "#222222", "stroke-width": 1.4, "data-layer": m, "data-unit": u,
        tabindex: 0, role: "button", "aria-label": unitName(m, u),
      });
      if (u === 0) c.setAttribute("stroke-dasharray", "4 3");
      add(c, "title", {}, unitName(m, u));
      const n = P.numbers[m - 1];
      const label = u === 0 ? "+1" : m === 1 ? `x${u}` : `${u}`;
      add(unitsG, "text", { x, y: y + 4, "text-anchor": "middle", "font-size": 11, fill: "#555555" }, label);
      if (u > 0) {  // its numbers: beside a neighbour, under the selected unit
        const side = x < cx.mid ? -1 : x > cx.mid ? 1 : 0;
        const text = m === 1 ? `${n.name} = ${n.a[u - 1]}` : `a = ${n.a[u - 1]}  δ = ${n.delta[u - 1]}`;
        add(unitsG, "text", side ? { x: x + side * (R + 6), y: y + 4, "text-anchor": side < 0 ? "end" : "start", "font-size": 12, fill: "#333333" }
          : { x, y: y + R + 18, "text-anchor": "middle", "font-size": 12, fill: "#333333" }, text);
      }
      return c;
    };
    if (left) left.shown.forEach((m) => unit(l - 1, m));
    if (right) right.shown.forEach((i) => unit(l + 1, i));
    unit(l, j);
    sel("#neighbourhood .unit").forEach(wireUnit);
    sel("#neighbourhood .edge").forEach(wireEdge);
    const box = svg.getBBox();  // the labels' own widths: none of them cut off at an edge
    const x0 = Math.min(0, Math.floor(box.x) - 8), x1 = Math.max(W, Math.ceil(box.x + box.width) + 8);
    svg.setAttribute("viewBox", `${x0} 0 ${x1 - x0} ${H}`);
  }

  // --- the batch: Δ accumulates, then D -----------------------------------------------------
  const B = P.batch;
  let count = 0, bl = L - 1, lambda = B ? B.lambda : 0;
  let perExample = null;
  function batchGrad(t) {
    if (!perExample) perExample = [];
    if (!perExample[t]) perExample[t] = backprop(THETA, B.X[t], B.Y[t]).grad;
    return perExample[t];
  }
  function Delta(l, c) {  // Σ of the first c examples' δ^(l+1) [1; a^(l)]ᵀ
    const D = THETA[l].map((row) => row.map(() => 0));
    for (let t = 0; t < c; t++) {
      const G = batchGrad(t)[l];
      for (let i = 0; i < D.length; i++) for (let j = 0; j < D[i].length; j++) D[i][j] += G[i][j];
    }
    return D;
  }
  function Dmatrix(l, lam) {  // D = Δ/m + (λ/m)Θ, column 0 without λ
    const m = B.n, Dl = Delta(l, m);
    return Dl.map((row, i) => row.map((v, j) => v / m + (j ? (lam / m) * THETA[l][i][j] : 0)));
  }
  function entry() {
    const i = Math.max(1, Math.min(S[bl], +$("batch-i").value || 1));
    const j = Math.max(0, Math.min(S[bl - 1], +$("batch-j").value || 0));
    return [i, j];
  }
  function renderBatch() {
    if (!B) return;
    const [i, j] = entry();
    const Dl = Delta(bl, count), prev = count ? Delta(bl, count - 1) : null;
    const done = count === B.n;
    const rowsNote = B.n < B.m ? ` (the first ${B.n} of the ${B.m} training examples; training's D averages all ${B.m})` : "";
    $("batch-status").textContent = count === 0
      ? `Δ^(${bl}) = 0: no example added yet${rowsNote}.`
      : `${count} of ${B.n} examples added${done ? ": D is ready" : ""}${rowsNote}.`;
    const eqBox = $("batch-eq");
    eqBox.textContent = "";
    if (count > 0) {
      const t = count - 1;
      const a1 = ["1"].concat(B.a[t][bl - 1]), d = B.delta[t][bl - 1];
      const short = (v) => v.length > 8 ? `(${v.slice(0, 8).join(", ")}, … ${v.length} values)` : `(${v.join(", ")})`;
      eqs(eqBox, [`example ${t + 1}, row ${B.rows[t]} of the training file: cost(t) = ${B.cost[t]}`,
        `Δ^(${bl}) := Δ^(${bl}) + δ^(${bl + 1}) [1; a^(${bl})]ᵀ`,
        `δ^(${bl + 1}) = ${short(d)}`, `[1; a^(${bl})] = ${short(a1)}`]);
      const before = prev[i - 1][j];
      $("batch-entry-eq").textContent = `${sym("Δ", bl, i, j)} = ${pyg(before)} + (${d[i - 1]})(${a1[j]}) = ${pyg(Dl[i - 1][j])}`;
    } else {
      $("batch-entry-eq").textContent = `${sym("Δ", bl, i, j)} = 0`;
    }
    let D = null;
    if (done) {
      D = Dmatrix(bl, lambda);
      const m = B.n;
      const [Dij, Aij, Tij] = ["D", "Δ", "Θ"].map((name) => sym(name, bl, i, j));
      eqs(eqBox, [j === 0
        ? `${Dij} = ${Aij} / m = ${pyg(Dl[i - 1][0])} / ${m} = ${pyg(D[i - 1][0])}   (column 0: no λ)`
        : `${Dij} = ${Aij} / m + (λ/m) ${Tij} = ${pyg(Dl[i - 1][j])} / ${m} + (${pyg(lambda)} / ${m})(${P.theta[bl - 1][i - 1][j]}) = ${pyg(D[i - 1][j])}`]);
    }
    drawMatrix(Dl, D, i, j);
    $("batch").dataset.count = String(count);
    $("batch-back").disabled = count === 0;
    $("batch-next").disabled = done;
  }
  function drawMatrix(Dl, D, i, j) {
    const box = $("batch-matrix");
    box.textContent = "";
    const rows = Dl.length, cols = Dl[0].length;
    const mats = [[`Δ^(${bl})`, Dl]].concat(D ? [[`D^(${bl}) = Δ^(${bl})/m + (λ/m)Θ^(${bl}), column 0 without λ`, D]] : []);
    for (const [name, M] of mats) {
      box.appendChild(el("h4", {}, name));
      if (rows <= 12 && cols <= 13) {
        const t = el("table", { class: "matrix", "data-name": name.split(" ")[0] });
        const head = el("tr");
        head.appendChild(el("th", {}, "i"));
        for (let c = 0; c < cols; c++) head.appendChild(el("th", c === 0 ? { class: "bias-col" } : {}, c === 0 ? "j=0 (bias, no λ)" : `j=${c}`));
        t.appendChild(el("thead")).appendChild(head);
        const body = t.appendChild(el("tbody"));
        M.forEach((row, r) => {
          const tr = body.appendChild(el("tr"));
          tr.appendChild(el("th", {}, String(r + 1)));
          row.forEach((v, c) => {
            const cls = (c === 0 ? "bias-col" : "") + (r === i - 1 && c === j ? " current" : "");
            tr.appendChild(el("td", { class: cls.trim(), "data-value": String(v) }, pyg(v)));
          });
        });
        box.appendChild(t);
      } else {
        heat(box, M, i, j);
      }
    }
  }
  function heat(box, M, i, j) {  // a large matrix as a picture: colour by sign, column 0 apart
    const rows = M.length, cols = M[0].length;
    const cell = Math.max(2, Math.min(12, Math.floor(900 / cols)));
    const gap = 4;
    const cv = el("canvas", { width: cols * cell + gap, height: rows * cell, role: "img",
      "aria-label": `${rows} × ${cols} matrix; the selected entry is in the line above` });
    const ctx = cv.getContext("2d");
    let big = 0;
    M.forEach((row) => row.forEach((v) => { big = Math.max(big, Math.abs(v)); }));
    big = big || 1;
    M.forEach((row, r) => row.forEach((v, c) => {
      const x = c * cell + (c ? gap : 0), y = r * cell, s = Math.sqrt(Math.abs(v) / big);
      ctx.fillStyle = v >= 0 ? `rgba(33,102,172,${s})` : `rgba(192,57,43,${s})`;
      ctx.fillRect(x, y, cell, cell);
      if (v < 0 && cell >= 6) {  // negative: a stroke across the cell, not colour alone
        ctx.strokeStyle = "rgba(255,255,255,0.8)";
        ctx.beginPath(); ctx.moveTo(x + 1, y + cell - 1); ctx.lineTo(x + cell - 1, y + 1); ctx.stroke();
      }
    }));
    ctx.strokeStyle = "#e67e22";
    ctx.lineWidth = 2;
    ctx.strokeRect((j ? j * cell + gap : 0) + 1, (i - 1) * cell + 1, cell - 2, cell - 2);
    cv.addEventListener("click", (ev) => {
      const rect = cv.getBoundingClientRect();
      const x = (ev.clientX - rect.left) * cv.width / rect.width, y = (ev.clientY - rect.top) * cv.height / rect.height;
      const c = x < cell ? 0 : Math.floor((x - gap) / cell);
      $("batch-i").value = String(Math.floor(y / cell) + 1);
      $("batch-j").value = String(Math.min(cols - 1, c));
      renderBatch();
    });
    box.appendChild(cv);
  }
  function setupBatch() {
    if (!B) return;
    const s = $("batch-layer");
    for (let l = 1; l < L; l++) s.appendChild(el("option", { value: String(l) }, `${l} (${S[l]} × ${S[l - 1] + 1})`));
    s.value = String(bl);
    $("batch-intro").textContent = `Backpropagation over a batch adds each example's ∂cost/∂Θ into Δ: ` +
      `Δ^(l) := Δ^(l) + δ^(l+1) (a^(l))ᵀ, with a_0 = 1. After the last example, D = Δ/m + (λ/m)Θ, ` +
      `except column 0 (the bias weights), which λ leaves alone. Here m = ${B.n}.`;
    $("batch-lambda").value = String(lambda);
    s.addEventListener("change", () => { bl = +s.value; renderBatch(); });
    $("batch-next").addEventListener("click", () => { count = Math.min(B.n, count + 1); renderBatch(); });
    $("batch-back").addEventListener("click", () => { count = Math.max(0, count - 1); renderBatch(); });
    $("batch-all").addEventListener("click", () => { count = B.n; renderBatch(); });
    $("batch-reset").addEventListener("click", () => { count = 0; renderBatch(); });
    $("batch-lambda").addEventListener("input", () => {
      const v = parseFloat($("batch-lambda").value);
      if (Number.isFinite(v) && v >= 0) { lambda = v; renderBatch(); }
    });
    ["batch-i", "batch-j"].forEach((id) => $(id).addEventListener("input", renderBatch));
    renderBatch();
  }

  // --- wiring -------------------------------------------------------------------------------
  function wireUnit(u) {
    const go = () => selectUnit(+u.dataset.layer, +u.dataset.unit);
    u.addEventListener("click", go);
    u.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); }
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {  // along the layer
        const l = +u.dataset.layer, j = +u.dataset.unit + (ev.key === "ArrowDown" ? 1 : -1);
        const next = u.closest("svg").querySelector(`.unit[data-layer="${l}"][data-unit="${j}"]`);
        if (next) { ev.preventDefault(); next.focus(); }
      }
    });
  }
  function wireEdge(e) {
    const go = () => selectEdge(+e.dataset.layer, +e.dataset.to, +e.dataset.from);
    e.addEventListener("click", go);
    e.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
  }
  function typing(t) {
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
  }
  function init() {
    const live = el("div", { id: "announce", class: "visually-hidden", "aria-live": "polite" });
    document.body.appendChild(live);
    computeBiggest();
    sel("#network .unit").forEach(wireUnit);
    sel("#network .edge").forEach(wireEdge);
    $("prev").addEventListener("click", () => showStep(step - 1));
    $("next").addEventListener("click", () => showStep(step + 1));
    document.addEventListener("keydown", (ev) => {
      if (typing(ev.target) || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (ev.key === "ArrowRight") { ev.preventDefault(); showStep(step + 1); }
      else if (ev.key === "ArrowLeft") { ev.preventDefault(); showStep(step - 1); }
    });
    sel('input[name="edges"]').forEach((r) => r.addEventListener("change", () => { if (r.checked) setView(r.value); }));
    $("nudge").addEventListener("input", nudged);
    $("epsilon").addEventListener("change", () => {
      const text = $("epsilon").value.trim(), v = Number(text);
      const ok = text !== "" && Number.isFinite(v) && v > 0;
      $("epsilon").setAttribute("aria-invalid", String(!ok));
      if (!ok) {  // say so, and what the figures shown were computed at
        const said = `ε must be a number above 0, such as 1e-5; what is shown was checked ` +
          `at ε = ${pyg(eps)}.`;
        $("check-out").dataset.invalid = "true";
        let note = $("epsilon-note");
        if (!note) {
          note = el("p", { id: "epsilon-note", role: "alert" }, "");
          $("check-out").before(note);
        }
        note.textContent = said;
        return;
      }
      delete $("check-out").dataset.invalid;
      if ($("epsilon-note")) $("epsilon-note").remove();
      eps = v;
      verdicts = null;
      if (view === "check") setView("check");
      if (chosen) checked(sliderValue());
    });
    $("goto").addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec($("goto").value);
      const ok = !!m && selectUnit(+m[1], +m[2], true);
      $("goto").setAttribute("aria-invalid", String(!ok));
      if (!ok) announce(`No unit ${$("goto").value}: write l,j, for example 2,1`);
    });
    let start = 0;
    if (P.start) start = STEPS.findIndex((r) => r.dataset.kind === "delta" && +r.dataset.layer === P.start);
    if (P.select && P.select[0] > 1) {
      start = STEPS.findIndex((r) => r.dataset.kind === "delta" && +r.dataset.layer === P.select[0]);
    }
    showStep(Math.max(0, start));
    setView(P.edges);
    if (P.select) selectUnit(P.select[0], P.select[1]);
    setupBatch();
    window.nnbp = {
      explanation: E, page: P, forward: (T, x) => forward(T || THETA, x || E.x), backprop: (T, x, y) => backprop(T || THETA, x || E.x, y || E.y),
      cost: (T, x, y) => cost(T || THETA, x || E.x, y || E.y), check: (l, i, j, e) => checkEntry(l, i, j, e || eps),
      pyg, fsum, selectUnit, selectEdge, showStep, setView,
      batchDelta: (l, c) => Delta(l, c === undefined ? count : c), batchD: (l, lam) => Dmatrix(l, lam === undefined ? lambda : lam),
    };
    document.body.dataset.ready = String(performance.now());
  }
  init();
})();
