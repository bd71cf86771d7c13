"""calt-x 1.5.0's monomial checkpoints: its config.json translated, its weights renamed onto calt's model.

The original's stacks are ``nn.Transformer`` (pre-norm); calt's are the generic model's blocks. Embeddings,
the BOS vector, the embedding LayerNorm and the heads keep the original's names. The id maps the original
stores (``coeff_gid_map`` …) are checked against what calt derives from config.json and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import torch

from ..calt_x_checkpoints import (NamePair, convert_state_dict, is_calt_x_config, positional_buffer_checks,
                                  self_attention_pairs, table_check, translate_common)
from ..generic.calt_x_compat import CaltXCheckpointError
from .token_groups import class_table, id_table

MODEL_TYPE = "monomial"


def is_calt_x_monomial_config(config_dict: Mapping[str, Any]) -> bool:
    return is_calt_x_config(config_dict, MODEL_TYPE)


def translate_monomial_config(config_dict: Mapping[str, Any], source: str = "config.json") -> dict[str, Any]:
    """calt ``MonomialTransformerConfig`` keywords for the original's config dict (same names and meanings;
    its decoder has the encoder's heads and width)."""
    return translate_common(config_dict, source)


def name_pairs() -> list[NamePair]:
    """The original's weight names against calt's."""
    kept = ["src_emb.emb.weight", "tgt_emb.emb.weight", "bos_emb", "positional_embedding.embedding.weight",
            "emb_norm.{p}", "head.coeff_heads.{n}.{p}", "head.exp_heads.{n}.{p}", "head.follow_head.{p}"]
    decoder = "transformer.decoder.layers"
    return [
        *(NamePair(name, name) for name in kept),
        *self_attention_pairs("transformer.encoder.layers", "encoder.layers"),
        NamePair(f"{decoder}.{{n}}.self_attn.in_proj_{{p}}", "decoder.layers.{n}.self_attn.qkv_proj.{p}"),
        NamePair(f"{decoder}.{{n}}.self_attn.out_proj.{{p}}", "decoder.layers.{n}.self_attn.out_proj.{p}"),
        NamePair(f"{decoder}.{{n}}.multihead_attn.out_proj.{{p}}", "decoder.layers.{n}.cross_attn.out_proj.{p}"),
        NamePair(f"{decoder}.{{n}}.linear1.{{p}}", "decoder.layers.{n}.ffn.fc_in.{p}"),
        NamePair(f"{decoder}.{{n}}.linear2.{{p}}", "decoder.layers.{n}.ffn.fc_out.{p}"),
        NamePair(f"{decoder}.{{n}}.norm1.{{p}}", "decoder.layers.{n}.self_attn_norm.{p}"),
        NamePair(f"{decoder}.{{n}}.norm2.{{p}}", "decoder.layers.{n}.cross_attn_norm.{p}"),
        NamePair(f"{decoder}.{{n}}.norm3.{{p}}", "decoder.layers.{n}.ffn_norm.{p}"),
        NamePair("transformer.encoder.norm.{p}", "encoder.final_norm.{p}"),
        NamePair("transformer.decoder.norm.{p}", "decoder.final_norm.{p}"),
    ]


CROSS_ATTENTION = re.compile(r"transformer\.decoder\.layers\.(\d+)\.multihead_attn\.in_proj_(weight|bias)")


def split_cross_attention(d_model: int):
    """``multihead_attn.in_proj_*`` stacks q, k, v; calt keeps q apart from the memory's k and v."""
    def split(name: str, tensor: torch.Tensor) -> dict[str, torch.Tensor] | None:
        match = CROSS_ATTENTION.fullmatch(name)
        if match is None:
            return None
        prefix = f"decoder.layers.{match.group(1)}.cross_attn"
        return {f"{prefix}.q_proj.{match.group(2)}": tensor[:d_model],
                f"{prefix}.kv_proj.{match.group(2)}": tensor[d_model:]}

    return split


def id_map_checks(config) -> dict[str, Any]:
    """The original's stored id maps must be the ones config.json's token groups give."""
    follow = [config.follow_token_ids]
    return {
        "coeff_gid_map": table_check(id_table(config.coeff_token_ids, config.pad_token_id)),
        "exp_gid_map": table_check(id_table(config.exp_token_ids, config.pad_token_id)),
        "follow_gid_map": table_check(torch.tensor(config.follow_token_ids)),
        "coeff_local_map": table_check(class_table(config.coeff_token_ids, config.vocab_size)),
        "exp_local_map": table_check(class_table(config.exp_token_ids, config.vocab_size)),
        "follow_local_map": table_check(class_table(follow, config.vocab_size)[0]),
    }


def convert_monomial_state(state: Mapping[str, torch.Tensor], config, expected: Mapping[str, torch.Size],
                           source: str) -> dict[str, torch.Tensor]:
    """The original's monomial weights under calt's names; id maps and fixed position tables checked and dropped."""
    from ..positional_embeddings import build_positions

    if config.input_embedding_type != "monomial":
        raise CaltXCheckpointError(f"{source}: calt-x monomial checkpoints embed with 'monomial', not "
                                   f"{config.input_embedding_type!r}.")
    additive, _ = build_positions(config.use_positional_embedding, config.d_model, config.max_positions,
                                  config.attention_heads, config.rope_theta)
    buffers = {**positional_buffer_checks(additive), **id_map_checks(config)}
    return convert_state_dict(state, name_pairs(), expected, source, buffers=buffers,
                              special=split_cross_attention(config.d_model))
