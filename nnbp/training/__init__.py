"""Training, as one call: ``train(config)`` reads the data where it fits (in memory,
streamed from the binary cache, on a Dask cluster), runs the config's optimizer
(gradient descent, L-BFGS or CG), watches the cost, saves the model atomically and
returns how the run ended (``Outcome``).  What happens along the way comes to
``on_event`` as typed events (the log's rows among them); ``should_stop`` lets the
caller end a run between epochs, as Ctrl-C does from the command line.  The library
prints nothing.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

from ..config import Config
from ..engine import EpochCancelled
from ..engine.on_cluster import PassDropped
from ..encoding import plural
from ..errors import BuildInterrupted, TrainingFailed
from .divergence import CostWatch
from .log import Step, log_columns
from .minimizer import METHODS
from .run import Run, Streaming, on_cluster, prepare



class Stop(Exception):
    """Raised by a caller's ``on_event`` to end the run where it is (the log's reader
    has gone, say): the model is saved with the epochs done, and ``Outcome.stopped`` is
    the reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Started(NamedTuple):
    """Event: the data is read and the epochs start: the log's columns, the epochs (or
    iterations) asked for, the optimizer, the training file's rows."""
    columns: list[str]
    epochs: int
    optimizer: str
    rows: int


class Note(NamedTuple):
    """Event: a line to show (a warning, a cluster's layout)."""
    text: str


@dataclass
class Outcome:
    """How a run ended.  ``stopped`` is why it ended before its last epoch
    ("interrupted", the reason of a ``Stop``, or a cluster without workers), or None;
    ``before`` names what was under way when it stopped before its first epoch (no
    model then).  ``note`` is how the optimizer ended, in words; ``failure`` an error
    after the model was saved (a line search that found no lower cost, a cluster that
    had no workers for the whole wait)."""

    model: Path
    saved: bool
    kept: str  # what became of a file already at ``model`` when none was saved
    optimizer: str
    epochs: int  # epochs (iterations) done
    passes: int
    cost: float
    accuracy: float | None
    last_row: dict | None
    rows: int
    read_seconds: float
    train_seconds: float
    stopped: str | None = None
    before: str | None = None
    note: str | None = None
    failure: str | None = None


def default_model(cfg: Config) -> Path:
    """output.model, else <config name>.npz in the working folder."""
    return Path(cfg.output.model) if cfg.output.model else Path.cwd() / f"{cfg.name}.npz"


def left_as_it_was(path: Path) -> str:
    """What a run that saved no model did to ``path``: nothing."""
    return f"{path} was left as it was" if path.exists() else f"nothing was written to {path}"


def make_optimizer(run: Run, *, should_stop: Callable[[], bool] = lambda: False,
                   executor=None):
    """The config's optimizer for the run: gradient descent, or SciPy's L-BFGS or CG."""
    t = run.cfg.training
    if t.optimizer == "gd":
        from .descent import GradientDescent

        return GradientDescent(run, t.epochs, t.learning_rate, t.lam, t.log_every, should_stop,
                               executor)
    from .minimizer import Minimizer

    return Minimizer(run, t.optimizer, t.epochs, t.lam, t.log_every, should_stop, executor)


def unused_settings(cfg: Config) -> list[str]:
    """What the config's optimizer will not use although it was set: α for lbfgs and cg."""
    where = cfg.set_where("training", "learning_rate")
    if cfg.training.optimizer == "gd" or where is None:
        return []
    return [f"training.learning_rate (set {where}) is not used by {cfg.training.optimizer}: "
            f"{METHODS[cfg.training.optimizer]} chooses each step by a line search."]


def constant_note(description) -> list[str]:
    """Features that hold one value in every training row: nothing to learn from them."""
    from ..data.describe import yaml_list
    from ..encoding import label_text

    same = description.constant
    if not same:
        return []
    held = [f"{name!r} holds {label_text(v)}" for name, v in same.items()]
    if len(held) > SHOWN:
        held = held[:SHOWN - 1] + [f"… ({len(same)} columns in all)"]
    one = len(same) == 1
    return [f"{'column' if one else 'columns'} {', '.join(held)} in every training row, so "
            f"{'it carries' if one else 'they carry'} no information to learn from; leave "
            f"{'it' if one else 'them'} out with data.ignore: "
            f"{yaml_list(suggested_ignore(description))}"]


SHOWN = 6  # constant columns named with their value; the rest counted


def suggested_ignore(description) -> list[str]:
    """data.ignore as the warnings suggest it: with pandas' row index among the features
    and the constant ones left out too, so that one line takes every suggestion."""
    from ..data.header import PANDAS_INDEX

    index = [c for c in description.features if PANDAS_INDEX.fullmatch(c)][:1]
    return description.ignored + index + [c for c in description.constant if c not in index]


def index_warning(description) -> list[str]:
    """A feature named as pandas names a row index: the row's number, not a measurement."""
    from ..data.describe import yaml_list
    from ..data.header import PANDAS_INDEX

    index = [c for c in description.features if PANDAS_INDEX.fullmatch(c)]
    if not index:
        return []
    return [f"column {index[0]!r} is a row index written by pandas, not a feature; leave it "
            f"out with data.ignore: {yaml_list(suggested_ignore(description))} (or write the "
            "file with to_csv(index=False))"]


def train(cfg: Config, *, out: str | Path | None = None, on_event: Callable | None = None,
          should_stop: Callable[[], str | None] = lambda: None,
          cost_wanted: Callable[[int], bool] = lambda epoch: False) -> Outcome:
    """Train as the config says and save the model to ``out`` (default: output.model,
    or <config name>.npz here).  ``on_event`` gets ``Streaming``, ``CacheProgress``,
    ``CacheReady``, ``Note``, ``Started`` and each ``Step``; ``should_stop()`` returns
    a reason to end after the epoch in flight; ``cost_wanted(epoch)`` asks for J on an
    epoch not logged (a progress bar's)."""
    from ..model import check_writable

    model = check_writable(Path(out) if out is not None else default_model(cfg))
    notify = on_event or (lambda event: None)
    should_stop = _first_reason(should_stop)
    if cfg.training.scheduler and cfg.data.stream is True:  # the workers hold the data
        raise cfg.error("training.scheduler", "training on a Dask cluster reads the data into "
                        "the workers' memory, and does not stream it (data.stream or "
                        "--stream): leave one of them out")
    started = time.perf_counter()
    if cfg.training.scheduler:
        outcome = None
        try:
            with contextlib.ExitStack() as cluster:  # closed at the end, whatever happens
                # a stop drops the pass in flight: gd then computes the cost at the weights
                # reached, lbfgs and cg keep their last iterate
                try:
                    run = cluster.enter_context(on_cluster(
                        cfg, cancel=lambda: should_stop() is not None,
                        notify=lambda text: notify(Note(text))))
                except KeyboardInterrupt:  # before any epoch: the cluster keeps nothing of it
                    outcome = _before(cfg, model, "connecting to the Dask cluster or while "
                                      "its workers read the data", started)
                    return outcome
                layout = run.executor.layout()
                notify(Note(f"Training on the Dask cluster at {layout['address']}: "
                            f"{plural(layout['workers'], 'worker')}, "
                            f"{plural(layout['partitions'], 'partition')}"))
                outcome = _train(run, model, notify, should_stop, cost_wanted, started)
                return outcome
        except KeyboardInterrupt:  # while the cluster closed: what was done stands
            if outcome is None:
                raise
            outcome.stopped = outcome.stopped or "interrupted"
            return outcome
    try:
        run = prepare(cfg, stream=cfg.data.stream, notify=notify)
    except BuildInterrupted as e:
        return _before(cfg, model, f"building the binary cache of {e.path}: nothing of it "
                       "was kept", started)
    except KeyboardInterrupt:
        return _before(cfg, model, "reading the data", started)
    return _train(run, model, notify, should_stop, cost_wanted, started)


def _first_reason(should_stop: Callable[[], str | None]) -> Callable[[], str | None]:
    """``should_stop`` asked until it gives a reason, which is then kept: a caller's
    flag that clears once read still ends the run with its reason."""
    said: list[str] = []

    def asked() -> str | None:
        if not said:
            reason = should_stop()
            if reason is not None:
                said.append(reason)
        return said[0] if said else None
    return asked


def _before(cfg: Config, model: Path, what: str, started: float) -> Outcome:
    return Outcome(model, False, left_as_it_was(model), cfg.training.optimizer, 0, 0,
                   math.nan, None, None, 0, time.perf_counter() - started, 0.0,
                   stopped="interrupted", before=what)


def _train(run: Run, model: Path, notify, should_stop, cost_wanted, started: float) -> Outcome:
    from ..model import save_npz_atomic

    cfg = run.cfg
    described = run.data.description
    for warning in unused_settings(cfg) + index_warning(described):
        notify(Note(f"Warning: {warning}"))
    for note in constant_note(described):  # harmless (digits' corner pixels): a note
        notify(Note(f"Note: {note}"))
    read = time.perf_counter() - started
    optimizer = make_optimizer(run, should_stop=lambda: should_stop() is not None)
    if optimizer.name == "gd":
        optimizer.cost_wanted = cost_wanted
    rows = run.data.train.m + (run.data.val.m if run.data.val is not None else 0)
    notify(Started(log_columns(run), optimizer.epochs, optimizer.name, rows))
    watch = CostWatch()  # a cost that keeps rising: warn once that α is probably too high
    stopped = failure = None
    reached = None  # the last step's epoch, Θ, J (None: not computed) and accuracy
    try:
        for step in optimizer:
            reached = (step.epoch, optimizer.Theta, step.cost, optimizer.accuracy)
            notify(step)
            if step.row is not None and optimizer.name == "gd":
                rise = watch.update(step.epoch, step.row["cost"])
                if rise is not None:
                    notify(Note(f"Warning: {rise}; the learning rate (now "
                                f"{optimizer.learning_rate:g}) is probably too high."))
    except Stop as e:
        stopped = e.reason
        if optimizer.name == "gd" and reached is not None and reached[2] is None:
            optimizer.settle()  # the epoch ended on did not compute J: the model's cost
    except KeyboardInterrupt:  # a Ctrl-C that did not wait for the epoch's end
        stopped = "interrupted"
    except EpochCancelled:  # lbfgs or cg on a cluster, stopped in a pass: the last iterate
        pass
    except PassDropped as e:  # on a cluster: the pass in flight was given up
        if reached is None:  # not one epoch done
            if not e.lost:
                return _before(cfg, model, "the first epoch ran on the Dask cluster",
                               started)
            raise TrainingFailed(f"{e}; no model was written ({left_as_it_was(model)})") \
                from None
        if optimizer.name == "gd" and optimizer.epochs_done == reached[0]:
            # dropped in the pass after the last step's update: the model is that step's
            _, optimizer.Theta, cost, optimizer.accuracy = reached
            optimizer.cost = math.nan if cost is None else cost  # not computed on that epoch
        stopped = "interrupted"
        if e.lost:
            stopped = "the Dask cluster was lost"
            failure = (f"{e}; the model was saved to {model} with the "
                       f"{_count(optimizer.epochs_done, optimizer.name)} done")
    stopped = stopped or should_stop()
    trained = time.perf_counter() - started - read
    if optimizer.diverged:  # no model: a file already at ``model`` stays as it was
        raise TrainingFailed(_diverged(optimizer, left_as_it_was(model)))
    note, ended = _ended(optimizer) if optimizer.name != "gd" else (None, None)
    failure = failure or ended
    save_npz_atomic(model, optimizer.model())
    outcome = Outcome(model, True, "", optimizer.name, optimizer.epochs_done, optimizer.passes,
                      optimizer.cost, optimizer.accuracy, optimizer.last_row, rows, read,
                      trained, stopped=stopped, note=note, failure=failure)
    return outcome


def _count(n: int, optimizer: str) -> str:
    return plural(n, "epoch" if optimizer == "gd" else "iteration")


def _diverged(optimizer, kept: str) -> str:
    cfg = optimizer.run.cfg
    if math.isnan(optimizer.cost):  # epoch 0 was not finite: α is not why
        return (f"the cost is non-finite with the initial weights, before any update; no model "
                f"was written ({kept}). Use smaller initial weights (network.init) or "
                "normalize the data" + (
                    "; in float32, a value more than 3.4e38 from its column's shift "
                    "(data.normalize) cannot be held either: train in float64 "
                    "(training.dtype: float64)." if cfg.training.dtype == "float32" else "."))
    if optimizer.name != "gd":
        return (f"the cost became non-finite at a point {optimizer.method} tried after iteration "
                f"{optimizer.epochs_done} (pass {optimizer.passes}); no model was written "
                f"({kept}). Normalize the data (data.normalize), or train with gd and a small "
                "learning rate.")
    return (f"the cost became non-finite after epoch {optimizer.epochs_done}; no model was "
            f"written ({kept}). Lower the learning rate (now {optimizer.learning_rate:g}).")


def _ended(optimizer) -> tuple[str | None, str | None]:
    """How an lbfgs or cg run that did not diverge ended: a line to show, or a failure."""
    done = f"{optimizer.epochs_done} iterations and {optimizer.passes} passes"
    scipy = f"(SciPy: {optimizer.message.rstrip('.')})"
    if optimizer.outcome == "converged":
        return f"{optimizer.method} converged after {done} {scipy}.", None
    if optimizer.outcome == "limit":
        return f"{optimizer.method} stopped after {done} {scipy}.", None
    if optimizer.outcome == "failed":
        why = ("in float32 the cost's rounding is the likely limit: train in float64 "
               "(--dtype float64)" if optimizer.run.cfg.training.dtype == "float32" else
               "the cost may be as low as rounding lets it see; if it is far from low, check "
               "the gradient with nnbp gradcheck")
        return None, (f"{optimizer.method} failed after {done} {scipy}; the model keeps the "
                      f"last iterate, cost {optimizer.cost:.6g}, the lowest it reached. Its line "
                      f"search found no lower cost: {why}.")
    return None, None  # stopped: Ctrl-C or a closed pipe


__all__ = ["Note", "Outcome", "Run", "Started", "Step", "Stop", "Streaming", "make_optimizer",
           "prepare", "train", "unused_settings"]
