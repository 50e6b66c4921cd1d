"""``nnbp train``: the cost log on stdout, progress and a summary on stderr."""

from __future__ import annotations

import enum
import signal
from pathlib import Path
from typing import Optional

import typer


from cli.render.logwriter import FORMATS
from nnbp.choices import DTYPES, OPTIMIZERS

LogFormat = enum.Enum("LogFormat", {f: f for f in FORMATS}, type=str)
DType = enum.Enum("DType", {d: d for d in DTYPES}, type=str)
Optimizer = enum.Enum("Optimizer", {o: o for o in OPTIMIZERS}, type=str)


def train(
    config: str = typer.Argument(..., help="A config file, or a bundled example: xor, iris, "
                                 "digits, lecture, penguins."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Model file to write "
                                       "(default: the config's output.model key, else <config name>.npz here)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", min=1, help="Override training.epochs."),
    learning_rate: Optional[float] = typer.Option(None, "--learning-rate",
                                                  help="Override training.learning_rate (α)."),
    lam: Optional[float] = typer.Option(None, "--lambda",
                                        help="Override training.lambda (λ)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Override network.init.seed."),
    dtype: Optional[DType] = typer.Option(None, "--dtype", help="Override training.dtype."),
    log_format: LogFormat = typer.Option(FORMATS[0], "--log-format",
                                         help="Format of the cost log on stdout."),
    log_every: Optional[int] = typer.Option(None, "--log-every", min=1,
                                            help="Override training.log_every."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
    plot: bool = typer.Option(False, "--plot", help="A live cost curve under the progress "
                              "bar (on a terminal only)."),
    optimizer: Optional[Optimizer] = typer.Option(
        None, "--optimizer", help="Override training.optimizer: gd (batch gradient descent "
        "with α), lbfgs or cg (SciPy's L-BFGS-B or CG on J and D; epochs = iterations)."),
    stream: Optional[bool] = typer.Option(None, "--stream/--no-stream", help="Read the data "
                                          "from a binary cache every epoch, or hold it in "
                                          "memory (default: data.stream, auto)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="Run the epochs on a Dask cluster: its "
                                            "scheduler's address (tcp://host:8786), or local "
                                            "for one started on this machine's cores. Needs "
                                            "nnbp[dask]."),
    worker_wait: Optional[float] = typer.Option(
        None, "--worker-wait", min=0, metavar="SECONDS", help="Override "
        "training.worker_wait: how long a Dask cluster left without workers is waited "
        "for before the run ends, the model saved with the epochs done (default 120)."),
) -> None:
    """Train with batch gradient descent (or L-BFGS, CG); the cost log goes to stdout."""
    from nnbp.config import load_config
    from nnbp.training import train as train_run

    from cli.render.training_view import TrainingView

    cfg = load_config(config).override(
        training={"epochs": epochs, "learning_rate": learning_rate, "lam": lam,
                  "dtype": dtype and dtype.value, "log_every": log_every,
                  "optimizer": optimizer and optimizer.value, "scheduler": scheduler,
                  "worker_wait": worker_wait},
        network={"init": {"seed": seed}}, data={"stream": stream})
    with TrainingView(log_format.value, quiet=quiet, plot=plot) as view, \
            ctrl_c(lambda: view.training) as stop:
        outcome = train_run(cfg, out=out, on_event=view.event, should_stop=stop,
                            cost_wanted=view.due)
    code = view.finish(outcome)
    if code:
        raise typer.Exit(code)


class ctrl_c:
    """Ctrl-C while a run trains: the first ends it after the epoch in flight (the block
    is ``should_stop``: "interrupted" once it came), a second at once; before the epochs
    start, at once."""

    def __init__(self, training):
        self.training, self.came = training, False

    def __call__(self) -> str | None:
        return "interrupted" if self.came else None

    def __enter__(self):
        def on_sigint(signum, frame):
            if self.came or not self.training():
                raise KeyboardInterrupt
            self.came = True
        self.previous = signal.signal(signal.SIGINT, on_sigint)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)
        return False
