"""calt's monomial encoder–decoder (one monomial per position): config, model, embedding, ``model``-block mapping."""

from transformers import AutoConfig, AutoModelForSeq2SeqLM

from .config_mapping import MonomialModelBlock, create_monomial_config
from .configuration import MonomialTransformerConfig
from .embedding import MonomialEmbedding
from .modeling import MonomialDecodeHead, MonomialTransformer
from .token_groups import MonomialTokenGroups, monomial_token_groups

__all__ = ["MonomialDecodeHead", "MonomialEmbedding", "MonomialModelBlock", "MonomialTokenGroups",
           "MonomialTransformer", "MonomialTransformerConfig", "create_monomial_config", "monomial_token_groups",
           "register_monomial_with_auto_classes"]


def register_monomial_with_auto_classes() -> None:
    """Make ``AutoConfig`` / ``AutoModelForSeq2SeqLM`` load saved monomial models (idempotent)."""
    AutoConfig.register(MonomialTransformerConfig.model_type, MonomialTransformerConfig, exist_ok=True)
    AutoModelForSeq2SeqLM.register(MonomialTransformerConfig, MonomialTransformer, exist_ok=True)
