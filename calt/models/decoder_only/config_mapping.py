"""The ``model`` block of train.yaml for ``model_type: decoder_only`` (alias ``decoder``), and its mapping onto
:class:`DecoderOnlyConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calt.config import ConfigError, key, parse_block, plain_mapping

from ..generic.configuration import ACTIVATIONS
from ..model_block import check_heads_divide, positive, vocabulary_ids
from ..embedding_names import check_embedding_names
from .configuration import DecoderOnlyConfig

FALLBACK_IDS = {"vocab_size": 1000, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2}


@dataclass
class DecoderOnlyModelBlock:
    """Keys of ``model`` for the decoder-only model: one stack, so ``num_layers`` / ``num_heads`` / ``ffn_dim``,
    falling back to the decoder's keys (then the encoder's heads and width), so a seq2seq block runs too."""

    model_type: str = key("decoder_only", "model architecture")
    d_model: int | None = key(None, "hidden width", required=True, bounds="[1, inf)")
    max_sequence_length: int | None = key(None, "longest problem (and answer); positions span both", required=True, bounds="[1, inf)")
    num_layers: int | None = key(None, "causal blocks (default: num_decoder_layers, else 6)", bounds="[1, inf)")
    num_heads: int | None = key(None, "attention heads (default: num_decoder_heads, num_encoder_heads, else 8)", bounds="[1, inf)")
    ffn_dim: int | None = key(None, "feed-forward width (default: decoder_ffn_dim, encoder_ffn_dim, else 2048)", bounds="[1, inf)")
    num_decoder_layers: int | None = key(None, "fallback for num_layers", bounds="[1, inf)")
    num_decoder_heads: int | None = key(None, "fallback for num_heads", bounds="[1, inf)")
    num_encoder_heads: int | None = key(None, "second fallback for num_heads", bounds="[1, inf)")
    decoder_ffn_dim: int | None = key(None, "fallback for ffn_dim", bounds="[1, inf)")
    encoder_ffn_dim: int | None = key(None, "second fallback for ffn_dim", bounds="[1, inf)")
    use_positional_embedding: str = key("generic", "positional embedding: generic/learned, sinusoidal, rope, "
                                        "rope_input, none, or a registered name")
    input_embedding_type: str = key("token", "input embedding: token (default, learned), or a registered name")
    embedding_layer_norm: bool = key(True, "LayerNorm after the embeddings")
    dropout: float = key(0.1, "dropout probability", bounds="[0, 1)")
    activation: str = key("relu", "feed-forward activation", choices=ACTIVATIONS)
    init_std: float = key(0.02, "standard deviation of the initial weights", bounds="[0, inf)")
    seed: int = key(42, "seed of the initial weights", bounds="[0, inf)")
    vocab_size: int | None = key(None, "vocabulary size (the tokenizer decides when there is one)", bounds="[1, inf)")
    pad_token_id: int | None = key(None, "padding id (the tokenizer decides when there is one)", bounds="[0, inf)")
    eos_token_id: int | None = key(None, "end-of-sequence id (the tokenizer decides when there is one)", bounds="[0, inf)")
    bos_token_id: int | None = key(None, "start id, also opening the answer (the tokenizer decides when there is one)", bounds="[0, inf)")


def first_set(block: Any, names: tuple[str, ...], default: int) -> tuple[int, str]:
    """(value, key) of the first of ``names`` set in the block; ``default`` under the first name otherwise."""
    for name in names:
        value = getattr(block, name)
        if value is not None:
            return value, name
    return default, names[0]


def create_decoder_only_config(model_config: Any, tokenizer=None) -> DecoderOnlyConfig:
    """A :class:`DecoderOnlyConfig` from ``cfg.model``; vocabulary size and special ids from ``tokenizer``."""
    if "num_encoder_layers" in plain_mapping(model_config, "model"):
        raise ConfigError("model.num_encoder_layers: a decoder_only model has no encoder; remove it and set "
                          "model.num_layers (or num_decoder_layers) for the depth of its one stack.")
    block = parse_block(DecoderOnlyModelBlock, model_config, "model")
    layers, layers_key = first_set(block, ("num_layers", "num_decoder_layers"), 6)
    heads, heads_key = first_set(block, ("num_heads", "num_decoder_heads", "num_encoder_heads"), 8)
    ffn_dim, ffn_key = first_set(block, ("ffn_dim", "decoder_ffn_dim", "encoder_ffn_dim"), 2048)
    positive(layers, layers_key)
    positive(ffn_dim, ffn_key)
    positive(block.max_sequence_length, "max_sequence_length")
    check_heads_divide(block.d_model, heads, heads_key)
    check_embedding_names(block)
    ids = vocabulary_ids(block, tokenizer, FALLBACK_IDS)
    ids.pop("decoder_start_token_id")
    return DecoderOnlyConfig(
        d_model=block.d_model,
        attention_heads=heads,
        num_layers=layers,
        dim_feedforward=ffn_dim,
        max_input_len=block.max_sequence_length,
        use_positional_embedding=block.use_positional_embedding,
        input_embedding_type=block.input_embedding_type,
        embedding_layer_norm=block.embedding_layer_norm,
        dropout=block.dropout,
        activation=block.activation,
        init_std=block.init_std,
        seed=block.seed,
        **ids,
    )
