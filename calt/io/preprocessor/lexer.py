"""``UnifiedLexer``: raw problem/answer text → vocabulary tokens, by the rules of lexer.yaml.

The rules are calt-x 1.5.0's, token for token. Whitespace separates and is dropped. At each
other position the lexer takes the first of three rules that matches, in an order set by the
number policy:

- *number*: digits, with a decimal point when floats are allowed (``12``, ``1.5``, ``1.``, ``.5``).
  When signs attach, a ``-`` directly before the digits joins them unless the character before
  the ``-`` is a letter, digit or ``_`` (``3-5`` is a subtraction, ``(x+1)-5`` holds a ``-5``);
  under that rule digits right after a letter or digit are not a number either.
- *reserved*: the longest vocabulary token (``C-3``, ``-1``, ``16``, ...) or base operator
  (``|| | + - * ^ / ( ) [ ]``) starting here.
- *identifier*: ``[A-Za-z_][A-Za-z_0-9]*``.

Signs attached, or whole numbers (``digit_group: 0``): number, reserved, identifier.
Signs separate with digit groups: reserved, number, identifier, so a vocabulary token such as
``16`` wins over the digit split. Numbers become tokens through the ``NumberPolicy``. A
character no rule accepts is an error when ``strict``, else the unk token (``<unk>`` unless the
vocabulary's special tokens name one).
"""

from __future__ import annotations

import re

from ..vocabulary.config import VocabConfig
from .number_policy import NumberPolicy

BASE_RESERVED = ["||", "|", "+", "-", "*", "^", "/", "(", ")", "[", "]"]
IDENTIFIER = r"[A-Za-z_][A-Za-z_0-9]*"
LEXER_UNK = "<unk>"
"""What the lexer emits for an unknown character when special_tokens has no ``unk_token`` (as calt-x)."""
DEFAULT_UNK = "[UNK]"
"""The tokenizer's unk token when special_tokens has none (calt-only: calt-x's tokenizer has no unk)."""
NOT_AFTER_WORD = r"(?<![A-Za-z0-9_])"


class UnknownCharacterError(ValueError):
    """A character that no lexer rule accepts (strict mode); knows the character and column."""

    def __init__(self, char: str, column: int, text: str):
        self.char, self.column, self.text = char, column, text
        super().__init__(
            f"Unknown character '{char}' at position {column} in: {text[: column + 20]} -- add it to "
            "vocab.misc in lexer.yaml, or set strict: false to map it to the unk token"
        )


def extend_vocab(vocab_config: VocabConfig, number_policy: NumberPolicy) -> VocabConfig:
    """A new VocabConfig: ``vocab_config``'s tokens, then those the number policy can emit that it lacks.

    The caller's object is left untouched.
    """
    vocab = list(vocab_config.get_vocab())
    known = set(vocab)
    vocab += [token for token in number_policy.extra_vocab() if token not in known]
    extended = VocabConfig(
        vocab, dict(vocab_config.get_special_tokens()), include_base_vocab=False, include_base_special_tokens=False
    )
    extended.token_sources = dict(getattr(vocab_config, "token_sources", {}))
    extended.ranges = dict(getattr(vocab_config, "ranges", {}))
    return extended


def longest_match_pattern(tokens: list[str]) -> str:
    """A regex matching, at a position, the longest of ``tokens`` found there (a trie of alternations).

    On the text only one child of each trie node can match, and a node's continuations are tried
    before ending there, so the first success is the longest token, as a longest-first alternation.
    """
    trie: dict = {}
    for token in tokens:
        node = trie
        for char in token:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    ends_here = "" in node
    leaves = sorted(c for c, child in node.items() if c and list(child) == [""])
    branches = [re.escape(c) + _trie_regex(child) for c, child in sorted(node.items()) if c and c not in leaves]
    if len(leaves) == 1:
        branches.append(re.escape(leaves[0]))
    elif leaves:
        branches.append("[" + "".join(re.escape(c) for c in leaves) + "]")
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else "(?:" + "|".join(branches) + ")"
    return body + "?" if ends_here else body


class UnifiedLexer:
    """Splits text into the tokens of a task's vocabulary (see the module docstring for the rules).

    ``vocab_config`` is not modified: ``self.vocab_config`` is a copy extended with the tokens the
    number policy needs, and is the vocabulary the tokenizer should be built from.
    """

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
        self.vocab_config = extend_vocab(vocab_config, self.number_policy)
        self.unk_token = self.vocab_config.get_special_tokens().get("unk_token", LEXER_UNK)
        reserved = self.vocab_config.get_vocab() + (BASE_RESERVED if include_base_vocab else [])
        self.reserved_tokens = sorted(dict.fromkeys(reserved), key=len, reverse=True)
        policy = self.number_policy
        self._numbers_first = policy.sign or policy.digit_group == 0
        self._plain_numbers = not policy.sign and policy.digit_group == 0  # every digit starts a number
        self._pattern, self._lexeme_pattern = self._build_patterns()
        self._split_chars, self._needs_regex = self._split_fast_path()
        self._number_cache: dict[str, list[str]] = {}

    # --- public API -------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """The tokens of ``text``; unknown characters raise (strict) or become the unk token."""
        out: list[str] = []
        for match in self._pattern.finditer(text):
            kind = match.lastgroup
            if kind == "number":
                out.extend(self._number(match.group()))
            elif kind == "unknown":
                if self.strict:
                    raise UnknownCharacterError(match.group(), match.start(), text)
                out.append(self.unk_token)
            else:
                out.append(match.group())
        return out

    def raw_lexemes(self, text: str) -> list[str] | None:
        """The lexemes of ``text`` when they are its tokens (whole numbers, no decimal point to split),
        else None. Callers must still check each against the vocabulary: an unknown character comes
        back as itself."""
        if self.number_policy.digit_group or (self.number_policy.allow_float and "." in text):
            return None
        if self._plain_numbers and self._needs_regex.search(text) is None:  # digits and 1-char tokens only
            for char in self._split_chars:
                if char in text:
                    text = text.replace(char, f" {char} ")
            return text.split()
        return self._lexeme_pattern.findall(text)

    def to_token_text(self, text: str) -> str:
        """Tokens of ``text`` joined by single spaces (what the tokenizer consumes)."""
        return " ".join(self.tokenize(text))

    def encode(self, text: str) -> str:
        """Same as ``to_token_text``."""
        return self.to_token_text(text)

    def decode(self, tokens: str | list[str]) -> str:
        """Token text back to compact text by removing the spaces (lossy: spacing is not kept)."""
        if isinstance(tokens, str):
            return tokens.replace(" ", "")
        return "".join(tokens)

    def __call__(self, text: str) -> str:
        return self.to_token_text(text)

    # --- internals -----------------------------------------------------------------------
    def _build_patterns(self) -> tuple[re.Pattern, re.Pattern]:
        """The rule alternation with named groups (for ``tokenize``) and without (for ``findall``)."""
        policy = self.number_policy
        sign = NOT_AFTER_WORD + "-?" if policy.sign else ""  # ".5" never takes a sign
        number = sign + (r"\d+\.?\d*|\.\d+" if policy.allow_float else r"\d+")
        # whitespace is skipped before any rule, so a token starting with it never matches; with plain
        # numbers every digit starts a number, so tokens starting with a digit never match either
        live = [
            t for t in self.reserved_tokens
            if t and not t[0].isspace() and not (self._plain_numbers and re.match(r"\d", t))
        ]
        reserved = longest_match_pattern(live) if live else "(?!)"
        rules = [("number", number), ("reserved", reserved), ("identifier", IDENTIFIER)]
        if not self._numbers_first:
            rules[0], rules[1] = rules[1], rules[0]
        rules.append(("unknown", r"\S"))
        named = "|".join(f"(?P<{name}>{regex})" for name, regex in rules)
        plain = "|".join(f"(?:{regex})" for _, regex in rules)
        return re.compile(named), re.compile(plain)

    def _split_fast_path(self) -> tuple[list[str], re.Pattern]:
        """With plain numbers, text of ASCII digits, spaces and one-character tokens lexes by padding
        each such token with spaces and ``str.split``. Characters that start a longer token, letters
        not in the vocabulary and anything else need the regex; the pattern returned second finds them."""
        starts = {t[0] for t in self.reserved_tokens if len(t) > 1 and not t[0].isdigit()}
        single = {t for t in self.reserved_tokens if len(t) == 1 and not t.isdigit() and not t.isspace()}
        single -= starts
        single.add("\x00")  # a record separator lexes as itself on both paths
        allowed = "".join(re.escape(c) for c in sorted(single))
        return sorted(single), re.compile(rf"[^0-9 {allowed}]")

    def _number(self, lexeme: str) -> list[str]:
        tokens = self._number_cache.get(lexeme)
        if tokens is None:
            tokens = self.number_policy.process_number(lexeme)
            if len(self._number_cache) < 100_000:
                self._number_cache[lexeme] = tokens
        return tokens
