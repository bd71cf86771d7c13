"""``calt fit | validate | test``: LightningCLI over calt's LightningModule and DataModule.

It reads the same train.yaml as ``calt train``, checked and resolved by the same schemas: the ``data``
block configures the DataModule, the ``model`` block (the schema of its ``model_type``) the
LightningModule, and the ``train`` block (``TrainConfig``) the defaults of Lightning's Trainer and the
optimizer. ``--trainer.*`` flags and a ``trainer:`` block override those defaults:

    calt fit --config configs/train.yaml --trainer.max_steps 200 --trainer.devices 2
    calt fit --config configs/train.yaml --print_config
    calt predict --config configs/train.yaml --ckpt_path RUN/checkpoints/last.ckpt [--problems problems.txt]
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import typing
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from lightning.pytorch.cli import LightningCLI
from omegaconf import OmegaConf

import torch

from calt.config import ConfigError, DataConfig, TrainConfig, WandbConfig, fields_of, load_config
from calt.io.pipeline import build_lexer, load_lexer_config
from calt.io.preprocessor.load_preprocessors.spec import build_load_preprocessor
from calt.lightning import checkpoint_files
from calt.lightning import CaltDataModule, CaltLightningModule, default_max_length
from calt.lightning.callbacks import GenerationEvaluation
from calt.lightning.optim import OptimizerSettings
from calt.lightning.run_lock import hold_save_dir
from calt.trainer.arguments import TrainingArguments
from calt.trainer.lightning_settings import lightning_trainer_settings, run_loggers
from calt.trainer.prediction import decode_problems, read_problems, write_predictions

from .config_files import LIGHTNING_ONLY_BLOCKS, model_schema, override_schemas, resolved_train_config

DATA_FROM_TRAIN = {"batch_size": "batch_size", "eval_batch_size": "test_batch_size", "num_workers": "num_workers",
                   "seed": "seed", "group_by_length": "group_by_length"}


class CaltCLIDataModule(CaltDataModule):
    """The engine's DataModule, carrying the IO pipeline's tokenizer for the model and generation."""

    tokenizer: Any = None


def schema_parameters(schema: type) -> list[inspect.Parameter]:
    """Keyword-only parameters named, typed and defaulted like the schema's keys (LightningCLI reads them)."""
    hints = typing.get_type_hints(schema)
    return [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=hints[f.name],
                              default=f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
            for f in fields_of(schema)]


def with_signature(function, parameters: list[inspect.Parameter], returns: type):
    """``function`` with the given parameters as its signature (how jsonargparse reads its arguments)."""
    function.__signature__ = inspect.Signature(parameters, return_annotation=returns)
    return function


@functools.cache
def model_factory(schema: type):
    """``calt_model(**model block, tokenizer, optim, logging_strategy)`` for one model type's block schema
    (one function per schema: jsonargparse registers each function it reads once per process)."""
    def calt_model(tokenizer: Any = None, optim: Any = None, logging_strategy: str = "steps", **block: Any):
        from calt.models import ModelPipeline

        model = ModelPipeline(OmegaConf.create(block), tokenizer=tokenizer).build()
        return CaltLightningModule(model, optim, logging_strategy)

    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
             for name, default, annotation in (("tokenizer", None, Any), ("optim", None, Any),
                                               ("logging_strategy", "steps", str))]
    return with_signature(calt_model, schema_parameters(schema) + extra, CaltLightningModule)


def calt_data(batch_size: int = 8, eval_batch_size: int = 8, num_workers: int = 0, seed: int = 42,
              group_by_length: bool = True, **block: Any) -> CaltCLIDataModule:
    """The ``data`` block → ``IOPipeline`` datasets in a DataModule; batch sizes are the global ones."""
    from calt.io import IOPipeline
    from calt.lightning.on_the_fly import train_dataset_of

    io_dict = IOPipeline.from_config(block).build()
    datamodule = CaltCLIDataModule(
        train_dataset_of(io_dict), io_dict["test_dataset"], io_dict["data_collator"], batch_size=batch_size,
        eval_batch_size=eval_batch_size, num_workers=num_workers, pin_memory=False, seed=seed,
        group_by_length=group_by_length,
    )
    datamodule.tokenizer = io_dict["tokenizer"]
    return datamodule


@functools.cache
def data_factory():
    loader = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=type(default))
              for name, default in (("batch_size", 8), ("eval_batch_size", 8), ("num_workers", 0), ("seed", 42),
                                    ("group_by_length", True))]
    return with_signature(calt_data, schema_parameters(DataConfig) + loader, CaltCLIDataModule)


def trainer_defaults(args: TrainingArguments) -> dict[str, Any]:
    """Lightning Trainer settings that the ``train`` block stands for: the same mapping as the documented
    ``Trainer`` facade uses; ``--trainer.*`` flags override them."""
    if not float(args.num_train_epochs).is_integer() and args.max_steps <= 0:
        whole = math.ceil(args.num_train_epochs)
        warnings.warn(f"calt fit runs whole epochs: train.num_train_epochs = {args.num_train_epochs} becomes "
                      f"{whole}; set --trainer.max_steps for a shorter run")
        args = dataclasses.replace(args, num_train_epochs=whole)
    return lightning_trainer_settings(args)


def train_arguments(train: Any) -> TrainingArguments:
    """The ``train`` group (a TrainConfig namespace or dict) as checked ``TrainingArguments``."""
    values = train if isinstance(train, dict) else vars(train) if train is not None else {}
    values = {k: (_plain_namespace(v) if hasattr(v, "__dict__") and not isinstance(v, (str, int, float, list)) else v)
              for k, v in values.items()}
    return TrainingArguments.from_config(values, require=False)


class CaltLightningCLI(LightningCLI):
    """LightningCLI whose config is train.yaml: ``data``/``model`` blocks, a ``train`` block, optional ``wandb``."""

    problems_path: str | None = None  # calt predict --problems FILE

    def add_arguments_to_parser(self, parser) -> None:
        parser.add_argument("--train", type=TrainConfig, help="the train block of train.yaml")
        parser.add_argument("--wandb", type=WandbConfig | None, default=None, help="Weights & Biases settings")
        parser.link_arguments("data", "model.tokenizer", compute_fn=lambda data: data.tokenizer, apply_on="instantiate")
        parser.link_arguments("train", "model.optim", compute_fn=lambda train: OptimizerSettings.from_config(train))
        parser.link_arguments("train.logging_strategy", "model.logging_strategy")
        for target, source in DATA_FROM_TRAIN.items():
            parser.link_arguments("train", f"data.{target}", compute_fn=_train_value(source))

    def instantiate_trainer(self, **kwargs: Any):
        """Lightning's Trainer plus calt's loggers (unless ``--trainer.logger`` is given) and generation evaluation."""
        args = train_arguments(self._get(self.config, "train"))
        if self._get(self.config, "trainer", default={}).get("logger") in (None, True):
            wandb = self._get(self.config, "wandb")
            kwargs["logger"] = run_loggers(args, vars(wandb) if wandb is not None else None)
        trainer = super().instantiate_trainer(**kwargs)
        if trainer.is_global_zero and self.subcommand != "predict":  # predict only adds predictions.jsonl
            hold_save_dir(args.output_dir)
        args.world_size = trainer.world_size
        args.validate()  # says which multiple to choose when batch_size does not split evenly
        data = self.datamodule
        data.batch_size, data.eval_batch_size = args.per_device_train_batch_size, args.per_device_eval_batch_size
        if data.eval_dataset is not None and len(data.eval_dataset) > 0:
            trainer.callbacks.append(GenerationEvaluation(
                data.eval_dataset, data.collate_fn, data.tokenizer, args.output_dir,
                args.generation_max_length or default_max_length(data.eval_dataset), args.num_beams,
                args.test_batch_size or args.batch_size,
            ))
        return trainer

    def predict(self, model: CaltLightningModule, datamodule: CaltCLIDataModule | None = None,
                ckpt_path: str | None = None, **_: Any) -> dict:
        """Answers from a checkpoint, as ``calt predict SAVE_DIR FILE`` gives them from an export: the problems of
        ``--problems`` (default: the data block's test file), decoded with train.num_beams, into
        ``train.save_dir/predictions.jsonl``."""
        args = train_arguments(self._get(self.config, "train"))
        if not ckpt_path:
            raise ConfigError("calt predict --config needs --ckpt_path (a checkpoint of the run, e.g. "
                              f"{args.output_dir}/checkpoints/last.ckpt)")
        checkpoint = torch.load(checkpoint_files.checked(ckpt_path, args.output_dir), map_location="cpu", weights_only=True)
        model.load_state_dict(checkpoint["state_dict"])
        data = vars(self._get(self.config, "data"))
        _, lexer = build_lexer(load_lexer_config(data["lexer_config"]), str(data["lexer_config"]))
        path = self.problems_path or data.get("test_dataset_path")
        problems = read_problems(path, lexer, datamodule.tokenizer, build_load_preprocessor(data.get("dataset_load_preprocessor")))
        result = decode_problems(model.model.to(self.trainer.strategy.root_device), datamodule.tokenizer, problems,
                                 args.num_beams, args.generation_max_length, args.per_device_eval_batch_size)
        if not self.trainer.is_global_zero:
            return {}
        summary = write_predictions(Path(args.output_dir) / "predictions.jsonl", problems, result)
        scored = f", {100 * summary['accuracy']:.1f}% correct" if "accuracy" in summary else ""
        print(f"Predicted {summary['problems']} problems{scored} -> {summary['output']}")
        return summary


def _plain_namespace(value: Any) -> dict:
    """A parsed nested block as a dict: jsonargparse wraps a dataclass-typed value (``train.wandb``) in
    ``class_path`` / ``init_args``, whose ``init_args`` are the block's keys."""
    init_args = getattr(value, "init_args", None)
    return dict(vars(init_args)) if init_args is not None else dict(vars(value))


def _train_value(name: str):
    def compute(train: Any) -> Any:
        args = train_arguments(train)
        value = getattr(args, name)
        return args.batch_size if name == "test_batch_size" and value is None else value

    return compute


def config_path(argv: Sequence[str]) -> tuple[int, str] | None:
    """(index, path) of the first ``--config`` on the command line (``--config X`` or ``--config=X``)."""
    for index, arg in enumerate(argv):
        if arg == "--config" and index + 1 < len(argv):
            return index, argv[index + 1]
        if arg.startswith("--config="):
            return index, arg.split("=", 1)[1]
    return None


def resolved_argv(argv: Sequence[str]) -> tuple[list[str], dict]:
    """``argv`` with its ``--config`` file replaced by the resolved config (schemas applied, aliases
    resolved), so both command lines read train.yaml the same way; also returns that config."""
    argv = list(argv)
    found = config_path(argv)
    if found is None:
        return argv, {}
    index, path = found
    config = load_config(path, (), override_schemas())
    resolved = resolved_train_config(config)
    passthrough = {block: OmegaConf.to_container(config[block], resolve=True)
                   for block in LIGHTNING_ONLY_BLOCKS if block in config}
    text = yaml.safe_dump({**resolved, **passthrough}, sort_keys=False)
    if argv[index] == "--config":
        argv[index:index + 2] = ["--config", text]
    else:
        argv[index] = "--config=" + text
    return argv, resolved


def problems_option(argv: list[str]) -> tuple[list[str], str | None]:
    """``argv`` without ``--problems FILE`` (calt's option of ``predict``, not LightningCLI's), and FILE."""
    for index, arg in enumerate(argv):
        if arg == "--problems" and index + 1 < len(argv):
            return argv[:index] + argv[index + 2:], argv[index + 1]
        if arg.startswith("--problems="):
            return argv[:index] + argv[index + 1:], arg.split("=", 1)[1]
    return argv, None


def run_lightning_cli(argv: Sequence[str]) -> CaltLightningCLI:
    """Run ``fit | validate | test | predict`` with ``argv`` (subcommand first); the train block seeds the Trainer."""
    argv, problems = problems_option(list(argv))
    if problems is not None and argv[:1] != ["predict"]:
        raise ConfigError("--problems belongs to calt predict")
    argv, resolved = resolved_argv(argv)
    schema = model_schema(resolved["model"]) if resolved else model_schema({"model_type": "generic"})
    args = TrainingArguments.from_config(resolved.get("train") or {}, require=False)
    with warnings.catch_warnings():  # argv is sys.argv with the config resolved, on purpose
        warnings.filterwarnings("ignore", message=".*args parameter is intended to run from within Python.*")
        cli_class = type("CaltLightningCLI", (CaltLightningCLI,), {"problems_path": problems})
        return cli_class(
            model_class=model_factory(schema),
            datamodule_class=data_factory(),
            args=argv,
            trainer_defaults=trainer_defaults(args),
            seed_everything_default=args.seed,
            save_config_kwargs={"overwrite": True},
        )


__all__ = ["CaltLightningCLI", "run_lightning_cli"]
