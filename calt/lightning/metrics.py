"""Evaluation metrics as torchmetrics ``Metric``s, so they reduce correctly across DDP ranks."""

from __future__ import annotations

import torch
from torchmetrics import Metric

IGNORE_INDEX = -100


class TokenAccuracy(Metric):
    """Correct label tokens / label tokens (``-100`` ignored)."""

    full_state_update = False

    def __init__(self) -> None:
        super().__init__()
        self.add_state("correct", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("total", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, predictions: torch.Tensor, labels: torch.Tensor) -> None:
        mask = labels != IGNORE_INDEX
        self.correct += ((predictions == labels) & mask).sum()
        self.total += mask.sum()

    def compute(self) -> torch.Tensor:
        return self.correct.float() / self.total.clamp(min=1)


class SequenceExactMatch(Metric):
    """Rows whose every label token is right (teacher forcing): the "success rate"."""

    full_state_update = False

    def __init__(self) -> None:
        super().__init__()
        self.add_state("correct", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")
        self.add_state("total", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def update(self, predictions: torch.Tensor, labels: torch.Tensor) -> None:
        wrong = (predictions != labels) & (labels != IGNORE_INDEX)
        self.correct += (~wrong.any(dim=1)).sum()
        self.total += labels.shape[0]

    def compute(self) -> torch.Tensor:
        return self.correct.float() / self.total.clamp(min=1)

