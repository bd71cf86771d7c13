"""Checkpoints of the original package, calt-x 1.5.0, loaded into calt's generic :class:`Transformer`.

The original's generic model is ``nn.Transformer`` (pre-norm) behind a token embedding, a learned position
table of ``2 * max_input_len`` rows and one embedding LayerNorm; calt's model computes the same function
with its own parameter names and split attention projections. This module

- recognises a calt-x config (``config.json`` written by calt-x has ``norm_first``/``batch_first``, which
  calt's never has) and translates it into a calt :class:`TransformerConfig`;
- renames (and, for cross-attention, splits) the original's weights onto calt's, failing on any weight that
  is missing, left over or of the wrong shape;
- finds the model and the tokenizer in a save_dir, flat or in the ``model/`` and ``tokenizer/`` subfolders
  that calt-x's ``load_from_checkpoint`` looks for.

``Transformer.from_pretrained`` and ``TransformerConfig.from_dict`` call it, so a calt-x save_dir loads
like a calt one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from .positional import SinusoidalPositionalEmbedding

CALT_X_MARKERS = ("norm_first", "batch_first")
"""Keys every calt-x 1.5.0 generic config.json has and calt's TransformerConfig never writes."""

CALT_X_ONLY_KEYS = ("norm_first", "batch_first", "input_embedding_type")
SUPPORTED_INPUT_EMBEDDINGS = ("token", "default", "learned")
SUPPORTED_POSITIONS = ("generic", "learned", "sinusoidal", "none")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
SINUSOIDAL_TOLERANCE = 1e-5


class CaltXCheckpointError(ValueError):
    """A calt-x checkpoint that calt cannot reproduce exactly (the message says which file, key and why)."""


# --- config ---------------------------------------------------------------------------------------


def is_calt_x_config(config_dict: Mapping[str, Any]) -> bool:
    """True for the config of calt-x 1.5.0's generic Transformer (model_type ``transformer`` plus its markers)."""
    return config_dict.get("model_type") == "transformer" and all(key in config_dict for key in CALT_X_MARKERS)


def translate_config_dict(config_dict: Mapping[str, Any], source: str = "config.json") -> dict[str, Any]:
    """calt ``TransformerConfig`` keyword arguments for a calt-x config dict; raises on settings calt cannot
    reproduce. ``max_input_len`` doubles: the original's position table (and its length limit) is twice it."""
    values = dict(config_dict)
    _require(values.get("norm_first") is True, source, "norm_first",
             f"is {values.get('norm_first')!r}; calt's blocks are pre-norm only (norm_first: true)")
    _require(values.get("batch_first") is True, source, "batch_first",
             f"is {values.get('batch_first')!r}; with batch_first false the original model mixes up batch "
             "and sequence axes, which calt does not reproduce")
    embedding = str(values.get("input_embedding_type", "token")).lower()
    _require(embedding in SUPPORTED_INPUT_EMBEDDINGS, source, "input_embedding_type",
             f"is {embedding!r}; calt's model has a plain token embedding ({', '.join(SUPPORTED_INPUT_EMBEDDINGS)})")
    positions = str(values.get("use_positional_embedding", "learned")).lower()
    _require(positions in SUPPORTED_POSITIONS, source, "use_positional_embedding",
             f"is {positions!r}; calt-x applies 'rope' to the embeddings, calt inside attention, so the outputs "
             f"would differ (supported: {', '.join(SUPPORTED_POSITIONS)})")
    _require(not values.get("tie_word_embeddings", False), source, "tie_word_embeddings",
             "is true; calt's generic model keeps lm_head separate from the token embedding")
    for key in CALT_X_ONLY_KEYS:
        values.pop(key, None)
    values["max_input_len"] = 2 * int(values.get("max_input_len", 512))
    values["decoder_attention_heads"] = values.get("attention_heads", 8)
    values["decoder_ffn_dim"] = values.get("dim_feedforward", 2048)
    values["decoder_start_token_id"] = values.get("bos_token_id", 2)
    values["use_positional_embedding"] = positions
    values.pop("tie_word_embeddings", None)
    return values


def _require(condition: bool, source: str, key: str, why: str) -> None:
    if not condition:
        raise CaltXCheckpointError(f"{source}: calt-x setting {key} {why}.")


# --- weights --------------------------------------------------------------------------------------

Rule = tuple[re.Pattern, Callable[[re.Match, torch.Tensor, int], dict[str, torch.Tensor]]]


def _rename(template: str) -> Callable[[re.Match, torch.Tensor, int], dict[str, torch.Tensor]]:
    return lambda match, tensor, d_model: {match.expand(template): tensor}


def _split_cross_attention(match: re.Match, tensor: torch.Tensor, d_model: int) -> dict[str, torch.Tensor]:
    """``multihead_attn.in_proj_*`` stacks q, k, v; calt keeps q apart from the memory's k, v."""
    layer, kind = match.group(1), match.group(2)
    prefix = f"decoder.layers.{layer}.cross_attn"
    return {f"{prefix}.q_proj.{kind}": tensor[:d_model], f"{prefix}.kv_proj.{kind}": tensor[d_model:]}


_STACK = r"transformer\.(encoder|decoder)\.layers\.(\d+)\."
RULES: list[Rule] = [
    (re.compile(r"embedding\.weight"), _rename("embed_tokens.weight")),
    (re.compile(r"positional_embedding\.embedding\.weight"), _rename("embed_positions.weight")),
    (re.compile(r"embedding_layer_norm\.(weight|bias)"), _rename(r"embed_norm.\1")),
    (re.compile(_STACK + r"self_attn\.in_proj_(weight|bias)"), _rename(r"\1.layers.\2.self_attn.qkv_proj.\3")),
    (re.compile(_STACK + r"self_attn\.out_proj\.(weight|bias)"), _rename(r"\1.layers.\2.self_attn.out_proj.\3")),
    (re.compile(r"transformer\.decoder\.layers\.(\d+)\.multihead_attn\.in_proj_(weight|bias)"),
     _split_cross_attention),
    (re.compile(r"transformer\.decoder\.layers\.(\d+)\.multihead_attn\.out_proj\.(weight|bias)"),
     _rename(r"decoder.layers.\1.cross_attn.out_proj.\2")),
    (re.compile(_STACK + r"linear1\.(weight|bias)"), _rename(r"\1.layers.\2.ffn.fc_in.\3")),
    (re.compile(_STACK + r"linear2\.(weight|bias)"), _rename(r"\1.layers.\2.ffn.fc_out.\3")),
    (re.compile(r"transformer\.encoder\.layers\.(\d+)\.norm1\.(weight|bias)"),
     _rename(r"encoder.layers.\1.self_attn_norm.\2")),
    (re.compile(r"transformer\.encoder\.layers\.(\d+)\.norm2\.(weight|bias)"),
     _rename(r"encoder.layers.\1.ffn_norm.\2")),
    (re.compile(r"transformer\.decoder\.layers\.(\d+)\.norm1\.(weight|bias)"),
     _rename(r"decoder.layers.\1.self_attn_norm.\2")),
    (re.compile(r"transformer\.decoder\.layers\.(\d+)\.norm2\.(weight|bias)"),
     _rename(r"decoder.layers.\1.cross_attn_norm.\2")),
    (re.compile(r"transformer\.decoder\.layers\.(\d+)\.norm3\.(weight|bias)"),
     _rename(r"decoder.layers.\1.ffn_norm.\2")),
    (re.compile(r"transformer\.(encoder|decoder)\.norm\.(weight|bias)"), _rename(r"\1.final_norm.\2")),
    (re.compile(r"lm_head\.weight"), _rename("lm_head.weight")),
]


def convert_state_dict(state_dict: Mapping[str, torch.Tensor], config: Any, expected: Mapping[str, torch.Size],
                       source: str = "the checkpoint") -> dict[str, torch.Tensor]:
    """calt-x generic weights → calt ``Transformer`` weights for ``config`` (a calt TransformerConfig), whose
    weights have the ``expected`` shapes (``{key: shape}`` of calt's model for that config).

    Every original weight must map to a calt weight of the same shape and every calt weight must be
    filled; otherwise :class:`CaltXCheckpointError` names the key and ``source``.
    """
    converted: dict[str, torch.Tensor] = {}
    unexpected = []
    for key, tensor in state_dict.items():
        if key == "positional_embedding.pe":
            _check_sinusoidal_table(tensor, config, source)
            continue
        targets = _map_key(key, tensor, config.d_model)
        if targets is None:
            unexpected.append(key)
            continue
        converted.update(targets)
    if unexpected:
        raise CaltXCheckpointError(
            f"{source}: unexpected calt-x weight(s) {unexpected[:5]}{' …' if len(unexpected) > 5 else ''}: "
            "calt-x 1.5.0's generic Transformer has no such parameter for this config.json. Was the checkpoint "
            "made by a modified model, or does config.json belong to another checkpoint?"
        )
    _check_against(converted, expected, source)
    return converted


def _map_key(key: str, tensor: torch.Tensor, d_model: int) -> dict[str, torch.Tensor] | None:
    for pattern, build in RULES:
        match = pattern.fullmatch(key)
        if match:
            return build(match, tensor, d_model)
    return None


def calt_keys_of(calt_x_key: str) -> list[str]:
    """calt's name(s) for one calt-x weight name (two for the cross-attention ``in_proj``); [] when unknown."""
    targets = _map_key(calt_x_key, torch.empty(3, device="meta"), 1)
    return list(targets) if targets is not None else []


def _check_against(converted: Mapping[str, torch.Tensor], expected: Mapping[str, torch.Size], source: str) -> None:
    """Same keys, same shapes, or an error naming the first few differences."""
    extra = sorted(set(converted) - set(expected))
    if extra:
        raise CaltXCheckpointError(
            f"{source}: calt-x weights map onto {extra[:5]}, which calt's model for this config.json does not "
            "have (e.g. more layers in the weights than num_encoder_layers/num_decoder_layers say)."
        )
    missing = sorted(set(expected) - set(converted))
    if missing:
        names = [calt_x_name_of(key) for key in missing[:5]]
        raise CaltXCheckpointError(
            f"{source}: missing calt-x weight(s) {names}{' …' if len(missing) > 5 else ''} that config.json "
            "implies; the weights file is incomplete or belongs to another config."
        )
    for key, shape in expected.items():
        if converted[key].shape != shape:
            raise CaltXCheckpointError(
                f"{source}: calt-x weight {calt_x_name_of(key)} has shape {tuple(converted[key].shape)}, but "
                f"config.json implies {tuple(shape)} (as {key}); the weights and config.json disagree."
            )


def calt_x_name_of(calt_key: str) -> str:
    """The original's name for a calt weight (for error messages): the inverse of :data:`RULES`."""
    inverse = [
        (r"embed_tokens\.weight", "embedding.weight"),
        (r"embed_positions\.weight", "positional_embedding.embedding.weight"),
        (r"embed_norm\.(\w+)", r"embedding_layer_norm.\1"),
        (r"(encoder|decoder)\.layers\.(\d+)\.self_attn\.qkv_proj\.(\w+)", r"transformer.\1.layers.\2.self_attn.in_proj_\3"),
        (r"(encoder|decoder)\.layers\.(\d+)\.self_attn\.out_proj\.(\w+)", r"transformer.\1.layers.\2.self_attn.out_proj.\3"),
        (r"decoder\.layers\.(\d+)\.cross_attn\.(?:q|kv)_proj\.(\w+)", r"transformer.decoder.layers.\1.multihead_attn.in_proj_\2"),
        (r"decoder\.layers\.(\d+)\.cross_attn\.out_proj\.(\w+)", r"transformer.decoder.layers.\1.multihead_attn.out_proj.\2"),
        (r"(encoder|decoder)\.layers\.(\d+)\.ffn\.fc_in\.(\w+)", r"transformer.\1.layers.\2.linear1.\3"),
        (r"(encoder|decoder)\.layers\.(\d+)\.ffn\.fc_out\.(\w+)", r"transformer.\1.layers.\2.linear2.\3"),
        (r"(encoder|decoder)\.layers\.(\d+)\.self_attn_norm\.(\w+)", r"transformer.\1.layers.\2.norm1.\3"),
        (r"encoder\.layers\.(\d+)\.ffn_norm\.(\w+)", r"transformer.encoder.layers.\1.norm2.\2"),
        (r"decoder\.layers\.(\d+)\.cross_attn_norm\.(\w+)", r"transformer.decoder.layers.\1.norm2.\2"),
        (r"decoder\.layers\.(\d+)\.ffn_norm\.(\w+)", r"transformer.decoder.layers.\1.norm3.\2"),
        (r"(encoder|decoder)\.final_norm\.(\w+)", r"transformer.\1.norm.\2"),
    ]
    for pattern, template in inverse:
        match = re.fullmatch(pattern, calt_key)
        if match:
            return match.expand(template)
    return calt_key


def _check_sinusoidal_table(table: torch.Tensor, config: Any, source: str) -> None:
    """The original stores its fixed sine table; calt computes it. They must agree (or the outputs would not)."""
    if config.use_positional_embedding != "sinusoidal":
        raise CaltXCheckpointError(
            f"{source}: positional_embedding.pe (a sinusoidal table) is present, but config.json says "
            f"use_positional_embedding={config.use_positional_embedding!r}."
        )
    rows = table.reshape(-1, config.d_model).float()
    ours = SinusoidalPositionalEmbedding(config.d_model).table(rows.size(0), torch.device("cpu"), torch.float32)
    gap = float((rows - ours[: rows.size(0)]).abs().max()) if rows.numel() else 0.0
    if rows.size(0) != config.max_input_len or not gap <= SINUSOIDAL_TOLERANCE:
        raise CaltXCheckpointError(
            f"{source}: positional_embedding.pe ({rows.size(0)} rows) differs from the sinusoidal table calt "
            f"computes for max_input_len={config.max_input_len} (largest gap {gap:.3g}); it was modified."
        )


# --- files ----------------------------------------------------------------------------------------


def checkpoint_folder(path: str | Path | None, subfolder: str = "") -> Path | None:
    """The local folder of ``path`` (plus ``subfolder``) when its config.json is calt-x's; else None."""
    if path is None:
        return None
    folder = Path(path) / subfolder if subfolder else Path(path)
    config_file = folder / "config.json"
    if not config_file.is_file():
        return None
    return folder if is_calt_x_config(read_json(config_file)) else None


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise CaltXCheckpointError(f"{path}: not valid JSON ({error}); the file is damaged.") from error


def read_weights(folder: Path) -> tuple[dict[str, torch.Tensor], str]:
    """The state dict in ``folder`` (single file or shards listed in an index) and the file name(s) it came from."""
    for index_name in INDEX_FILES:
        index = folder / index_name
        if index.is_file():
            shards = sorted(set(read_json(index).get("weight_map", {}).values()))
            state: dict[str, torch.Tensor] = {}
            for shard in shards:
                state.update(_read_weight_file(folder / shard))
            return state, str(index)
    for name in WEIGHT_FILES:
        if (folder / name).is_file():
            return _read_weight_file(folder / name), str(folder / name)
    raise CaltXCheckpointError(f"{folder}: no weights file ({' or '.join(WEIGHT_FILES)}) next to config.json.")


def _read_weight_file(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise CaltXCheckpointError(f"{path}: listed in the weight index but missing.")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path))
    return torch.load(path, map_location="cpu", weights_only=True)


def check_loading_info(info: Mapping[str, Any], folder: Path) -> None:
    """After ``from_pretrained`` with a converted state dict nothing may be missing, left over or mismatched."""
    problems = {key: info.get(key) for key in ("missing_keys", "unexpected_keys", "mismatched_keys") if info.get(key)}
    if problems:
        raise CaltXCheckpointError(f"{folder}: loading the converted calt-x weights left {problems}.")


def locate_model_and_tokenizer(save_dir: str | Path) -> tuple[Path, Path]:
    """(model folder, tokenizer folder) of a save_dir: ``model/`` and ``tokenizer/`` when present (the layout
    calt-x's ``load_from_checkpoint`` looks for first), else the save_dir itself when it holds the files."""
    root = Path(save_dir)
    if not root.is_dir():
        raise ValueError(f"Save directory does not exist: {save_dir}")
    model_dir = root / "model"
    if not model_dir.is_dir():
        if not any((root / name).is_file() for name in ("config.json", *WEIGHT_FILES)):
            raise ValueError(f"{root}: no model/ folder and no config.json or weights file in it; not a saved model.")
        model_dir = root
    tokenizer_dir = root / "tokenizer"
    if not tokenizer_dir.is_dir():
        if not any((root / name).is_file() for name in ("tokenizer_config.json", "tokenizer.json", "vocab.json")):
            raise ValueError(f"{root}: no tokenizer/ folder and no tokenizer files (tokenizer_config.json) in it.")
        tokenizer_dir = root
    return model_dir, tokenizer_dir


__all__ = [
    "CaltXCheckpointError", "is_calt_x_config", "translate_config_dict", "convert_state_dict", "calt_keys_of",
    "checkpoint_folder", "read_json", "read_weights", "locate_model_and_tokenizer",
]
