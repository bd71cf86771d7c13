"""The original's module path of the generic model: ``Transformer`` and ``TransformerConfig``."""

from .configuration import TransformerConfig
from .modeling import Transformer

__all__ = ["Transformer", "TransformerConfig"]
