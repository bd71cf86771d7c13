"""``NumberPolicy``: how a number literal becomes tokens (sign attachment, digit groups, decimals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class NumberPolicy:
    """``sign``: "-5" is one token; ``digit_group`` d ≥ 1 splits digits left to right into chunks of d
    (the sign stays on the first chunk), 0 keeps the whole number; ``allow_float``: "1.25" → "1" "." "25"."""

    sign: bool = False
    digit_group: int = 0
    allow_float: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.digit_group, int) or self.digit_group < 0:
            raise ValueError(f"number_policy.digit_group must be an integer >= 0, got {self.digit_group!r}")

    @property
    def attach_sign(self) -> bool:
        return self.sign

    def process_number(self, number: str) -> list[str]:
        """Tokens of one number literal such as ``"-1234"`` or ``"3.50"``."""
        negative = number.startswith("-")
        body = number[1:] if negative else number
        integer, _, fraction = body.partition(".")
        if not integer.isdigit() or (fraction and not fraction.isdigit()):
            raise ValueError(f"not a number literal: {number!r}")
        tokens = self._groups(integer)
        if negative:
            if self.sign:
                tokens[0] = "-" + tokens[0]
            else:
                tokens.insert(0, "-")
        if "." in body:
            if not self.allow_float:
                raise ValueError(f"decimal number {number!r} but number_policy.allow_float is false")
            tokens.append(".")
            tokens.extend(self._groups(fraction) if fraction else [])
        return tokens

    def _groups(self, digits: str) -> list[str]:
        d = self.digit_group
        if d == 0:
            return [digits]
        return [digits[i : i + d] for i in range(0, len(digits), d)]

    def extra_vocab(self) -> list[str]:
        """Tokens this policy can emit that a range vocabulary may lack (groups, ".", "-0")."""
        tokens: list[str] = []
        if self.allow_float:
            tokens.append(".")
            if self.sign:
                tokens.append("-0")
        for width in range(1, self.digit_group + 1):
            tokens.extend(str(i).zfill(width) for i in range(10**width))
        if self.sign and self.digit_group:
            tokens.extend(f"-{i}" for i in range(1, 10**self.digit_group))
        return tokens
