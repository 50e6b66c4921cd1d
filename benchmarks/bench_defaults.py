"""What the config of ``nnbp init`` reaches, against scikit-learn's MLPClassifier.

    python benchmarks/bench_defaults.py                          # about 3 minutes
    python benchmarks/bench_defaults.py --alternatives --rounds 1  # about 5

Four classification sets, each written as CSV files with a header row and split
80/20 (stratified, seed 0): ``make_classification`` (20000 × 30, 4 string classes,
``;``-separated), and scikit-learn's wine (string classes), breast_cancer
(malignant, benign) and digits (integer labels).  nnbp runs as a user runs it,
the ``nnbp`` command in a subprocess: ``nnbp init`` on the training file, its
``# test: null`` line made ``test: test.csv``, then ``nnbp train``; its test
accuracy is the log's last row.  The same config with ``--optimizer gd`` is
gradient descent at the schema's defaults (1000 epochs, α 1, λ 1).

scikit-learn's MLPClassifier gets the features standardized with the training
rows' statistics (as nnbp does by default) and its defaults, random_state 0:
``default`` is MLPClassifier() (100 relu units, adam); the other three have the
hidden layer of nnbp's config, with relu or logistic units and adam or lbfgs.
Its "best default" is the best test accuracy of the four.  The tables give each
test accuracy in points against it, and each time over its time and over gd's.
Every run is timed once a round, one after another, and keeps its least time
(load on this shared machine only ever adds time; read the ratios, not the
seconds).  nnbp's time is ``nnbp train``'s, start-up and reading the CSVs
included; scikit-learn's is reading the CSVs with pandas, scaling, fitting and
predicting.

Two regression starters are checked too (penguins' body_mass_g, scikit-learn's
diabetes, split 80/20 with seed 0): R² on the test rows, beside scikit-learn's
LinearRegression on the features nnbp's config uses.

``--seeds 1,2,3`` makes other sets of the same shape with make_classification.
``--alternatives`` also trains each config with the settings weighed against the
one ``init`` writes (command-line options on the same config, or another hidden
layer).  scikit-learn and pandas are needed here only; nnbp never imports them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NNBP = [sys.executable, "-c", "import cli; cli.run()"]  # what the console script runs
SEED = 0

try:
    import numpy as np
    import pandas as pd
    import yaml
    from sklearn import datasets as skd
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    missing = {"sklearn": "scikit-learn"}.get(e.name, e.name)
    sys.exit(f"bench_defaults.py compares nnbp with scikit-learn, and needs scikit-learn and "
             f"pandas ({missing} is not installed): pip install scikit-learn pandas")

# the settings weighed against init's: name -> (nnbp train options, hidden units or None)
GD = {"gd, 1000 epochs, α 1": (["--optimizer", "gd"], None)}  # the schema's defaults
ALTERNATIVES = {
    "gd, 3000 epochs": (["--optimizer", "gd", "--epochs", "3000"], None),
    "gd, α 3": (["--optimizer", "gd", "--learning-rate", "3"], None),
    "gd, α 3, 3000 epochs": (["--optimizer", "gd", "--learning-rate", "3", "--epochs", "3000"],
                             None),
    "gd, 100 hidden units": (["--optimizer", "gd"], 100),
    "lbfgs, 300 iterations": (["--optimizer", "lbfgs", "--epochs", "300"], None),
    "lbfgs, λ 10": (["--optimizer", "lbfgs", "--lambda", "10"], None),
    "cg": (["--optimizer", "cg"], None),
}
REGRESSION_ALTERNATIVES = {"lbfgs": (["--optimizer", "lbfgs"], None)}


def classification_sets(names: list[str], seeds: list[int]) -> dict[str, tuple]:
    """name -> (the whole table, its label column, the CSV separator); ``seeds``: those
    of make_classification's sets."""
    out = {}
    for seed in seeds if "classification" in names else []:
        X, y = skd.make_classification(n_samples=20000, n_features=30, n_informative=10,
                                       n_redundant=5, n_classes=4, random_state=seed)
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(30)])
        frame["kind"] = np.array(["alpha", "beta", "gamma", "delta"])[y]
        out["classification" + (f" (seed {seed})" if seed != SEED else "")] = \
            (frame, "kind", ";")
    for name, load, names_ in (("wine", skd.load_wine, True),
                               ("breast_cancer", skd.load_breast_cancer, True),
                               ("digits", skd.load_digits, False)):
        if name in names:
            bunch = load()
            frame = pd.DataFrame(bunch.data, columns=list(bunch.feature_names))
            frame["label"] = bunch.target_names[bunch.target] if names_ else bunch.target
            out[name] = (frame, "label", ",")
    return out


def regression_sets() -> dict[str, tuple[pd.DataFrame, str, str]]:
    bunch = skd.load_diabetes()
    diabetes = pd.DataFrame(bunch.data, columns=list(bunch.feature_names))
    diabetes["progression"] = bunch.target
    return {"penguins": (pd.read_csv(ROOT / "datasets" / "penguins.csv"), "body_mass_g", ","),
            "diabetes": (diabetes, "progression", ",")}


def write_split(frame: pd.DataFrame, label: str, sep: str, folder: Path, stratify: bool) -> None:
    train, test = train_test_split(frame, test_size=0.2, random_state=SEED,
                                   stratify=frame[label] if stratify else None)
    for part, name in ((train, "train.csv"), (test, "test.csv")):
        part.to_csv(folder / name, sep=sep, index=False)


def nnbp(args: list, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    r = subprocess.run([*NNBP, *map(str, args)], cwd=cwd, env=env, capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        sys.exit(f"nnbp {' '.join(map(str, args))} exited {r.returncode}:\n{r.stderr}")
    return r


def nnbp_init(folder: Path, target: str) -> dict:
    """``nnbp init cfg.yaml`` on train.csv, with test.csv as data.test; the config."""
    nnbp(["init", "cfg.yaml", "--data", "train.csv", "--target", target], folder)
    cfg = folder / "cfg.yaml"
    text = re.sub(r"^(\s*)# test: null", r"\1test: test.csv", cfg.read_text(encoding="utf-8"),
                  count=1, flags=re.M)
    cfg.write_text(text, encoding="utf-8")
    return yaml.safe_load(text)


def nnbp_train(folder: Path, options: list[str], hidden: int | None) -> tuple[dict, float]:
    """The last log row of ``nnbp train`` on init's config (with ``hidden`` units, when
    given), and its seconds."""
    config = "cfg.yaml"
    if hidden is not None:
        config = "other.yaml"
        text = (folder / "cfg.yaml").read_text(encoding="utf-8")
        (folder / config).write_text(re.sub(r"(layers: \[\d+, )\d+", rf"\g<1>{hidden}", text),
                                     encoding="utf-8")
    start = time.perf_counter()
    r = nnbp(["train", config, "--out", "model.npz", *options], folder)
    seconds = time.perf_counter() - start
    return list(csv.DictReader(io.StringIO(r.stdout)))[-1], seconds


def nnbp_r2(folder: Path) -> float:
    r = nnbp(["evaluate", "model.npz", "test.csv", "--json"], folder)
    return json.loads(r.stdout)["r2"]


def read(folder: Path, sep: str, target: str, ignore: list[str]):
    """Standardized training and test features and targets, as nnbp's config has them."""
    train, test = (pd.read_csv(folder / f, sep=sep) for f in ("train.csv", "test.csv"))
    scale = StandardScaler().fit(train.drop(columns=[target, *ignore]))
    return [(scale.transform(part.drop(columns=[target, *ignore])), part[target])
            for part in (train, test)]


def sklearn_classifiers(folder: Path, sep: str, label: str, hidden: int) -> dict:
    """name -> a run of MLPClassifier's default or a variant: () -> (test accuracy, seconds)."""
    variants = {"default (100 relu, adam)": {},
                f"{hidden} relu, adam": {"hidden_layer_sizes": (hidden,)},
                f"{hidden} logistic, adam": {"hidden_layer_sizes": (hidden,),
                                             "activation": "logistic"},
                f"{hidden} logistic, lbfgs": {"hidden_layer_sizes": (hidden,),
                                              "activation": "logistic", "solver": "lbfgs"}}

    def run(options):
        start = time.perf_counter()
        (X, y), (X_test, y_test) = read(folder, sep, label, [])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached: a default
            net = MLPClassifier(random_state=SEED, **options).fit(X, y)
        return net.score(X_test, y_test), time.perf_counter() - start
    return {name: (lambda options=options: run(options)) for name, options in variants.items()}


def timed(runs: dict, rounds: int) -> dict[str, tuple[float, float]]:
    """name -> (test accuracy, least seconds): every run once a round, one after another,
    so that the machine's load falls on them alike (and only ever adds time)."""
    out: dict[str, tuple[float, float]] = {}
    for _ in range(rounds):
        for name, run in runs.items():
            accuracy, seconds = run()
            out[name] = (accuracy, min(seconds, out.get(name, (0, seconds))[1]))
    return out


def classification(names: list[str], seeds: list[int], alternatives: dict,
                   rounds: int) -> None:
    summary = []
    for name, (frame, label, sep) in classification_sets(names, seeds).items():
        with tempfile.TemporaryDirectory(prefix="nnbp-defaults-") as tmp:
            folder = Path(tmp)
            write_split(frame, label, sep, folder, stratify=True)
            m = sum(1 for _ in open(folder / "train.csv", encoding="utf-8")) - 1
            cfg = nnbp_init(folder, label)

            def nnbp_run(options, hidden=None):
                row, seconds = nnbp_train(folder, options, hidden)
                return float(row["test_accuracy"]), seconds
            runs = {"nnbp init → train": lambda: nnbp_run([]),
                    **{f"nnbp {alt}": (lambda o=options, h=hidden: nnbp_run(o, h))
                       for alt, (options, hidden) in {**GD, **alternatives}.items()}}
            sk = sklearn_classifiers(folder, sep, label, cfg["network"]["layers"][1])
            results = timed({**runs, **{f"scikit-learn {k}": v for k, v in sk.items()}},
                            rounds)
        best = max((k for k in results if k.startswith("scikit-learn")),
                   key=lambda k: results[k][0])
        best_accuracy, best_seconds = results[best]
        gd = results[f"nnbp {next(iter(GD))}"]
        training = ", ".join(f"{k}: {v}" for k, v in (cfg.get("training") or {}).items())
        print(f"\n{name}: {m} training rows, {frame.shape[1] - 1} features, "
              f"{frame[label].nunique()} classes; init: layers {cfg['network']['layers']}, "
              f"{training or 'no training keys'}\n")
        print("| run | test accuracy | points vs best default | time / best default's | "
              "time / gd's | s |")
        print("|---|---|---|---|---|---|")
        for run, (accuracy, seconds) in results.items():
            print(f"| {run}{' (best default)' if run == best else ''} | {accuracy:.2%} | "
                  f"{100 * (accuracy - best_accuracy):+.1f} | {seconds / best_seconds:.2f} | "
                  f"{seconds / gd[1]:.2f} | {seconds:.1f} |")
        summary.append((f"{name} ({m} × {frame.shape[1] - 1}, {frame[label].nunique()})",
                        *results["nnbp init → train"], gd, best[13:], *results[best]))
    print("\n| data (training rows × features, classes) | nnbp init → train | gd, 1000 epochs, "
          "α 1 | scikit-learn's best default | points vs it | time / its | time / gd's |")
    print("|---|---|---|---|---|---|---|")
    for name, accuracy, seconds, gd, best, best_accuracy, best_seconds in summary:
        print(f"| {name} | {accuracy:.2%} | {gd[0]:.2%} | {best_accuracy:.2%} ({best}) | "
              f"{100 * (accuracy - best_accuracy):+.1f} | {seconds / best_seconds:.2f} | "
              f"{seconds / gd[1]:.2f} |")


def regression(alternatives: dict) -> None:
    print("\n| regression starter | run | test R² | linear regression's R² |")
    print("|---|---|---|---|")
    for name, (frame, target, sep) in regression_sets().items():
        with tempfile.TemporaryDirectory(prefix="nnbp-defaults-") as tmp:
            folder = Path(tmp)
            write_split(frame, target, sep, folder, stratify=False)
            cfg = nnbp_init(folder, target)
            (X, y), (X_test, y_test) = read(folder, sep, target, cfg["data"].get("ignore", []))
            linear = LinearRegression().fit(X, y).score(X_test, y_test)
            for run, (options, hidden) in {"init → train": ([], None),
                                           **alternatives}.items():
                nnbp_train(folder, options, hidden)
                print(f"| {name}, layers {cfg['network']['layers']} | {run} | "
                      f"{nnbp_r2(folder):.3f} | {linear:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="classification,wine,breast_cancer,digits",
                        help="the classification sets to run")
    parser.add_argument("--seeds", default=str(SEED),
                        help="make_classification's seeds, one set each (default 0)")
    parser.add_argument("--alternatives", action="store_true",
                        help="also the settings weighed against init's")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the classification runs; each time is the least")
    args = parser.parse_args()
    classification(args.sets.split(","), [int(s) for s in args.seeds.split(",")],
                   ALTERNATIVES if args.alternatives else {}, args.rounds)
    regression(REGRESSION_ALTERNATIVES if args.alternatives else {})


if __name__ == "__main__":
    main()
