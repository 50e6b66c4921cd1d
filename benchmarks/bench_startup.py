"""Start-up time: ``nnbp --help`` and ``nnbp --version`` against ``python -c "import numpy"``.

    python benchmarks/bench_startup.py

Each command runs 20 times, alternating, and the medians are compared (target: ≤ 2×).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

NNBP = [sys.executable, "-m", "cli.main"]
ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "nnbp --help": NNBP + ["--help"],
    "nnbp --version": NNBP + ["--version"],
}


def main(runs: int = 20) -> None:
    times = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():
            t = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["python -c 'import numpy'"])
    print("| command | median ms | ratio to `import numpy` |")
    print("|---|---|---|")
    for name, ts in times.items():
        print(f"| {name} | {statistics.median(ts) * 1e3:.0f} | {statistics.median(ts) / base:.2f} |")


if __name__ == "__main__":
    main()
