"""``VocabConfig``: the token inventory of a task, read from the ``vocab`` block of lexer.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..keys import check_keys

BASE_VOCAB = ["[SEP]"]
BASE_SPECIAL_TOKENS = {"pad_token": "[PAD]", "bos_token": "<s>", "eos_token": "</s>", "cls_token": "[CLS]"}
VOCAB_KEYS = ("range", "misc", "special_tokens", "flags", "include_base_vocab", "include_base_special_tokens")


def get_base_vocab() -> list[str]:
    return list(BASE_VOCAB)


def get_base_special_tokens() -> dict[str, str]:
    return dict(BASE_SPECIAL_TOKENS)


def range_tokens(name: str, spec: Any) -> list[str]:
    """``[prefix, min, max]`` (inclusive) → ``[prefix+str(min), …, prefix+str(max)]``."""
    if not isinstance(spec, (list, tuple)) or len(spec) != 3:
        raise ValueError(f"vocab.range.{name} must be [prefix, min, max], got {spec!r}")
    prefix, low, high = spec
    if not isinstance(low, int) or not isinstance(high, int):
        raise ValueError(f"vocab.range.{name}: min and max must be integers, got {low!r} and {high!r}")
    if low > high:
        raise ValueError(f"vocab.range.{name}: min {low} is greater than max {high}; swap them")
    return [f"{prefix}{i}" for i in range(low, high + 1)]


class VocabConfig:
    """The vocabulary (ordered token list) and the special-token map of a task.

    The list is kept as written, repeats included, as calt-x keeps it: ``[SEP]``, then the range
    tokens in the order of ``vocab.range``, then ``vocab.misc``.
    """

    def __init__(
        self,
        vocab: list[str] | None = None,
        special_tokens: dict[str, str] | None = None,
        include_base_vocab: bool = True,
        include_base_special_tokens: bool = True,
    ) -> None:
        self.vocab = (list(BASE_VOCAB) if include_base_vocab else []) + list(vocab or [])
        self.special_tokens = dict(BASE_SPECIAL_TOKENS if include_base_special_tokens else {})
        self.special_tokens.update(dict(special_tokens or {}))

    def from_config(self, config: dict | str | Path) -> "VocabConfig":
        """Fill this object from a ``vocab`` block (dict) or a YAML file holding one; returns self."""
        source = str(config) if isinstance(config, (str, Path)) else "vocab block"
        if isinstance(config, (str, Path)):
            with open(config, encoding="utf-8") as handle:
                config = yaml.safe_load(handle) or {}
            if "vocab" in config and isinstance(config["vocab"], dict):
                config = config["vocab"]
        config = dict(config or {})
        check_keys(config, VOCAB_KEYS, source)
        flags = dict(config.get("flags") or {})
        check_keys(flags, ("include_base_vocab", "include_base_special_tokens"), f"{source}: flags")
        tokens: list[str] = []
        for name, spec in (config.get("range") or {}).items():
            tokens.extend(range_tokens(name, spec))
        tokens.extend(str(t) for t in (config.get("misc") or []))
        self.__init__(
            tokens,
            config.get("special_tokens") or {},
            include_base_vocab=flags.get("include_base_vocab", config.get("include_base_vocab", True)),
            include_base_special_tokens=flags.get(
                "include_base_special_tokens", config.get("include_base_special_tokens", True)
            ),
        )
        return self

    def get_vocab(self) -> list[str]:
        return self.vocab

    def get_special_tokens(self) -> dict[str, str]:
        return self.special_tokens

    def save(self, path: str | Path) -> None:
        """Write ``{vocab, special_tokens}`` as YAML (keys sorted, as calt-x writes it)."""
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"vocab": self.vocab, "special_tokens": self.special_tokens}, handle)

