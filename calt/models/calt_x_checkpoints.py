"""Checkpoints of calt-x 1.5.0's decoder_only, encoder_classifier and monomial models, loaded into calt's.

The same approach as :mod:`calt.models.generic.calt_x_compat` (whose file reading it reuses): a save_dir is
recognised by its config.json (the original writes ``norm_first``, which calt's configs never do), the config
is translated, and every weight is renamed onto calt's model by a two-way table of name patterns. A weight
that is missing, left over or of the wrong shape is an error naming it; the fixed tables the original stores
(sinusoidal ``pe``, the rope caches, the monomial id maps) are checked against what calt computes and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from .generic.calt_x_compat import CaltXCheckpointError, check_loading_info, read_json, read_weights

MARKER = "norm_first"
"""A key every calt-x 1.5.0 config.json of these types has and calt's configs never write."""
BUFFER_TOLERANCE = 1e-5
PLACEHOLDERS = {"n": r"(?P<n>\d+)", "p": r"(?P<p>weight|bias)", "m": r"(?P<m>\d+)"}


class NamePair:
    """One weight name in both spellings, with ``{n}``/``{m}`` (layer numbers) and ``{p}`` (weight|bias) slots."""

    def __init__(self, original: str, ours: str):
        self.original, self.ours = original, ours
        self._from_original = _compile(original)
        self._from_ours = _compile(ours)

    def to_ours(self, name: str) -> str | None:
        match = self._from_original.fullmatch(name)
        return self.ours.format(**match.groupdict()) if match else None

    def to_original(self, name: str) -> str | None:
        match = self._from_ours.fullmatch(name)
        return self.original.format(**match.groupdict()) if match else None


def _compile(template: str) -> re.Pattern:
    pattern = re.escape(template)
    for slot, regex in PLACEHOLDERS.items():
        pattern = pattern.replace(re.escape("{" + slot + "}"), regex)
    return re.compile(pattern)


def self_attention_pairs(original_prefix: str, our_prefix: str) -> list[NamePair]:
    """Names of one ``nn.TransformerEncoderLayer`` stack (pre-norm) against calt's encoder-style blocks."""
    o, c = original_prefix, our_prefix
    return [
        NamePair(f"{o}.{{n}}.self_attn.in_proj_{{p}}", f"{c}.{{n}}.self_attn.qkv_proj.{{p}}"),
        NamePair(f"{o}.{{n}}.self_attn.out_proj.{{p}}", f"{c}.{{n}}.self_attn.out_proj.{{p}}"),
        NamePair(f"{o}.{{n}}.linear1.{{p}}", f"{c}.{{n}}.ffn.fc_in.{{p}}"),
        NamePair(f"{o}.{{n}}.linear2.{{p}}", f"{c}.{{n}}.ffn.fc_out.{{p}}"),
        NamePair(f"{o}.{{n}}.norm1.{{p}}", f"{c}.{{n}}.self_attn_norm.{{p}}"),
        NamePair(f"{o}.{{n}}.norm2.{{p}}", f"{c}.{{n}}.ffn_norm.{{p}}"),
    ]


def positional_pairs(original: str = "positional_embedding", ours: str = "embed_positions") -> list[NamePair]:
    return [NamePair(f"{original}.embedding.weight", f"{ours}.embedding.weight")]


# --- config ---------------------------------------------------------------------------------------


def is_calt_x_config(config_dict: Mapping[str, Any], model_type: str) -> bool:
    return config_dict.get("model_type") == model_type and MARKER in config_dict


def translate_common(config_dict: Mapping[str, Any], source: str = "config.json") -> dict[str, Any]:
    """The settings every calt-x model type shares, translated: post-norm, batch-second and tied embeddings
    are refused; the original's ``rope`` (rotating the embeddings) becomes calt's ``rope_input``."""
    values = dict(config_dict)
    require(values.pop("norm_first", True) is True, source, "norm_first",
            "is false; calt's blocks are pre-norm only (norm_first: true)")
    require(values.pop("batch_first", True) is True, source, "batch_first",
            "is false; the original then mixes up batch and sequence axes, which calt does not reproduce")
    require(not values.get("tie_word_embeddings", False), source, "tie_word_embeddings",
            "is true; calt keeps the output head separate from the token embedding")
    positions = str(values.get("use_positional_embedding", "generic")).lower()
    values["use_positional_embedding"] = "rope_input" if positions == "rope" else positions
    values.pop("is_classification", None)
    return values


def require(condition: bool, source: str, key: str, why: str) -> None:
    if not condition:
        raise CaltXCheckpointError(f"{source}: calt-x setting {key} {why}.")


# --- weights --------------------------------------------------------------------------------------

BufferCheck = Callable[[str, torch.Tensor], str | None]
"""``check(name, tensor)`` → None when the stored table is the one calt computes, else why not."""


def convert_state_dict(state: Mapping[str, torch.Tensor], pairs: list[NamePair], expected: Mapping[str, torch.Size],
                       source: str, buffers: Mapping[str, BufferCheck] | None = None,
                       special: Callable[[str, torch.Tensor], dict[str, torch.Tensor] | None] | None = None,
                       ) -> dict[str, torch.Tensor]:
    """The original's weights under calt's names, every key and shape checked against ``expected``.

    ``buffers``: stored fixed tables (regex → check), dropped once checked; ``special(name, tensor)``: names
    that split into several of calt's (None when it does not apply)."""
    converted: dict[str, torch.Tensor] = {}
    unexpected = []
    for name, tensor in state.items():
        check = next((c for pattern, c in (buffers or {}).items() if re.fullmatch(pattern, name)), None)
        if check is not None:
            problem = check(name, tensor)
            if problem:
                raise CaltXCheckpointError(f"{source}: {name} {problem}; the checkpoint was modified or does not "
                                           "belong to this config.json.")
            continue
        targets = special(name, tensor) if special is not None else None
        if targets is None:
            ours = next((pair.to_ours(name) for pair in pairs if pair.to_ours(name)), None)
            targets = {ours: tensor} if ours else None
        if targets is None:
            unexpected.append(name)
            continue
        converted.update(targets)
    if unexpected:
        raise CaltXCheckpointError(
            f"{source}: unexpected calt-x weight(s) {unexpected[:5]}{' …' if len(unexpected) > 5 else ''}: the "
            "original model of this config.json has no such parameter. Was the checkpoint made by a modified "
            "model, or does config.json belong to another checkpoint?")
    _check_against(converted, expected, pairs, source)
    return converted


def original_name(ours: str, pairs: list[NamePair]) -> str:
    """The original's name of one of calt's weights (for messages)."""
    return next((pair.to_original(ours) for pair in pairs if pair.to_original(ours)), ours)


def _check_against(converted: Mapping[str, torch.Tensor], expected: Mapping[str, torch.Size], pairs: list[NamePair],
                   source: str) -> None:
    extra = sorted(set(converted) - set(expected))
    if extra:
        raise CaltXCheckpointError(
            f"{source}: calt-x weights map onto {extra[:5]}, which calt's model for this config.json does not have "
            "(e.g. more layers in the weights than config.json says).")
    missing = sorted(set(expected) - set(converted))
    if missing:
        names = [original_name(key, pairs) for key in missing[:5]]
        raise CaltXCheckpointError(
            f"{source}: missing calt-x weight(s) {names}{' …' if len(missing) > 5 else ''} that config.json implies; "
            "the weights file is incomplete or belongs to another config.")
    for key, shape in expected.items():
        if converted[key].shape != shape:
            raise CaltXCheckpointError(
                f"{source}: calt-x weight {original_name(key, pairs)} has shape {tuple(converted[key].shape)}, but "
                f"config.json implies {tuple(shape)}; the weights and config.json disagree.")


def table_check(expected: torch.Tensor) -> BufferCheck:
    """A check that a stored table equals ``expected`` (any leading singleton axes ignored)."""
    def check(name: str, tensor: torch.Tensor) -> str | None:
        stored = tensor.reshape(expected.shape) if tensor.numel() == expected.numel() else None
        if stored is None:
            return f"has shape {tuple(tensor.shape)}, calt computes {tuple(expected.shape)}"
        gap = float((stored.float() - expected.float()).abs().max()) if stored.numel() else 0.0
        return None if gap <= BUFFER_TOLERANCE else f"differs from the table calt computes (largest gap {gap:.3g})"

    return check


def positional_buffer_checks(module: torch.nn.Module | None, prefix: str = "positional_embedding") -> dict[str, BufferCheck]:
    """Checks for the tables the original stores for its sinusoidal and rope positions, against ``module``'s."""
    if module is None:
        return {}
    checks = {}
    if hasattr(module, "pe"):
        checks[re.escape(f"{prefix}.pe")] = table_check(module.pe)
    if hasattr(module, "cos_cached"):
        inv_freq = 1.0 / (module.base ** (torch.arange(0, module.d_model, 2).float() / module.d_model))
        checks[re.escape(f"{prefix}.inv_freq")] = table_check(inv_freq)
        checks[re.escape(f"{prefix}.cos_cached")] = table_check(module.cos_cached)
        checks[re.escape(f"{prefix}.sin_cached")] = table_check(module.sin_cached)
    return checks


# --- from_pretrained ------------------------------------------------------------------------------


def calt_x_folder(path: Any, subfolder: str, model_type: str) -> Path | None:
    """The local folder of ``path`` (+ ``subfolder``) when its config.json is calt-x 1.5.0's ``model_type``."""
    if path is None or not isinstance(path, (str, Path)):
        return None
    folder = Path(path) / subfolder if subfolder else Path(path)
    config_file = folder / "config.json"
    if not config_file.is_file():
        return None
    return folder if is_calt_x_config(read_json(config_file), model_type) else None


class CaltXLoadable:
    """Mixin for a ``PreTrainedModel``: ``from_pretrained`` also loads the original's save_dir of the same type.

    The model class provides ``calt_x_state(state, config, expected, source)`` (the converted state dict)."""

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
        """As ``PreTrainedModel.from_pretrained``; a calt-x 1.5.0 save_dir of this type loads too, its weights
        renamed onto this model's with every key checked."""
        folder = calt_x_folder(pretrained_model_name_or_path, kwargs.get("subfolder") or "", cls.config_class.model_type)
        if folder is None:
            return super().from_pretrained(pretrained_model_name_or_path, *model_args, **kwargs)
        config = kwargs.pop("config", None)
        if config is None:
            config = cls.config_class.from_dict(read_json(folder / "config.json"))
        elif not isinstance(config, cls.config_class):
            raise TypeError(f"config must be a {cls.config_class.__name__} for {folder}, got {type(config).__name__}")
        with torch.device("meta"):
            expected = {key: tensor.shape for key, tensor in cls(config).state_dict().items()}
        state, source = read_weights(folder)
        converted = cls.calt_x_state(state, config, expected, source)
        kwargs.pop("subfolder", None)
        want_info = kwargs.pop("output_loading_info", False)
        model, info = super().from_pretrained(None, *model_args, config=config, state_dict=converted,
                                              output_loading_info=True, **kwargs)
        check_loading_info(info, folder)
        model.config.name_or_path = str(folder)
        return (model, info) if want_info else model


__all__ = ["CaltXCheckpointError", "CaltXLoadable", "NamePair", "calt_x_folder", "convert_state_dict",
           "is_calt_x_config", "positional_buffer_checks", "self_attention_pairs", "table_check", "translate_common"]
