"""`ModelPipeline`: the ``model`` block of train.yaml plus the tokenizer -> a ``PreTrainedModel``."""

from __future__ import annotations

from typing import Any

from transformers import PreTrainedModel

from calt.config import plain_mapping

from .base import ModelRegistry, default_registry


class ModelPipeline:
    """Builds the model named by ``calt_config.model_type``; the usual second call of a training script.

    Example::

        io_dict = IOPipeline.from_config(cfg.data).build()
        model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    """

    def __init__(self, calt_config: Any, tokenizer=None, registry: ModelRegistry | None = None):
        self.calt_config = calt_config
        self.tokenizer = tokenizer
        self.registry = registry if registry is not None else default_registry()
        self.model: PreTrainedModel | None = None

    @classmethod
    def from_io_dict(cls, calt_config: Any, io_dict: dict, registry: ModelRegistry | None = None) -> "ModelPipeline":
        """A pipeline using the tokenizer of ``IOPipeline(...).build()``'s result."""
        if "tokenizer" not in io_dict:
            raise ValueError(
                f"io_dict has no 'tokenizer' (keys: {sorted(io_dict)}); pass the dict returned by IOPipeline.build()."
            )
        return cls(calt_config, tokenizer=io_dict["tokenizer"], registry=registry)

    def build(self) -> PreTrainedModel:
        """Create the model, keep it as ``self.model`` and return it."""
        self.model = self.registry.create_from_config(self.calt_config, tokenizer=self.tokenizer)
        # the block it was built from: a run saves it to train.yaml, so a checkpoint can be rebuilt
        self.model.calt_model_block = plain_mapping(self.calt_config, "model")
        return self.model
