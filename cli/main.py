"""The Typer app and its one error boundary.

Commands live in their own modules and import numpy, rich and the library
inside their bodies, so that ``nnbp --help`` stays quick.
"""

from __future__ import annotations

import os
import sys

import typer

from cli.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PIPE, error_line, quiet_stdout
from nnbp import __version__

class _Nnbp(typer.Typer):
    """The app, which adds its commands when it is called (``register``)."""

    def __call__(self, *args, **kwargs):
        register(sys.argv[1:])
        return super().__call__(*args, **kwargs)


app = _Nnbp(
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


# Each command's module and function; a run registers only the command it runs (building
# every command's options takes Typer as long as a short command's own work), and all
# of them for the help and for shell completion.
COMMANDS = {"train": "train", "explain": "explain", "gradcheck": "gradcheck",
            "init": "init_cmd", "config": "config_cmd", "evaluate": "evaluate",
            "predict": "predict", "plot": "plot"}


_registered: set[str] = set()


def register(argv: list[str]) -> None:
    """Add to the app the command that ``argv`` names, or every command when it names
    none (``nnbp --help``, a misspelt command) or the shell asks for completions."""
    import importlib

    named = next((a for a in argv if not a.startswith("-")), None)
    completing = any(k.startswith("_NNBP_COMPLETE") for k in os.environ)
    for name, module in COMMANDS.items():
        if name in _registered or named in COMMANDS and name != named and not completing:
            continue
        _registered.add(name)
        mod = importlib.import_module(f"cli.{module}")
        if name == "config":
            app.add_typer(mod.app, name="config")
        else:
            app.command(name)(getattr(mod, name))


def _stdout_id() -> tuple[int, int] | None:
    try:
        st = os.fstat(1)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _reader_gone(stdout_was: tuple[int, int] | None) -> bool:
    """Whether an exit 1 came from writing to a closed stdout: Typer exits 1 after a
    BrokenPipeError (pacifying sys.stdout), rich exits 1 after pointing stdout at
    /dev/null.  Such a run exits 141 (README, "Exit codes")."""
    return type(sys.stdout).__name__ == "PacifyFlushWrapper" or _stdout_id() != stdout_was


def _unhandled_interrupt(e: SystemExit) -> bool:
    """Whether Typer turned a KeyboardInterrupt that no command caught (one in the
    first moments of a command, before it has anything to save) into this exit 130
    (its ``Exit(130) from`` the interrupt); a command that caught its Ctrl-C has said
    what it did, and exits 130 itself."""
    exit_ = e.__context__
    return e.code == EXIT_INTERRUPTED and exit_ is not None and \
        isinstance(exit_.__cause__, KeyboardInterrupt)


def run() -> None:
    """Console-script entry point: library errors become one message and an exit code."""
    from nnbp.errors import NnbpError

    stdout_was = _stdout_id()
    try:
        app(prog_name="nnbp")
    except SystemExit as e:
        if e.code == EXIT_FAILED and _reader_gone(stdout_was):
            quiet_stdout()
            sys.exit(EXIT_PIPE)
        if _unhandled_interrupt(e):  # Typer ends a Ctrl-C that no command caught silently
            error_line("interrupted")
        raise
    except NnbpError as e:
        if state["debug"]:  # the traceback, and still the exit code the README lists
            _print_traceback()
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
            _print_traceback()
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


def _print_traceback() -> None:
    import traceback  # only with --debug: it costs milliseconds at every start

    traceback.print_exc()


if __name__ == "__main__":
    run()
