"""``nnbp train``: the cost log on stdout, progress and a summary on stderr."""

from __future__ import annotations

import contextlib
import enum
import math
import signal
import sys
import time
from pathlib import Path
from typing import NamedTuple, Optional

import typer

from cli.exits import EXIT_INTERRUPTED, EXIT_PIPE, quiet_stdout


class LogFormat(str, enum.Enum):
    csv = "csv"
    tsv = "tsv"
    jsonl = "jsonl"


class DType(str, enum.Enum):
    float64 = "float64"
    float32 = "float32"


class Optimizer(str, enum.Enum):  # training.optimizer's choices (nnbp/schema.py)
    gd = "gd"
    lbfgs = "lbfgs"
    cg = "cg"


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
) -> None:
    """Train with batch gradient descent (or L-BFGS, CG); the cost log goes to stdout."""
    from nnbp.config import load_config
    from nnbp.errors import TrainingFailed, UsageError
    from nnbp.model import check_writable, save_npz_atomic
    from nnbp.optimize import make_trainer, unused_settings
    from nnbp.train import log_columns, prepare
    from nnbp.watch import CostWatch

    from cli.cachebar import CacheBar
    from cli.logwriter import LogWriter
    from cli.progress import Progress, note, summary

    started = time.perf_counter()
    cfg = load_config(config)
    overrides = {"training.epochs": epochs, "training.learning_rate": learning_rate,
                 "training.lambda": lam, "network.init.seed": seed,
                 "training.dtype": dtype.value if dtype else None,
                 "training.log_every": log_every,
                 "training.optimizer": optimizer.value if optimizer else None,
                 "data.stream": stream, "training.scheduler": scheduler}
    cfg = cfg.replace(**{k: v for k, v in overrides.items() if v is not None})
    model_path = out or (Path(cfg.output.model) if cfg.output.model
                         else Path.cwd() / f"{cfg.name}.npz")
    check_writable(model_path)
    interrupted = []
    gd = cfg.training.optimizer == "gd"
    cluster = contextlib.ExitStack()  # a Dask cluster's client, when training runs on one
    if cfg.training.scheduler:
        from nnbp.train import on_cluster

        def fail(message):  # an error naming where the address came from
            return UsageError(f"--scheduler {scheduler}: {message}") if scheduler else \
                cfg.error("training.scheduler", message)
        if cfg.data.stream is True:  # the workers hold the data in their memory
            raise fail("training on a Dask cluster reads the data into the workers' memory, "
                       "and does not stream it (data.stream or --stream): leave one of them out")
        # gd's epoch in flight is cancelled by Ctrl-C; lbfgs and cg stop between iterations
        try:
            run = cluster.enter_context(on_cluster(
                cfg, fail=fail, cancel=(lambda: bool(interrupted)) if gd else (lambda: False)))
            at = run.executor.layout()
        except KeyboardInterrupt:  # before any epoch: there is no model to save
            cluster.close()  # the cluster keeps nothing of the run
            interrupted_early("connecting to the Dask cluster or while its workers read "
                              "the data", model_path)
        if not quiet:
            note(f"Training on the Dask cluster at {at['address']}: {at['workers']} workers, "
                 f"{at['partitions']} partitions")
    else:
        try:
            with CacheBar(enabled=not quiet) as bar:
                run = prepare(cfg, stream=cfg.data.stream, notify=bar.notify)
        except KeyboardInterrupt as e:  # before any epoch: there is no model to save
            from nnbp.errors import BuildInterrupted

            interrupted_early(f"building the binary cache of {e.path}: nothing of it was kept"
                              if isinstance(e, BuildInterrupted) else "reading the data",
                              model_path)
    if not quiet:
        for warning in unused_settings(cfg, command_line={k for k, v in overrides.items()
                                                          if v is not None}):
            note(f"Warning: {warning}")


    def on_sigint(signum, frame):  # finish the epoch, then stop; a second Ctrl-C is immediate
        if interrupted:
            raise KeyboardInterrupt
        interrupted.append(True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    trainer = make_trainer(run, should_stop=lambda: bool(interrupted))
    pipe_closed = False
    watch = CostWatch()  # a cost that keeps rising: warn once that α is probably too high
    try:
        with Progress(trainer.epochs, enabled=not quiet, plot=plot) as progress:
            if gd:  # J for each redraw of the bar, not only on the logged epochs
                trainer.cost_wanted = progress.due
            log = LogWriter(progress.log_stream(sys.stdout), log_format.value, log_columns(run))
            for step in trainer:
                progress.update(step)
                if step.row is not None:
                    try:
                        log.row(step.row)
                    except BrokenPipeError:  # the reader went away (| head): stop, keep the model
                        pipe_closed = True
                        quiet_stdout()
                        break
                    rise = watch.update(step.epoch, step.row["cost"]) if gd else None
                    if rise is not None and not quiet:
                        progress.note(f"Warning: {rise}; the learning rate (now "
                                      f"{trainer.learning_rate:g}) is probably too high.")
    finally:
        signal.signal(signal.SIGINT, previous)
        cluster.close()
    if trainer.diverged:  # no model: a file already at model_path stays as it was
        kept = left_as_it_was(model_path)
        if math.isnan(trainer.cost):  # epoch 0 was not finite: α is not why
            raise TrainingFailed(
                f"the cost is non-finite with the initial weights, before any update; no model "
                f"was written ({kept}). Use smaller initial weights (network.init) or "
                "normalize the data" + (
                    "; in float32, a value more than 3.4e38 from its column's shift "
                    "(data.normalize) cannot be held either: train in float64 "
                    "(training.dtype: float64)." if cfg.training.dtype == "float32" else "."))
        if not gd:
            raise TrainingFailed(
                f"the cost became non-finite at a point {trainer.method} tried after iteration "
                f"{trainer.epochs_done} (pass {trainer.passes}); no model was written ({kept}). "
                "Normalize the data (data.normalize), or train with gd and a small learning "
                "rate.")
        raise TrainingFailed(
            f"the cost became non-finite after epoch {trainer.epochs_done}; no model was "
            f"written ({kept}). Lower the learning rate (now {trainer.learning_rate:g}).")
    ended = None if gd else minimizer_end(trainer)
    save_npz_atomic(model_path, trainer.model())
    if not quiet:
        if ended and ended.line:
            note(ended.line)
        summary(trainer, model_path, time.perf_counter() - started)
    if ended and ended.failure:
        raise TrainingFailed(ended.failure)
    if interrupted:
        sys.stderr.write("Interrupted: model saved with the epochs done.\n")
        raise typer.Exit(EXIT_INTERRUPTED)
    if pipe_closed:
        raise typer.Exit(EXIT_PIPE)


def interrupted_early(what: str, model_path: Path) -> None:
    """Ctrl-C before any epoch (while the data was read or cached, or a cluster
    connected): one line saying what was under way, exit 130."""
    sys.stderr.write(f"Interrupted while {what}; no model was saved "
                     f"({left_as_it_was(model_path)}).\n")
    raise typer.Exit(EXIT_INTERRUPTED)


def left_as_it_was(model_path: Path) -> str:
    """What a run that saved no model did to ``--out``: nothing."""
    return f"{model_path} was left as it was" if model_path.exists() else \
        f"nothing was written to {model_path}"


class Ended(NamedTuple):
    line: str | None  # how the optimizer ended, for stderr (not with --quiet)
    failure: str | None  # an error after the model is saved: exit 1


def minimizer_end(trainer) -> Ended:
    """How an lbfgs or cg run that did not diverge ended, in words."""
    done = f"{trainer.epochs_done} iterations and {trainer.passes} passes"
    scipy = f"(SciPy: {trainer.message.rstrip('.')})"
    if trainer.outcome == "converged":
        return Ended(f"{trainer.method} converged after {done} {scipy}.", None)
    if trainer.outcome == "limit":
        return Ended(f"{trainer.method} stopped after {done} {scipy}.", None)
    if trainer.outcome == "failed":
        why = ("in float32 the cost's rounding is the likely limit: train in float64 "
               "(--dtype float64)" if trainer.run.cfg.training.dtype == "float32" else
               "the cost may be as low as rounding lets it see; if it is far from low, check "
               "the gradient with nnbp gradcheck")
        return Ended(None, f"{trainer.method} failed after {done} {scipy}; the model keeps the "
                     f"last iterate, cost {trainer.cost:.6g}, the lowest it reached. Its line "
                     f"search found no lower cost: {why}.")
    return Ended(None, None)  # stopped: Ctrl-C or a closed pipe, said below


