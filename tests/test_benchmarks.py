"""The benchmarks' own arithmetic (their timings are not tested: see benchmarks/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import bench_epoch  # noqa: E402


def test_product_flops_counts_forward_delta_and_Delta_by_hand():
    # 784-256-10 on 20000 rows, per row: forward 784·256 + 256·10 = 203264
    # multiply-adds, Δ as many, δ^(2) = δ^(3)·Θ^(2) 10·256 = 2560; two flops each
    assert bench_epoch.product_flops((784, 256, 10), 20000) == 2 * 20000 * 409088
    # 64-25-10 on 1797 rows: 2·(1600 + 250) + 250 = 3950 per row
    assert bench_epoch.product_flops((64, 25, 10), 1797) == 2 * 1797 * 3950
    # one layer, no hidden δ: forward and Δ only
    assert bench_epoch.product_flops((3, 2), 5) == 2 * 5 * 12
