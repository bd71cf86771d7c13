"""calt-x 1.5.0's encoder_classifier checkpoints: its config.json translated, its weights renamed onto calt's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..calt_x_checkpoints import (NamePair, convert_state_dict, is_calt_x_config, positional_buffer_checks,
                                  positional_pairs, self_attention_pairs, translate_common)
from ..positional_embeddings import build_positions

MODEL_TYPE = "encoder_classifier"


def is_calt_x_classifier_config(config_dict: Mapping[str, Any]) -> bool:
    return is_calt_x_config(config_dict, MODEL_TYPE)


def translate_classifier_config(config_dict: Mapping[str, Any], source: str = "config.json") -> dict[str, Any]:
    """calt ``EncoderClassifierConfig`` keywords for the original's config dict (same names and meanings)."""
    return translate_common(config_dict, source)


def name_pairs() -> list[NamePair]:
    """The original's weight names against calt's (the original's encoder has no final norm, nor has calt's)."""
    return [
        NamePair("embedding.weight", "embed_tokens.weight"),
        *positional_pairs(),
        *self_attention_pairs("encoder.layers", "layers"),
        NamePair("classifier.{p}", "classifier.{p}"),
    ]


def convert_classifier_state(state: Mapping[str, torch.Tensor], config, expected: Mapping[str, torch.Size],
                             source: str) -> dict[str, torch.Tensor]:
    """The original's encoder_classifier weights under calt's names; fixed position tables checked and dropped."""
    additive, _ = build_positions(config.use_positional_embedding, config.d_model, config.max_positions,
                                  config.attention_heads, config.rope_theta)
    return convert_state_dict(state, name_pairs(), expected, source, buffers=positional_buffer_checks(additive))
