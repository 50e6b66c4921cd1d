#!/usr/bin/env bash
# The README's pictures, made from the bundled examples. Run from anywhere, with
# nnbp and its plot extra installed (pip install -e '.[plot]').
set -euo pipefail
cd "$(dirname "$0")/.."

# Cost curves of the digits network (the model itself is not kept).
models=$(mktemp -d)
nnbp train digits --quiet --out "$models/digits.npz" |
    nnbp plot --title "nnbp train digits" --out docs/cost-curve.png
rm -r "$models"

# The lecture's 2-2-2-1 network on example 1, with δ_2^(2) as the Θ-weighted sum of the
# deltas to its right; the PNG is drawn with matplotlib (the plot extra).
nnbp explain lecture --example 1 --unit 2,2 --diagram docs/lecture.svg
nnbp explain lecture --example 1 --unit 2,2 --diagram docs/lecture.png
