"""calt-x 1.5.0's module path for this model type's config and model classes."""

from .configuration import DecoderOnlyConfig
from .modeling import DecoderOnlyTransformer

__all__ = ["DecoderOnlyConfig", "DecoderOnlyTransformer"]
