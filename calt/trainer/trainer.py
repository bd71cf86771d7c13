"""``Trainer``: the documented core class, shaped like the HF Trainer it replaces, run by Lightning.

It maps ``TrainingArguments`` onto ``lightning.Trainer`` (loop, devices, precision, DDP, clipping,
accumulation), Lightning's ``ModelCheckpoint`` and loggers, and calt's LightningModule, DataModule
and callbacks. ``lightning_trainer`` and ``lightning_module`` are there for users who want Lightning.
"""

from __future__ import annotations

import atexit
import inspect
import logging
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightning as L
import torch
import yaml

from ..io.visualization.learning_curves import plot_learning_curves
from ..lightning import CaltDataModule, CaltLightningModule, default_max_length, generate_eval_set
from ..lightning import checkpoint_files
from ..atomic import write_json_atomic, write_text_atomic
from ..lightning.callbacks import GenerationEvaluation, LogHistory
from ..lightning.compat import batches_completed_this_epoch, set_step_budget
from ..lightning.optim import OptimizerSettings
from ..lightning.run_lock import hold_save_dir
from .arguments import TrainingArguments
from .lightning_settings import lightning_trainer_settings, run_loggers, show_progress_bar, step_budget
from .hf_io import export_model

log = logging.getLogger(__name__)


@dataclass
class TrainerState:
    """Progress in HF terms: optimizer steps done, (fractional) epochs, logged rows."""

    global_step: int = 0
    epoch: float = 0.0
    log_history: list[dict] = field(default_factory=list)


def release_process_group_at_exit() -> None:
    """Lightning keeps the DDP process group after ``fit`` (evaluation still needs it); destroy it when the
    script ends, since a rank that exits with a live gloo group can abort ("terminate called ...")."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        atexit.unregister(_destroy_process_group)
        atexit.register(_destroy_process_group)


def _destroy_process_group() -> None:
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def newest_checkpoint(output_dir: str | Path) -> str:
    """The newest checkpoint of ``output_dir`` that loads (damaged newer ones are skipped with a warning)."""
    return str(checkpoint_files.newest_loadable(output_dir))


class Trainer:
    """Train, evaluate (loss, token accuracy, success rate, generation), save — on Lightning."""

    def __init__(
        self,
        model: Any = None,
        args: TrainingArguments | dict | None = None,
        data_collator: Any = None,
        train_dataset: Any = None,
        eval_dataset: Any = None,
        processing_class: Any = None,
        tokenizer: Any = None,
        compute_metrics: Any = None,
        callbacks: list[L.Callback] | None = None,
        wandb_config: Any = None,
        config_to_save: dict | None = None,
    ) -> None:
        if model is None:
            raise ValueError("Trainer needs a model (ModelPipeline.from_io_dict(cfg.model, io_dict).build())")
        if compute_metrics is not None:
            raise NotImplementedError("Trainer(compute_metrics=...) is not supported yet: calt logs eval_loss, "
                                      "eval_token_accuracy, eval_success_rate and eval_generation_success_rate")
        if not isinstance(args, TrainingArguments):
            args = TrainingArguments.from_config(args or {}, require=False)
        self.model, self.args = model, args
        self.data_collator = data_collator
        self.train_dataset, self.eval_dataset = train_dataset, eval_dataset
        self.tokenizer = processing_class if processing_class is not None else tokenizer
        self.processing_class = self.tokenizer
        self.compute_metrics = compute_metrics
        self.extra_callbacks = list(callbacks or [])
        self.wandb_config = wandb_config
        self.config_to_save = config_to_save
        self.state = TrainerState()
        self.history = LogHistory()
        self.lightning_module = CaltLightningModule(model, OptimizerSettings.from_config(args), args.logging_strategy)
        self.lightning_trainer = self._build_lightning_trainer()
        if self.lightning_trainer.is_global_zero:  # one writer per save_dir (the other ranks belong to this run)
            hold_save_dir(args.output_dir)
        args.world_size = self.lightning_trainer.world_size
        args.validate()
        if args.world_size > 1:  # fractional epochs count steps per rank: recount now that the world is known
            self._apply_step_budget()
        self.datamodule = CaltDataModule(
            train_dataset, eval_dataset, data_collator, batch_size=args.per_device_train_batch_size,
            eval_batch_size=args.per_device_eval_batch_size, num_workers=args.num_workers,
            pin_memory=args.dataloader_pin_memory and torch.cuda.is_available(), seed=args.seed,
            group_by_length=args.group_by_length,
        )

    # --- construction ---------------------------------------------------------------------------
    def _build_lightning_trainer(self) -> L.Trainer:
        args = self.args
        L.seed_everything(args.seed, workers=True, verbose=False)
        settings = lightning_trainer_settings(args, self._train_size())
        settings["callbacks"] += [self.history, *self.extra_callbacks]
        if self.eval_dataset is not None and len(self.eval_dataset) > 0 and self.tokenizer is not None:
            settings["callbacks"].append(GenerationEvaluation(
                self.eval_dataset, self.data_collator, self.tokenizer, args.output_dir, self.generation_max_length(),
                args.num_beams, args.test_batch_size or args.batch_size,
            ))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*does not have many workers.*")
            return L.Trainer(logger=run_loggers(args, self.wandb_config), **settings)

    def _apply_step_budget(self) -> None:
        set_step_budget(self.lightning_trainer, *step_budget(self.args, self._train_size()))

    def _train_size(self) -> int | None:
        return len(self.train_dataset) if self.train_dataset is not None else None

    def generation_max_length(self) -> int:
        return self.args.generation_max_length or default_max_length(self.eval_dataset)

    # --- the HF-shaped API ----------------------------------------------------------------------
    def train(self, resume_from_checkpoint: str | bool | None = None) -> TrainerState:
        """Fit; ``True`` resumes from the newest checkpoint in ``output_dir``, a path from that file."""
        ckpt_path = None
        if resume_from_checkpoint is True:
            ckpt_path = newest_checkpoint(self.args.output_dir)
        elif resume_from_checkpoint:
            ckpt_path = str(checkpoint_files.checked(resume_from_checkpoint, self.args.output_dir))
        self._write_config()
        if self.args.compile:
            self.lightning_module.model = torch.compile(self.model)
        self.lightning_trainer.fit(self.lightning_module, datamodule=self.datamodule, ckpt_path=ckpt_path)
        release_process_group_at_exit()
        self._sync_state()
        if self.is_world_process_zero():  # the logger has flushed metrics.csv by now
            plot_learning_curves(self.args.output_dir)
        return self.state

    def evaluate(self, eval_dataset: Any = None, ignore_keys: list[str] | None = None,
                 metric_key_prefix: str = "eval") -> dict[str, float]:
        """Eval loss, token accuracy, success rate (teacher forcing) and the generation success rate."""
        dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        if dataset is None or len(dataset) == 0:
            warnings.warn("evaluate(): the eval set is empty; returning no metrics")
            return {}
        loader = self.datamodule.eval_loader(dataset)
        results = self.lightning_trainer.validate(self.lightning_module, dataloaders=loader, verbose=False)
        metrics = {k: float(v) for k, v in (results[0] if results else {}).items()}
        if "eval_generation_success_rate" not in metrics:
            metrics["eval_generation_success_rate"] = self._generate(dataset).success_rate
        metrics = {k.replace("eval_", f"{metric_key_prefix}_", 1): v for k, v in metrics.items()
                   if not ignore_keys or k not in ignore_keys}
        self.state.log_history.append({**metrics, "step": self.state.global_step})
        return metrics

    def evaluate_and_save_generation(self, max_length: int | None = None, step: int | None = None) -> float:
        """Greedy-decode the eval set, write ``eval_results.json`` (``eval_results/step_{step}.json`` when
        ``step`` is given) and return the exact-match rate; the same value on every rank."""
        if self.eval_dataset is None or len(self.eval_dataset) == 0:
            warnings.warn("evaluate_and_save_generation(): the eval set is empty; success rate 0.0")
            return 0.0
        result = self._generate(self.eval_dataset, max_length)
        out = Path(self.args.output_dir)
        path = out / "eval_results" / f"step_{step}.json" if step is not None else out / "eval_results.json"
        if self.is_world_process_zero():
            write_json_atomic(path, result.rows())
        return result.success_rate

    def save_model(self, output_dir: str | None = None) -> None:
        """Model and tokenizer in the HF layout (weights as safetensors when ``save_safetensors``)."""
        target = Path(output_dir or self.args.output_dir)
        if not self.is_world_process_zero():
            return
        export_model(self.model, self.tokenizer, target, bool(self.args.save_safetensors))

    def is_world_process_zero(self) -> bool:
        return self.lightning_trainer.is_global_zero

    @property
    def log_history(self) -> list[dict]:
        return self.state.log_history

    # --- internals ------------------------------------------------------------------------------
    def _generate(self, dataset: Any, max_length: int | None = None):
        length = max_length or self.args.generation_max_length or default_max_length(dataset)
        device = self.lightning_module.device
        self.model.to(device)
        return generate_eval_set(self.model, dataset, self.data_collator, self.tokenizer, length,
                                 self.args.num_beams, self.args.per_device_eval_batch_size, device,
                                 progress=show_progress_bar(self.args))

    def _sync_state(self) -> None:
        trainer = self.lightning_trainer
        self.state.global_step = trainer.global_step
        batches = max(trainer.num_training_batches, 1) if math.isfinite(trainer.num_training_batches) else 1
        done = batches_completed_this_epoch(trainer)
        self.state.epoch = trainer.current_epoch + (done / batches if done < batches else 0)
        self.state.log_history = list(self.history.rows)

    def _write_config(self) -> None:
        if self.config_to_save is None or not self.is_world_process_zero():
            return
        write_text_atomic(Path(self.args.output_dir) / "train.yaml", yaml.safe_dump(self.config_to_save, sort_keys=False))
