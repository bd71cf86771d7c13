"""``ModelLoader``: the original's two-step model construction, ``cfg.model`` → config → model.

``ModelPipeline`` is the documented way to build a model; loaders remain for scripts written against
calt-x that subclass or call them (``TransformerLoader``, ``BartLoader``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from transformers import PretrainedConfig, PreTrainedModel


class ModelLoader(ABC):
    """Turns the ``model`` block (``calt_config``) into a model config (``translate_config``), then into a
    model (``build_model``); ``load()`` does both and keeps ``self.config`` and ``self.model``."""

    def __init__(self, calt_config: Any, tokenizer: Any = None) -> None:
        self.calt_config = calt_config
        self.tokenizer = tokenizer
        self.config: PretrainedConfig | None = None
        self.model: PreTrainedModel | None = None

    @abstractmethod
    def translate_config(self) -> PretrainedConfig:
        """The model config of ``calt_config``; implementations also set ``self.config``."""

    @abstractmethod
    def build_model(self) -> PreTrainedModel:
        """A model built from ``self.config``."""

    def load(self) -> PreTrainedModel:
        """``translate_config()`` then ``build_model()``; returns the model."""
        self.config = self.translate_config()
        self.model = self.build_model()
        return self.model

    def _require_config(self) -> PretrainedConfig:
        if self.config is None:
            raise ValueError("config must be set before building model. Call translate_config() first "
                             "(or load(), which does both).")
        return self.config
