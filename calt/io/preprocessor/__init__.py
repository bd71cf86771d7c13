"""Text → tokens: the lexer, its number policy, and the load preprocessors."""

from ..vocabulary.config import BASE_SPECIAL_TOKENS, BASE_VOCAB, VocabConfig
from .lexer import UnifiedLexer, UnknownCharacterError
from .load_preprocessors import (
    ChainLoadPreprocessor,
    DatasetLoadPreprocessor,
    DefaultLoadPreprocessor,
    ExpandedFormLoadPreprocessor,
    LastElementLoadPreprocessor,
    ReversedOrderLoadPreprocessor,
    TextToSageLoadPreprocessor,
    TextToSympyLoadPreprocessor,
    UserCallableLoadPreprocessor,
)
from .number_policy import NumberPolicy

__all__ = [
    "BASE_SPECIAL_TOKENS",
    "BASE_VOCAB",
    "ChainLoadPreprocessor",
    "DatasetLoadPreprocessor",
    "DefaultLoadPreprocessor",
    "ExpandedFormLoadPreprocessor",
    "LastElementLoadPreprocessor",
    "NumberPolicy",
    "ReversedOrderLoadPreprocessor",
    "TextToSageLoadPreprocessor",
    "TextToSympyLoadPreprocessor",
    "UnifiedLexer",
    "UnknownCharacterError",
    "UserCallableLoadPreprocessor",
    "VocabConfig",
]
