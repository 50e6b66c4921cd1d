"""Reading data: nnbp's reader against pandas' C reader, on the files users have.

    python benchmarks/bench_data.py [--rows 1000000] [--repeats 3] [--before REF]

Writes, to a temporary folder (or ``--files DIR``, kept for the next run):

  float.csv    1,000,000 × 21 floats, as ``DataFrame.to_csv`` writes
               ``default_rng(0).normal`` (full precision); the last column the target
  label.csv    the same 20 float columns and a string label
  mnist.csv    60,000 × 785 integers, MNIST-shaped (80% zero pixels, a label first)
  wide.csv     20 rows × 50,000 float columns

and measures, each job in a fresh process, nnbp's and pandas' runs alternating
(medians of the ratios of ``--repeats`` rounds; peak memory is VmHWM above the
process's size before the job):

  - the in-memory read to float64 features and the labels, time and peak memory
    against ``pandas.read_csv`` and ``to_numpy``;
  - the binary cache's build (a streamed read of the file and the cache written),
    time against pandas' read;
  - a streamed read's peak memory, on the file and on its first quarter (flat in rows);
  - ``nnbp init`` on the 1M-row file, time and peak against pandas' read;
  - ``nnbp train --epochs 1`` on the 20 × 50,000 file against pandas' read of it;
  - what importing the reader adds to a command, against ``import numpy``.

``--before REF`` runs the same jobs on the nnbp of a git revision (a worktree made for
the run), for the "before" column.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, ROOT)
job, path, label = sys.argv[1], sys.argv[2], sys.argv[3]


def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024


import numpy as np
if job.startswith("pandas"):
    import pandas as pd
else:
    if OLD:
        from nnbp.csvio import read_csv
    else:
        from nnbp.data.csvfile import Want
        from nnbp.data.describe import labels_of
        from nnbp.data.header import read_header
        from nnbp.data.reader import blocks, read_table
base = rss("VmRSS")
t = time.perf_counter()
if job == "pandas":
    df = pd.read_csv(path)
    X = df.drop(columns=[label]).to_numpy(np.float64)
    y = df[label].to_numpy()
elif job == "read" and OLD:
    table = read_csv(path)
    j = table.columns.index(label)
    X = table.values[:, [k for k in range(len(table.columns)) if k != j]]
    y = table.text.get(j, table.values[:, j])
elif job == "read":
    header = read_header(path)
    features = [c for c in header.columns if c != label]
    text = () if label == "y" else (label,)  # the float file's target is a quantity
    table = read_table(path, want=Want(tuple(features) + ((label,) if not text else ()), text))
    X = table.matrix(features)
    y = labels_of(table, label).codes if text else table.matrix([label])
elif job == "stream":
    header = read_header(path)
    features = [c for c in header.columns if c != label]
    for table, _ in blocks(path, Want(tuple(features), (label,))):
        pass
elif job == "cache":
    from nnbp.config import load_config
    from nnbp.training.run import prepare
    prepare(load_config(sys.argv[4]), stream=True)
elif job in ("init", "train"):
    import cli
    args = {"init": ["init", os.path.join(sys.argv[5], "init.yaml"), "--data", path,
                     "--target", label],
            "train": ["train", sys.argv[4], "--epochs", "1", "--quiet",
                      "--out", os.path.join(sys.argv[5], "m.npz")]}[job]
    sys.argv = ["nnbp", *args]
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        cli.run()
    except SystemExit as e:
        if e.code:
            raise
    sys.stdout = out
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "peak": rss("VmHWM") - base}))
"""


def write_files(folder: Path, rows: int) -> None:
    import pandas as pd

    rng = np.random.default_rng(0)
    if not (folder / "float.csv").exists():
        frame = pd.DataFrame(rng.normal(size=(rows, 21)),
                             columns=[f"x{j}" for j in range(20)] + ["y"])
        frame.to_csv(folder / "float.csv", index=False)
        frame["y"] = np.array(["setosa", "versicolor", "virginica"])[rng.integers(0, 3, rows)]
        frame.rename(columns={"y": "label"}).to_csv(folder / "label.csv", index=False)
        with open(folder / "label.csv") as f, open(folder / "label-quarter.csv", "w") as g:
            for k, line in enumerate(f):
                if k > rows // 4:
                    break
                g.write(line)
    if not (folder / "mnist.csv").exists():
        with open(folder / "mnist.csv", "w") as f:
            f.write(",".join(["label"] + [f"p{i}" for i in range(784)]) + "\n")
            for lo in range(0, 60000, 5000):
                block = rng.integers(0, 256, size=(5000, 785))
                block[:, 1:][rng.random((5000, 784)) < 0.8] = 0
                block[:, 0] = rng.integers(0, 10, 5000)
                np.savetxt(f, block, fmt="%d", delimiter=",")
    if not (folder / "wide.csv").exists():
        pd.DataFrame(rng.normal(size=(20, 50000)), columns=[f"c{j}" for j in range(50000)]
                     ).to_csv(folder / "wide.csv", index=False)
    configs = {"float.yaml": ("float.csv", "y", "  output: linear\n  cost: squared_error\n"),
               "label.yaml": ("label.csv", "label", ""),
               "wide.yaml": ("wide.csv", "c49999", "  output: linear\n  cost: squared_error\n")}
    for name, (data, target, network) in configs.items():
        (folder / name).write_text(f"data: {{train: {data}, target: {target}}}\n"
                                   f"network:\n  layers: [auto, 8, auto]\n{network}")


def child(root: Path, old: bool, job: str, path: Path, label: str, config: str = "",
          scratch: str = "") -> dict:
    code = CHILD.replace("ROOT", repr(str(root))).replace("OLD", repr(old))
    env = dict(os.environ, NNBP_CACHE_DIR=str(Path(scratch or tempfile.gettempdir()) / "cache"),
               OPENBLAS_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", code, job, str(path), label, config, scratch],
                       capture_output=True, text=True, env=env, cwd=path.parent)
    if r.returncode:
        raise SystemExit(f"{job} on {path.name} failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def import_cost(repeats: int, old: Path | None, scratch: Path) -> dict[str, float]:
    """Median seconds of: importing numpy (less an empty interpreter's start), what
    importing Arrow's CSV reader adds to a command's imports (``nnbp.training``) when it
    reads a file of 64 kB or more, and ``nnbp train xor --epochs 1`` (a file read by
    the csv module), here and, with ``old``, on the nnbp of the earlier revision."""
    def timed(code: str, root: Path = ROOT) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=scratch,
                       stdout=subprocess.DEVNULL, env=dict(
                           os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(root)))
        return time.perf_counter() - t
    xor = ("import sys, cli; sys.argv = ['nnbp', 'train', 'xor', '--epochs', '1', '--quiet', "
           "'--out', 'x.npz']; cli.run()")
    jobs = {"pass": ("pass", ROOT), "numpy": ("import numpy", ROOT),
            "train": ("import numpy, nnbp.training", ROOT),
            "arrow": ("import numpy, nnbp.training, pyarrow.csv", ROOT), "xor": (xor, ROOT)}
    if old is not None:
        jobs["xor before"] = (xor, old)
    runs: dict[str, list[float]] = {}
    for _ in range(max(repeats, 15)):  # alternating, so that all see the same machine
        for name, (code, root) in jobs.items():
            runs.setdefault(name, []).append(timed(code, root))
    med = {name: statistics.median(v) for name, v in runs.items()}
    return {"numpy": med["numpy"] - med["pass"], "arrow": med["arrow"] - med["train"],
            "xor": med["xor"], "xor before": med.get("xor before")}


def measure(root: Path, old: bool, files: Path, repeats: int, scratch: Path) -> dict:
    """Each job's runs, nnbp's and pandas' alternating; ratios per round."""
    def run(job, name, label, config=""):
        for stale in (scratch / "cache", scratch / "init.yaml"):
            if stale.is_dir():
                import shutil
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
        return child(root, old, job, files / name, label, config, str(scratch))

    out: dict[str, list] = {}
    for _ in range(repeats):
        for name, label in (("float.csv", "y"), ("label.csv", "label"), ("mnist.csv", "label")):
            p = run("pandas", name, label)
            n = run("read", name, label)
            out.setdefault(f"read {name}", []).append(
                (n["seconds"] / p["seconds"], n["peak"] / p["peak"]))
        p = run("pandas", "label.csv", "label")
        c = run("cache", "label.csv", "label", str(files / "label.yaml"))
        out.setdefault("cache", []).append((c["seconds"] / p["seconds"], c["peak"] / p["peak"]))
        i = run("init", "label.csv", "label")
        out.setdefault("init", []).append((i["seconds"] / p["seconds"], i["peak"] / p["peak"]))
        if not old:
            s, q = run("stream", "label.csv", "label"), run("stream", "label-quarter.csv", "label")
            out.setdefault("stream", []).append((s["peak"], s["peak"] / q["peak"]))
        p = run("pandas", "wide.csv", "c49999")
        w = run("train", "wide.csv", "c49999", str(files / "wide.yaml"))
        out.setdefault("wide", []).append((w["seconds"] / p["seconds"], w["peak"] / p["peak"]))
    return {k: [statistics.median(r[i] for r in v) for i in range(2)] for k, v in out.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--files", type=Path, help="a folder for the files, kept for later runs")
    p.add_argument("--before", metavar="REF", help="also measure the nnbp of a git revision")
    args = p.parse_args()
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise SystemExit("bench_data.py compares with pandas.read_csv: pip install pandas")
    with tempfile.TemporaryDirectory() as tmp:
        files = args.files or Path(tmp) / "files"
        files.mkdir(parents=True, exist_ok=True)
        write_files(files, args.rows)
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        now = measure(ROOT, False, files, args.repeats, scratch)
        before, old = None, None
        if args.before:
            old = Path(tmp) / "before"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach",
                            str(old), args.before], check=True)
        try:
            if old is not None:
                before = measure(old, True, files, 1, scratch)
            imports = import_cost(args.repeats, old, scratch)
        finally:
            if old is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(old)], check=True)
    report(now, before, imports, args)


def report(now, before, imports, args) -> None:
    was = (lambda key, i: f"{before[key][i]:.2f}" if before and key in before else "") \
        if before else (lambda key, i: "")
    print(f"{args.rows:,} rows; medians of {args.repeats} rounds, nnbp and pandas alternating"
          + (f"; before: {args.before}, one round" if before else "") + "\n")
    print("| figure | file | before | now | target |")
    print("|---|---|---|---|---|")
    rows = f"{args.rows / 1e6:g}M" if args.rows >= 100_000 else f"{args.rows:,}"
    label = f"{rows} × 20 floats + label"
    for name, what in (("float.csv", f"{rows} × 21 floats"), ("label.csv", label),
                       ("mnist.csv", "60,000 × 785 integers")):
        key = f"read {name}"
        print(f"| in-memory read, time / pandas | {what} | {was(key, 0)} | {now[key][0]:.2f} | ≤ 2 |")
        print(f"| in-memory read, peak memory / pandas' | {what} | {was(key, 1)} | "
              f"{now[key][1]:.2f} | ≤ 1.2 |")
    print(f"| cache build, time / pandas' read | {label} | {was('cache', 0)} | "
          f"{now['cache'][0]:.2f} | ≤ 6 |")
    print(f"| streamed read, peak memory above start | {label} | | "
          f"{now['stream'][0] / 2**20:.0f} MiB | ≤ 300 MB |")
    print(f"| streamed read, peak memory, all rows / a quarter of them | 1M × 20 floats + label "
          f"| | {now['stream'][1]:.2f} | flat (≈ 1) |")
    print(f"| nnbp init, time / pandas' read | {label} | {was('init', 0)} | "
          f"{now['init'][0]:.2f} | ≤ 8 |")
    print(f"| nnbp init, peak memory / pandas' | {label} | {was('init', 1)} | "
          f"{now['init'][1]:.2f} | ≤ 0.8 |")
    print(f"| nnbp train --epochs 1 / pandas' read | 20 × 50,000 floats | {was('wide', 0)} | "
          f"{now['wide'][0]:.2f} | ≤ 4 |")
    n = imports["numpy"]
    if imports["xor before"] is not None:
        print(f"| nnbp train xor --epochs 1, time added since before / import numpy | xor.csv "
              f"(csv module) | | {(imports['xor'] - imports['xor before']) / n:+.2f} | ≤ 0.5 |")
    print(f"| importing Arrow's CSV reader (files of 64 kB and more) / import numpy | | | "
          f"{imports['arrow'] / n:.2f} | |")


if __name__ == "__main__":
    main()
