"""The few private Lightning APIs calt relies on, each behind one small function.

``tests/lightning/test_compat.py`` exercises every one, so a Lightning release that changes them
fails there, loudly, instead of somewhere deep in a run.
"""

from __future__ import annotations

import csv
import lightning as L
import torch
from lightning.fabric.utilities.seed import _collect_rng_states, _set_rng_states
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers.csv_logs import ExperimentWriter

TESTED_LIGHTNING = (">=2.4", "<2.7")


def collect_rng_states() -> dict:
    """Python, numpy and torch RNG states, with numpy's as a tensor so ``torch.load(weights_only=True)`` reads it."""
    states = _collect_rng_states()
    name, keys, pos, has_gauss, cached = states["numpy"]
    states["numpy"] = (name, torch.from_numpy(keys.astype("int64")), pos, has_gauss, cached)
    return states


def restore_rng_states(states: dict) -> None:
    """Inverse of :func:`collect_rng_states`."""
    states = dict(states)
    name, keys, pos, has_gauss, cached = states["numpy"]
    states["numpy"] = (name, keys.numpy().astype("uint32"), pos, has_gauss, cached)
    _set_rng_states(states)


def batches_started_this_epoch(trainer: L.Trainer) -> int:
    """Training batches of the current epoch that have started ("processed" counts a batch before its
    checkpoint is written in on_train_batch_end; "completed" would lag by one)."""
    return trainer.fit_loop.epoch_loop.batch_progress.current.processed


def batches_completed_this_epoch(trainer: L.Trainer) -> int:
    """Training batches of the current epoch that have finished."""
    return trainer.fit_loop.epoch_loop.batch_progress.current.completed


def set_step_budget(trainer: L.Trainer, max_epochs: int, max_steps: int) -> None:
    """Change a built Trainer's epoch and step limits (the public constructor arguments of the same names)."""
    trainer.fit_loop.max_epochs = max_epochs
    trainer.fit_loop.epoch_loop.max_steps = max_steps


def save_last_checkpoint(callback: ModelCheckpoint, trainer: L.Trainer) -> None:
    """Write ``last.ckpt`` now, unless Lightning would skip saving at this point (sanity check, fast dev run)."""
    if not callback._should_skip_saving_checkpoint(trainer):
        callback._save_last_checkpoint(trainer, callback._monitor_candidates(trainer))


class AppendingExperimentWriter(ExperimentWriter):
    """Lightning's CSV writer minus deleting an existing metrics.csv: a resumed run appends to it."""

    def _check_log_dir_exists(self) -> None:
        if self._fs.isfile(self.metrics_file_path):
            with self._fs.open(self.metrics_file_path, "r", newline="") as handle:
                self.metrics_keys = sorted(csv.DictReader(handle).fieldnames or [])

