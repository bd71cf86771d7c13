"""The ``model`` block of train.yaml for ``model_type: monomial``, and its mapping onto
:class:`MonomialTransformerConfig` (the token groups come from the tokenizer's vocabulary)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calt.config import ConfigError, key, parse_block

from ..model_block import check_heads_divide, special_token_ids
from ..generic.configuration import ACTIVATIONS
from .configuration import MonomialTransformerConfig
from .token_groups import monomial_token_groups


@dataclass
class MonomialModelBlock:
    """Keys of ``model`` for the monomial encoder–decoder (calt-x 1.5.0's names and meanings)."""

    model_type: str = key("monomial", "model architecture")
    num_encoder_layers: int | None = key(None, "encoder layers", required=True, bounds="[1, inf)")
    num_encoder_heads: int | None = key(None, "encoder attention heads", required=True, bounds="[1, inf)")
    num_decoder_layers: int | None = key(None, "decoder layers", required=True, bounds="[1, inf)")
    num_decoder_heads: int | None = key(None, "decoder attention heads (default: the encoder's)", bounds="[1, inf)")
    d_model: int | None = key(None, "hidden width", required=True, bounds="[1, inf)")
    encoder_ffn_dim: int | None = key(None, "encoder feed-forward width", required=True, bounds="[1, inf)")
    decoder_ffn_dim: int | None = key(None, "decoder feed-forward width (default: the encoder's)", bounds="[1, inf)")
    max_sequence_length: int | None = key(None, "longest sequence in monomials (the position table holds twice "
                                                "as many)", required=True, bounds="[1, inf)")
    num_variables: int | None = key(None, "exponent tokens per monomial (shared 'E<k>' tokens); required "
                                          "unless variables is set", bounds="[1, inf)")
    variables: list[str] | None = key(None, "variable names, for per-variable exponent tokens 'E<name><k>'")
    monomial_separators: list[str] | None = key(None, "tokens that may follow a monomial, in head order "
                                                      "(default: '+' and the double bar, those the vocabulary has)")
    coeff_scale: float = key(1.0, "weight of the coefficient part in a monomial's embedding")
    coeff_noise_std: float = key(0.0, "Gaussian noise on the coefficient embedding in training (encoder)", bounds="[0, inf)")
    coeff_loss_weight: float = key(1.0, "weight of the coefficient heads in the loss")
    use_positional_embedding: str = key("generic", "positional embedding (a registered name)")
    input_embedding_type: str = key("monomial", "embedding of a whole monomial (a registered name)")
    embedding_layer_norm: bool = key(True, "LayerNorm after the embeddings")
    dropout: float = key(0.1, "dropout probability", bounds="[0, 1)")
    activation: str = key("relu", "feed-forward activation", choices=ACTIVATIONS)
    init_std: float = key(0.02, "standard deviation of the initial weights", bounds="[0, inf)")
    seed: int = key(42, "seed of the initial weights", bounds="[0, 4294967295]")
    pad_token_id: int | None = key(None, "padding id (the tokenizer decides when there is one)", bounds="[0, inf)")
    eos_token_id: int | None = key(None, "end-of-sequence id (the tokenizer decides when there is one)", bounds="[0, inf)")
    bos_token_id: int | None = key(None, "start id (the tokenizer decides when there is one)", bounds="[0, inf)")


def create_monomial_config(model_config: Any, tokenizer=None) -> MonomialTransformerConfig:
    """A :class:`MonomialTransformerConfig` from ``cfg.model`` and the tokenizer, which is required: the
    coefficient, exponent and separator groups are read from its vocabulary."""
    block = parse_block(MonomialModelBlock, model_config, "model")
    if tokenizer is None:
        raise ConfigError("model_type monomial needs the tokenizer (ModelPipeline.from_io_dict(cfg.model, io_dict)): "
                          "its coefficient, exponent and separator tokens come from the vocabulary.")
    check_heads_divide(block.d_model, block.num_encoder_heads, "num_encoder_heads")
    if block.num_decoder_heads is not None:
        check_heads_divide(block.d_model, block.num_decoder_heads, "num_decoder_heads")
    groups = monomial_token_groups(tokenizer.get_vocab(), block.num_variables, block.variables,
                                   block.monomial_separators)
    ids = special_token_ids(tokenizer)
    for name, value in ids.items():
        given = getattr(block, name)
        if given is not None and given != value:
            raise ConfigError(f"model.{name}={given} disagrees with the tokenizer ({value}); remove model.{name}, "
                              "the tokenizer decides it.")
    return MonomialTransformerConfig(
        d_model=block.d_model,
        attention_heads=block.num_encoder_heads,
        decoder_attention_heads=block.num_decoder_heads,
        num_encoder_layers=block.num_encoder_layers,
        num_decoder_layers=block.num_decoder_layers,
        dim_feedforward=block.encoder_ffn_dim,
        decoder_ffn_dim=block.decoder_ffn_dim,
        max_input_len=block.max_sequence_length,
        vocab_size=len(tokenizer),
        use_positional_embedding=block.use_positional_embedding,
        input_embedding_type=block.input_embedding_type,
        embedding_layer_norm=block.embedding_layer_norm,
        coeff_token_ids=groups.coeff_token_ids,
        exp_token_ids=groups.exp_token_ids,
        separator_token_ids=groups.separator_token_ids,
        coeff_scale=block.coeff_scale,
        coeff_noise_std=block.coeff_noise_std,
        coeff_loss_weight=block.coeff_loss_weight,
        dropout=block.dropout,
        activation=block.activation,
        init_std=block.init_std,
        seed=block.seed,
        **ids,
    )
