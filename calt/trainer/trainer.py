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
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import lightning as L
import torch
import yaml
from transformers.trainer_utils import EvalPrediction, PredictionOutput, speed_metrics

from ..io.visualization.learning_curves import plot_learning_curves
from ..lightning import CaltDataModule, CaltLightningModule, default_max_length, generate_eval_set
from ..lightning import checkpoint_files
from ..atomic import write_json_atomic, write_text_atomic
from ..lightning.callbacks import ComputeMetrics, GenerationEvaluation, LogHistory
from ..lightning.eval_predictions import PredictionCollector, default_metrics, named_metrics
from ..lightning.compat import batches_completed_this_epoch, set_step_budget
from ..lightning.optim import OptimizerSettings
from ..lightning.run_lock import hold_save_dir
from .arguments import TrainingArguments
from .lightning_settings import (build_lightning_trainer, check_beam_width, lightning_trainer_settings, run_loggers,
                                 show_progress_bar, step_budget)
from .hf_callbacks import HFCallbacks, is_hf_callback
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


def reject_custom_optimization(compute_loss_func: Any, optimizers: tuple, optimizer_cls_and_kwargs: Any) -> None:
    """NotImplementedError for HF's hooks that replace the loss or the optimizer: calt builds both from the
    train block (a silent fallback would train something else than the script asks for)."""
    given = [name for name, value in (("compute_loss_func", compute_loss_func),
                                      ("optimizer_cls_and_kwargs", optimizer_cls_and_kwargs)) if value is not None]
    if any(part is not None for part in (optimizers or ())):
        given.append("optimizers")
    if given:
        raise NotImplementedError(
            f"Trainer({', '.join(f'{n}=...' for n in given)}) is not supported: calt's loss is the model's, and "
            "its optimizer and schedule come from train.optimizer, learning_rate, weight_decay, lr_scheduler_type and "
            "warmup_*; use those keys, or train a calt.lightning.CaltLightningModule with your own Lightning code"
        )


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
        model_init: Callable[[], Any] | None = None,
        compute_loss_func: Callable | None = None,
        compute_metrics: Callable[[EvalPrediction], dict] | None = None,
        callbacks: list | None = None,
        optimizers: tuple = (None, None),
        optimizer_cls_and_kwargs: tuple | None = None,
        preprocess_logits_for_metrics: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        *,
        tokenizer: Any = None,
        wandb_config: Any = None,
        config_to_save: dict | None = None,
    ) -> None:
        if model is None and model_init is not None:
            model = model_init()
        if model is None:
            raise ValueError("Trainer needs a model (ModelPipeline.from_io_dict(cfg.model, io_dict).build())")
        reject_custom_optimization(compute_loss_func, optimizers, optimizer_cls_and_kwargs)
        if not isinstance(args, TrainingArguments):
            args = TrainingArguments.from_config(args or {}, require=False)
        self.model, self.args = model, args
        self.data_collator = data_collator
        self.train_dataset, self.eval_dataset = train_dataset, eval_dataset
        self.tokenizer = processing_class if processing_class is not None else tokenizer
        self.processing_class = self.tokenizer
        check_beam_width(args.num_beams, self.tokenizer)
        self.compute_metrics = compute_metrics
        self.wandb_config = wandb_config
        self.config_to_save = config_to_save
        self.state = TrainerState()
        self.history = LogHistory()
        self.hf_callbacks = HFCallbacks(args, self.history, self.tokenizer)
        self.extra_callbacks = [cb for cb in callbacks or [] if not self._added_hf_callback(cb)]
        self.lightning_module = CaltLightningModule(model, OptimizerSettings.from_config(args), args.logging_strategy)
        self.lightning_module.preprocess_logits_for_metrics = preprocess_logits_for_metrics
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
        self.hf_callbacks.fire("on_init_end")

    # --- construction ---------------------------------------------------------------------------
    def _build_lightning_trainer(self) -> L.Trainer:
        args = self.args
        L.seed_everything(args.seed, workers=True, verbose=False)
        settings = lightning_trainer_settings(args, self._train_size())
        settings["callbacks"] += [self.history, *self.extra_callbacks]
        settings["callbacks"].append(ComputeMetrics(lambda: self.compute_metrics, current=True))
        if self.eval_dataset is not None and len(self.eval_dataset) > 0 and self.tokenizer is not None:
            settings["callbacks"].append(GenerationEvaluation(
                self.eval_dataset, self.data_collator, self.tokenizer, args.output_dir, self.generation_max_length(),
                args.num_beams, args.test_batch_size or args.batch_size,
            ))
        settings["callbacks"].append(self.hf_callbacks)  # last: it reports what the others logged
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*does not have many workers.*")
            return build_lightning_trainer(settings, run_loggers(args, self.wandb_config))

    def _added_hf_callback(self, callback: Any) -> bool:
        """True when ``callback`` is an HF ``TrainerCallback`` (now run by the adapter); TypeError for a
        callback that is neither that nor a Lightning ``Callback``."""
        if is_hf_callback(callback):
            self.hf_callbacks.add(callback)
            return True
        if isinstance(callback, L.Callback):
            return False
        raise TypeError(f"callbacks: {callback!r} is neither a transformers.TrainerCallback nor a "
                        "lightning.Callback; subclass one of them")

    @property
    def preprocess_logits_for_metrics(self) -> Callable | None:
        """HF's hook: ``(logits, labels) -> predictions`` handed to ``compute_metrics`` and ``predict``."""
        return self.lightning_module.preprocess_logits_for_metrics

    @preprocess_logits_for_metrics.setter
    def preprocess_logits_for_metrics(self, function: Callable | None) -> None:
        self.lightning_module.preprocess_logits_for_metrics = function

    def add_callback(self, callback: Any) -> None:
        """As HF's ``Trainer.add_callback``: a ``TrainerCallback`` (instance or class) or a Lightning ``Callback``."""
        if not self._added_hf_callback(callback):
            self.lightning_trainer.callbacks.append(callback)

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
        if self.eval_dataset is None:
            raise ValueError("Trainer: evaluation requires an eval_dataset. Pass eval_dataset= (an io_dict's "
                             "test_dataset) or set data.test_dataset_path in train.yaml")
        if len(self.eval_dataset) == 0:
            warnings.warn("evaluate_and_save_generation(): the eval set is empty; success rate 0.0")
            return 0.0
        result = self._generate(self.eval_dataset, max_length)
        out = Path(self.args.output_dir)
        path = out / "eval_results" / f"step_{step}.json" if step is not None else out / "eval_results.json"
        if self.is_world_process_zero():
            write_json_atomic(path, result.rows())
        return result.success_rate

    def predict(self, test_dataset: Any, ignore_keys: list[str] | None = None,
                metric_key_prefix: str = "test") -> PredictionOutput:
        """HF's ``predict``: teacher-forced ``predictions`` (token ids, or what ``preprocess_logits_for_metrics``
        returns) and ``label_ids``, both padded with -100 to one width, and ``metrics``: ``{prefix}_loss``,
        ``compute_metrics``' values (default: token_accuracy, success_rate) and the speed. For answers to new
        problems, decode with ``model.generate`` or ``calt predict``."""
        if test_dataset is None or len(test_dataset) == 0:
            raise ValueError("Trainer.predict needs a non-empty dataset (an io_dict's test_dataset, for example)")
        started = time.time()
        loader = self.datamodule.eval_loader(test_dataset)
        collector, loss_sum, tokens = PredictionCollector(), 0.0, 0
        order = iter(loader.sampler)
        batches = self.lightning_trainer.predict(self.lightning_module, dataloaders=loader, return_predictions=True)
        for batch in batches or []:
            collector.add([next(order) for _ in range(len(batch["labels"]))], batch["predictions"], batch["labels"])
            loss_sum, tokens = loss_sum + float(batch["loss_sum"]), tokens + int(batch["tokens"])
        loss_sum, tokens = self._summed_over_ranks(loss_sum, tokens)
        predictions, label_ids = collector.result()
        metrics = {f"{metric_key_prefix}_loss": loss_sum / max(tokens, 1)}
        metrics.update(named_metrics(self.compute_metrics or default_metrics, predictions, label_ids, metric_key_prefix))
        if ignore_keys:
            metrics = {k: v for k, v in metrics.items() if k.removeprefix(f"{metric_key_prefix}_") not in ignore_keys}
        steps = math.ceil(len(label_ids) / max(self.args.per_device_eval_batch_size * self.args.world_size, 1))
        metrics.update(speed_metrics(metric_key_prefix, started, num_samples=len(label_ids), num_steps=steps))
        self.hf_callbacks.fire("on_predict", self.lightning_trainer, metrics=metrics)
        return PredictionOutput(predictions=predictions, label_ids=label_ids, metrics=metrics)

    def _summed_over_ranks(self, loss_sum: float, tokens: int) -> tuple[float, int]:
        if self.lightning_trainer.world_size == 1:
            return loss_sum, tokens
        total = self.lightning_trainer.strategy.reduce(torch.tensor([loss_sum, float(tokens)],
                                                                    device=self.lightning_module.device), reduce_op="sum")
        return float(total[0]), int(total[1])

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
                                 progress=show_progress_bar(self.args),
                                 forward_context=self.lightning_trainer.precision_plugin.forward_context)

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
