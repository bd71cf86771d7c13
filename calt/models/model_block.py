"""Reading the ``model`` block of train.yaml (a DictConfig, a dict or an attribute object) with clear errors."""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

REQUIRED = object()
"""Sentinel default: the key must be present and not null."""


def read_model_key(model_cfg: Any, key: str, default: Any = REQUIRED, model_type: str | None = None) -> Any:
    """``model_cfg[key]``; a missing or null required key is a ValueError naming it and the model type."""
    value = _lookup(model_cfg, key)
    if value is None:
        if default is REQUIRED:
            kind = f" for model_type {model_type!r}" if model_type else ""
            raise ValueError(f"model config: required key {key!r} is missing{kind}; set model.{key} in train.yaml.")
        return default
    return value


def read_int(model_cfg: Any, key: str, default: Any = REQUIRED, model_type: str | None = None) -> int:
    """Like :func:`read_model_key`, and the value must be a positive integer."""
    value = read_model_key(model_cfg, key, default, model_type)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"model config: {key} must be a positive integer, got {value!r}.")
    return value


def warn_unknown_keys(model_cfg: Any, known: Iterable[str], model_type: str) -> None:
    """Warn about ``model`` keys that the ``model_type`` mapping does not read (a typo would otherwise
    be ignored silently), naming the closest key it does read."""
    known = ("model_type", *known)
    keys = model_cfg.keys() if isinstance(model_cfg, Mapping) else vars(model_cfg).keys()
    for key in keys:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"it reads: {', '.join(known)}"
        warnings.warn(f"model.{key} is not used by model_type {model_type!r} and is ignored; {hint}", stacklevel=3)


def _lookup(model_cfg: Any, key: str) -> Any:
    if isinstance(model_cfg, Mapping):
        try:
            return model_cfg.get(key)
        except Exception:  # OmegaConf's MissingMandatoryValue for "???"
            return None
    return getattr(model_cfg, key, None)


def check_heads_divide(d_model: int, heads: int, heads_key: str) -> None:
    """ValueError naming both keys when ``heads`` does not divide ``d_model``."""
    if d_model % heads:
        raise ValueError(
            f"model config: d_model={d_model} is not divisible by {heads_key}={heads}; "
            "choose a head count that divides d_model."
        )


def special_token_ids(tokenizer: Any) -> dict[str, int]:
    """pad/bos/eos ids of ``tokenizer``; ValueError naming the token that is not set."""
    ids = {}
    for name in ("pad_token_id", "bos_token_id", "eos_token_id"):
        value = getattr(tokenizer, name, None)
        if value is None:
            raise ValueError(
                f"tokenizer has no {name}; calt models need pad, bos and eos tokens "
                "(keep flags.include_base_special_tokens: true in lexer.yaml)."
            )
        ids[name] = value
    return ids
