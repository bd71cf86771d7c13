"""``HFCallbacks``: HF ``TrainerCallback`` objects, run from Lightning's hooks with HF's state and control.

A calt-x script passes ``transformers.TrainerCallback``s to its ``Trainer``; calt trains on Lightning, so one
Lightning callback calls theirs at the matching moments, with a ``transformers.TrainerState`` kept up to
date and a ``TrainerControl`` whose ``should_training_stop`` stops training. The events fire as often as
under calt-x's HF Trainer (tests/trainer/test_hf_callbacks.py counts them against a recording of calt-x):

==================  ==============================================================================
HF event            when
==================  ==============================================================================
on_init_end         at the end of ``Trainer(...)`` (for callbacks passed there)
on_train_begin/end  Lightning's ``on_train_start`` / ``on_train_end``
on_epoch_begin/end  ``on_train_epoch_start`` / ``on_train_epoch_end``
on_step_begin/end   the first / last micro-batch of an optimizer step (``on_substep_end`` for the others)
on_pre_optimizer_step / on_optimizer_step   ``on_before_optimizer_step`` / ``on_before_zero_grad``
on_log              every logged training row, then after each evaluation: its metrics, then the
                    generation success rate (calt-x logs these two separately), and a summary at the end
on_evaluate         after each evaluation, with its ``eval_*`` metrics
on_save             once per step at which a checkpoint is written (while Lightning writes it)
on_prediction_step  after each evaluation or prediction batch
on_predict          at the end of ``Trainer.predict``, with its metrics
==================  ==============================================================================
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import lightning as L
from transformers import TrainerCallback, TrainerControl, TrainerState

from ..lightning.compat import batches_started_this_epoch

GENERATION_KEYS = ("eval_generation_success_rate",)
UNHONOURED_FLAGS = {
    "should_save": "checkpoints follow train.save_strategy / save_steps",
    "should_evaluate": "evaluation follows train.eval_strategy / eval_steps",
    "should_log": "logging follows train.logging_strategy / logging_steps",
    "should_epoch_stop": "an epoch always runs to its end; set should_training_stop to stop",
}


def is_hf_callback(callback: Any) -> bool:
    """A ``transformers.TrainerCallback`` instance or subclass."""
    return isinstance(callback, TrainerCallback) or (isinstance(callback, type) and issubclass(callback, TrainerCallback))


class HFCallbacks(L.Callback):
    """Runs HF ``TrainerCallback``s (instances, or classes that it instantiates) inside a Lightning run."""

    def __init__(self, args: Any, history: Any, tokenizer: Any = None) -> None:
        self.args, self.history, self.tokenizer = args, history, tokenizer
        self.callbacks: list[TrainerCallback] = []
        self.state = TrainerState()
        self.control = TrainerControl()
        self._rows_seen = 0
        self._last_step = 0
        self._saved_steps: set[int] = set()
        self._warned: set[str] = set()
        self._losses: list[float] = []
        self._samples = 0
        self._started = 0.0

    def add(self, callback: TrainerCallback | type) -> TrainerCallback:
        callback = callback() if isinstance(callback, type) else callback
        self.callbacks.append(callback)
        return callback

    # ---- firing ------------------------------------------------------------------------------------
    def fire(self, event: str, trainer: L.Trainer | None = None, **kwargs: Any) -> None:
        """Call ``event`` on every callback with (args, state, control, model, processing_class, optimizer, ...)."""
        if not self.callbacks:
            return
        if trainer is not None:
            self._sync_state(trainer)
        extra = self._objects(trainer)
        for callback in self.callbacks:
            result = getattr(callback, event)(self.args, self.state, self.control, **extra, **kwargs)
            if isinstance(result, TrainerControl):
                self.control = result
        self._apply_control(trainer)

    def _objects(self, trainer: L.Trainer | None) -> dict[str, Any]:
        objects: dict[str, Any] = {"processing_class": self.tokenizer}
        if trainer is None:
            return objects
        objects["model"] = getattr(trainer.lightning_module, "model", None) if trainer.lightning_module else None
        optimizers = trainer.optimizers
        objects["optimizer"] = optimizers[0] if optimizers else None
        schedulers = trainer.lr_scheduler_configs
        objects["lr_scheduler"] = schedulers[0].scheduler if schedulers else None
        objects["train_dataloader"] = trainer.train_dataloader
        return objects

    def _apply_control(self, trainer: L.Trainer | None) -> None:
        control = self.control
        if control.should_training_stop and trainer is not None:
            trainer.should_stop = True
        for flag, why in UNHONOURED_FLAGS.items():
            if getattr(control, flag):
                if flag not in self._warned:
                    warnings.warn(f"a TrainerCallback set control.{flag}: calt does not act on it ({why})")
                    self._warned.add(flag)
                setattr(control, flag, False)

    def _sync_state(self, trainer: L.Trainer) -> None:
        state = self.state
        state.global_step = trainer.global_step
        batches = trainer.num_training_batches
        done = batches_started_this_epoch(trainer) if trainer.training else 0
        fraction = done / batches if isinstance(batches, int) and batches > 0 else 0.0
        state.epoch = trainer.current_epoch + fraction
        if trainer.max_steps and trainer.max_steps > 0:
            state.max_steps = trainer.max_steps
        elif hasattr(trainer.lightning_module, "total_training_steps"):  # counted without loading the train loader
            state.max_steps = trainer.lightning_module.total_training_steps()
        state.num_train_epochs = trainer.max_epochs if trainer.max_epochs and trainer.max_epochs > 0 else 0
        state.is_world_process_zero = trainer.is_global_zero
        state.is_local_process_zero = trainer.local_rank == 0
        state.logging_steps, state.eval_steps, state.save_steps = \
            self.args.logging_steps, self.args.eval_steps, self.args.save_steps
        state.train_batch_size = self.args.per_device_train_batch_size

    # ---- training ----------------------------------------------------------------------------------
    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._started, self._losses, self._samples = time.perf_counter(), [], 0
        self._last_step = trainer.global_step
        self._rows_seen = len(self.history.rows)
        self.fire("on_train_begin", trainer)

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.fire("on_epoch_begin", trainer)

    def on_train_batch_start(self, trainer: L.Trainer, pl_module: L.LightningModule, batch: Any, batch_idx: int) -> None:
        if batch_idx % trainer.accumulate_grad_batches == 0:
            self.fire("on_step_begin", trainer)

    def on_before_optimizer_step(self, trainer: L.Trainer, pl_module: L.LightningModule, optimizer: Any) -> None:
        self.fire("on_pre_optimizer_step", trainer)

    def on_before_zero_grad(self, trainer: L.Trainer, pl_module: L.LightningModule, optimizer: Any) -> None:
        if trainer.training:
            self.fire("on_optimizer_step", trainer)

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        if not self.callbacks:
            return
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if loss is not None:
            self._losses.append(float(loss.detach()) / trainer.accumulate_grad_batches)
        self._samples += len(batch["input_ids"]) * trainer.world_size
        if trainer.global_step != self._last_step:
            self._last_step = trainer.global_step
            self.fire("on_step_end", trainer)
        else:
            self.fire("on_substep_end", trainer)
        self._log_new_rows(trainer)

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.fire("on_epoch_end", trainer)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not self.callbacks:
            return
        runtime = max(time.perf_counter() - self._started, 1e-9)
        self._sync_state(trainer)
        summary = {"train_runtime": round(runtime, 4), "train_samples_per_second": round(self._samples / runtime, 3),
                   "train_steps_per_second": round(trainer.global_step / runtime, 3),
                   "train_loss": sum(self._losses) / max(len(self._losses), 1), "epoch": self.state.epoch}
        self._log(trainer, summary)
        self.fire("on_train_end", trainer)

    # ---- evaluation, saving, prediction ------------------------------------------------------------
    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0) -> None:
        if not trainer.sanity_checking:
            self.fire("on_prediction_step", trainer)

    def on_predict_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0) -> None:
        self.fire("on_prediction_step", trainer)

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking or not self.callbacks:
            return
        self._rows_seen = len(self.history.rows)  # the evaluation row is reported below, split as calt-x does
        metrics = {k: _plain(v) for k, v in trainer.callback_metrics.items() if k.startswith("eval_")}
        evaluation = {k: v for k, v in metrics.items() if k not in GENERATION_KEYS}
        self._sync_state(trainer)
        self._log(trainer, {**evaluation, "epoch": self.state.epoch})
        self.fire("on_evaluate", trainer, metrics=evaluation)
        generation = {k: v for k, v in metrics.items() if k in GENERATION_KEYS}
        if generation:
            self._log(trainer, {**generation, "eval_generation_step": trainer.global_step, "epoch": self.state.epoch})

    def on_save_checkpoint(self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict) -> None:
        if self.callbacks and trainer.global_step not in self._saved_steps:  # "last" and the periodic file of one step: one save
            self._saved_steps.add(trainer.global_step)
            self.fire("on_save", trainer)

    def _log_new_rows(self, trainer: L.Trainer) -> None:
        rows = self.history.rows
        for row in rows[self._rows_seen :]:
            logs = {k.removeprefix("train/"): v for k, v in row.items() if k.startswith("train/")}
            if not logs:  # an evaluation row: reported by on_validation_end
                continue
            optimizers = trainer.optimizers
            if optimizers:
                logs["learning_rate"] = optimizers[0].param_groups[0]["lr"]
            self._sync_state(trainer)
            self._log(trainer, {**logs, "epoch": self.state.epoch})
        self._rows_seen = len(rows)

    def _log(self, trainer: L.Trainer, logs: dict) -> None:
        self.state.log_history.append({**logs, "step": trainer.global_step})
        self.fire("on_log", trainer, logs=logs)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
