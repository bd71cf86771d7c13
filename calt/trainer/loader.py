"""``TrainerLoader`` / ``StandardTrainerLoader``: the original's documented names for config + model + data
→ a built ``Trainer``. ``TrainerPipeline`` builds the ``Trainer`` directly; these stay for scripts that use them."""

from __future__ import annotations

from typing import Any

from .arguments import TrainingArguments
from .trainer import Trainer


class TrainerLoader:
    """Translate the ``train`` config into ``TrainingArguments`` (``translate_config``), then build the
    ``Trainer`` (``build_trainer``); ``load()`` does both."""

    def __init__(self, calt_config: Any, model: Any = None, tokenizer: Any = None, train_dataset: Any = None,
                 eval_dataset: Any = None, data_collator: Any = None, wandb_config: Any = None) -> None:
        self.calt_config, self.model, self.tokenizer = calt_config, model, tokenizer
        self.train_dataset, self.eval_dataset, self.data_collator = train_dataset, eval_dataset, data_collator
        self.wandb_config = wandb_config
        self.training_args: TrainingArguments | None = None
        self.trainer: Trainer | None = None

    def translate_config(self) -> TrainingArguments:
        self.training_args = TrainingArguments.from_config(self.calt_config)
        return self.training_args

    def build_trainer(self) -> Trainer:
        """The ``Trainer``; ValueError (calt-x's words) when the model, tokenizer, train set or collator is missing."""
        args = self.training_args or self.translate_config()
        for name, hint in (("model", "ModelPipeline.from_io_dict(cfg.model, io_dict).build()"),
                           ("tokenizer", "io_dict['tokenizer']"), ("train_dataset", "io_dict['train_dataset']"),
                           ("data_collator", "io_dict['data_collator']")):
            if getattr(self, name) is None:
                raise ValueError(f"{name} is required to build trainer: pass {name}= ({hint})")
        self.trainer = Trainer(
            model=self.model, args=args, data_collator=self.data_collator, train_dataset=self.train_dataset,
            eval_dataset=self.eval_dataset, processing_class=self.tokenizer, wandb_config=self.wandb_config,
        )
        return self.trainer

    def load(self) -> Trainer:
        self.translate_config()
        return self.build_trainer()


class StandardTrainerLoader(TrainerLoader):
    """The loader for seq2seq models (generic Transformer, BART)."""
