"""Extending a finished run with a larger budget continues exactly as one uninterrupted run."""

import csv

import pytest
import torch

from test_resume import _losses, _trainer


@pytest.mark.parametrize("first_budget", [{"max_steps": 10}, {"max_steps": 6}, {"num_train_epochs": 1}],
                         ids=["max_steps at the epoch boundary", "max_steps mid-epoch", "last epoch"])
def test_extended_run_equals_one_straight_run(make_cfg, tmp_path, first_budget):
    # 40 samples, batch 4: 10 steps an epoch; the extension asks for 2 epochs (20 steps), constant LR
    common = dict(eval_strategy="no", save_steps=3, lr_scheduler_type="constant")
    straight = _trainer(make_cfg(num_train_epochs=2, **common), tmp_path / "straight")
    straight.train()
    first = _trainer(make_cfg(**{"num_train_epochs": 2, **common, **first_budget}), tmp_path / "extended")
    first.train()
    extended = _trainer(make_cfg(num_train_epochs=2, **common), tmp_path / "extended")
    extended.train(resume_from_checkpoint=True)
    assert extended.state.global_step == straight.state.global_step == 20
    assert _losses(extended) == _losses(straight)
    for (name, a), (_, b) in zip(straight.model.state_dict().items(), extended.model.state_dict().items()):
        assert torch.allclose(a, b, atol=1e-6), name


def test_the_schedule_follows_the_new_budget(make_cfg, tmp_path):
    """A linear schedule of a run stopped at max_steps 6 is redrawn over the extended 20 steps."""
    common = dict(eval_strategy="no", save_steps=3, lr_scheduler_type="linear", logging_steps=1)
    _trainer(make_cfg(num_train_epochs=2, max_steps=6, **common), tmp_path / "run").train()
    extended = _trainer(make_cfg(num_train_epochs=2, **common), tmp_path / "run")
    extended.train(resume_from_checkpoint=True)
    with open(tmp_path / "run" / "metrics.csv") as handle:  # the rate of each step, logged as it starts
        rates = {int(row["step"]): float(row["lr-AdamW/pg1"]) for row in csv.DictReader(handle) if row["lr-AdamW/pg1"]}
    assert rates[5] == pytest.approx(1e-3 * (1 - 5 / 6))  # the first run's schedule: 6 steps
    assert rates[6] == pytest.approx(1e-3 * (1 - 6 / 20))  # the first step after the extension: 6 of 20 done
    assert rates[19] == pytest.approx(1e-3 * (1 - 19 / 20))
