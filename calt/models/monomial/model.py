"""The original's module path of the monomial model."""

from .configuration import MonomialTransformerConfig
from .embedding import MonomialEmbedding
from .modeling import MonomialDecodeHead, MonomialTransformer

__all__ = ["MonomialDecodeHead", "MonomialEmbedding", "MonomialTransformer", "MonomialTransformerConfig"]
