"""Training on data bigger than memory: streamed from the binary cache against
in memory, on an MNIST-shaped integer CSV.

    python benchmarks/bench_stream.py [--rows 1000000] [--memory-rows N]

Writes an m × 785 CSV of integers (a label, then 784 pixels, 80% of them 0; about
2.2 kB a row) and the same rows twice over (2m) to a temporary folder (check the
free disk first: about 7 kB a row in all, with the caches), then runs, each in a
fresh process:
  - nnbp's in-memory CSV reader on the file, and the cache's build from it;
  - 3 epochs of 784-64-10 streamed from the cache (twice: Θ bitwise the same?),
    and in memory (on the first ``--memory-rows`` rows when the whole file would
    not fit, which the table then says), after which that process times epochs
    in memory and streamed, alternating;
  - 3 streamed epochs on the 2m file, for peak memory against m;
  - 3 streamed epochs of the m file with a validation split of 0.1, for its peak
    memory against the run without one.
Reports, as ratios measured in this run: Θ streamed against in memory (relative,
≤ 1e-10), peak memory of the streamed runs (resident, VmHWM; growing less than 15% +
20 MB from m to 2m, and under 1 GiB at 1M rows), a streamed epoch's rows/s
against in memory's with the cache in the page cache (≥ 0.9), the build's rate
against the in-memory reader's (≥ 0.8), and the cache's size against the float64
array.  The folder is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EPOCHS = 3
ROUNDS = 5  # epochs timed of each, alternating
REPEATS = 3  # reads of the CSV in memory and builds of its cache, alternating

CHILD = r"""
import json, statistics, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from nnbp.config import load_config
from nnbp.data.reader import read_table
from nnbp.training.descent import GradientDescent
from nnbp.training.run import in_memory, prepare
job, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
result = {{}}
if job == "read":
    read_table(path)
elif job == "build":
    prepare(load_config(path), stream=True)
else:  # "stream", "memory": 3 epochs; "memory" then times epochs of both, alternating
    cfg = load_config(path)
    run = prepare(cfg, stream=job == "stream")
    trainer = GradientDescent(run, {epochs}, 0.5, 1.0, log_every=1)
    for step in trainer:
        pass
    np.savez(out, **{{f"Theta{{l}}": T for l, T in trainer.Theta.items()}})
    if job == "memory":
        streamed, Theta = prepare(cfg, stream=True), trainer.Theta
        runners = {{"memory": in_memory(run), "stream": streamed.executor}}
        times = {{k: [] for k in runners}}
        for _ in range({rounds}):  # an epoch's work (Δ, J and the correct count) of each
            for k, ex in runners.items():
                t = time.perf_counter()
                ex.sums(Theta, "train")
                times[k].append(time.perf_counter() - t)
        result.update({{k: statistics.median(v) for k, v in times.items()}})
    result["m"] = len(run.data.train.rows)
result["seconds"] = time.perf_counter() - t
# the peak resident size: VmHWM, which is ru_maxrss without what a child inherits
# from its parent's peak (Linux keeps the larger of the two across fork and exec)
status = open("/proc/self/status").read().split("VmHWM:")[1].split()
result["peak"] = int(status[0]) * 1024
print(json.dumps(result))
"""


def csv_bytes(v: np.ndarray) -> bytes:
    """Rows of integers 0 … 999 as CSV lines, written digit by digit over the whole
    array (no Python loop over the rows)."""
    flat = v.reshape(-1)
    digits = 1 + (flat >= 10) + (flat >= 100)
    sep = np.cumsum(digits + 1) - 1  # where each field's comma (or newline) goes
    out = np.empty(sep[-1] + 1, np.uint8)
    out[sep] = ord(",")
    out[sep[v.shape[1] - 1::v.shape[1]]] = ord("\n")
    x = flat.copy()
    for k in range(3):  # the k-th digit from the right, where the field has one
        has = digits > k
        out[(sep - 1 - k)[has]] = 48 + x[has] % 10
        x //= 10
    return out.tobytes()


def write_mnist_like(path: Path, rows: int, block: int = 20000) -> None:
    """m rows: a label 0 … 9 and 784 pixels 0 … 255, 80% of them 0."""
    rng = np.random.default_rng(0)
    with open(path, "wb") as f:
        f.write((",".join(["label"] + [f"p{i}" for i in range(784)]) + "\n").encode())
        for lo in range(0, rows, block):
            n = min(block, rows - lo)
            v = rng.integers(0, 256, size=(n, 785))
            v[:, 1:][rng.random((n, 784)) < 0.8] = 0
            v[:, 0] = rng.integers(0, 10, n)
            f.write(csv_bytes(v))


def write_twice(path: Path, source: Path) -> None:
    """The rows of ``source`` twice over, under its header."""
    with open(source, "rb") as src, open(path, "wb") as f:
        header = src.readline()
        f.write(header)
        for _ in range(2):
            src.seek(len(header))
            shutil.copyfileobj(src, f, 1 << 24)


def child(job: str, path: Path, out: Path, env: dict) -> dict:
    print(f"{job} {path.name} …", file=sys.stderr, flush=True)
    r = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), epochs=EPOCHS, rounds=ROUNDS),
                        job, str(path), str(out)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"{job} on {path} failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def config(folder: Path, name: str, csv: Path, split: float = 0.0) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"data: {{train: {csv}, target: label, normalize: minmax, "
                    f"validation_split: {split}}}\n"
                    "network: {layers: [auto, 64, auto]}\n")
    return path


def relative(a: Path, b: Path) -> float:
    A, B = np.load(a), np.load(b)
    return max(float(np.linalg.norm(A[k] - B[k]) / np.linalg.norm(B[k])) for k in A.files)


def bitwise(a: Path, b: Path) -> bool:
    A, B = np.load(a), np.load(b)
    return all(np.array_equal(A[k], B[k]) for k in A.files)


def warm(folder: Path) -> None:
    """Read the cache's files once, so that the page cache holds them."""
    for f in folder.rglob("*.bin"):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--memory-rows", type=int, default=None,
                   help="rows for the in-memory runs (default: all, when they fit)")
    p.add_argument("--dir", default=None, help="folder for the files (default: a temporary one)")
    args = p.parse_args()
    m = args.rows
    need = 7000 * m + (1 << 30)
    where = Path(args.dir or tempfile.gettempdir())
    free = shutil.disk_usage(where).free
    if free < need:
        raise SystemExit(f"{where} has {free / 1e9:.1f} GB free; {m} rows need about "
                         f"{need / 1e9:.1f} GB (use --rows or --dir)")
    tmp = Path(tempfile.mkdtemp(prefix="nnbp-bench-stream-", dir=where))
    try:
        report(tmp, m, args.memory_rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(tmp: Path, m: int, memory_rows: int | None) -> None:
    env = dict(os.environ, NNBP_CACHE_DIR=str(tmp / "cache"), NNBP_IGNORE_MEMORY_CHECK="1")
    csv, csv2 = tmp / "m.csv", tmp / "2m.csv"
    write_mnist_like(csv, m)
    write_twice(csv2, csv)
    cfg, cfg2 = config(tmp, "m", csv), config(tmp, "2m", csv2)
    from nnbp.data.room import available_memory

    available = available_memory() or 0
    in_memory_needs = 16 * 785 * m + csv.stat().st_size  # X1, the reader's table, the text
    rows = memory_rows or (m if in_memory_needs < 0.8 * available else
                           int(m * 0.8 * available / in_memory_needs))
    mem_cfg = cfg
    if rows < m:  # the same rows' first part, written again
        mem_csv = tmp / "part.csv"
        write_mnist_like(mem_csv, rows)
        mem_cfg = config(tmp, "part", mem_csv)

    reads, builds = [], []
    for _ in range(REPEATS):  # alternating, so that both see the same machine
        shutil.rmtree(tmp / "cache", ignore_errors=True)
        reads.append(child("read", csv, tmp / "x", env))
        builds.append(child("build", cfg, tmp / "x", env))
    build_ratio = statistics.median(r["seconds"] / b["seconds"] for r, b in zip(reads, builds))
    read, build = reads[-1], builds[-1]
    cache_bytes = sum(f.stat().st_size for f in (tmp / "cache").rglob("*.bin"))
    child("build", cfg2, tmp / "x", env)
    if rows < m:  # the in-memory runs on the same rows' first part, cached too
        child("build", mem_cfg, tmp / "x", env)
    warm(tmp / "cache")
    s1 = child("stream", cfg, tmp / "s1.npz", env)
    child("stream", cfg, tmp / "s2.npz", env)  # run 2: Θ bitwise as run 1?
    s2m = child("stream", cfg2, tmp / "s2m.npz", env)
    split = child("stream", config(tmp, "split", csv, 0.1), tmp / "split.npz", env)
    mem = child("memory", mem_cfg, tmp / "mem.npz", env)
    if rows < m:  # Θ compared on the rows that fit: streamed on the same file
        child("stream", mem_cfg, tmp / "sp.npz", env)
        theta = relative(tmp / "sp.npz", tmp / "mem.npz")
    else:
        theta = relative(tmp / "s1.npz", tmp / "mem.npz")
    memory_rate, stream_rate = rows / mem["memory"], rows / mem["stream"]
    MB = 1 << 20
    grow = s2m["peak"] / s1["peak"] - 1

    print(f"{m} × 785 integer CSV ({csv.stat().st_size / 1e9:.2f} GB; {m * 785 * 8 / 1e9:.2f} GB "
          f"as float64), 784-64-10, {EPOCHS} epochs, each run in a fresh process"
          + (f"; in memory on its first {rows} rows, which fit" if rows < m else "") + "\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| Θ streamed vs in memory, max relative difference | {theta:.1e} | ≤ 1e-10 |")
    print(f"| Θ streamed, run 1 vs run 2 | {'bitwise equal' if bitwise(tmp / 's1.npz', tmp / 's2.npz') else 'DIFFERENT'} | bitwise equal |")
    print(f"| peak memory streamed (VmHWM), m rows | {s1['peak'] / MB:.0f} MiB | < 1024 MiB at 1M rows |")
    print(f"| peak memory streamed, 2m / m | {s2m['peak'] / s1['peak']:.3f} ({(s2m['peak'] - s1['peak']) / MB:+.0f} MiB) | "
          f"≤ 1.15 + 20 MiB |")
    print(f"| peak memory streamed, validation split 0.1 / none | {split['peak'] / s1['peak']:.3f} "
          f"({(split['peak'] - s1['peak']) / MB:+.0f} MiB) | ≤ 1.15 + 20 MiB |")
    print(f"| peak memory of the cache's build, m rows | {build['peak'] / MB:.0f} MiB | |")
    print(f"| streamed epoch / in-memory epoch, rows/s (median of {ROUNDS}, alternating) | "
          f"{stream_rate / memory_rate:.2f} | ≥ 0.9 |")
    print(f"| cache build rate / in-memory CSV read rate (median of {REPEATS}, alternating) | "
          f"{build_ratio:.2f} | ≥ 0.8 |")
    print(f"| cache on disk / float64 array | {cache_bytes / (m * 785 * 8):.3f} | |")
    print(f"\nin memory: {memory_rate:.0f} rows/s, peak {mem['peak'] / MB:.0f} MiB; streamed "
          f"{stream_rate:.0f} rows/s; reading the CSV {read['seconds']:.1f} s, building the "
          f"cache {build['seconds']:.1f} s; peak growth from m to 2m {grow:+.1%}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
