"""``calt.io``: text → tokens → batches (readers, lexer, vocabulary, tokenizer, datasets, collator)."""

from .collator import StandardDataCollator
from .dataset import StandardDataset
from .pipeline import IOPipeline
from .preprocess import (
    build_io_pipeline_with_cache,
    build_ring_from_sampler,
    maybe_use_pretokenized_cache,
    maybe_use_processed_cache,
    parse_field,
    preprocess_to_ids,
    run_preprocess,
)
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
    "build_io_pipeline_with_cache",
    "build_ring_from_sampler",
    "get_tokenizer",
    "maybe_use_pretokenized_cache",
    "maybe_use_processed_cache",
    "parse_field",
    "preprocess_to_ids",
    "run_preprocess",
]
