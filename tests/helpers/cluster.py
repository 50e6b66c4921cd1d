"""The problem the cluster tests train on, written to a folder: a train and a test CSV
and the config that reads them."""

from __future__ import annotations

import numpy as np


def write_problem(folder, output, m=200, m_test=40, seed=0):
    """A train and a test CSV: an id to ignore, three features of different scales
    written at full precision, and a label (species names) or two targets."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m + m_test, 3))
    X = Z * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
    if output == "linear":
        Y = Z @ rng.normal(size=(3, 2)) + 0.1 * rng.normal(size=(m + m_test, 2))
        head, cells = "id,x1,x2,x3,y1,y2", [[repr(float(v)) for v in y] for y in Y]
    else:
        names = np.array(["setosa", "versicolor", "virginica"])
        labels = names[(Z @ rng.normal(size=(3, 3))).argmax(axis=1)]
        head, cells = "id,x1,x2,x3,species", [[s] for s in labels]
    rows = [",".join([f"r{t:04d}", *map(repr, X[t].tolist()), *cells[t]])
            for t in range(m + m_test)]
    (folder / "train.csv").write_text("\n".join([head, *rows[:m]]) + "\n")
    (folder / "test.csv").write_text("\n".join([head, *rows[m:]]) + "\n")


def config(folder, output, cost, **training) -> str:
    """c.yaml for the files above, with ``training`` over its defaults; its path."""
    target = "[y1, y2]" if output == "linear" else "species"
    text = (f"data:\n  train: train.csv\n  test: test.csv\n  target: {target}\n"
            "  ignore: [id]\n  validation_split: 0.25\n"
            f"network:\n  layers: [auto, 5, auto]\n  activation: tanh\n  output: {output}\n"
            f"  cost: {cost}\n  init:\n    seed: 2\ntraining:\n")
    for key, value in {"epochs": 24, "learning_rate": 0.5, "lambda": 0.1, "log_every": 4,
                       **training}.items():
        text += f"  {key}: {value}\n"
    (folder / "c.yaml").write_text(text)
    return str(folder / "c.yaml")


# --- a cluster of real processes, started as a user starts them --------------------

class Process:
    """A `dask scheduler` or `dask worker` process; its stderr's lines, kept as they come."""

    def __init__(self, argv, env, ready: str):
        import subprocess
        import threading

        self.lines: list[str] = []
        self._ready = threading.Event()
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True, env=env)

        def read():
            for line in self.popen.stderr:
                self.lines.append(line)
                if ready in line:
                    self._ready.set()
            self._ready.set()  # it ended

        threading.Thread(target=read, daemon=True).start()

    def ready(self) -> "Process":
        """Once it has said ``ready`` on stderr."""
        if not self._ready.wait(60) or self.popen.poll() is not None:
            self.stop()
            raise RuntimeError("".join(self.lines) or f"{self.popen.args} did not start")
        return self

    def line(self, text: str) -> str:
        return next(line for line in self.lines if text in line)

    def kill(self) -> None:
        """As `kill -9` does."""
        self.popen.kill()
        self.popen.wait(30)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except Exception:  # noqa: BLE001 - a process that will not end
                self.popen.kill()
                self.popen.wait(30)


def dask_scheduler(env) -> Process:
    """`dask scheduler` on a free port of this machine; its address is ``.address``."""
    import sys

    p = Process([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                 "127.0.0.1", "--port", "0", "--no-dashboard"], env, "Scheduler at:").ready()
    p.address = p.line("Scheduler at:").split()[-1]
    return p


def dask_workers(address: str, env, n: int = 1) -> list[Process]:
    """n `dask worker ADDRESS --nthreads 1 --no-nanny` (one process each, so that killing
    it takes the worker away for good), started together, once they have registered;
    each one's address is ``.address``."""
    import sys

    started = [Process([sys.executable, "-m", "distributed.cli.dask_worker", address,
                        "--nthreads", "1", "--no-nanny", "--no-dashboard"], env,
                       "Registered to:") for _ in range(n)]
    for w in started:
        w.ready()
        w.address = w.line("Start worker at:").split()[-1]
    return started
