"""``nnbp train``: the cost log on stdout, progress and a summary on stderr."""

from __future__ import annotations

import enum
import math
import signal
import sys
import time
from pathlib import Path
from typing import Optional

import typer


class LogFormat(str, enum.Enum):
    csv = "csv"
    tsv = "tsv"
    jsonl = "jsonl"


class DType(str, enum.Enum):
    float64 = "float64"
    float32 = "float32"


def train(
    config: str = typer.Argument(..., help="A config file, or a bundled example: xor, iris, "
                                 "digits, lecture, penguins."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Model file to write "
                                       "(default: output.model, or <config name>.npz here)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", min=1, help="Override training.epochs."),
    learning_rate: Optional[float] = typer.Option(None, "--learning-rate",
                                                  help="Override training.learning_rate (α)."),
    lam: Optional[float] = typer.Option(None, "--lambda",
                                        help="Override training.lambda (λ)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Override network.init.seed."),
    dtype: Optional[DType] = typer.Option(None, "--dtype", help="Override training.dtype."),
    log_format: LogFormat = typer.Option(LogFormat.csv, "--log-format",
                                         help="Format of the cost log on stdout."),
    log_every: Optional[int] = typer.Option(None, "--log-every", min=1,
                                            help="Override training.log_every."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Nothing on stderr but errors."),
    plot: bool = typer.Option(False, "--plot", help="A live cost curve under the progress "
                              "bar (on a terminal only)."),
    stream: Optional[bool] = typer.Option(None, "--stream/--no-stream", help="Read the data "
                                          "from a binary cache every epoch, or hold it in "
                                          "memory (default: data.stream, auto)."),
) -> None:
    """Train with batch gradient descent; the cost log goes to stdout."""
    from nnbp.config import load_config
    from nnbp.errors import TrainingFailed
    from nnbp.model import check_writable, save_npz_atomic
    from nnbp.train import Trainer, log_columns, prepare
    from nnbp.watch import CostWatch

    from cli.cachebar import CacheBar
    from cli.logwriter import LogWriter
    from cli.main import EXIT_INTERRUPTED, EXIT_PIPE, quiet_stdout
    from cli.progress import Progress, stderr_console, summary

    started = time.perf_counter()
    cfg = load_config(config)
    overrides = {"training.epochs": epochs, "training.learning_rate": learning_rate,
                 "training.lambda": lam, "network.init.seed": seed,
                 "training.dtype": dtype.value if dtype else None,
                 "training.log_every": log_every, "data.stream": stream}
    cfg = cfg.replace(**{k: v for k, v in overrides.items() if v is not None})
    model_path = out or (Path(cfg.output.model) if cfg.output.model
                         else Path.cwd() / f"{cfg.name}.npz")
    check_writable(model_path)
    with CacheBar(enabled=not quiet) as bar:
        run = prepare(cfg, stream=cfg.data.stream, notify=bar.notify)

    interrupted = []

    def on_sigint(signum, frame):  # finish the epoch, then stop; a second Ctrl-C is immediate
        if interrupted:
            raise KeyboardInterrupt
        interrupted.append(True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    trainer = Trainer(run, cfg.training.epochs, cfg.training.learning_rate,
                      cfg.training.lam, cfg.training.log_every,
                      should_stop=lambda: bool(interrupted))
    pipe_closed = False
    watch = CostWatch()  # a cost that keeps rising: warn once that α is probably too high
    try:
        log = LogWriter(sys.stdout, log_format.value, log_columns(run))
        with Progress(trainer.epochs, enabled=not quiet, plot=plot) as progress:
            for step in trainer:
                progress.update(step)
                if step.row is not None:
                    try:
                        log.row(step.row)
                    except BrokenPipeError:  # the reader went away (| head): stop, keep the model
                        pipe_closed = True
                        quiet_stdout()
                        break
                    rise = watch.update(step.epoch, step.row["cost"])
                    if rise is not None and not quiet:
                        stderr_console().print(f"Warning: {rise}; the learning rate (now "
                                               f"{trainer.learning_rate:g}) is probably too high.")
    finally:
        signal.signal(signal.SIGINT, previous)
    if trainer.diverged:  # no model: a file already at model_path stays as it was
        kept = f"{model_path} was left as it was" if model_path.exists() else \
            f"nothing was written to {model_path}"
        if math.isnan(trainer.cost):  # epoch 0 was not finite: α is not why
            raise TrainingFailed(
                f"the cost is non-finite with the initial weights, before any update; no model "
                f"was written ({kept}). Use smaller initial weights (network.init) or "
                "normalize the data.")
        raise TrainingFailed(
            f"the cost became non-finite after epoch {trainer.epochs_done}; no model was "
            f"written ({kept}). Lower the learning rate (now {trainer.learning_rate:g}).")
    save_npz_atomic(model_path, trainer.model())
    if not quiet:
        summary(trainer, model_path, time.perf_counter() - started)
    if interrupted:
        sys.stderr.write("Interrupted: model saved with the epochs done.\n")
        raise typer.Exit(EXIT_INTERRUPTED)
    if pipe_closed:
        raise typer.Exit(EXIT_PIPE)
