"""calt.models: the model registry, ``ModelPipeline``, the model types (generic Transformer, BART, decoder_only,
encoder_classifier) and the registries of positional and input embeddings.

Importing this package registers calt's model types with transformers' ``AutoConfig`` and ``Auto*`` classes,
so ``from_pretrained`` loads a saved calt model.
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
    "DecoderOnlyTransformer": "calt.models.decoder_only.modeling",
    "DecoderOnlyConfig": "calt.models.decoder_only.configuration",
    "EncoderClassifier": "calt.models.encoder_classifier.modeling",
    "EncoderClassifierConfig": "calt.models.encoder_classifier.configuration",
    "MonomialTransformer": "calt.models.monomial.modeling",
    "MonomialTransformerConfig": "calt.models.monomial.configuration",
    "create_monomial_config": "calt.models.monomial.config_mapping",
    "get_input_embedding": "calt.models.input_embeddings",
    "register_input_embedding": "calt.models.input_embeddings",
    "INPUT_EMBEDDING_REGISTRY": "calt.models.input_embeddings",
    "get_positional_embedding": "calt.models.positional_embeddings",
    "register_positional_embedding": "calt.models.positional_embeddings",
    "POSITIONAL_EMBEDDING_REGISTRY": "calt.models.positional_embeddings",
}

__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

register_generic_with_auto_classes()


def register_causal_and_classifier_with_auto_classes() -> None:
    """``AutoConfig`` plus ``AutoModelForCausalLM`` (decoder_only) and ``AutoModelForSequenceClassification``
    (encoder_classifier) load calt's saved models of these types (idempotent)."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

    from .decoder_only import DecoderOnlyConfig, DecoderOnlyTransformer
    from .encoder_classifier import EncoderClassifier, EncoderClassifierConfig

    AutoConfig.register(DecoderOnlyConfig.model_type, DecoderOnlyConfig, exist_ok=True)
    AutoModelForCausalLM.register(DecoderOnlyConfig, DecoderOnlyTransformer, exist_ok=True)
    AutoConfig.register(EncoderClassifierConfig.model_type, EncoderClassifierConfig, exist_ok=True)
    AutoModelForSequenceClassification.register(EncoderClassifierConfig, EncoderClassifier, exist_ok=True)


register_causal_and_classifier_with_auto_classes()


def register_monomial_with_auto_classes() -> None:
    """``AutoConfig`` and ``AutoModelForSeq2SeqLM`` load calt's saved monomial models (idempotent)."""
    from .monomial import register_monomial_with_auto_classes as register

    register()


register_monomial_with_auto_classes()
