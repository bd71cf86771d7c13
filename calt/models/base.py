"""`ModelRegistry`: model type name -> (model class, config class, ``model``-block mapping)."""

from __future__ import annotations

from typing import Any, Callable

from transformers import PretrainedConfig, PreTrainedModel

ConfigMapping = Callable[[Any, Any], PretrainedConfig]
"""``fn(model_cfg, tokenizer) -> PretrainedConfig``: turns the ``model`` block into a model config."""


class ModelRegistry:
    """Creates models by type name (case-insensitive); ``generic``/``transformer``/``calt`` and ``bart`` built in.

    Example::

        registry = ModelRegistry()
        registry.register("mine", MyModel, MyConfig)
        registry.register_config_mapping("mine", lambda model_cfg, tokenizer: MyConfig(...))
        model = registry.create_from_config(cfg.model, tokenizer)   # cfg.model.model_type == "mine"
    """

    def __init__(self) -> None:
        self._models: dict[str, tuple[type[PreTrainedModel], type[PretrainedConfig]]] = {}
        self._config_mappings: dict[str, ConfigMapping] = {}
        self._block_schemas: dict[str, type] = {}
        self._register_defaults()

    def _register_defaults(self) -> None:
        from transformers import BartConfig, BartForConditionalGeneration

        from .bart.config_mapping import BartModelBlock, create_bart_config
        from .generic.config_mapping import GenericModelBlock, create_transformer_config
        from .generic.configuration import TransformerConfig
        from .generic.modeling import Transformer

        for name in ("generic", "transformer", "calt"):
            self.register(name, Transformer, TransformerConfig)
            self.register_config_mapping(name, create_transformer_config, GenericModelBlock)
        self.register("bart", BartForConditionalGeneration, BartConfig)
        self.register_config_mapping("bart", create_bart_config, BartModelBlock)
        self._register_causal_and_classifier()
        self._register_monomial()

    def _register_monomial(self) -> None:
        """``monomial``: one monomial per position (calt-x's monomial embedding model)."""
        from .monomial import MonomialModelBlock, MonomialTransformer, MonomialTransformerConfig, create_monomial_config

        self.register("monomial", MonomialTransformer, MonomialTransformerConfig)
        self.register_config_mapping("monomial", create_monomial_config, MonomialModelBlock)

    def _register_causal_and_classifier(self) -> None:
        """``decoder_only`` (alias ``decoder``) and ``encoder_classifier`` (alias ``encoder_only``), as in calt-x."""
        from .decoder_only import DecoderOnlyConfig, DecoderOnlyModelBlock, DecoderOnlyTransformer
        from .decoder_only import create_decoder_only_config
        from .encoder_classifier import EncoderClassifier, EncoderClassifierConfig, EncoderClassifierModelBlock
        from .encoder_classifier import create_encoder_classifier_config

        for name in ("decoder_only", "decoder"):
            self.register(name, DecoderOnlyTransformer, DecoderOnlyConfig)
            self.register_config_mapping(name, create_decoder_only_config, DecoderOnlyModelBlock)
        for name in ("encoder_classifier", "encoder_only"):
            self.register(name, EncoderClassifier, EncoderClassifierConfig)
            self.register_config_mapping(name, create_encoder_classifier_config, EncoderClassifierModelBlock)

    def register(self, model_name: str, model_class: type[PreTrainedModel], config_class: type[PretrainedConfig]) -> None:
        """Make ``model_name`` build ``model_class`` from a ``config_class`` instance (replaces an earlier entry)."""
        self._models[_key(model_name)] = (model_class, config_class)

    def register_config_mapping(self, model_name: str, mapping_func: ConfigMapping, block_schema: type | None = None) -> None:
        """Use ``mapping_func(model_cfg, tokenizer)`` to turn the ``model`` block into ``model_name``'s config;
        ``block_schema`` (a dataclass of ``calt.config.key`` fields) documents the keys it reads."""
        self._config_mappings[_key(model_name)] = mapping_func
        if block_schema is not None:
            self._block_schemas[_key(model_name)] = block_schema

    def model_class_for(self, model_type: str) -> type[PreTrainedModel] | None:
        """The registered model class whose config class has ``model_type`` (a saved config.json's), or None."""
        for model_class, config_class in self._models.values():
            if getattr(config_class, "model_type", None) == model_type:
                return model_class
        return None

    def block_schemas(self) -> dict[str, type]:
        """``{model type: model-block schema}`` of the types that registered one."""
        return dict(self._block_schemas)

    def list_models(self) -> list[str]:
        """Registered type names, in registration order."""
        return list(self._models)

    def _lookup(self, model_name: Any) -> tuple[str, type[PreTrainedModel], type[PretrainedConfig]]:
        key = _key(model_name)
        if key not in self._models:
            raise ValueError(f"Unsupported model type: {model_name!r}. Supported types: {self.list_models()}")
        return (key, *self._models[key])

    def create(self, model_name: str | None = None, model_config: PretrainedConfig | None = None) -> PreTrainedModel:
        """A model from a ready config; ``model_name`` defaults to ``model_config.model_type``."""
        if model_config is None:
            raise ValueError("ModelRegistry.create needs model_config (a PretrainedConfig instance).")
        if model_name is None:
            model_name = getattr(model_config, "model_type", None)
            if not model_name:
                raise ValueError("ModelRegistry.create: pass model_name; model_config has no model_type to infer it from.")
        key, model_class, config_class = self._lookup(model_name)
        if not isinstance(model_config, config_class):
            raise ValueError(
                f"ModelRegistry.create: model type {key!r} needs a {config_class.__name__}, "
                f"got {type(model_config).__name__}."
            )
        return model_class(model_config)

    def create_from_config(self, model_config: Any, tokenizer=None, model_name: str | None = None) -> PreTrainedModel:
        """A model from the ``model`` block of train.yaml; the type is ``model_name`` or ``model_config.model_type``."""
        if model_name is None:
            model_name = model_config.get("model_type") if hasattr(model_config, "get") else getattr(model_config, "model_type", None)
            if model_name is None:
                raise ValueError(
                    f"model config: required key 'model_type' is missing; set model.model_type to one of {self.list_models()}."
                )
        key, model_class, _ = self._lookup(model_name)
        mapping = self._config_mappings.get(key)
        if mapping is None:
            raise ValueError(
                f"No config mapping registered for model type {key!r}; call register_config_mapping({key!r}, fn)."
            )
        return model_class(mapping(model_config, tokenizer))


def _key(model_name: Any) -> str:
    if not isinstance(model_name, str):
        raise ValueError(f"Model type must be a string, got {model_name!r}.")
    return model_name.strip().lower()


_default_registry: ModelRegistry | None = None


def default_registry() -> ModelRegistry:
    """The process-wide registry used by :func:`get_model`, :func:`get_model_from_config` and ``ModelPipeline``."""
    global _default_registry
    if _default_registry is None:
        _default_registry = ModelRegistry()
    return _default_registry


def get_model(model_name: str | None = None, model_config: PretrainedConfig | None = None) -> PreTrainedModel:
    """:meth:`ModelRegistry.create` on the default registry."""
    return default_registry().create(model_name=model_name, model_config=model_config)


def get_model_from_config(model_config: Any, tokenizer=None, model_name: str | None = None) -> PreTrainedModel:
    """:meth:`ModelRegistry.create_from_config` on the default registry."""
    return default_registry().create_from_config(model_config, tokenizer=tokenizer, model_name=model_name)
