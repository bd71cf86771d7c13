"""Map the ``model`` block of train.yaml onto a ``transformers.BartConfig``."""

from __future__ import annotations

from typing import Any

from transformers import BartConfig

from ..model_block import check_heads_divide, read_int, read_model_key, special_token_ids, warn_unknown_keys

MODEL_KEYS = (
    "num_encoder_layers", "num_encoder_heads", "num_decoder_layers", "num_decoder_heads", "d_model",
    "encoder_ffn_dim", "decoder_ffn_dim", "max_sequence_length", "dropout", "activation", "init_std",
)


def create_bart_config(model_cfg: Any, tokenizer) -> BartConfig:
    """A ``BartConfig`` from ``cfg.model`` whose vocabulary size and special-token ids are the tokenizer's;
    decoding starts with BOS, as for the generic model."""
    if tokenizer is None:
        raise ValueError(
            "model_type 'bart' needs the tokenizer: use ModelPipeline.from_io_dict(cfg.model, io_dict) "
            "or pass tokenizer=."
        )
    kind = "bart"
    warn_unknown_keys(model_cfg, MODEL_KEYS, kind)
    d_model = read_int(model_cfg, "d_model", model_type=kind)
    encoder_heads = read_int(model_cfg, "num_encoder_heads", model_type=kind)
    decoder_heads = read_int(model_cfg, "num_decoder_heads", model_type=kind)
    check_heads_divide(d_model, encoder_heads, "num_encoder_heads")
    check_heads_divide(d_model, decoder_heads, "num_decoder_heads")
    ids = special_token_ids(tokenizer)
    return BartConfig(
        vocab_size=len(tokenizer),
        d_model=d_model,
        encoder_layers=read_int(model_cfg, "num_encoder_layers", model_type=kind),
        decoder_layers=read_int(model_cfg, "num_decoder_layers", model_type=kind),
        encoder_attention_heads=encoder_heads,
        decoder_attention_heads=decoder_heads,
        encoder_ffn_dim=read_int(model_cfg, "encoder_ffn_dim", model_type=kind),
        decoder_ffn_dim=read_int(model_cfg, "decoder_ffn_dim", model_type=kind),
        max_position_embeddings=read_int(model_cfg, "max_sequence_length", model_type=kind),
        dropout=read_model_key(model_cfg, "dropout", 0.1),
        activation_function=read_model_key(model_cfg, "activation", "gelu"),
        init_std=read_model_key(model_cfg, "init_std", 0.02),
        decoder_start_token_id=ids["bos_token_id"],
        forced_bos_token_id=None,
        forced_eos_token_id=None,
        **ids,
    )
