"""Each private Lightning API calt uses, exercised once: a Lightning release that changes one fails here."""

import random

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.demos.boring_classes import BoringModel

from calt.lightning.compat import (
    AppendingExperimentWriter,
    batches_completed_this_epoch,
    batches_started_this_epoch,
    collect_rng_states,
    restore_rng_states,
    save_last_checkpoint,
    set_step_budget,
)


def test_rng_states_round_trip_through_torch_load(tmp_path):
    random.seed(1)
    torch.manual_seed(1)
    torch.save(collect_rng_states(), tmp_path / "rng.pt")
    expected = (random.random(), torch.rand(3))
    restore_rng_states(torch.load(tmp_path / "rng.pt", weights_only=True))
    assert random.random() == expected[0] and torch.equal(torch.rand(3), expected[1])


def test_loop_counters_step_budget_and_last_checkpoint(tmp_path):
    checkpoint = ModelCheckpoint(dirpath=tmp_path, save_last=True, save_top_k=0, every_n_train_steps=100)
    trainer = L.Trainer(max_steps=3, limit_val_batches=0, logger=False, enable_progress_bar=False,
                        enable_model_summary=False, callbacks=[checkpoint], default_root_dir=tmp_path)
    set_step_budget(trainer, max_epochs=-1, max_steps=2)
    trainer.fit(BoringModel())
    assert trainer.global_step == 2
    assert batches_started_this_epoch(trainer) == batches_completed_this_epoch(trainer) == 2
    fresh = ModelCheckpoint(dirpath=tmp_path / "again", save_last=True, save_top_k=0)
    save_last_checkpoint(fresh, trainer)
    assert torch.load(tmp_path / "again" / "last.ckpt", weights_only=False)["global_step"] == 2


def test_csv_writer_appends_to_an_existing_metrics_file(tmp_path):
    first = AppendingExperimentWriter(log_dir=str(tmp_path))
    first.log_metrics({"loss": 1.0}, step=0)
    first.save()
    second = AppendingExperimentWriter(log_dir=str(tmp_path))
    second.log_metrics({"loss": 0.5}, step=1)
    second.save()
    lines = (tmp_path / "metrics.csv").read_text().splitlines()
    assert len(lines) == 3 and "1.0" in lines[1] and "0.5" in lines[2]
