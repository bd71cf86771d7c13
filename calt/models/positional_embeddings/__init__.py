"""Positional embeddings chosen by name (``model.use_positional_embedding``); see :mod:`.base`."""

from .base import (
    BUILTIN_POSITIONAL_EMBEDDINGS,
    POSITIONAL_EMBEDDING_REGISTRY,
    build_positions,
    get_positional_embedding,
    positional_embedding_names,
    register_positional_embedding,
)
from .generic import GenericPositionalEmbedding, LearnedPositionalEmbedding
from .rope import QueryKeyRotaryEmbedding, RotaryPositionalEmbedding
from .sinusoidal import SinusoidalPositionalEmbedding

__all__ = [
    "BUILTIN_POSITIONAL_EMBEDDINGS",
    "GenericPositionalEmbedding",
    "LearnedPositionalEmbedding",
    "POSITIONAL_EMBEDDING_REGISTRY",
    "QueryKeyRotaryEmbedding",
    "RotaryPositionalEmbedding",
    "SinusoidalPositionalEmbedding",
    "build_positions",
    "get_positional_embedding",
    "positional_embedding_names",
    "register_positional_embedding",
]
