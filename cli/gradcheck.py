"""``nnbp gradcheck``: backprop against central differences, every Θ."""

from __future__ import annotations

import json
from typing import Optional

import typer

from cli.exits import EXIT_FAILED


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
    as_json: bool = typer.Option(False, "--json", help="The result as one JSON object."),
) -> None:
    """Compare backprop's gradient with two-sided finite differences of J."""
    from nnbp.config import load_config
    from nnbp.errors import UsageError
    from nnbp.gradcheck import gradcheck as check
    from nnbp.pick import with_model
    from nnbp.train import prepare

    cfg = load_config(config)
    run = prepare(cfg)
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
            raise UsageError(f"--examples {examples}: the training data has {len(X)} examples")
        X, Y = X[:examples], Y[:examples]
    result = check(run.net, run.Theta, X, Y, cfg.training.lam, epsilon=eps, tolerance=tol,
                   entries=None if check_all else entries, seed=cfg.network.init.seed)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        render(result, cfg.training.lam)
    if not result["passed"]:
        raise typer.Exit(EXIT_FAILED)


def render(r: dict, lam: float) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, markup=False, emoji=False)
    con.print(f"Central differences, ε = {r['epsilon']:g}, on {r['examples']} examples, "
              f"λ = {lam:g}" + ("; a seeded sample of entries per layer (--all for every "
                                "entry)" if r["sampled"] else ""))
    t = Table()
    for col in ("Θ^(l)", "entries", "max |num − grad|", "at (i, j)", "relative", "Richardson"):
        t.add_column(col, justify="right", no_wrap=True)
    for d in r["layers"]:
        t.add_row(f"Θ^({d['l']})", f"{d['entries']}/{d['of']}", f"{d['max_abs_difference']:.2e}",
                  f"({d['where'][0]}, {d['where'][1]})", f"{d['relative_difference']:.2e}",
                  f"{d['relative_difference_richardson']:.2e}")
    con.print(t)
    if r["relu_near_kink"]:
        con.print(f"Warning: {r['relu_near_kink']} ReLU pre-activations lie within ε of the kink "
                  "at 0; differences there are not meaningful.")
    con.print(verdict(r))


def verdict(r: dict) -> str:
    """PASSED or FAILED, and which criterion decided (nnbp/gradcheck.py)."""
    from nnbp.gradcheck import ROUNDINGS

    relative = f"‖num − grad‖ / ‖num + grad‖ = {r['relative_difference']:.3e}"
    floor = (f"the floor {r['floor']:.2g} that rounding in J leaves at ε = {r['epsilon']:g} "
             f"(3 × {ROUNDINGS}u × S / ε, with S = {r['cost_size']:.3g} the size of the numbers "
             f"J is computed from and u = {r['unit_roundoff']:.2g})")
    if r["criterion"] == "relative":
        return (f"PASSED (relative): {relative} < tolerance {r['tolerance']:g}; Richardson over "
                f"ε and ε/2: {r['relative_difference_richardson']:.3e}")
    if r["criterion"] == "floor":
        return (f"PASSED (absolute floor): {relative} is over the tolerance {r['tolerance']:g} "
                f"(‖grad‖ = {r['gradient_norm']:.2g}), but every |Richardson − grad| ≤ "
                f"{r['max_abs_difference_richardson']:.2g}, under {floor}")
    worst = max(r["layers"], key=lambda d: d["max_abs_difference_richardson"])
    return (f"FAILED: {relative} ≥ tolerance {r['tolerance']:g}, and |Richardson − grad| "
            f"reaches {worst['max_abs_difference_richardson']:.2g} in Θ^({worst['l']}), over "
            f"{floor}")
