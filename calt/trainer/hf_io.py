"""Saving and loading through transformers: quiet one-file saves, the weight format, exported models."""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch


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


def save_weights(model: Any, target: Path, safetensors: bool) -> None:
    """``save_pretrained`` in the chosen weight format, on transformers 4.x (a flag) and 5.x (safetensors
    only: the PyTorch-bin layout is written from the state dict, which ``from_pretrained`` still reads)."""
    if "safe_serialization" in inspect.signature(model.save_pretrained).parameters:
        with quiet_transformers_progress():
            model.save_pretrained(str(target), safe_serialization=safetensors)
        return
    with quiet_transformers_progress():
        model.save_pretrained(str(target))
    if not safetensors:
        torch.save(model.state_dict(), target / "pytorch_model.bin")
        for stale in target.glob("model*.safetensors*"):
            stale.unlink()


WEIGHT_PATTERNS = ("model*.safetensors*", "pytorch_model*.bin*")


def export_model(model: Any, tokenizer: Any, target: Path, safetensors: bool) -> None:
    """Model (and tokenizer) in the HF layout, staged in a temporary folder inside ``target`` and moved in
    file by file: every file is complete, the new one or the previous one. Weights of the other format
    that a previous export left are removed, so ``from_pretrained`` cannot pick stale weights."""
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target, prefix=".export-"))
    try:
        save_weights(model, staging, safetensors)
        if tokenizer is not None:
            tokenizer.save_pretrained(str(staging))
        written = {path.name for path in staging.iterdir()}
        for path in sorted(staging.iterdir()):
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(path, target / path.name)
        for pattern in WEIGHT_PATTERNS:
            for stale in target.glob(pattern):
                if stale.name not in written:
                    stale.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_exported_model(folder: Path, io_dict: dict):
    """The model and tokenizer exported to ``folder`` (calt's layout, or calt-x's ``model/`` + ``tokenizer/``);
    the tokenizer replaces io_dict's."""
    from calt.models.loading import load_model_and_tokenizer

    with quiet_transformers_progress():
        model, io_dict["tokenizer"] = load_model_and_tokenizer(folder)
    return model
