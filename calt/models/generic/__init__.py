"""calt's generic encoder–decoder Transformer: config, model, generation and the ``model``-block mapping."""

from transformers import AutoConfig, AutoModelForSeq2SeqLM

from .config_mapping import GenericModelBlock, create_transformer_config
from .configuration import TransformerConfig
from .loader import TransformerLoader
from .modeling import Transformer

__all__ = ["GenericModelBlock", "Transformer", "TransformerConfig", "TransformerLoader", "create_transformer_config",
           "register_generic_with_auto_classes"]


def register_generic_with_auto_classes() -> None:
    """Make ``AutoConfig`` / ``AutoModelForSeq2SeqLM`` load saved generic models (idempotent)."""
    AutoConfig.register(TransformerConfig.model_type, TransformerConfig, exist_ok=True)
    AutoModelForSeq2SeqLM.register(TransformerConfig, Transformer, exist_ok=True)
