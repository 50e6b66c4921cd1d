"""The rising-cost watch (nnbp/training/divergence.py): it speaks once when the training cost
keeps going up, and never on the normal course of a converging run: steady
descent, round-off wobble at convergence, one overshooting step of a large α,
or the bundled examples as configured."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnbp.config import load_config
from nnbp.training.descent import GradientDescent
from nnbp.training.run import prepare
from nnbp.training.divergence import CostWatch, Rise


def feed(costs, watch=None, every=1):
    """The Rises a watch gives for costs logged every ``every`` epochs, as (epoch, Rise)."""
    watch = watch or CostWatch()
    said = []
    for i, c in enumerate(costs):
        rise = watch.update(i * every, c)
        if rise is not None:
            said.append((i * every, rise))
    return said


# --- silent on runs that converge --------------------------------------------

def test_a_steady_descent_is_never_a_rise():
    assert feed(0.1 + 2.0 * np.exp(-np.arange(2000) / 300)) == []


def test_round_off_wobble_at_convergence_is_not_a_rise():
    rng = np.random.default_rng(0)
    wobble = 0.25 + 1e-13 * rng.standard_normal(5000)  # the last digits of a converged J
    assert feed(np.concatenate([[2.0, 1.0, 0.5], wobble])) == []


def test_many_tiny_rises_in_a_row_are_not_a_rise():
    # 50 rises in a row, but all of them together 0.1% of the cost: below the margin
    assert feed([1.0, 0.5] + [0.5 * (1 + 2e-5 * k) for k in range(1, 51)]) == []


def test_rises_near_zero_below_a_millionth_of_the_first_cost_are_noise():
    costs = [1.0, 1e-3, 0.0] + [1e-9 * k for k in range(1, 30)]  # ×∞ over the best, still noise
    assert feed(costs) == []


def test_one_overshooting_step_that_then_converges_is_not_a_rise():
    # a large α: J jumps ×4 on the first step, then comes down and converges
    costs = [2.5, 10.0, 4.0, 2.0] + list(0.2 + 1.5 * np.exp(-np.arange(500) / 50))
    assert feed(costs) == []


def test_a_few_rises_then_a_fall_are_not_a_rise():
    assert feed([1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.4, 0.3]) == []  # 4 rises in a row, not 5


# --- speaks once on runs that go wrong ----------------------------------------

def test_five_rises_in_a_row_speak_once():
    costs = [1.0, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.6, 0.7]
    said = feed(costs, every=10)
    assert len(said) == 1
    epoch, rise = said[0]
    assert epoch == 60 and rise == Rise(epoch=60, cost=0.55, best_epoch=10, best=0.5, checks=5,
                                        rising=True, factor=2.0)
    assert str(rise) == ("the cost rose at each of the last 5 logged epochs: 0.55 at epoch 60, "
                         "against 0.5 at epoch 10")


def test_a_cost_that_stays_high_speaks_though_it_wobbles():
    # up and down, never 5 rises in a row, but over 2 × the best for 5 checks
    costs = [1.0, 3.0, 2.5, 3.5, 2.8, 4.0, 3.0, 5.0]
    said = feed(costs)
    assert len(said) == 1
    epoch, rise = said[0]
    assert epoch == 5 and not rise.rising and rise.checks == 5 and rise.best == 1.0
    assert str(rise).startswith("the cost stayed over 2 times its lowest for each of the last "
                                "5 logged epochs: 4 at epoch 5")


def test_a_new_best_starts_the_count_again():
    costs = [1.0, 3.0, 3.0, 3.0, 3.0, 0.9, 3.0, 3.0, 3.0, 3.0, 3.0]
    assert [e for e, _ in feed(costs)] == [10]


def test_non_finite_costs_are_ignored():
    watch = CostWatch()
    assert watch.update(0, math.nan) is None and watch.update(1, math.inf) is None
    assert feed([1.0, 0.9, 0.8], watch) == []


def test_the_thresholds_are_parameters():
    costs = [1.0, 1.1, 1.2, 1.3]
    assert feed(costs) == []
    assert [e for e, _ in feed(costs, CostWatch(patience=3))] == [3]
    assert feed(costs, CostWatch(patience=3, margin=0.5)) == []  # 30% up: under a 50% margin


# --- on real training runs ------------------------------------------------------

def logged_costs(name: str, **training) -> list[float]:
    cfg = load_config(name).override(training=training)
    trainer = GradientDescent(prepare(cfg), cfg.training.epochs, cfg.training.learning_rate,
                      cfg.training.lam, cfg.training.log_every)
    return [step.row["cost"] for step in trainer if step.row is not None]


@pytest.mark.parametrize("name", ["xor", "iris", "lecture", "digits"])
def test_silent_on_the_bundled_examples(name):
    costs = logged_costs(name)
    assert len(costs) > 10
    assert feed(costs) == []


@pytest.mark.parametrize("name, alpha", [("xor", 10.0), ("iris", 10.0)])
def test_silent_on_a_large_rate_that_still_converges(name, alpha):
    # J goes up on the first steps at this α (xor: 0.92 → 2.1), then converges
    costs = logged_costs(name, learning_rate=alpha, log_every=1, epochs=400)
    assert max(costs[:5]) > costs[0]  # it did overshoot
    assert feed(costs) == []


def test_speaks_on_a_rate_far_too_high():
    costs = logged_costs("xor", learning_rate=30.0, log_every=1, epochs=60)
    said = feed(costs)
    assert len(said) == 1 and said[0][0] <= 10
