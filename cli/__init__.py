"""The nnbp command line: parse options, call the library, render the result."""


def run() -> None:
    """The ``nnbp`` console script.

    Importing the command line (Typer, click) takes tens of milliseconds; a Ctrl-C
    in that time ends the same way as one later on, with one line and exit 130,
    not Python's traceback.  ``cli.main.run`` handles everything after.
    """
    try:
        from cli.main import run as main_run
    except KeyboardInterrupt:
        import sys

        sys.stderr.write("Error: interrupted\n")
        raise SystemExit(130) from None
    main_run()
