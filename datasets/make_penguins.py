"""Write penguins.csv from the Palmer penguins data as the palmerpenguins package
ships it (pip install palmerpenguins; nnbp itself never needs it).

    python datasets/make_penguins.py

Rows missing any of the four body measurements (2 of 344) are left out; every
other value is copied as written ("NA" for an unknown sex).  An ``id`` column
first gives each penguin's row number in the package's penguins.csv.
"""

import csv
from importlib.resources import files
from pathlib import Path

MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")


def main() -> None:
    source = files("palmerpenguins") / "data" / "penguins.csv"
    with source.open(newline="") as f:
        rows = list(csv.DictReader(f))
    out = Path(__file__).resolve().parent / "penguins.csv"
    with open(out, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", *rows[0]])
        for i, row in enumerate(rows, start=1):
            if all(row[k] != "NA" for k in MEASUREMENTS):
                writer.writerow([i, *row.values()])
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
