"""``nnbp gradcheck``: backprop against central differences, every Θ."""

from __future__ import annotations

import enum
import json
from typing import Optional

import typer

from nnbp.choices import DTYPES

from cli.exits import EXIT_FAILED


DType = enum.Enum("DType", {d: d for d in DTYPES}, type=str)


def gradcheck(
    config: str = typer.Argument(..., help="A config file or bundled example name."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Check at a trained "
                                        "model's weights (default: the initial weights)."),
    epsilon: Optional[float] = typer.Option(None, "--epsilon", help="The step ε (default 1e-4; "
                                            "1e-2 in float32)."),
    tolerance: Optional[float] = typer.Option(None, "--tolerance", help="Pass below this "
                                              "relative difference (default 1e-7; 1e-3 in "
                                              "float32)."),
    examples: Optional[int] = typer.Option(None, "--examples", help="Use the first N "
                                           "training examples (default: all)."),
    entries: int = typer.Option(200, "--entries", help="Entries checked per Θ^(l) when it has "
                                "more (a seeded sample)."),
    check_all: bool = typer.Option(False, "--all", help="Check every entry of every Θ."),
    dtype: Optional[DType] = typer.Option(None, "--dtype", help="Compute J and D in this "
                                          "type (default: training.dtype); float64 checks a "
                                          "float32 model's gradient far more finely."),
    as_json: bool = typer.Option(False, "--json", help="The result as one JSON object."),
) -> None:
    """Compare backprop's gradient with two-sided finite differences of J."""
    from nnbp.config import load_config
    from nnbp.errors import TooBig, UsageError
    from cli.render.progress import CountBar
    from nnbp.gradcheck import gradcheck as check
    from nnbp.trained import with_model
    from nnbp.training.run import prepare

    cfg = load_config(config)
    if dtype is not None:
        cfg = cfg.override(training={"dtype": dtype.value})
    try:
        run = prepare(cfg)
    except TooBig as e:  # gradcheck's differences need the rows in memory
        raise e.fixed_by("gradcheck reads the training file in memory: check on its first "
                         "rows instead (head -n 1001 FILE > first.csv, and data.train: "
                         "first.csv in a copy of the config), or set "
                         "NNBP_IGNORE_MEMORY_CHECK=1 to try anyway") from None
    if model:
        run = with_model(run, model)
    f32 = cfg.training.dtype == "float32"
    eps = epsilon if epsilon is not None else (1e-2 if f32 else 1e-4)
    tol = tolerance if tolerance is not None else (1e-3 if f32 else 1e-7)
    if not eps > 0 or not tol > 0:
        raise UsageError("--epsilon and --tolerance must be > 0")
    if entries < 1:
        raise UsageError("--entries must be ≥ 1")
    X, Y = run.data.train.X, run.data.train.Y
    if examples is not None:
        if not 1 <= examples <= len(X):
            raise UsageError(f"--examples {examples}: give 1 to {len(X)}, the training "
                             "examples there are")
        X, Y = X[:examples], Y[:examples]
    with CountBar("checking Θ's entries") as bar:
        result = check(run.net, run.Theta, X, Y, cfg.training.lam, epsilon=eps, tolerance=tol,
                       entries=None if check_all else entries, seed=cfg.network.init.seed,
                       on_entry=bar)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        render(result, cfg.training.lam, cfg.training.dtype, bool(model))
    if not result["passed"]:
        raise typer.Exit(EXIT_FAILED)


def render(r: dict, lam: float, dtype: str, at_model: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, markup=False, emoji=False)
    con.print(f"Central differences, ε = {r['epsilon']:g}, on {r['examples']} examples, "
              f"λ = {lam:g}, in {dtype}" + ("; a seeded sample of entries per layer (--all for every "
                                "entry)" if r["sampled"] else ""), soft_wrap=True)
    t = Table()
    for col in ("Θ^(l)", "entries", "max |num − grad|", "at (i, j)", "relative", "Richardson"):
        t.add_column(col, justify="right", no_wrap=True)
    for d in r["layers"]:
        checked = f"{d['entries'] - d['kink_left_out']}/{d['of']}"
        if d["where"] is None:
            t.add_row(f"Θ^({d['l']})", checked, "–", "–", "–", "–")
            continue
        t.add_row(f"Θ^({d['l']})", checked, f"{d['max_abs_difference']:.2e}",
                  f"({d['where'][0]}, {d['where'][1]})", _ratio(d["relative_difference"]),
                  _ratio(d["relative_difference_richardson"]))
    con.print(t)
    con.print(verdict(r, dtype, at_model), soft_wrap=True)  # one line, to grep


def verdict(r: dict, dtype: str, at_model: bool) -> str:
    """PASSED, FAILED or INCONCLUSIVE, which criterion decided (nnbp/gradcheck.py), what was
    done about ReLU kinks, and for INCONCLUSIVE how to check instead."""
    from nnbp.gradcheck import KINK_STEPS, ROUNDINGS

    kinks = kink_note(r, KINK_STEPS[-1])
    empty = [d["l"] for d in r["layers"] if d["where"] is None]
    if empty and r["verdict"] == "inconclusive":
        return (f"INCONCLUSIVE: no entry of {', '.join(f'Θ^({l})' for l in empty)} was left to "
                f"compare.{kinks} Check at other weights (kinks move with Θ), or every entry "
                "with --all when a sample was drawn.")
    relative = ("‖num − grad‖ / ‖num + grad‖ = 0/0 (both are zero)"
                if r["relative_difference"] is None else
                f"‖num − grad‖ / ‖num + grad‖ = {r['relative_difference']:.3e}")
    floor = (f"the floor {r['floor']:.2g} that rounding in J leaves at ε = {r['epsilon']:g} "
             f"(3 × {ROUNDINGS}u × S / ε, with S = {r['cost_size']:.3g} the size of the numbers "
             f"J is computed from and u = {r['unit_roundoff']:.2g})")
    if r["kink_rechecked"]:
        floor += " or at the smaller step of an entry checked again"
    if r["verdict"] == "passed" and r["criterion"] == "relative":
        return (f"PASSED (relative): {relative} < tolerance {r['tolerance']:g}; Richardson over "
                f"ε and ε/2: {_ratio(r['relative_difference_richardson'], '.3e')}.{kinks}")
    over = (f"{relative}, which decides nothing" if r["relative_difference"] is None else
            f"{relative} is over the tolerance {r['tolerance']:g}")
    under = (f"{over} (‖grad‖ = "
             f"{r['gradient_norm']:.2g}), but every |Richardson − grad| ≤ "
             f"{r['max_abs_difference_richardson']:.2g}, under {floor}")
    if r["verdict"] == "passed":
        return f"PASSED (absolute floor): {under}.{kinks}"
    if r["verdict"] == "inconclusive":
        small = " and ".join(f"Θ^({d['l']}) (at most {d['max_abs_gradient']:.2g})"
                             for d in r["layers"] if not d["resolved"])
        if dtype == "float32":
            fix = ("Check in float64, where rounding is 2^29 times finer: add --dtype float64 "
                   "(the same weights and data, J and D computed in float64).")
        else:
            fix = ("A larger --epsilon lowers the floor (it is 3δJ/ε), or check where the "
                   "gradient is larger" + (", at the initial weights (without --model)."
                                           if at_model else "."))
        return (f"INCONCLUSIVE: {under}; but so is every |grad_ij| of {small}: a gradient "
                f"of zeros there would pass as well, so the check says nothing about it.{kinks} "
                f"{fix}")
    worst = max((d for d in r["layers"] if d["where"] is not None),
                key=lambda d: d["max_abs_difference_richardson"])
    return (f"FAILED: {relative} ≥ tolerance {r['tolerance']:g}, and |Richardson − grad| "
            f"reaches {worst['max_abs_difference_richardson']:.2g} in Θ^({worst['l']}), over "
            f"{floor}.{kinks}")


def kink_note(r: dict, smallest: int) -> str:
    """What was done with the entries whose differences cross a ReLU kink ("" for none)."""
    note = ""
    if r["kink_rechecked"]:
        note += (f" {r['kink_rechecked']} {_entries(r['kink_rechecked'])} whose differences at "
                 f"ε = {r['epsilon']:g} cross a ReLU kink (a z changes sign between Θ_ij − ε and "
                 f"Θ_ij + ε, so J has no single derivative over the step) "
                 f"{'was' if r['kink_rechecked'] == 1 else 'were'} checked again at "
                 f"ε/10, ε/100 or ε/{smallest}, the first step that stays on one side of every "
                 f"kink (smallest used: {r['kink_epsilon']:g}).")
    if r["kink_left_out"]:
        where = "; ".join(f"Θ^({d['l']}) " + ", ".join(f"({i}, {j})" for i, j in d["left_out"])
                          for d in r["layers"] if d["left_out"])
        note += (f" {r['kink_left_out']} {_entries(r['kink_left_out'])} left out, each with a "
                 f"ReLU kink within ε/{smallest} = {r['epsilon'] / smallest:g} of its weight, where "
                 f"J may have no derivative: {where}.")
    return note


def _ratio(v: float | None, spec: str = ".2e") -> str:
    return "0/0" if v is None else format(v, spec)


def _entries(n: int) -> str:
    return "entry" if n == 1 else "entries"
