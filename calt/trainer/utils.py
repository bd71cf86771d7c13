"""Helpers of the documented API: dry runs, device count, reloading a finished run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DRYRUN_PREFIX = "dryrun-"


def count_cuda_devices() -> int:
    """Number of CUDA devices; 1 without CUDA (one process on the CPU)."""
    try:
        import torch

        return max(torch.cuda.device_count(), 1) if torch.cuda.is_available() else 1
    except ImportError:  # pragma: no cover
        return 1


@contextmanager
def quiet_transformers_progress() -> Iterator[None]:
    """No transformers progress bars ("Writing model shards", "Loading weights") for one-file saves and loads."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def apply_dryrun_settings(cfg: Any) -> Any:
    """Shrink a full config to a smoke test: 1 epoch, batch ≤ 8, no workers, eval/save every 10 steps,
    1000 train and 100 test samples, W&B name and group prefixed ``dryrun-``. Modifies and returns ``cfg``."""
    train = cfg.train
    train.num_train_epochs = 1
    train.batch_size = min(int(train.get("batch_size", 8)), 8)
    train.test_batch_size = min(int(train.get("test_batch_size", 8) or 8), 8)
    train.num_workers = 0
    train.eval_steps = train.save_steps = 10
    cfg.data.num_train_samples = 1000
    cfg.data.num_test_samples = 100
    for block in (cfg.get("wandb"), train.get("wandb")):
        if block is None:
            continue
        for key in ("name", "group"):
            value = block.get(key)
            if value and not str(value).startswith(DRYRUN_PREFIX):
                block[key] = DRYRUN_PREFIX + str(value)
    return cfg


def load_from_checkpoint(save_dir: str, resume_from_checkpoint: bool = True):
    """Rebuild a finished or interrupted run from ``save_dir`` → ``(io_pipeline, model, trainer_pipeline)``."""
    from .pipeline import TrainerPipeline

    pipeline = TrainerPipeline.resume_from_checkpoint(save_dir, resume_from_checkpoint=resume_from_checkpoint)
    return pipeline.io_pipeline, pipeline.model, pipeline
