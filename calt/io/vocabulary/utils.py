"""The original's vocabulary helpers: numbered token ranges (``C-5 … C5``) and the tokens of GF(p)."""

from __future__ import annotations

from collections.abc import Sequence

from .config import VocabConfig


def get_range_vocab(tag: str, begin: int, end: int, centered: bool = False) -> list[str]:
    """``[tag+str(begin), …, tag+str(end)]`` (inclusive). ``centered`` widens the range on both sides by
    ``(begin + end) // 2``, as calt-x does."""
    if centered:
        shift = (begin + end) // 2
        begin, end = begin - shift, end + shift
    return [f"{tag}{i}" for i in range(begin, end + 1)]


def get_vocab(vocab_list: Sequence[tuple[str, int, int]], misc: Sequence[str] = ()) -> VocabConfig:
    """A ``VocabConfig`` of the ranges ``(prefix, begin, end)`` followed by the ``misc`` tokens, with the
    base vocabulary and base special tokens."""
    vocab: list[str] = []
    for prefix, begin, end in vocab_list:
        vocab.extend(get_range_vocab(prefix, begin, end))
    vocab.extend(misc)
    return VocabConfig(vocab=vocab, special_tokens={})


def is_finite_field(field: str) -> bool:
    """True for a field written ``GF<p>`` or ``GF(p)``."""
    return field.startswith("GF")


def get_finite_field_vocab(field: str, centered: bool = False) -> list[str]:
    """Coefficient tokens of ``GF<p>`` (``"GF7"``): ``C-(p-1) … Cp``, as calt-x builds them."""
    if not is_finite_field(field):
        raise ValueError(f"get_finite_field_vocab needs a finite field such as 'GF7', got {field!r}")
    digits = field[2:].strip("()")
    if not digits.isdigit():
        raise ValueError(f"cannot read the order of {field!r}; write it as 'GF7' or 'GF(7)'")
    p = int(digits)
    return get_range_vocab("C", -p + 1, p, centered=centered)
