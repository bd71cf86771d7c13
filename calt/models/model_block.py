"""Checks shared by the ``model``-block mappings: head counts, and ids that the tokenizer decides."""

from __future__ import annotations

from typing import Any

from calt.config import ConfigError


def positive(value: Any, name: str) -> int:
    """``value`` when it is a positive integer; ConfigError naming ``model.name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"model.{name} must be a positive integer; got {value!r}")
    return value


def check_heads_divide(d_model: int, heads: int, heads_key: str) -> None:
    """ConfigError naming both keys when ``heads`` does not divide ``d_model``."""
    positive(d_model, "d_model")
    positive(heads, heads_key)
    if d_model % heads:
        raise ConfigError(
            f"model.d_model={d_model} is not divisible by model.{heads_key}={heads}; "
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


def vocabulary_ids(block: Any, tokenizer: Any, fallback: dict[str, int]) -> dict[str, int]:
    """vocab_size and special-token ids: the tokenizer's when there is one (a different explicit value in the
    block is an error), else the block's or ``fallback``; decoding starts with BOS."""
    if tokenizer is None:
        values = {name: getattr(block, name) if getattr(block, name) is not None else default
                  for name, default in fallback.items()}
    else:
        values = {"vocab_size": len(tokenizer), **special_token_ids(tokenizer)}
        for name, value in values.items():
            given = getattr(block, name, None)
            if given is not None and given != value:
                raise ConfigError(f"model.{name}={given} disagrees with the tokenizer ({value}); remove model.{name}, "
                                  "the tokenizer decides it.")
    values["decoder_start_token_id"] = values["bos_token_id"]
    return values
