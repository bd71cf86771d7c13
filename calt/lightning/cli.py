"""``calt fit | validate | test``: LightningCLI over calt's LightningModule and DataModule.

It reads the same ``train.yaml`` as ``calt train``: the ``data`` block configures the
DataModule, the ``model`` block the LightningModule, and the ``train`` block supplies the
defaults of Lightning's Trainer (epochs, clipping, evaluation and checkpoint schedule,
devices, precision, the CSV / W&B loggers) and of the optimizer. ``--trainer.*`` flags
and a ``trainer:`` block override those defaults, as Lightning users expect:

    calt fit --config configs/train.yaml --trainer.max_steps 200 --trainer.devices 2
    calt fit --config configs/train.yaml --print_config
"""

from __future__ import annotations

import dataclasses
import math
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from lightning.pytorch.cli import LightningCLI
from omegaconf import OmegaConf

from calt.lightning.callbacks import GenerationEvaluation
from calt.lightning.datamodule import CaltDataModule
from calt.lightning.generation import default_max_length
from calt.lightning.module import CaltLightningModule

# train-block keys that configure the optimizer of the LightningModule
OPTIMIZER_KEYS = ("learning_rate", "weight_decay", "optimizer", "lr_scheduler_type", "warmup_ratio", "warmup_steps",
                  "adam_beta1", "adam_beta2", "adam_epsilon")


class CaltCLIModule(CaltLightningModule):
    """The engine's LightningModule, with ``calt test`` scoring the test set like validation does."""

    def test_step(self, batch, batch_idx: int) -> None:
        self.validation_step(batch, batch_idx)


class CaltCLIDataModule(CaltDataModule):
    """The engine's DataModule with a test loader (the eval set), and the IO pipeline's tokenizer."""

    tokenizer: Any = None

    def test_dataloader(self):
        return self.eval_loader(self.eval_dataset)


def calt_model(
    num_encoder_layers: int,
    num_encoder_heads: int,
    num_decoder_layers: int,
    num_decoder_heads: int,
    d_model: int,
    encoder_ffn_dim: int,
    decoder_ffn_dim: int,
    max_sequence_length: int,
    model_type: str = "generic",
    use_positional_embedding: str | None = None,
    dropout: float | None = None,
    activation: str | None = None,
    init_std: float | None = None,
    seed: int | None = None,
    tokenizer: Any = None,
    learning_rate: float = 5e-5,
    weight_decay: float = 0.0,
    optimizer: str = "adamw_torch",
    lr_scheduler_type: str = "linear",
    warmup_ratio: float = 0.0,
    warmup_steps: int = 0,
    adam_beta1: float = 0.9,
    adam_beta2: float = 0.999,
    adam_epsilon: float = 1e-8,
) -> CaltCLIModule:
    """The ``model`` block → ``ModelPipeline`` model in a LightningModule (tokenizer and optimizer linked in)."""
    params = dict(locals())
    from calt.models import ModelPipeline

    block = {key: value for key, value in params.items()
             if key not in ("tokenizer", *OPTIMIZER_KEYS) and value is not None}
    model = ModelPipeline(OmegaConf.create(block), tokenizer=tokenizer).build()
    return CaltCLIModule(
        model, learning_rate=learning_rate, weight_decay=weight_decay, optimizer=optimizer,
        lr_scheduler_type=lr_scheduler_type, warmup_ratio=warmup_ratio, warmup_steps=warmup_steps,
        adam_beta1=adam_beta1, adam_beta2=adam_beta2, adam_epsilon=adam_epsilon,
    )


def calt_data(
    lexer_config: str,
    train_dataset_path: str | None = None,
    test_dataset_path: str | None = None,
    num_train_samples: int = -1,
    num_test_samples: int = -1,
    validate_train_tokens: bool = False,
    validate_test_tokens: bool = True,
    display_samples: int = 0,
    use_jsonl: bool = False,
    use_pickle: bool = False,
    train_dataset_jsonl: str | None = None,
    test_dataset_jsonl: str | None = None,
    train_dataset_pickle: str | None = None,
    test_dataset_pickle: str | None = None,
    batch_size: int = 8,
    eval_batch_size: int = 8,
    num_workers: int = 0,
    seed: int = 42,
    group_by_length: bool = True,
) -> CaltCLIDataModule:
    """The ``data`` block → ``IOPipeline`` datasets in a DataModule; batch sizes are the global ones."""
    params = dict(locals())
    from calt.io import IOPipeline

    block = {key: value for key, value in params.items()
             if key not in ("batch_size", "eval_batch_size", "num_workers", "seed", "group_by_length")}
    io_dict = IOPipeline.from_config(OmegaConf.create(block)).build()
    datamodule = CaltCLIDataModule(
        io_dict["train_dataset"], io_dict["test_dataset"], io_dict["data_collator"], batch_size=batch_size,
        eval_batch_size=eval_batch_size, num_workers=num_workers, pin_memory=False, seed=seed,
        group_by_length=group_by_length,
    )
    datamodule.tokenizer = io_dict["tokenizer"]
    return datamodule


def trainer_defaults(args) -> dict[str, Any]:
    """Lightning Trainer settings that the ``train`` block (``TrainingArguments``) stands for: the same
    mapping as the documented ``Trainer`` facade uses; ``--trainer.*`` flags override them."""
    from calt.trainer.lightning_settings import lightning_trainer_settings

    if not float(args.num_train_epochs).is_integer() and args.max_steps <= 0:
        whole = math.ceil(args.num_train_epochs)
        warnings.warn(f"calt fit runs whole epochs: train.num_train_epochs = {args.num_train_epochs} becomes "
                      f"{whole}; set --trainer.max_steps for a shorter run")
        args = dataclasses.replace(args, num_train_epochs=whole)
    return lightning_trainer_settings(args)


class CaltLightningCLI(LightningCLI):
    """LightningCLI whose config is train.yaml: ``data``/``model`` blocks, a ``train`` block, optional ``wandb``."""

    def add_arguments_to_parser(self, parser) -> None:
        parser.add_argument("--train", type=dict | None, default=None, help="the train block of train.yaml")
        parser.add_argument("--wandb", type=dict | None, default=None, help="Weights & Biases settings")
        parser.link_arguments("data", "model.tokenizer", compute_fn=lambda data: data.tokenizer,
                              apply_on="instantiate")
        for key in OPTIMIZER_KEYS:
            parser.link_arguments("train", f"model.{key}", compute_fn=_train_value(key))
        parser.link_arguments("train", "data.batch_size", compute_fn=_train_value("batch_size"))
        parser.link_arguments("train", "data.eval_batch_size", compute_fn=_train_value("test_batch_size"))
        parser.link_arguments("train", "data.num_workers", compute_fn=_train_value("num_workers"))
        parser.link_arguments("train", "data.seed", compute_fn=_train_value("seed"))
        parser.link_arguments("train", "data.group_by_length", compute_fn=_train_value("group_by_length"))

    def instantiate_trainer(self, **kwargs: Any):
        """Lightning's Trainer plus calt's loggers (unless ``--trainer.logger`` is given) and generation evaluation."""
        from calt.trainer.loggers import build_loggers

        args = _training_arguments(self._get(self.config, "train"))
        if self._get(self.config, "trainer", default={}).get("logger") in (None, True):
            kwargs["logger"] = build_loggers(args.output_dir, self._get(self.config, "wandb"))
        trainer = super().instantiate_trainer(**kwargs)
        self._split_batches_over_devices(args, trainer.world_size)
        data = self.datamodule
        if data.eval_dataset is not None and len(data.eval_dataset) > 0:
            trainer.callbacks.append(GenerationEvaluation(
                data.eval_dataset, data.collate_fn, data.tokenizer, args.output_dir,
                args.generation_max_length or default_max_length(data.eval_dataset), args.num_beams,
                args.test_batch_size,
            ))
        return trainer

    def _split_batches_over_devices(self, args, world_size: int) -> None:
        """The train block's batch sizes are totals per optimizer step; each device gets its share."""
        args.world_size = world_size
        args.validate()  # says which multiple to choose when batch_size does not split evenly
        self.datamodule.batch_size = args.per_device_train_batch_size
        self.datamodule.eval_batch_size = args.per_device_eval_batch_size


def _train_value(key: str):
    def compute(train: dict | None) -> Any:
        return getattr(_training_arguments(train), key)

    return compute


def _training_arguments(train: dict | None):
    from calt.trainer.arguments import TrainingArguments

    args = TrainingArguments.from_config(dict(train or {}), require=False)
    if args.test_batch_size is None:
        args.test_batch_size = args.batch_size
    return args


def _config_path(argv: Sequence[str]) -> str | None:
    """The ``--config`` file on the command line (``--config X`` or ``--config=X``), the first one."""
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--config="):
            return arg.split("=", 1)[1]
    return None


def run_lightning_cli(argv: Sequence[str]) -> CaltLightningCLI:
    """Run ``fit | validate | test`` with ``argv`` (subcommand first); the train block seeds the Trainer."""
    train_config: dict = {}
    path = _config_path(argv)
    if path is not None:
        from calt.cli import load_config

        train_config = dict(OmegaConf.to_container(load_config(path), resolve=True).get("train") or {})
    args = _training_arguments(train_config)
    return CaltLightningCLI(
        model_class=calt_model,
        datamodule_class=calt_data,
        args=None if list(argv) == sys.argv[1:] else list(argv),  # LightningCLI warns when given both
        trainer_defaults=trainer_defaults(args),
        seed_everything_default=args.seed,
        save_config_kwargs={"overwrite": True},
    )
