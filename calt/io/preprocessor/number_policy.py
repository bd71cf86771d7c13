"""``NumberPolicy``: how a number literal becomes tokens (sign attachment, digit groups, decimals).

The rules are calt-x 1.5.0's, so a lexer.yaml written for it tokenizes the same way:

- ``sign`` True: a leading ``-`` stays on the number (on its first digit group), and so does a
  leading ``+`` (the lexer never hands one over; only direct calls see it). False: either sign
  becomes its own token.
- ``digit_group`` d ≥ 1 cuts the digits left to right into chunks of d; 0 keeps them whole.
- ``allow_float``: ``1.25`` → ``1`` ``.`` ``25``; a missing integer part reads as ``0``
  (``.5`` → ``0`` ``.`` ``5``); a missing fraction gives an empty token when digits are not
  grouped (``1.`` → ``1`` ``.`` ``""``), as calt-x does. Without it, ``.`` is an ordinary character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LITERAL = re.compile(r"[+-]?\d*\.?\d*")
_DIGIT = re.compile(r"\d")


@dataclass
class NumberPolicy:
    """``sign`` (attach the sign), ``digit_group`` (0 = whole numbers) and ``allow_float``; see the module."""

    sign: bool = False
    digit_group: int = 0
    allow_float: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.sign, bool):
            raise ValueError(
                f"sign must be bool (True=attach, False=separate), got {type(self.sign).__name__}: {self.sign}"
            )
        if not isinstance(self.digit_group, int):
            raise ValueError(
                f"digit_group must be an int >= 0 (0 = no split), got {type(self.digit_group).__name__}: "
                f"{self.digit_group}"
            )
        if self.digit_group < 0:
            raise ValueError(f"digit_group must be >= 0, got {self.digit_group}")
        if not isinstance(self.allow_float, bool):
            raise ValueError(f"allow_float must be bool, got {type(self.allow_float).__name__}: {self.allow_float}")

    @property
    def attach_sign(self) -> bool:
        """The lexer.yaml name of ``sign``."""
        return self.sign

    def process_number(self, number_str: str) -> list[str]:
        """Tokens of one number literal such as ``"-1234"``, ``"+7"``, ``"3.50"`` or ``".5"``."""
        number = number_str
        if not _LITERAL.fullmatch(number) or not _DIGIT.search(number):
            raise ValueError(f"not a number literal: {number!r} (digits with an optional sign and decimal point)")
        tokens: list[str] = []
        prefix = ""
        if number[0] in "+-" and not self.sign:
            tokens.append(number[0])
            number = number[1:]
        elif number[0] == "-":
            prefix, number = "-", number[1:]
        # an attached "+" stays in the digits, as in calt-x ("+12345", groups of 2 -> "+1" "23" "45")
        if self.allow_float and "." in number:
            integer, fraction = number.split(".", 1)
            tokens += self._groups(integer or "0", prefix)
            tokens.append(".")
            tokens += self._groups(fraction)
        else:
            tokens += self._groups(number, prefix)
        return tokens

    def _groups(self, digits: str, prefix: str = "") -> list[str]:
        """``digits`` whole (0) or cut into chunks of ``digit_group``, ``prefix`` on the first one."""
        d = self.digit_group
        if d == 0:
            return [prefix + digits]
        chunks = [digits[i : i + d] for i in range(0, len(digits), d)]
        if chunks and prefix:
            chunks[0] = prefix + chunks[0]
        return chunks

    def extra_vocab(self) -> list[str]:
        """Tokens the lexer adds to the vocabulary for this policy, in calt-x's order:
        ``.`` (floats), ``-0`` (floats with attached signs), then every zero-padded digit group."""
        tokens: list[str] = []
        if self.allow_float:
            tokens.append(".")
            if self.sign:
                tokens.append("-0")
        for width in range(1, self.digit_group + 1):
            tokens.extend(str(i).zfill(width) for i in range(10**width))
        return tokens
