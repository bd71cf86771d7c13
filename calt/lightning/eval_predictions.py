"""Teacher-forced predictions of a whole eval set, in HF's shape, for ``compute_metrics`` and ``Trainer.predict``.

HF's Trainer concatenates the per-batch predictions and labels of every rank, pads them on the right with
-100 to one width, and hands them to ``compute_metrics`` as an ``EvalPrediction``; these helpers do the same.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np
import torch
import torch.distributed as dist
from transformers.trainer_utils import EvalPrediction

from .metrics import IGNORE_INDEX


class PredictionCollector:
    """Per-batch predictions and labels of this rank, with the dataset index of every row."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, np.ndarray, np.ndarray]] = []

    def add(self, indices: list[int], predictions: torch.Tensor, labels: torch.Tensor) -> None:
        predictions, labels = predictions.detach().cpu(), labels.detach().cpu()
        if predictions.dtype in (torch.bfloat16, torch.float16):
            predictions = predictions.float()
        for index, prediction, label in zip(indices, predictions.numpy(), labels.numpy()):
            self.rows.append((index, prediction, label))

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """(predictions, label_ids) of the whole set in dataset order: every rank gets the same arrays."""
        rows = self.rows
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            gathered: list = [None] * dist.get_world_size()
            dist.all_gather_object(gathered, rows)
            rows = [row for part in gathered for row in part]
        rows = sorted(rows, key=lambda row: row[0])
        return pad_and_stack([r[1] for r in rows]), pad_and_stack([r[2] for r in rows])


def pad_and_stack(rows: list[np.ndarray], pad: int = IGNORE_INDEX) -> np.ndarray:
    """One array from rows whose first axis (the sequence) may differ: padded on the right with ``pad``."""
    if not rows:
        return np.zeros((0, 0), dtype=np.int64)
    if rows[0].ndim == 0:
        return np.stack(rows)
    width = max(row.shape[0] for row in rows)
    out = np.full((len(rows), width, *rows[0].shape[1:]), pad, dtype=np.result_type(*rows))
    for i, row in enumerate(rows):
        out[i, : row.shape[0]] = row
    return out


def default_metrics(prediction: EvalPrediction) -> dict[str, float]:
    """calt-x's metrics when no ``compute_metrics`` is given: ``token_accuracy`` (right label tokens / label
    tokens) and ``success_rate`` (rows whose every label token is right); logits are reduced by argmax."""
    predictions, labels = np.asarray(prediction.predictions), np.asarray(prediction.label_ids)
    if predictions.ndim == labels.ndim + 1:
        predictions = predictions.argmax(axis=-1)
    if predictions.shape != labels.shape:
        raise ValueError(f"predictions {predictions.shape} and labels {labels.shape} differ in shape: pass a "
                         "compute_metrics that reads what preprocess_logits_for_metrics returns")
    mask = labels != IGNORE_INDEX
    right = (predictions == labels) & mask
    token_accuracy = right.sum() / max(mask.sum(), 1)
    success_rate = (right | ~mask).all(axis=1).mean() if len(labels) else 0.0
    return {"token_accuracy": float(token_accuracy), "success_rate": float(success_rate)}


def named_metrics(compute_metrics: Callable[[EvalPrediction], dict], predictions: np.ndarray, labels: np.ndarray,
                  prefix: str) -> dict[str, float]:
    """``compute_metrics(EvalPrediction(...))`` with HF's ``{prefix}_`` names; TypeError for a non-number value."""
    values = compute_metrics(EvalPrediction(predictions=predictions, label_ids=labels))
    if not isinstance(values, dict):
        raise TypeError(f"compute_metrics must return a dict of numbers, got {type(values).__name__}")
    named = {}
    for key, value in values.items():
        number = _number(value)
        if number is None:
            raise TypeError(f"compute_metrics returned {key!r}: {value!r}; each value must be a number "
                            "(it is logged to metrics.csv and W&B)")
        named[key if key.startswith(f"{prefix}_") else f"{prefix}_{key}"] = number
    return named


def _number(value: Any) -> float | None:
    """``value`` as a float when it is one number (Python, NumPy or a one-element tensor), else None."""
    if isinstance(value, torch.Tensor):
        return float(value.item()) if value.numel() == 1 else None
    if isinstance(value, np.ndarray):
        return float(value.item()) if value.size == 1 else None
    if isinstance(value, numbers.Real):
        return float(value)
    return None
