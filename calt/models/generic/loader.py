"""``TransformerLoader``: ``cfg.model`` → ``TransformerConfig`` → ``Transformer`` (the original's loader).

The config comes from ``create_transformer_config``, the mapping ``ModelPipeline`` uses, so the
vocabulary size and the pad/bos/eos ids are the tokenizer's when one is given.
"""

from __future__ import annotations

from ..loader import ModelLoader
from .config_mapping import create_transformer_config
from .configuration import TransformerConfig
from .modeling import Transformer


class TransformerLoader(ModelLoader):
    """Builds calt's generic encoder–decoder Transformer from the ``model`` block."""

    def translate_config(self) -> TransformerConfig:
        self.config = create_transformer_config(self.calt_config, self.tokenizer)
        return self.config

    def build_model(self) -> Transformer:
        return Transformer(self._require_config())
