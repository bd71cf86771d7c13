"""Text → tokens: the lexer, its number policy, and the load preprocessors."""

from ..vocabulary.config import BASE_SPECIAL_TOKENS, BASE_VOCAB, VocabConfig, get_base_special_tokens, get_base_vocab
from .base import AbstractPreProcessor, PreProcessorChain, TermParseException
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
from .load_preprocessor import (
    JsonlDefaultLoadPreprocessor,
    PickleDefaultLoadPreprocessor,
    TextDefaultLoadPreprocessor,
)
from .number_policy import NumberPolicy

__all__ = [
    "AbstractPreProcessor",
    "BASE_SPECIAL_TOKENS",
    "BASE_VOCAB",
    "ChainLoadPreprocessor",
    "DatasetLoadPreprocessor",
    "DefaultLoadPreprocessor",
    "ExpandedFormLoadPreprocessor",
    "JsonlDefaultLoadPreprocessor",
    "LastElementLoadPreprocessor",
    "NumberPolicy",
    "PickleDefaultLoadPreprocessor",
    "PreProcessorChain",
    "ReversedOrderLoadPreprocessor",
    "TermParseException",
    "TextDefaultLoadPreprocessor",
    "TextToSageLoadPreprocessor",
    "TextToSympyLoadPreprocessor",
    "UnifiedLexer",
    "UnknownCharacterError",
    "UserCallableLoadPreprocessor",
    "VocabConfig",
    "get_base_special_tokens",
    "get_base_vocab",
]
