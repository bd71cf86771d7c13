"""Map the ``model`` block of train.yaml onto a :class:`TransformerConfig`."""

from __future__ import annotations

from typing import Any

from ..model_block import read_int, read_model_key, special_token_ids, warn_unknown_keys
from .configuration import TransformerConfig

# TransformerConfig's own defaults when no tokenizer is given (as in the original calt)
_FALLBACK_IDS = {"vocab_size": 1000, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2}
MODEL_KEYS = (
    "num_encoder_layers", "num_encoder_heads", "num_decoder_layers", "num_decoder_heads", "d_model",
    "encoder_ffn_dim", "decoder_ffn_dim", "max_sequence_length", "use_positional_embedding", "embedding_layer_norm",
    "dropout", "activation", "init_std", "seed", *_FALLBACK_IDS,
)


def create_transformer_config(model_cfg: Any, tokenizer=None) -> TransformerConfig:
    """A :class:`TransformerConfig` from ``cfg.model``; vocabulary size and special-token ids come from
    ``tokenizer`` (an explicit, different id in ``cfg.model`` is an error), else from ``cfg.model`` or defaults."""
    kind = "generic"
    warn_unknown_keys(model_cfg, MODEL_KEYS, kind)
    encoder_heads = read_int(model_cfg, "num_encoder_heads", model_type=kind)
    encoder_ffn = read_int(model_cfg, "encoder_ffn_dim", model_type=kind)
    return TransformerConfig(
        d_model=read_int(model_cfg, "d_model", model_type=kind),
        attention_heads=encoder_heads,
        decoder_attention_heads=read_int(model_cfg, "num_decoder_heads", encoder_heads),
        num_encoder_layers=read_int(model_cfg, "num_encoder_layers", model_type=kind),
        num_decoder_layers=read_int(model_cfg, "num_decoder_layers", model_type=kind),
        dim_feedforward=encoder_ffn,
        decoder_ffn_dim=read_int(model_cfg, "decoder_ffn_dim", encoder_ffn),
        max_input_len=read_int(model_cfg, "max_sequence_length", model_type=kind),
        use_positional_embedding=read_model_key(model_cfg, "use_positional_embedding", "generic"),
        embedding_layer_norm=read_model_key(model_cfg, "embedding_layer_norm", True),
        dropout=read_model_key(model_cfg, "dropout", 0.1),
        activation=read_model_key(model_cfg, "activation", "relu"),
        init_std=read_model_key(model_cfg, "init_std", 0.02),
        seed=read_model_key(model_cfg, "seed", 42),
        **_vocabulary(model_cfg, tokenizer),
    )


def _vocabulary(model_cfg: Any, tokenizer) -> dict[str, int]:
    """vocab_size and special-token ids, from the tokenizer when there is one."""
    if tokenizer is None:
        return {key: read_model_key(model_cfg, key, default) for key, default in _FALLBACK_IDS.items()}
    values = {"vocab_size": len(tokenizer), **special_token_ids(tokenizer)}
    for key, value in values.items():
        given = read_model_key(model_cfg, key, None)
        if given is not None and given != value:
            raise ValueError(
                f"model config: {key}={given} disagrees with the tokenizer ({value}); remove model.{key}, "
                "the tokenizer decides it."
            )
    values["decoder_start_token_id"] = values["bos_token_id"]
    return values
