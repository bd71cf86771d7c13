"""``UnifiedLexer``: raw problem/answer text → vocabulary tokens, by the rules of lexer.yaml.

At each position, in order: a number literal (by the ``NumberPolicy``), the longest reserved
token (the vocabulary, then the base operators), an identifier ``[A-Za-z_][A-Za-z_0-9]*``.
Whitespace separates and is dropped. A ``-`` directly before a number joins it when the policy
attaches signs and the ``-`` is not a binary minus (the character before it does not end a
number, identifier or closing bracket: "3-5" is a subtraction, "3 -5" and "(-5" hold a -5). Anything else is unknown: an error when ``strict``, else the unk token.
"""

from __future__ import annotations

import re

from ..vocabulary.config import VocabConfig
from .number_policy import NumberPolicy

BASE_RESERVED = ["||", "|", "+", "-", "*", "^", "/", "(", ")", "[", "]"]
IDENTIFIER = r"[A-Za-z_][A-Za-z_0-9]*"
SIGNED_NUMBER = re.compile(r"-\d+(\.\d+)?")
DEFAULT_UNK = "[UNK]"


class UnknownCharacterError(ValueError):
    """A character that no lexer rule accepts (strict mode); knows the character and column."""

    def __init__(self, char: str, column: int, text: str):
        self.char, self.column, self.text = char, column, text
        super().__init__(
            f"unknown character {char!r} at column {column + 1} of {text!r}; add it to vocab.misc in "
            "lexer.yaml, or set strict: false to map it to the unk token"
        )


class UnifiedLexer:
    """Splits text into the tokens of a task's vocabulary (see the module docstring for the rules)."""

    def __init__(
        self,
        vocab_config: VocabConfig,
        number_policy: NumberPolicy | None = None,
        strict: bool = True,
        include_base_vocab: bool = True,
    ) -> None:
        self.number_policy = number_policy or NumberPolicy()
        self.strict = strict
        self.include_base_vocab = include_base_vocab
        self.vocab_config = vocab_config
        vocab_config.add_tokens(self.number_policy.extra_vocab())
        self.unk_token = vocab_config.get_special_tokens().get("unk_token", DEFAULT_UNK)
        reserved = list(vocab_config.get_vocab()) + (BASE_RESERVED if include_base_vocab else [])
        # signed-number tokens are left to the number policy, so "3-5" is never "3" "-5"
        self.reserved = {t for t in reserved if t and not SIGNED_NUMBER.fullmatch(t) and not t.isspace()}
        self._pattern = self._lexeme_pattern()
        self._split_chars, self._needs_regex = self._split_fast_path()
        self._simple_numbers = self.number_policy.digit_group == 0
        self._number_cache: dict[str, list[str]] = {}

    # --- public API -------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """The tokens of ``text``; unknown characters raise (strict) or become the unk token."""
        if "-" in text and self.number_policy.sign:
            return self._tokenize_with_signs(text)
        out: list[str] = []
        for lexeme in self._pattern.findall(text):
            self._emit(lexeme, out, text)
        return out

    def raw_lexemes(self, text: str) -> list[str] | None:
        """The lexemes of ``text`` when no number rule rewrites them (no sign to attach, no digit
        groups, no decimal point), else None. Callers must still check each against the vocabulary:
        an unknown character comes back as itself."""
        if not self._simple_numbers or "." in text or ("-" in text and self.number_policy.sign):
            return None
        if self._needs_regex.search(text) is None:  # digits and one-character tokens only
            for char in self._split_chars:
                if char in text:
                    text = text.replace(char, f" {char} ")
            return text.split()
        return self._pattern.findall(text)

    def to_token_text(self, text: str) -> str:
        """Tokens of ``text`` joined by single spaces (what the tokenizer consumes)."""
        return " ".join(self.tokenize(text))

    def encode(self, text: str) -> str:
        return self.to_token_text(text)

    def decode(self, tokens: str | list[str]) -> str:
        """Token text back to compact text (lossy: spacing is not kept)."""
        if isinstance(tokens, str):
            tokens = tokens.split()
        return "".join(tokens)

    def __call__(self, text: str) -> str:
        return self.to_token_text(text)

    # --- internals -----------------------------------------------------------------------
    def _lexeme_pattern(self) -> re.Pattern:
        """One alternation, tried in order: number, reserved tokens longest first, identifier, any
        other character. Single-character tokens share one character class (same order, faster)."""
        number = r"\d+(?:\.\d+)?" if self.number_policy.allow_float else r"\d+"
        # an all-digit token is always taken by the number rule first, so it never needs its own branch
        tokens = [t for t in self.reserved if not t.isdigit()]
        multi = sorted((t for t in tokens if len(t) > 1), key=len, reverse=True)
        single = sorted(t for t in tokens if len(t) == 1)
        pieces = [number, *map(re.escape, multi)]
        if single:
            pieces.append("[" + "".join(re.escape(c) for c in single) + "]")
        return re.compile("|".join(pieces + [IDENTIFIER, r"\S"]))

    def _split_fast_path(self) -> tuple[list[str], re.Pattern]:
        """For text of digits, spaces and one-character tokens, lexing is padding each such token
        with spaces and ``str.split``. Characters that start a longer token, letters and anything
        else need the regex; the pattern returned second finds them."""
        starts = {t[0] for t in self.reserved if len(t) > 1 and not t[0].isdigit()}
        single = {t for t in self.reserved if len(t) == 1 and not t.isdigit() and t not in starts}
        single.add("\x00")  # a record separator lexes as itself on both paths
        allowed = "".join(re.escape(c) for c in sorted(single))
        return sorted(single), re.compile(rf"[^0-9 {allowed}]")

    def _emit(self, lexeme: str, out: list[str], text: str) -> None:
        first = lexeme[0]
        if first.isdigit() or (first == "-" and lexeme[1:2].isdigit()):
            out.extend(self._number(lexeme))
        elif lexeme in self.reserved or first.isalpha() or first == "_":
            out.append(lexeme)
        elif self.strict:
            raise UnknownCharacterError(lexeme, self._column_of(lexeme, text, out), text)
        else:
            out.append(self.unk_token)

    def _number(self, lexeme: str) -> list[str]:
        if self._simple_numbers and "." not in lexeme:  # also "-12" when signs attach
            return [lexeme]
        tokens = self._number_cache.get(lexeme)
        if tokens is None:
            tokens = self._number_cache[lexeme] = self.number_policy.process_number(lexeme)
        return tokens

    def _tokenize_with_signs(self, text: str) -> list[str]:
        out: list[str] = []
        matches = list(self._pattern.finditer(text))
        i = 0
        while i < len(matches):
            lexeme = matches[i].group()
            nxt = matches[i + 1] if i + 1 < len(matches) else None
            if (
                lexeme == "-"
                and nxt is not None
                and nxt.start() == matches[i].end()
                and nxt.group()[0].isdigit()
                and not self._follows_operand(text, matches[i].start())
            ):
                out.extend(self._number("-" + nxt.group()))
                i += 2
                continue
            self._emit(lexeme, out, text)
            i += 1
        return out

    @staticmethod
    def _follows_operand(text: str, position: int) -> bool:
        """True when the character before ``position`` ends an operand, making ``-`` a binary minus."""
        return position > 0 and (text[position - 1].isalnum() or text[position - 1] in ")]_")

    def _column_of(self, lexeme: str, text: str, out: list[str]) -> int:
        """Column of the first occurrence of an unknown lexeme (error path only)."""
        for match in self._pattern.finditer(text):
            if match.group() == lexeme:
                return match.start()
        return text.find(lexeme)
