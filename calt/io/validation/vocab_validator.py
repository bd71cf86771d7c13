"""``validate_dataset_tokens``: the tokens of a dataset that its vocabulary lacks."""

from __future__ import annotations

import logging
from typing import Sequence

from ..preprocessor.lexer import UnifiedLexer, UnknownCharacterError
from ..vocabulary.config import VocabConfig
from ..vocabulary.validator import UnknownTokens

logger = logging.getLogger(__name__)


def _tokens(lexer: UnifiedLexer, text: str) -> list[str]:
    """The lexer's tokens of ``text``; a character no lexer rule accepts counts as an unknown token."""
    tokens: list[str] = []
    while True:
        try:
            return tokens + lexer.tokenize(text)
        except UnknownCharacterError as error:
            tokens += lexer.tokenize(text[: error.column]) + [error.char]
            text = text[error.column + 1 :]


def validate_dataset_tokens(
    lexer: UnifiedLexer,
    vocab_config: VocabConfig,
    input_texts: Sequence[str],
    target_texts: Sequence[str],
    max_samples: int | None = None,
) -> list[str]:
    """Sorted tokens of the first ``max_samples`` (all if None or 0) input/target pairs that are
    neither in ``vocab_config``'s vocabulary nor among its special tokens.

    The first sample holding each such token is logged as a warning.
    """
    valid = set(vocab_config.get_vocab()) | set(vocab_config.get_special_tokens().values())
    unknown = UnknownTokens()
    pairs = list(zip(input_texts, target_texts))
    for number, pair in enumerate(pairs[:max_samples] if max_samples else pairs, start=1):
        for side, text in zip(("input", "target"), pair):
            missing = [token for token in _tokens(lexer, text) if token not in valid]
            if missing:
                unknown.add(missing, (f"{side} text of sample", number))
    if unknown:
        logger.warning("%d token(s) outside the vocabulary:\n%s", len(unknown.first_seen), unknown.describe())
    return sorted(unknown.first_seen)
