"""The ``model`` block of train.yaml for ``model_type: bart``, and its mapping onto ``transformers.BartConfig``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transformers import BartConfig

from calt.config import ConfigError, key, parse_block

from ..model_block import check_heads_divide, check_model_fits_memory, special_token_ids


@dataclass
class BartModelBlock:
    """Keys of ``model`` for HF BART."""

    model_type: str = key("bart", "model architecture")
    num_encoder_layers: int | None = key(None, "encoder layers", required=True, bounds="[1, inf)")
    num_encoder_heads: int | None = key(None, "encoder attention heads", required=True, bounds="[1, inf)")
    num_decoder_layers: int | None = key(None, "decoder layers", required=True, bounds="[1, inf)")
    num_decoder_heads: int | None = key(None, "decoder attention heads", required=True, bounds="[1, inf)")
    d_model: int | None = key(None, "hidden width", required=True, bounds="[1, inf)")
    encoder_ffn_dim: int | None = key(None, "encoder feed-forward width", required=True, bounds="[1, inf)")
    decoder_ffn_dim: int | None = key(None, "decoder feed-forward width", required=True, bounds="[1, inf)")
    max_sequence_length: int | None = key(None, "position table size", required=True, bounds="[1, inf)")
    dropout: float = key(0.1, "dropout probability", bounds="[0, 1)")
    activation: str = key("gelu", "feed-forward activation", choices=("gelu", "relu", "silu", "gelu_new", "tanh"))
    init_std: float = key(0.02, "standard deviation of the initial weights",
                          bounds="[0, 1]")


def create_bart_config(model_config: Any, tokenizer) -> BartConfig:
    """A ``BartConfig`` from ``cfg.model`` whose vocabulary size and special-token ids are the tokenizer's;
    decoding starts with BOS, as for the generic model."""
    if tokenizer is None:
        raise ConfigError(
            "model_type 'bart' needs the tokenizer: use ModelPipeline.from_io_dict(cfg.model, io_dict) "
            "or pass tokenizer=."
        )
    block = parse_block(BartModelBlock, model_config, "model")
    check_heads_divide(block.d_model, block.num_encoder_heads, "num_encoder_heads")
    check_heads_divide(block.d_model, block.num_decoder_heads, "num_decoder_heads")
    sizes = ("num_encoder_layers", "num_decoder_layers", "d_model", "encoder_ffn_dim", "decoder_ffn_dim",
             "max_sequence_length")
    check_model_fits_memory({name: getattr(block, name) for name in sizes}, len(tokenizer))
    ids = special_token_ids(tokenizer)
    return BartConfig(
        vocab_size=len(tokenizer),
        d_model=block.d_model,
        encoder_layers=block.num_encoder_layers,
        decoder_layers=block.num_decoder_layers,
        encoder_attention_heads=block.num_encoder_heads,
        decoder_attention_heads=block.num_decoder_heads,
        encoder_ffn_dim=block.encoder_ffn_dim,
        decoder_ffn_dim=block.decoder_ffn_dim,
        max_position_embeddings=block.max_sequence_length,
        dropout=block.dropout,
        activation_function=block.activation,
        init_std=block.init_std,
        decoder_start_token_id=ids["bos_token_id"],
        forced_bos_token_id=None,
        forced_eos_token_id=None,
        **ids,
    )
