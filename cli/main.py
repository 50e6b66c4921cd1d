"""The Typer app and its one error boundary.

Commands live in their own modules and import numpy, rich and the library
inside their bodies, so that ``nnbp --help`` stays quick.
"""

from __future__ import annotations

import os
import sys
import traceback

import typer

from nnbp import __version__

# Named exit codes (SPEC, "Errors and exit codes").
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 130, 141

app = typer.Typer(
    name="nnbp",
    help="Train fully connected neural networks from a YAML spec and CSV data, "
         "and see backpropagation at work.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
)

state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nnbp {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show the Python traceback of an error."),
) -> None:
    state["debug"] = debug


from cli import explain as _explain, gradcheck as _gradcheck, train as _train  # noqa: E402

app.command("train")(_train.train)
app.command("explain")(_explain.explain)
app.command("gradcheck")(_gradcheck.gradcheck)
from cli import config_cmd as _config_cmd, init_cmd as _init_cmd  # noqa: E402
app.command("init")(_init_cmd.init)
app.add_typer(_config_cmd.app, name="config")
from cli import evaluate as _evaluate, predict as _predict  # noqa: E402
app.command("evaluate")(_evaluate.evaluate)
app.command("predict")(_predict.predict)
from cli import plot as _plot  # noqa: E402
app.command("plot")(_plot.plot)


def error_line(message: str) -> None:
    """One ``Error:`` line on stderr; control characters (from a file name, a key) escaped."""
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    sys.stderr.write(f"Error: {message}\n")
    sys.stderr.flush()


def quiet_stdout() -> None:
    """After the reader of stdout has gone: point stdout at /dev/null so that
    Python's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _stdout_id() -> tuple[int, int] | None:
    try:
        st = os.fstat(1)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _reader_gone(stdout_was: tuple[int, int] | None) -> bool:
    """Whether an exit 1 came from writing to a closed stdout: Typer exits 1 after a
    BrokenPipeError (pacifying sys.stdout), rich exits 1 after pointing stdout at
    /dev/null.  SPEC's code for it is 141."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper" or _stdout_id() != stdout_was


def keep_freed_memory() -> None:
    """Let glibc keep freed memory for reuse instead of handing every large temporary
    back to the system: numpy work in chunks (reading a big CSV, training epochs)
    would otherwise fault each page back in on every chunk, which on some machines
    costs more than the arithmetic.  Peak memory is unchanged."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
        libc.mallopt(M_MMAP_THRESHOLD, 256 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def run() -> None:
    """Console-script entry point: library errors become one message and an exit code."""
    from nnbp.errors import NnbpError

    stdout_was = _stdout_id()
    try:
        keep_freed_memory()
        app(prog_name="nnbp")
    except SystemExit as e:
        if e.code == EXIT_FAILED and _reader_gone(stdout_was):
            quiet_stdout()
            sys.exit(EXIT_PIPE)
        raise
    except NnbpError as e:
        if state["debug"]:  # the traceback, and still the exit code of SPEC's table
            traceback.print_exc()
        error_line(str(e))
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        error_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(EXIT_PIPE)
    except (MemoryError, OSError) as e:  # the machine said no (memory, a full disk): not a bug
        if state["debug"]:
            traceback.print_exc()
        if isinstance(e, MemoryError):
            error_line(f"not enough memory{f' ({e})' if str(e) else ''}")
        else:
            error_line((f"{e.filename}: " if e.filename else "") + (e.strerror or str(e)))
        sys.exit(EXIT_FAILED)
    except Exception as e:  # a bug: say so in one line, the traceback with --debug
        if state["debug"]:
            raise
        error_line(f"internal error: {type(e).__name__}: {e} (run again with --debug "
                   "for the traceback, and please report it)")
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    run()
