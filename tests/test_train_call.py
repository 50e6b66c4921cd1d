"""``nnbp.training.train`` as a notebook calls it: a run stopped by its caller, from
``on_event`` (``Stop``) or from ``should_stop``, keeps the reason and saves a model
whose cost is the cost of its own weights."""

from __future__ import annotations

import numpy as np

from nnbp.config import load_config
from nnbp.training import Step, Stop, train


def iris(epochs=400):
    return load_config("iris").override(training={"epochs": epochs, "log_every": 50})


def test_a_stop_on_an_epoch_not_logged_saves_that_epoch_with_its_own_cost(tmp_path):
    def on_event(event):
        if isinstance(event, Step) and event.epoch == 10:
            raise Stop("enough")

    stopped = train(iris(), out=tmp_path / "s.npz", on_event=on_event)
    ten = train(iris(10), out=tmp_path / "ten.npz")
    assert (stopped.stopped, stopped.epochs) == ("enough", 10)
    assert stopped.cost == ten.cost and stopped.accuracy == ten.accuracy
    with np.load(tmp_path / "s.npz") as saved, np.load(tmp_path / "ten.npz") as whole:
        assert float(saved["cost_final"]) == float(whole["cost_final"]) == ten.cost
        assert int(saved["epochs"]) == 10
        for key in ("Theta1", "Theta2"):
            np.testing.assert_array_equal(saved[key], whole[key])


def test_a_reason_given_once_by_should_stop_is_the_outcome_s(tmp_path):
    asked = []

    def once():  # a notebook's stop button, whose flag clears once read
        asked.append(1)
        return "clicked" if len(asked) == 3 else None

    outcome = train(iris(), out=tmp_path / "m.npz", should_stop=once)
    assert (outcome.stopped, outcome.epochs, len(asked)) == ("clicked", 2, 3)
