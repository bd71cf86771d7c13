"""calt.models: the model registry, ``ModelPipeline`` and the generic encoder–decoder ``Transformer``.

Names are imported lazily (PEP 562) so that ``import calt`` stays fast; importing this package also makes
transformers' ``AutoConfig`` / ``AutoModelForSeq2SeqLM`` recognise saved generic models.
"""

from importlib import import_module

from .auto_registration import register_with_transformers_auto

_EXPORTS = {
    "ModelPipeline": "calt.models.pipeline",
    "ModelRegistry": "calt.models.base",
    "get_model": "calt.models.base",
    "get_model_from_config": "calt.models.base",
    "Transformer": "calt.models.generic.modeling",
    "TransformerConfig": "calt.models.generic.configuration",
    "create_transformer_config": "calt.models.generic.config_mapping",
    "create_bart_config": "calt.models.bart.config_mapping",
}

__all__ = list(_EXPORTS)

register_with_transformers_auto()


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'calt.models' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
