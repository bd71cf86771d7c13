"""The ``model`` block of train.yaml for ``model_type: encoder_classifier`` (alias ``encoder_only``), and its
mapping onto :class:`EncoderClassifierConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calt.config import ConfigError, key, parse_block, plain_mapping

from ..embedding_names import check_embedding_names
from ..generic.configuration import ACTIVATIONS
from ..model_block import check_heads_divide, positive, vocabulary_ids
from .configuration import EncoderClassifierConfig

FALLBACK_IDS = {"vocab_size": 1000, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2}
DECODER_KEYS = ("num_decoder_layers", "num_decoder_heads", "decoder_ffn_dim", "embedding_layer_norm")


@dataclass
class EncoderClassifierModelBlock:
    """Keys of ``model`` for the encoder-only classifier (one answer token per sample)."""

    model_type: str = key("encoder_classifier", "model architecture")
    num_encoder_layers: int | None = key(None, "encoder layers", required=True, bounds="[1, inf)")
    num_encoder_heads: int | None = key(None, "encoder attention heads", required=True, bounds="[1, inf)")
    d_model: int | None = key(None, "hidden width", required=True, bounds="[1, inf)")
    encoder_ffn_dim: int | None = key(None, "encoder feed-forward width", required=True, bounds="[1, inf)")
    max_sequence_length: int | None = key(None, "longest problem", required=True, bounds="[1, inf)")
    use_positional_embedding: str = key("generic", "positional embedding: generic/learned, sinusoidal, rope, "
                                        "rope_input, none, or a registered name")
    input_embedding_type: str = key("token", "input embedding: token (default, learned), or a registered name")
    dropout: float = key(0.1, "dropout probability", bounds="[0, 1)")
    activation: str = key("relu", "feed-forward activation", choices=ACTIVATIONS)
    init_std: float = key(0.02, "standard deviation of the initial weights", bounds="[0, inf)")
    seed: int = key(42, "seed of the initial weights", bounds="[0, inf)")
    vocab_size: int | None = key(None, "vocabulary size (the tokenizer decides when there is one)", bounds="[1, inf)")
    pad_token_id: int | None = key(None, "padding id (the tokenizer decides when there is one)", bounds="[0, inf)")
    eos_token_id: int | None = key(None, "end-of-sequence id (the tokenizer decides when there is one)", bounds="[0, inf)")
    bos_token_id: int | None = key(None, "start id (the tokenizer decides when there is one)", bounds="[0, inf)")


def create_encoder_classifier_config(model_config: Any, tokenizer=None) -> EncoderClassifierConfig:
    """An :class:`EncoderClassifierConfig` from ``cfg.model``; vocabulary size and special ids from ``tokenizer``."""
    given = [name for name in DECODER_KEYS if name in plain_mapping(model_config, "model")]
    if given:
        raise ConfigError(f"model.{given[0]}: an encoder_classifier has no decoder (nor an embedding LayerNorm); "
                          "remove the key.")
    block = parse_block(EncoderClassifierModelBlock, model_config, "model")
    positive(block.num_encoder_layers, "num_encoder_layers")
    positive(block.encoder_ffn_dim, "encoder_ffn_dim")
    positive(block.max_sequence_length, "max_sequence_length")
    check_heads_divide(block.d_model, block.num_encoder_heads, "num_encoder_heads")
    check_embedding_names(block)
    ids = vocabulary_ids(block, tokenizer, FALLBACK_IDS)
    ids.pop("decoder_start_token_id")
    return EncoderClassifierConfig(
        d_model=block.d_model,
        attention_heads=block.num_encoder_heads,
        num_encoder_layers=block.num_encoder_layers,
        dim_feedforward=block.encoder_ffn_dim,
        max_input_len=block.max_sequence_length,
        use_positional_embedding=block.use_positional_embedding,
        input_embedding_type=block.input_embedding_type,
        dropout=block.dropout,
        activation=block.activation,
        init_std=block.init_std,
        seed=block.seed,
        **ids,
    )
