"""Helpers of the documented API: dry runs, device count, reloading a finished run."""

from __future__ import annotations

from typing import Any

from calt.config import apply_dryrun_settings  # noqa: F401  (the original's import path)

from .hf_io import quiet_transformers_progress  # noqa: F401  (kept importable here)
from .pipeline import TrainerPipeline



def count_cuda_devices() -> int:
    """Number of CUDA devices; 1 without CUDA (one process on the CPU)."""
    try:
        import torch

        return max(torch.cuda.device_count(), 1) if torch.cuda.is_available() else 1
    except ImportError:  # pragma: no cover
        return 1


def load_from_checkpoint(save_dir: str, resume_from_checkpoint: bool = True):
    """Rebuild a finished or interrupted run from ``save_dir`` → ``(io_pipeline, model, trainer_pipeline)``."""
    pipeline = TrainerPipeline.resume_from_checkpoint(save_dir, resume_from_checkpoint=resume_from_checkpoint)
    return pipeline.io_pipeline, pipeline.model, pipeline
