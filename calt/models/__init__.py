"""calt.models: the model registry, ``ModelPipeline`` and the model types (generic Transformer, BART).

Importing this package registers calt's model types with transformers' ``AutoConfig`` and
``AutoModelForSeq2SeqLM``, so ``from_pretrained`` loads a saved calt model.
"""

from calt.lazy import lazy_exports

from .generic import register_generic_with_auto_classes

_EXPORTS = {
    "ModelPipeline": "calt.models.pipeline",
    "ModelLoader": "calt.models.loader",
    "ModelRegistry": "calt.models.base",
    "get_model": "calt.models.base",
    "get_model_from_config": "calt.models.base",
    "Transformer": "calt.models.generic.modeling",
    "TransformerConfig": "calt.models.generic.configuration",
    "create_transformer_config": "calt.models.generic.config_mapping",
    "create_bart_config": "calt.models.bart.config_mapping",
}

__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

register_generic_with_auto_classes()
