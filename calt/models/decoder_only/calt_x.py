"""calt-x 1.5.0's decoder_only checkpoints: its config.json translated, its weights renamed onto calt's model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..calt_x_checkpoints import (NamePair, convert_state_dict, is_calt_x_config, positional_buffer_checks,
                                  positional_pairs, self_attention_pairs, translate_common)
from ..positional_embeddings import build_positions

MODEL_TYPE = "decoder_only"


def is_calt_x_decoder_config(config_dict: Mapping[str, Any]) -> bool:
    return is_calt_x_config(config_dict, MODEL_TYPE)


def translate_decoder_config(config_dict: Mapping[str, Any], source: str = "config.json") -> dict[str, Any]:
    """calt ``DecoderOnlyConfig`` keywords for the original's config dict (same names and meanings)."""
    return translate_common(config_dict, source)


def name_pairs() -> list[NamePair]:
    """The original's weight names against calt's."""
    return [
        NamePair("embedding.weight", "embed_tokens.weight"),
        *positional_pairs(),
        NamePair("emb_norm.{p}", "embed_norm.{p}"),
        *self_attention_pairs("transformer.layers", "layers"),
        NamePair("transformer.norm.{p}", "final_norm.{p}"),
        NamePair("lm_head.weight", "lm_head.weight"),
    ]


def convert_decoder_state(state: Mapping[str, torch.Tensor], config, expected: Mapping[str, torch.Size],
                          source: str) -> dict[str, torch.Tensor]:
    """The original's decoder_only weights under calt's names; fixed position tables checked and dropped."""
    additive, _ = build_positions(config.use_positional_embedding, config.d_model, config.max_positions,
                                  config.attention_heads, config.rope_theta)
    return convert_state_dict(state, name_pairs(), expected, source, buffers=positional_buffer_checks(additive))
