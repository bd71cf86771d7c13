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


MAX_RANGE_TOKENS = 1_000_000
"""Tokens one ``vocab.range`` entry may make: each one is a row of the embedding table."""


def range_tokens(name: str, spec: Any) -> list[str]:
    """``[prefix, min, max]`` (inclusive) → ``[prefix+str(min), …, prefix+str(max)]``."""
    if not isinstance(spec, (list, tuple)) or len(spec) != 3:
        raise ValueError(f"vocab.range.{name} must be [prefix, min, max], got {spec!r}")
    prefix, low, high = spec
    if not isinstance(prefix, str):
        raise ValueError(f"vocab.range.{name}: the prefix must be a string (quote it, e.g. \"C\"), got {prefix!r}")
    check_token_text(prefix, f"vocab.range.{name}: the prefix", empty_ok=True)
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (low, high)):
        raise ValueError(f"vocab.range.{name}: min and max must be integers, got {low!r} and {high!r}")
    if low > high:
        raise ValueError(f"vocab.range.{name}: min {low} is greater than max {high}; swap them")
    if high - low >= MAX_RANGE_TOKENS:
        raise ValueError(f"vocab.range.{name}: [{low}, {high}] makes {high - low + 1} tokens, more than "
                         f"{MAX_RANGE_TOKENS}; narrow it, or lex numbers digit by digit (number_policy.digit_group)")
    return [f"{prefix}{i}" for i in range(low, high + 1)]


def check_token_text(text: Any, where: str, empty_ok: bool = False) -> str:
    """``text`` when it can be a token: a string of visible characters and spaces (as calt-x, ``"a b"`` is one
    token); ValueError naming ``where`` otherwise."""
    if not isinstance(text, str) or (not text and not empty_ok):
        raise ValueError(f"{where} must be a non-empty string, got {text!r}")
    if not text.replace(" ", "").isprintable() or (text and not text.strip()):
        raise ValueError(f"{where} {text!r} holds a line break, tab, invisible character or only spaces, which no "
                         "token of a text line can be; remove it")
    return text


def special_token_map(config: Any, where: str) -> dict[str, str]:
    """``vocab.special_tokens``: a mapping of names (pad_token, eos_token, ...) to token strings."""
    if not isinstance(config, dict):
        raise ValueError(f"{where} must be a mapping such as {{pad_token: \"[PAD]\"}}, got {config!r}")
    return {str(name): check_token_text(token, f"{where}.{name}") for name, token in config.items()}


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
        self.token_sources: dict[str, str] = {}
        """token → the lexer.yaml entry that made it (``vocab.range.<name>``, ``vocab.misc``), for error messages."""
        self.ranges: dict[str, tuple[str, int, int]] = {}
        """``vocab.range`` as read: name → (prefix, min, max), for error messages."""

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
        for name, value in flags.items():
            if not isinstance(value, bool):
                raise ValueError(f"vocab.flags.{name} must be true or false, got {value!r}")
        tokens: list[str] = []
        sources: dict[str, str] = {}
        ranges = config.get("range") or {}
        if not isinstance(ranges, dict):
            raise ValueError(f"vocab.range must be a mapping of name: [prefix, min, max], got {ranges!r}")
        for name, spec in ranges.items():
            made = range_tokens(name, spec)
            tokens.extend(made)
            sources.update((token, f"vocab.range.{name}") for token in made if token not in sources)
        misc = config.get("misc") or []
        if not isinstance(misc, list):
            raise ValueError(f"vocab.misc must be a list of tokens, got {misc!r}")
        for index, token in enumerate(misc):
            if isinstance(token, bool) or not isinstance(token, (str, int, float)):
                raise ValueError(f"vocab.misc[{index}] must be a token string, got {token!r}")
            tokens.append(check_token_text(str(token), f"vocab.misc[{index}]"))
            sources.setdefault(tokens[-1], "vocab.misc")
        self.__init__(
            tokens,
            special_token_map(config.get("special_tokens") or {}, "vocab.special_tokens"),
            include_base_vocab=flags.get("include_base_vocab", config.get("include_base_vocab", True)),
            include_base_special_tokens=flags.get(
                "include_base_special_tokens", config.get("include_base_special_tokens", True)
            ),
        )
        self.token_sources = sources
        self.ranges = {str(name): tuple(spec) for name, spec in ranges.items()}
        return self

    def get_vocab(self) -> list[str]:
        return self.vocab

    def get_special_tokens(self) -> dict[str, str]:
        return self.special_tokens

    def save(self, path: str | Path) -> None:
        """Write ``{vocab, special_tokens}`` as YAML (keys sorted, as calt-x writes it)."""
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"vocab": self.vocab, "special_tokens": self.special_tokens}, handle)

