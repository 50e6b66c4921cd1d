"""Loading and training on an MNIST-shaped CSV: time against pandas' C reader,
and peak memory against the size of the data as a float64 array.

    python benchmarks/bench_data.py [--rows 60000]

Writes a 60000 × 785 integer CSV (header, label first, 80% zero pixels as in
MNIST) to a temporary folder, then measures, each in a fresh process:
  - nnbp's CSV reader, against pandas.read_csv (skipped when pandas is absent);
  - the reader's peak memory (ru_maxrss above the process's size after imports);
  - `prepare` + 2 epochs of a 784-64-10 network, and its peak memory.
Targets: time ≤ 1.5× pandas; loading peak ≤ 2.5× and training peak ≤ 3× the float64 data.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from nnbp.csvio import read_csv
from nnbp.config import load_config
from nnbp.train import Trainer, prepare
try:
    import pandas as pd
except ImportError:
    pd = None
job, path = sys.argv[1], sys.argv[2]
if job in ("nnbp", "train"):  # "plain": nnbp's reader without the malloc settings
    from cli.main import keep_freed_memory
    keep_freed_memory()  # as the nnbp command does
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t = time.perf_counter()
if job in ("nnbp", "plain"):
    read_csv(path)
elif job == "pandas":
    pd.read_csv(path)
elif job == "train":
    run = prepare(load_config(path))
    for _ in Trainer(run, 2, 0.5, 1.0, log_every=1):
        pass
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": seconds, "extra_bytes": peak - base}}))
"""


def write_mnist_like(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write(",".join(["label"] + [f"p{i}" for i in range(784)]) + "\n")
        for lo in range(0, rows, 5000):
            n = min(5000, rows - lo)
            block = rng.integers(0, 256, size=(n, 785))
            block[:, 1:][rng.random((n, 784)) < 0.8] = 0
            block[:, 0] = rng.integers(0, 10, n)
            np.savetxt(f, block, fmt="%d", delimiter=",")


def child(job: str, path: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), job, str(path)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=60000)
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    try:
        import pandas  # noqa: F401
        have_pandas = True
    except ImportError:
        have_pandas = False
        print("pandas not installed: the reader is not timed against it", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "mnist-like.csv"
        write_mnist_like(csv, args.rows)
        cfg = Path(tmp) / "mnist.yaml"
        cfg.write_text(f"data: {{train: {csv}, target: label, normalize: minmax}}\n"
                       "network: {layers: [auto, 64, auto]}\n")
        data_bytes = args.rows * 785 * 8
        runs = {"nnbp": [], "plain": [], "pandas": [], "train": []}
        for _ in range(args.repeats):  # alternating, so that all see the same machine
            runs["nnbp"].append(child("nnbp", csv))
            runs["plain"].append(child("plain", csv))
            if have_pandas:
                runs["pandas"].append(child("pandas", csv))
        runs["train"].append(child("train", cfg))

    def med(job, key):
        return statistics.median(r[key] for r in runs[job])

    print(f"{args.rows} × 785 integer CSV ({data_bytes / 1e6:.0f} MB as float64), "
          f"median of {args.repeats} fresh processes, nnbp and pandas alternating\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    if have_pandas:
        # each pair of reads ran back to back: the median of the pairs' ratios
        ratio = statistics.median(a["seconds"] / b["seconds"]
                                  for a, b in zip(runs["nnbp"], runs["pandas"]))
        print(f"| read time, nnbp / pandas | {ratio:.2f} | ≤ 1.5 |")
    ratio = statistics.median(a["seconds"] / b["seconds"]
                              for a, b in zip(runs["plain"], runs["nnbp"]))
    print(f"| read time without / with glibc's mallopt settings (cli.main) | {ratio:.2f} | |")
    print(f"| read peak memory / float64 data | {med('nnbp', 'extra_bytes') / data_bytes:.2f} | ≤ 2.5 |")
    print(f"| prepare + 2 epochs 784-64-10, peak memory / float64 data | "
          f"{med('train', 'extra_bytes') / data_bytes:.2f} | ≤ 3 |")


if __name__ == "__main__":
    main()
