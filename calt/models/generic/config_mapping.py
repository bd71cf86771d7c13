"""The ``model`` block of train.yaml for ``model_type: generic``, and its mapping onto :class:`TransformerConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calt.config import key, parse_block

from ..model_block import check_model_fits_memory, vocabulary_ids
from ..embedding_names import check_embedding_names
from .configuration import ACTIVATIONS, TransformerConfig


@dataclass
class GenericModelBlock:
    """Keys of ``model`` for calt's generic encoder–decoder Transformer."""

    model_type: str = key("generic", "model architecture")
    num_encoder_layers: int | None = key(None, "encoder layers", required=True, bounds="[1, inf)")
    num_encoder_heads: int | None = key(None, "encoder attention heads", required=True, bounds="[1, inf)")
    num_decoder_layers: int | None = key(None, "decoder layers", required=True, bounds="[1, inf)")
    num_decoder_heads: int | None = key(None, "decoder attention heads (default: the encoder's)", bounds="[1, inf)")
    d_model: int | None = key(None, "hidden width", required=True, bounds="[1, inf)")
    encoder_ffn_dim: int | None = key(None, "encoder feed-forward width", required=True, bounds="[1, inf)")
    decoder_ffn_dim: int | None = key(None, "decoder feed-forward width (default: the encoder's)", bounds="[1, inf)")
    max_sequence_length: int | None = key(None, "longest sequence the model accepts", required=True, bounds="[1, inf)")
    use_positional_embedding: str = key("generic", "positional embedding: generic, learned, sinusoidal, rope, none, "
                                        "or a name registered with register_positional_embedding")
    embedding_layer_norm: bool = key(True, "LayerNorm after the embeddings")
    dropout: float = key(0.1, "dropout probability", bounds="[0, 1)")
    activation: str = key("relu", "feed-forward activation", choices=ACTIVATIONS)
    init_std: float = key(0.02, "standard deviation of the initial weights",
                          bounds="[0, 1]")
    seed: int = key(42, "seed of the initial weights", bounds="[0, 4294967295]")
    vocab_size: int | None = key(None, "vocabulary size (the tokenizer decides when there is one)", bounds="[0, inf)")
    pad_token_id: int | None = key(None, "padding id (the tokenizer decides when there is one)", bounds="[0, inf)")
    eos_token_id: int | None = key(None, "end-of-sequence id (the tokenizer decides when there is one)",
                                   bounds="[0, inf)")
    bos_token_id: int | None = key(None, "start id (the tokenizer decides when there is one)", bounds="[0, inf)")


# TransformerConfig's own defaults when no tokenizer is given (as in the original calt)
FALLBACK_IDS = {"vocab_size": 1000, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2}


def create_transformer_config(model_config: Any, tokenizer=None) -> TransformerConfig:
    """A :class:`TransformerConfig` from ``cfg.model``; vocabulary size and special-token ids come from
    ``tokenizer`` (an explicit, different id in ``cfg.model`` is an error), else from ``cfg.model`` or defaults."""
    block = parse_block(GenericModelBlock, model_config, "model")
    check_embedding_names(block)
    ids = vocabulary_ids(block, tokenizer, FALLBACK_IDS)
    sizes = {name: getattr(block, name) for name in ("num_encoder_layers", "num_decoder_layers", "d_model",
                                                      "encoder_ffn_dim", "max_sequence_length")}
    check_model_fits_memory({**sizes, "decoder_ffn_dim": block.decoder_ffn_dim or block.encoder_ffn_dim},
                            ids["vocab_size"])
    return TransformerConfig(
        d_model=block.d_model,
        attention_heads=block.num_encoder_heads,
        decoder_attention_heads=block.num_decoder_heads or block.num_encoder_heads,
        num_encoder_layers=block.num_encoder_layers,
        num_decoder_layers=block.num_decoder_layers,
        dim_feedforward=block.encoder_ffn_dim,
        decoder_ffn_dim=block.decoder_ffn_dim or block.encoder_ffn_dim,
        max_input_len=block.max_sequence_length,
        use_positional_embedding=block.use_positional_embedding,
        embedding_layer_norm=block.embedding_layer_norm,
        dropout=block.dropout,
        activation=block.activation,
        init_std=block.init_std,
        seed=block.seed,
        **ids,
    )
