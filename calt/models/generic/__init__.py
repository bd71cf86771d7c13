"""calt's generic encoder–decoder Transformer: config, model, generation and the ``model``-block mapping.

Imported lazily, so that reading only the config (e.g. for ``AutoConfig``) does not load torch.
"""

from importlib import import_module

_EXPORTS = {
    "Transformer": "calt.models.generic.modeling",
    "TransformerConfig": "calt.models.generic.configuration",
    "create_transformer_config": "calt.models.generic.config_mapping",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'calt.models.generic' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
