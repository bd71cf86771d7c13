"""``TrainerPipeline``: the documented entry point from ``cfg.train`` + model + io_dict to a ``Trainer``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from calt.config import plain_mapping, sibling_block

from calt.lightning.on_the_fly import train_dataset_of

from .arguments import TrainingArguments
from .trainer import Trainer
from .hf_io import load_exported_model

log = logging.getLogger(__name__)


def run_config(train_config: Any, model: Any, io_dict: Any, wandb_config: Any) -> dict:
    """The train.yaml a run saves: the data block IOPipeline used, the model block ModelPipeline used, the
    train block and the wandb block; the same for a dict and a DictConfig ``train_config``."""
    config = {}
    data = getattr(io_dict, "data_config", None)
    model_block = getattr(model, "calt_model_block", None)
    if data is not None:
        config["data"] = dict(data)
    if model_block is not None:
        config["model"] = dict(model_block)
    config["train"] = plain_mapping(train_config, "train")
    if wandb_config is not None and "wandb" not in config["train"]:
        config["wandb"] = plain_mapping(wandb_config, "wandb")
    if data is None or model_block is None:
        missing = [name for name, value in (("data", data), ("model", model_block)) if value is None]
        log.warning("train.yaml is saved without its %s block(s) (the io_dict or model was not built by "
                    "IOPipeline / ModelPipeline); TrainerPipeline.resume_from_checkpoint needs them", missing)
    return config


def resumed_train_block(train, folder: Path, exported: bool):
    """``train`` of a resumed run; a calt-x run without ``precision`` keeps the fp32 it was trained in (calt-x
    sets no mixed precision), so its evaluation and continued training give the original's numbers."""
    from ..models.loading import exported_by_calt_x

    if train.get("precision") is not None or not exported or not exported_by_calt_x(folder):
        return train
    log.info("calt: %s was trained by calt-x, in fp32; it resumes in fp32 (train.precision sets another)", folder)
    return OmegaConf.merge(train, {"precision": "32-true"})


class TrainerPipeline:
    """``from_io_dict(cfg.train, model, io_dict).build()``, then ``train()``,
    ``save_model()`` and ``evaluate_and_save_generation()``; other attributes come from the trainer."""

    def __init__(self, config: Any, model: Any = None, tokenizer: Any = None, train_dataset: Any = None,
                 eval_dataset: Any = None, data_collator: Any = None, wandb_config: Any = None,
                 io_dict: dict | None = None) -> None:
        io_dict = io_dict if io_dict is not None else {}
        self.config = config
        self.model = model
        self.tokenizer = tokenizer if tokenizer is not None else io_dict.get("tokenizer")
        self.train_dataset = train_dataset if train_dataset is not None else train_dataset_of(io_dict)
        self.eval_dataset = eval_dataset if eval_dataset is not None else io_dict.get("test_dataset")
        self.data_collator = data_collator if data_collator is not None else io_dict.get("data_collator")
        self.wandb_config = wandb_config
        self.io_dict = io_dict
        self.trainer: Trainer | None = None
        self.io_pipeline = None

    @classmethod
    def from_io_dict(cls, config: Any, model: Any, io_dict: dict, wandb_config: Any = None) -> "TrainerPipeline":
        """``wandb_config`` defaults to ``config.wandb``, then the ``wandb`` block beside ``config`` in train.yaml."""
        if wandb_config is None and config is not None and config.get("wandb") is None:
            wandb_config = sibling_block(config, "wandb")
        return cls(config, model=model, wandb_config=wandb_config, io_dict=io_dict)

    def build(self) -> "TrainerPipeline":
        """Check the train block and build the ``Trainer`` (Lightning underneath)."""
        args = TrainingArguments.from_config(self.config)
        self.trainer = Trainer(
            model=self.model, args=args, data_collator=self.data_collator, train_dataset=self.train_dataset,
            eval_dataset=self.eval_dataset, processing_class=self.tokenizer, wandb_config=self.wandb_config,
            config_to_save=run_config(self.config, self.model, self.io_dict, self.wandb_config),
        )
        return self

    def train(self, resume_from_checkpoint: str | bool | None = None):
        return self._built().train(resume_from_checkpoint=resume_from_checkpoint)

    def save_model(self, output_dir: str | None = None) -> None:
        self._built().save_model(output_dir)

    def evaluate_and_save_generation(self, max_length: int | None = None) -> float:
        return self._built().evaluate_and_save_generation(max_length=max_length)

    @classmethod
    def resume_from_checkpoint(cls, save_dir: str, resume_from_checkpoint: bool = True) -> "TrainerPipeline":
        """Rebuild IO, model (saved weights and tokenizer when ``resume_from_checkpoint``) and the
        pipeline from ``save_dir/train.yaml``; ``build()`` then ``train()`` continues the run."""
        folder = Path(save_dir)
        if not folder.is_dir():
            raise ValueError(f"Save directory does not exist: {save_dir}")
        config_path = folder / "train.yaml"
        if not config_path.is_file():
            raise ValueError(f"train.yaml not found in {save_dir}")
        from ..io.pipeline import IOPipeline
        from ..models.pipeline import ModelPipeline

        cfg = OmegaConf.load(config_path)
        for block in ("data", "model", "train"):
            if block not in cfg:
                raise ValueError(f"{config_path} has no {block!r} block; add the one the run used to resume it")
        io_pipeline = IOPipeline.from_config(cfg.data)
        io_dict = io_pipeline.build()
        exported = (folder / "config.json").is_file() or (folder / "model").is_dir()
        if resume_from_checkpoint and exported:  # a damaged export is an error, never fresh weights
            model = load_exported_model(folder, io_dict)
            model.calt_model_block = OmegaConf.to_container(cfg.model, resolve=True)
        else:  # nothing exported yet (an interrupted run): train(resume_from_checkpoint=True) loads the weights
            model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
        pipeline = cls.from_io_dict(resumed_train_block(cfg.train, folder, exported), model, io_dict,
                                    wandb_config=cfg.get("wandb"))
        pipeline.io_pipeline = io_pipeline
        return pipeline

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("trainer", "config"):
            raise AttributeError(name)
        trainer = self.__dict__.get("trainer")
        if trainer is None:
            raise AttributeError(f"TrainerPipeline has no attribute {name!r} before build(); call build() first")
        return getattr(trainer, name)

    def _built(self) -> Trainer:
        if self.trainer is None:
            raise ValueError("Trainer not built. Call build() first: TrainerPipeline.from_io_dict(...).build()")
        return self.trainer

