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

# The page of explain --html for the same example and unit, as headless Chromium shows
# it (Debian: apt-get install chromium), without motion so that nothing is mid-fade.
work=$(mktemp -d)
nnbp explain lecture --example 1 --unit 2,2 --html "$work/lecture.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --hide-scrollbars --force-prefers-reduced-motion \
    --window-size=1400,900 --screenshot="$PWD/docs/explain-page.png" \
    "file://$work/lecture.html" 2>/dev/null
rm -r "$work"
