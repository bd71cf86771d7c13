"""``CaltLightningModule``: any HF seq2seq ``PreTrainedModel`` trained and evaluated by Lightning."""

from __future__ import annotations

import math
from typing import Any

import lightning as L
import torch
from transformers import PreTrainedModel

from lightning.fabric.utilities.seed import _collect_rng_states, _set_rng_states

from .metrics import SequenceExactMatch, TokenAccuracy, TokenMeanLoss
from .optim import build_optimizer, build_scheduler, parameter_groups

def rng_states_for_checkpoint() -> dict:
    """Lightning's RNG snapshot with numpy's state as a tensor, so ``torch.load(weights_only=True)`` reads it."""
    states = _collect_rng_states()
    name, keys, pos, has_gauss, cached = states["numpy"]
    states["numpy"] = (name, torch.from_numpy(keys.astype("int64")), pos, has_gauss, cached)
    return states


def rng_states_from_checkpoint(states: dict | None) -> dict | None:
    if states is None:
        return None
    name, keys, pos, has_gauss, cached = states["numpy"]
    states["numpy"] = (name, keys.numpy().astype("uint32"), pos, has_gauss, cached)
    return states


MODEL_INPUTS = ("input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "labels")


class CaltLightningModule(L.LightningModule):
    """Loss for training; eval loss, token accuracy and sequence exact match for validation.

    The optimizer and the per-step learning-rate schedule are built from HF names.
    """

    def __init__(
        self,
        model: PreTrainedModel,
        learning_rate: float = 5e-5,
        weight_decay: float = 0.0,
        optimizer: str = "adamw_torch",
        lr_scheduler_type: str = "linear",
        warmup_ratio: float = 0.0,
        warmup_steps: int = 0,
        adam_beta1: float = 0.9,
        adam_beta2: float = 0.999,
        adam_epsilon: float = 1e-8,
    ) -> None:
        super().__init__()
        self.model = model
        self.save_hyperparameters(ignore=["model"])
        self.eval_loss = TokenMeanLoss()
        self.token_accuracy = TokenAccuracy()
        self.success_rate = SequenceExactMatch()
        self._rng_to_restore: dict | None = None

    def forward(self, **batch: torch.Tensor) -> Any:
        return self.model(**{k: v for k, v in batch.items() if k in MODEL_INPUTS or k.startswith("decoder_")})

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self(**batch).loss
        if not torch.isfinite(loss):
            raise FloatingPointError(
                f"training loss is {loss.item()} at step {self.global_step}: stopping. Checkpoints written "
                "so far are intact; lower learning_rate or set max_grad_norm, then resume from the last one."
            )
        self.log("train/loss", loss, on_step=True, on_epoch=False, prog_bar=True, batch_size=len(batch["input_ids"]))
        return loss

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        output = self(**batch)
        labels = batch["labels"]
        predictions = output.logits.argmax(dim=-1)
        self.eval_loss.update(output.loss, labels)
        self.token_accuracy.update(predictions, labels)
        self.success_rate.update(predictions, labels)
        # Metric objects: Lightning computes them over the whole set (all ranks) at the epoch's end, then resets
        self.log_dict({"eval_loss": self.eval_loss, "eval_token_accuracy": self.token_accuracy,
                       "eval_success_rate": self.success_rate}, on_step=False, on_epoch=True, prog_bar=True)

    # RNG state travels with the checkpoint and is restored right before the first resumed batch
    # (after the DataLoader iterator has drawn its seed), so dropout continues as if never stopped.
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["calt_rng_states"] = rng_states_for_checkpoint()

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self._rng_to_restore = rng_states_from_checkpoint(checkpoint.get("calt_rng_states"))

    def on_train_batch_start(self, batch: Any, batch_idx: int) -> None:
        if self._rng_to_restore is not None:
            _set_rng_states(self._rng_to_restore)
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

    def configure_optimizers(self):
        hp = self.hparams
        groups = parameter_groups(self.model, hp.weight_decay)
        optimizer = build_optimizer(hp.optimizer, groups, hp.learning_rate, (hp.adam_beta1, hp.adam_beta2),
                                    hp.adam_epsilon)
        total = self.total_training_steps()
        scheduler = build_scheduler(optimizer, hp.lr_scheduler_type, total, hp.warmup_ratio, hp.warmup_steps)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
