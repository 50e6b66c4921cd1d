"""What ``nnbp train`` shows of a run: the cost log on stdout, and on stderr the notes,
the binary cache's progress bar while it is built and the epochs' progress bar (both
on a terminal only), then a summary of the outcome."""

from __future__ import annotations

import sys

from cli.exits import quiet_stdout
from cli.render.progress import Progress, note
from nnbp.encoding import plural


class TrainingView:
    """``on_event`` of ``nnbp.training.train``, and its outcome rendered."""

    def __init__(self, log_format: str, *, quiet: bool, plot: bool):
        self.log_format, self.quiet, self.plot = log_format, quiet, plot
        self.training = False  # the epochs have started
        self._cache = None  # cli.render.cachebar.CacheBar while the data is read
        self._progress: Progress | None = None
        self._log = None

    def __enter__(self):
        from cli.render.cachebar import CacheBar

        self._cache = CacheBar(enabled=not self.quiet).__enter__()
        return self

    def __exit__(self, *exc):
        self._close_cache(*exc)
        if self._progress is not None:
            self._progress.__exit__(*exc)
        return False

    def _close_cache(self, *exc) -> None:
        if self._cache is not None:
            self._cache.__exit__(*(exc or (None, None, None)))
            self._cache = None

    def due(self, epoch: int) -> bool:
        """Whether the bar redraws after ``epoch`` (then J is wanted for it)."""
        return self._progress is not None and self._progress.due(epoch)

    def event(self, event) -> None:
        from nnbp.training import Note, Started, Step, Stop

        if isinstance(event, Step):
            self._progress.update(event)
            if event.row is not None:
                try:
                    self._log.row(event.row)
                except BrokenPipeError:  # the reader went away (| head): stop, keep the model
                    quiet_stdout()
                    raise Stop("the log's reader closed the pipe") from None
        elif isinstance(event, Started):
            from cli.render.logwriter import LogWriter

            self._close_cache()
            self.training = True
            self._progress = Progress(event.epochs, enabled=not self.quiet,
                                      plot=self.plot).__enter__()
            self._log = LogWriter(self._progress.log_stream(sys.stdout), self.log_format,
                                  event.columns)
        elif isinstance(event, Note):
            if not self.quiet:
                (self._progress.note if self._progress else note)(event.text)
        elif self._cache is not None:  # reading: why it streams, the cache's build
            self._cache.notify(event)

    def finish(self, outcome) -> int:
        """The summary and closing lines of a run; its exit code."""
        from cli.exits import EXIT_INTERRUPTED, EXIT_PIPE

        if outcome.before is not None:  # stopped before any epoch: no model
            sys.stderr.write(f"Interrupted while {outcome.before}; no model was saved "
                             f"({outcome.kept}).\n")
            return EXIT_INTERRUPTED
        if not self.quiet:
            if outcome.note:
                note(outcome.note)
            summary(outcome)
        if outcome.failure:
            from nnbp.errors import TrainingFailed

            raise TrainingFailed(outcome.failure)
        if outcome.stopped == "interrupted":
            sys.stderr.write("Interrupted: model saved with the epochs done.\n")
            return EXIT_INTERRUPTED
        if outcome.stopped:
            if not self.quiet:
                note(f"Stopped: {outcome.stopped} after epoch {outcome.epochs}; the model was "
                     f"saved with the {plural(outcome.epochs, 'epoch')} done.")
            return EXIT_PIPE
        return 0


def summary(outcome) -> None:
    parts = [f"cost {outcome.cost:.6g}"]
    if outcome.accuracy is not None:
        parts.append(f"accuracy {outcome.accuracy:.2%}")
    last = outcome.last_row or {}
    if outcome.cost != outcome.cost:  # NaN: a cluster lost on an epoch not logged
        parts, last = [f"the cost of epoch {outcome.epochs} was not computed"], {}
    for name in ("val", "test"):
        if f"{name}_accuracy" in last:
            parts.append(f"{name} accuracy {last[f'{name}_accuracy']:.2%}")
        elif f"{name}_cost" in last:
            parts.append(f"{name} cost {last[f'{name}_cost']:.6g}")
    steps = plural(outcome.epochs, "iteration" if outcome.optimizer != "gd" else "epoch")
    note(f"Trained {steps} in {outcome.train_seconds:.1f} s, after reading "
         f"{plural(outcome.rows, 'row')} in {outcome.read_seconds:.1f} s: " + ", ".join(parts))
    note(f"Model saved to {outcome.model}")
