"""calt-x 1.5.0's module path for this model type's config and model classes."""

from .configuration import EncoderClassifierConfig
from .modeling import EncoderClassifier

__all__ = ["EncoderClassifier", "EncoderClassifierConfig"]
