"""``TrainerPipeline``: the documented entry point from ``cfg.train`` + model + io_dict to a trainer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .loader import StandardTrainerLoader
from .utils import quiet_transformers_progress


def _full_config(train_config: Any) -> dict | None:
    """The whole train.yaml (data, model, train, wandb) when ``cfg.train`` was taken from it."""
    if isinstance(train_config, DictConfig):
        parent = train_config._get_parent()
        if isinstance(parent, DictConfig) and "data" in parent and "model" in parent:
            return OmegaConf.to_container(parent, resolve=True)
        return {"train": OmegaConf.to_container(train_config, resolve=True)}
    return None


class TrainerPipeline:
    """``from_io_dict(cfg.train, model, io_dict).build()``, then ``train()``,
    ``save_model()`` and ``evaluate_and_save_generation()``; other attributes come from the trainer."""

    def __init__(self, config: Any, model: Any = None, tokenizer: Any = None, train_dataset: Any = None,
                 eval_dataset: Any = None, data_collator: Any = None, wandb_config: Any = None,
                 io_dict: dict | None = None) -> None:
        io_dict = io_dict or {}
        self.config = config
        self.model = model
        self.tokenizer = tokenizer if tokenizer is not None else io_dict.get("tokenizer")
        self.train_dataset = train_dataset if train_dataset is not None else io_dict.get("train_dataset")
        self.eval_dataset = eval_dataset if eval_dataset is not None else io_dict.get("test_dataset")
        self.data_collator = data_collator if data_collator is not None else io_dict.get("data_collator")
        self.wandb_config = wandb_config
        self.io_dict = io_dict
        self.trainer = None
        self.io_pipeline = None

    @classmethod
    def from_io_dict(cls, config: Any, model: Any, io_dict: dict, wandb_config: Any = None) -> "TrainerPipeline":
        """``wandb_config`` defaults to ``config.wandb``, then the top-level ``wandb`` block."""
        if wandb_config is None:
            wandb_config = _wandb_block(config)
        return cls(config, model=model, wandb_config=wandb_config, io_dict=io_dict)

    def build(self) -> "TrainerPipeline":
        full = _full_config(self.config)
        loader = StandardTrainerLoader(
            self.config, self.model, self.tokenizer, self.train_dataset, self.eval_dataset, self.data_collator,
            wandb_config=self.wandb_config, config_to_save=full,
        )
        self.trainer = loader.load()
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
        io_pipeline = IOPipeline.from_config(cfg.data)
        io_dict = io_pipeline.build()
        if resume_from_checkpoint and (folder / "config.json").is_file():
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

            import calt.models  # noqa: F401  (registers the generic model with the Auto classes)

            with quiet_transformers_progress():
                model = AutoModelForSeq2SeqLM.from_pretrained(str(folder))
            io_dict["tokenizer"] = AutoTokenizer.from_pretrained(str(folder))
        else:
            model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
        pipeline = cls.from_io_dict(cfg.train, model, io_dict)
        pipeline.io_pipeline = io_pipeline
        pipeline.resume_checkpoint = resume_from_checkpoint
        return pipeline

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("trainer", "config"):
            raise AttributeError(name)
        trainer = self.__dict__.get("trainer")
        if trainer is None:
            raise AttributeError(f"TrainerPipeline has no attribute {name!r} before build(); call build() first")
        return getattr(trainer, name)

    def _built(self):
        if self.trainer is None:
            raise RuntimeError("TrainerPipeline is not built; call build() first")
        return self.trainer


def _wandb_block(config: Any) -> Any:
    if config is None:
        return None
    block = config.get("wandb") if hasattr(config, "get") else None
    if block is None and isinstance(config, DictConfig):
        parent = config._get_parent()
        if isinstance(parent, DictConfig):
            block = parent.get("wandb")
    if isinstance(block, DictConfig):
        return OmegaConf.to_container(block, resolve=True)
    return block
