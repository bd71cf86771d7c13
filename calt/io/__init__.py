"""``calt.io``: text → tokens → batches (readers, lexer, vocabulary, tokenizer, datasets, collator)."""

from .collator import StandardDataCollator
from .dataset import StandardDataset
from .pipeline import IOPipeline
from .preprocessor import (
    ChainLoadPreprocessor,
    DatasetLoadPreprocessor,
    ExpandedFormLoadPreprocessor,
    LastElementLoadPreprocessor,
    NumberPolicy,
    ReversedOrderLoadPreprocessor,
    TextToSageLoadPreprocessor,
    TextToSympyLoadPreprocessor,
    UnifiedLexer,
    UserCallableLoadPreprocessor,
)
from .tokenizer import get_tokenizer
from .vocabulary import VocabConfig

__all__ = [
    "ChainLoadPreprocessor",
    "DatasetLoadPreprocessor",
    "ExpandedFormLoadPreprocessor",
    "IOPipeline",
    "LastElementLoadPreprocessor",
    "NumberPolicy",
    "ReversedOrderLoadPreprocessor",
    "StandardDataCollator",
    "StandardDataset",
    "TextToSageLoadPreprocessor",
    "TextToSympyLoadPreprocessor",
    "UnifiedLexer",
    "UserCallableLoadPreprocessor",
    "VocabConfig",
    "get_tokenizer",
]
