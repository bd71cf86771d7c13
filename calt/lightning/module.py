"""``CaltLightningModule``: any HF seq2seq ``PreTrainedModel`` trained and evaluated by Lightning."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import lightning as L
import torch
from torchmetrics import MeanMetric
from transformers import PreTrainedModel

from .compat import collect_rng_states, restore_rng_states
from .metrics import IGNORE_INDEX, SequenceExactMatch, TokenAccuracy
from .optim import OptimizerSettings, build_optimizer, build_scheduler, clip_gradient_norm, parameter_groups

MODEL_INPUTS = ("input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "labels")
LOGGING_STRATEGIES = ("steps", "epoch", "no")


def aligned_predictions(model: Any, logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(predicted ids, label ids) of the same shape for the metrics: the argmax of sequence logits against the
    labels, or what the model's ``align_for_metrics`` says (a classifier: predicted against target class)."""
    align = getattr(model, "align_for_metrics", None)
    return align(logits, labels) if align is not None else (logits.argmax(dim=-1), labels)


class CaltLightningModule(L.LightningModule):
    """Loss for training; eval loss, token accuracy and sequence exact match for validation and test.

    ``optim`` holds the optimizer and schedule (HF names); ``logging_strategy`` says when the training
    loss is logged: every ``log_every_n_steps`` steps, once per epoch, or never.
    """

    flops_per_batch: int | None = None  # read by Lightning's ThroughputMonitor; calt does not count FLOPs here

    def __init__(self, model: PreTrainedModel, optim: OptimizerSettings | None = None,
                 logging_strategy: str = "steps") -> None:
        super().__init__()
        if logging_strategy not in LOGGING_STRATEGIES:
            raise ValueError(f"logging_strategy must be one of {LOGGING_STRATEGIES}; got {logging_strategy!r}")
        self.model = model
        self.optim = optim or OptimizerSettings()
        self.logging_strategy = logging_strategy
        self.save_hyperparameters({"optim": dataclasses.asdict(self.optim), "logging_strategy": logging_strategy})
        self.eval_loss = MeanMetric()
        self.token_accuracy = TokenAccuracy()
        self.success_rate = SequenceExactMatch()
        self.classifies = bool(getattr(getattr(model, "config", None), "is_classification", False))
        self.classification_accuracy = TokenAccuracy() if self.classifies else None
        self._rng_to_restore: dict | None = None
        # HF's preprocess_logits_for_metrics(logits, labels): what validation/predict hand on as "predictions"
        self.preprocess_logits_for_metrics: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None

    def forward(self, **batch: torch.Tensor) -> Any:
        return self.model(**{k: v for k, v in batch.items() if k in MODEL_INPUTS or k.startswith("decoder_")})

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self(**batch).loss
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"training loss is {loss.item()} at step {self.global_step}: stopping. Checkpoints written "
                "so far are intact; lower learning_rate or set max_grad_norm, then resume from the last one."
            )
        if self.logging_strategy != "no":
            per_step = self.logging_strategy == "steps"
            self.log("train/loss", loss, on_step=per_step, on_epoch=not per_step, prog_bar=True,
                     batch_size=len(batch["input_ids"]))
        # calt-x (HF Trainer with a **kwargs forward) sums the micro-batch means of an optimizer step instead of
        # averaging them; Lightning divides by the accumulation, so multiply it back for the same gradients
        return loss * self.trainer.accumulate_grad_batches

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> dict[str, torch.Tensor]:
        return self._score(batch, "eval")

    def test_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> dict[str, torch.Tensor]:
        return self._score(batch, "test")

    def predict_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> dict[str, torch.Tensor]:
        """Teacher-forced predictions, labels, summed loss and label-token count of one batch, on the CPU."""
        output = self(**batch)
        tokens = (batch["labels"] != IGNORE_INDEX).sum()
        return {**{k: v.cpu() for k, v in self.predictions(output.logits, batch["labels"]).items()},
                "loss_sum": (output.loss.detach().float() * tokens).cpu(), "tokens": tokens.cpu()}

    def predictions(self, logits: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        """``{"predictions", "labels"}`` as HF hands them to ``compute_metrics``: the teacher-forced token ids
        (argmax, as calt-x's generic model returns them), or ``preprocess_logits_for_metrics(logits, labels)``."""
        preprocess = self.preprocess_logits_for_metrics
        predictions = preprocess(logits, labels) if preprocess is not None else logits.argmax(dim=-1)
        return {"predictions": predictions.detach(), "labels": labels.detach()}

    def _score(self, batch: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
        """Token-weighted loss, token accuracy and teacher-forced exact match, reduced over the whole set; returns
        the batch's predictions and labels (for ``compute_metrics``)."""
        output = self(**batch)
        predictions, labels = aligned_predictions(self.model, output.logits, batch["labels"])
        self.eval_loss.update(output.loss.detach(), weight=(labels != IGNORE_INDEX).sum())
        self.token_accuracy.update(predictions, labels)
        self.success_rate.update(predictions, labels)
        # Metric objects: Lightning computes them over the whole set (all ranks) at the epoch's end, then resets
        self.log_dict({f"{prefix}_loss": self.eval_loss, f"{prefix}_token_accuracy": self.token_accuracy,
                       f"{prefix}_success_rate": self.success_rate}, on_step=False, on_epoch=True, prog_bar=True)
        if self.classifies:  # one class per sample: right classes / samples (calt-x reports it as both rates)
            self.classification_accuracy.update(predictions, labels)
            self.log(f"{prefix}_classification_accuracy", self.classification_accuracy, on_step=False, on_epoch=True)
        return self.predictions(output.logits, batch["labels"])

    def setup(self, stage: str) -> None:
        """Before the first batch: every sample must have the layout the model reads (a monomial model names
        the file and line of a sample that is not in expanded form)."""
        layout = getattr(self.model, "expanded_form_layout", None)
        datamodule = getattr(self._trainer, "datamodule", None) if self._trainer is not None else None
        check_answers = getattr(self.model, "check_answers", None)  # a classifier names a multi-token answer
        if check_answers is not None and datamodule is not None:
            for split in ("train_dataset", "eval_dataset"):
                if getattr(datamodule, split, None) is not None:
                    check_answers(getattr(datamodule, split), split.split("_")[0])
        if layout is None or datamodule is None:
            return
        from calt.io.expanded_form import check_expanded_form

        for split in ("train_dataset", "eval_dataset"):
            dataset = getattr(datamodule, split, None)
            if dataset is not None:
                check_expanded_form(dataset, **layout(), split=split)

    def on_train_start(self) -> None:
        self.model.train()  # as HF's Trainer: from_pretrained returns eval mode, which Lightning would keep (no dropout)
        self._apply_schedule_to_this_step()

    def _apply_schedule_to_this_step(self) -> None:
        """Set each learning rate from the schedule at the current step. A resumed run restores the optimizer's
        last rate, which came from the old budget; an extended run's schedule spans the new one from its
        first step on (a fresh run is unchanged: the rate at step 0)."""
        for config in self.trainer.lr_scheduler_configs:
            scheduler = config.scheduler
            if isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR):
                for group, base, rate in zip(scheduler.optimizer.param_groups, scheduler.base_lrs, scheduler.lr_lambdas):
                    group["lr"] = base * rate(scheduler.last_epoch)

    # RNG state travels with the checkpoint and is restored right before the first resumed batch
    # (after the DataLoader iterator has drawn its seed), so dropout continues as if never stopped.
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["calt_rng_states"] = collect_rng_states()

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self._rng_to_restore = checkpoint.get("calt_rng_states")

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> None:
        if self._rng_to_restore is not None:
            restore_rng_states(self._rng_to_restore)
            self._rng_to_restore = None

    def total_training_steps(self) -> int:
        """Optimizer steps of the whole run, for the schedule. Computed from the DataModule when it is
        calt's, because asking Lightning (``estimated_stepping_batches``) loads the train loader before a
        checkpoint's loader state is restored, which would lose the mid-epoch resume position."""
        trainer = self.trainer
        if trainer.max_steps and trainer.max_steps > 0:
            return trainer.max_steps
        datamodule = trainer.datamodule
        if hasattr(datamodule, "batches_per_epoch") and trainer.max_epochs and trainer.max_epochs > 0:
            batches = datamodule.batches_per_epoch(trainer.world_size)
            return math.ceil(batches / trainer.accumulate_grad_batches) * trainer.max_epochs
        total = trainer.estimated_stepping_batches
        return int(total) if math.isfinite(total) else 1

    def configure_gradient_clipping(self, optimizer, gradient_clip_val=None, gradient_clip_algorithm=None) -> None:
        """Lightning's clipping, except norm clipping of fused optimizers (``adamw_torch_fused``, the original's
        default), which Lightning's mixed-precision plugin refuses even without a GradScaler: that is done here."""
        by_norm = gradient_clip_algorithm in (None, "norm")  # Lightning passes its str enum
        if gradient_clip_val and by_norm and optimizer.defaults.get("fused"):
            clip_gradient_norm(optimizer, gradient_clip_val, getattr(self.trainer.precision_plugin, "scaler", None))
            return
        super().configure_gradient_clipping(optimizer, gradient_clip_val, gradient_clip_algorithm)

    def configure_optimizers(self):
        optim = self.optim
        groups = parameter_groups(self.model, optim.weight_decay)
        optimizer = build_optimizer(optim.optimizer, groups, optim.learning_rate, (optim.adam_beta1, optim.adam_beta2),
                                    optim.adam_epsilon)
        total = self.total_training_steps()
        scheduler = build_scheduler(optimizer, optim.lr_scheduler_type, total, optim.warmup_ratio, optim.warmup_steps)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
