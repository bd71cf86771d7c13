"""Saving and loading through transformers: quiet one-file saves, the weight format, exported models."""

from __future__ import annotations

import inspect
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




def load_exported_model(folder: Path, io_dict: dict):
    """The model and tokenizer exported to ``folder`` (calt's layout, or calt-x's ``model/`` + ``tokenizer/``);
    the tokenizer replaces io_dict's."""
    from calt.models.loading import load_model_and_tokenizer

    with quiet_transformers_progress():
        model, io_dict["tokenizer"] = load_model_and_tokenizer(folder)
    return model
