"""``ComputeMetrics``: HF's ``compute_metrics`` at every validation, logged as ``eval_*`` like calt's own metrics."""

from __future__ import annotations

from typing import Callable

import lightning as L

from ..eval_predictions import PredictionCollector, named_metrics


class ComputeMetrics(L.Callback):
    """Collects the teacher-forced predictions and labels of the whole eval set (all ranks, dataset order) and
    logs ``compute_metrics(EvalPrediction(predictions, label_ids))`` as ``eval_{name}``: in log_history,
    metrics.csv and every other logger. ``compute_metrics`` is a function, or a getter of the current one
    (``current=True``; None: nothing is collected), so a script may set ``trainer.compute_metrics`` later, as in HF."""

    def __init__(self, compute_metrics: Callable, current: bool = False) -> None:
        if not callable(compute_metrics):
            raise TypeError(f"compute_metrics must be callable (EvalPrediction -> dict), got {compute_metrics!r}")
        self.current = compute_metrics if current else (lambda: compute_metrics)
        self.collector = PredictionCollector()
        self.order: list[int] = []
        self.active = False

    def on_validation_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.collector = PredictionCollector()
        self.active = self.current() is not None
        loaders = trainer.val_dataloaders
        loader = loaders[0] if isinstance(loaders, (list, tuple)) else loaders
        sampler = getattr(loader, "sampler", None)
        self.order = list(sampler) if sampler is not None else []

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0) -> None:
        if trainer.sanity_checking or not self.active or not isinstance(outputs, dict) or "predictions" not in outputs:
            return
        start = len(self.collector.rows)
        rows = len(outputs["labels"])
        indices = self.order[start : start + rows] if len(self.order) >= start + rows else range(start, start + rows)
        self.collector.add(list(indices), outputs["predictions"], outputs["labels"])

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        compute_metrics = self.current()
        if trainer.sanity_checking or not self.active or compute_metrics is None:
            return
        predictions, labels = self.collector.result()
        self.collector = PredictionCollector()  # free the arrays before training continues
        if not callable(compute_metrics):
            raise TypeError(f"compute_metrics must be callable (EvalPrediction -> dict), got {compute_metrics!r}")
        for name, value in named_metrics(compute_metrics, predictions, labels, "eval").items():
            # the same value on every rank (computed on the gathered set); the mean keeps Lightning's ranks in step
            pl_module.log(name, value, sync_dist=True)
