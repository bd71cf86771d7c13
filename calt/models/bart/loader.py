"""``BartLoader``: ``cfg.model`` → ``BartConfig`` → ``BartForConditionalGeneration`` (the original's loader)."""

from __future__ import annotations

from transformers import BartConfig, BartForConditionalGeneration

from ..loader import ModelLoader
from .config_mapping import create_bart_config


class BartLoader(ModelLoader):
    """Builds HF BART from the ``model`` block; the tokenizer decides the vocabulary and special ids."""

    def translate_config(self) -> BartConfig:
        if self.tokenizer is None:
            raise ValueError("tokenizer is required for BART model: pass the tokenizer of IOPipeline(...).build(), "
                             "e.g. BartLoader(cfg.model, io_dict['tokenizer'])")
        self.config = create_bart_config(self.calt_config, self.tokenizer)
        return self.config

    def build_model(self) -> BartForConditionalGeneration:
        return BartForConditionalGeneration(self._require_config())
