"""Start-up time of nnbp's commands against ``python -c "import numpy"``.

    python benchmarks/bench_startup.py [--runs 15] [--importtime]

Every command runs ``--runs`` times, the commands one after another in each round
(so that a busy machine slows them alike), from a scratch folder, with stdout and
stderr to /dev/null.  The table gives each command's median and its ratio to the
median of ``import numpy`` in the same run.  Targets: ``nnbp --help`` ≤ 1.2×,
``nnbp train xor --epochs 1`` ≤ 1.5×, ``nnbp explain lecture`` ≤ 1.7×.

OpenBLAS runs on one thread (``--blas-threads``): its worker threads start while
numpy imports, and how long that takes depends on what else the machine runs
(numpy's import here: 70 ms on a quiet machine, 120–130 ms with the second core
busy), which would move every ratio.

``--importtime`` prints instead where each command's imports go: the slowest
top-level imports of one run under ``python -X importtime``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NNBP = [sys.executable, "-c", "import cli; cli.run()"]  # what the console script runs
BASE = "python -c 'import numpy'"
COMMANDS = {
    BASE: ([sys.executable, "-c", "import numpy"], None),
    "nnbp --help": (NNBP + ["--help"], 1.2),
    "nnbp --version": (NNBP + ["--version"], 1.2),
    "nnbp train xor --epochs 1": (NNBP + ["train", "xor", "--epochs", "1", "--out", "x.npz"],
                                  1.5),
    "nnbp explain lecture": (NNBP + ["explain", "lecture"], 1.7),
    "nnbp gradcheck lecture": (NNBP + ["gradcheck", "lecture"], None),
    # what the commands cannot do without, imported and nothing run: Typer parses the
    # command line, pyyaml reads the config, numpy.random draws the initial weights
    # (train), rich lays out explain's tables
    "floor: import numpy, typer, yaml": (
        [sys.executable, "-c", "import numpy, typer, yaml"], None),
    "floor: … and numpy.random (train)": (
        [sys.executable, "-c", "import numpy, typer, yaml, numpy.random"], None),
    "floor: … and rich's tables (explain)": (
        [sys.executable, "-c", "import numpy, typer, yaml, rich.console, rich.table"], None),
}


def environment(blas_threads: str = "1") -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    if blas_threads:
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = blas_threads
    env.pop("COLUMNS", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user runs it: compiled once, then cached
    return env


def timings(runs: int, cwd: str, env: dict[str, str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for name, (argv, _) in COMMANDS.items():  # once each, unmeasured: writes the .pyc files
        subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
    for _ in range(runs):
        for name, (argv, _) in COMMANDS.items():
            t = time.perf_counter()
            subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t)
    return times


def table(times: dict[str, list[float]]) -> str:
    base = statistics.median(times[BASE])
    lines = ["| command | median ms | ratio to `import numpy` | target |", "|---|---|---|---|"]
    for name, ts in times.items():
        target = COMMANDS[name][1]
        lines.append(f"| `{name}` | {statistics.median(ts) * 1e3:.0f} | "
                     f"{statistics.median(ts) / base:.2f} | {f'≤ {target}' if target else ''} |")
    return "\n".join(lines)


def importtime(cwd: str, env: dict[str, str], most: int = 12) -> None:
    """The slowest top-level imports (cumulative µs) of one run of each command."""
    for name, (argv, _) in COMMANDS.items():
        p = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=cwd, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        rows = []
        for line in p.stderr.splitlines():
            if line.startswith("import time:") and "|" in line:
                _, cumulative, module = line.split("|")
                if not module.startswith("  ") and cumulative.strip().isdigit():
                    rows.append((int(cumulative), module.strip()))
        rows.sort(reverse=True)
        total = sum(us for us, _ in rows)
        print(f"{name}: {total / 1e3:.0f} ms of imports; the largest:")
        for us, module in rows[:most]:
            print(f"  {us / 1e3:7.1f} ms  {module}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--blas-threads", default="1",
                        help="OPENBLAS_NUM_THREADS for every run ('' leaves it as it is)")
    args = parser.parse_args()
    env = environment(args.blas_threads)
    with tempfile.TemporaryDirectory() as cwd:
        if args.importtime:
            importtime(cwd, env)
        else:
            print(table(timings(args.runs, cwd, env)))


if __name__ == "__main__":
    main()
