"""Checks shared by the configs of the decoder_only and encoder_classifier models, so a bad size fails before
any tensor is allocated, with the train.yaml key named."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .generic.configuration import ACTIVATIONS
from .input_embeddings import INPUT_EMBEDDING_REGISTRY, input_embedding_names
from .positional_embeddings import POSITIONAL_EMBEDDING_REGISTRY, positional_embedding_names


def check_model_config(config, class_name: str, sizes: Iterable[str], block_keys: Mapping[str, str]) -> None:
    """ValueError naming ``class_name``, the attribute and its ``model.<key>`` when a size, head count,
    activation, dropout, embedding name or special-token id cannot build the model."""

    def name(attribute: str) -> str:
        return f"{attribute} (model.{block_keys[attribute]})" if attribute in block_keys else attribute

    for attribute in sizes:
        value = getattr(config, attribute)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{class_name}: {name(attribute)} must be a positive integer, got {value!r}.")
    if config.d_model % config.attention_heads:
        raise ValueError(f"{class_name}: d_model={config.d_model} is not divisible by {name('attention_heads')}="
                         f"{config.attention_heads}; choose a head count that divides d_model.")
    if config.activation not in ACTIVATIONS:
        raise ValueError(f"{class_name}: activation={config.activation!r} is not one of {list(ACTIVATIONS)}.")
    if not 0.0 <= float(config.dropout) < 1.0:
        raise ValueError(f"{class_name}: dropout must be in [0, 1), got {config.dropout!r}.")
    if config.use_positional_embedding not in POSITIONAL_EMBEDDING_REGISTRY:
        raise ValueError(f"{class_name}: use_positional_embedding={config.use_positional_embedding!r} is not "
                         f"registered ({positional_embedding_names()}); register yours with "
                         "calt.models.register_positional_embedding before building or loading the model.")
    if config.input_embedding_type not in INPUT_EMBEDDING_REGISTRY:
        raise ValueError(f"{class_name}: input_embedding_type={config.input_embedding_type!r} is not registered "
                         f"({input_embedding_names()}); register yours with calt.models.register_input_embedding "
                         "before building or loading the model.")
    for attribute in ("pad_token_id", "eos_token_id", "bos_token_id"):
        value = getattr(config, attribute)
        if not isinstance(value, int) or not 0 <= value < config.vocab_size:
            raise ValueError(f"{class_name}: {attribute}={value!r} must be a token id in [0, vocab_size="
                             f"{config.vocab_size}).")


def check_supported(norm_first: bool, tie_word_embeddings: bool, class_name: str, batch_first: bool = True) -> None:
    """calt-x's layout switches that calt's blocks do not offer: ValueError naming the one set otherwise.
    (They are not stored: calt's blocks are always pre-norm and batch-first, the head never tied.)"""
    for name, value, wanted in (("norm_first", norm_first, True), ("batch_first", batch_first, True),
                                ("tie_word_embeddings", tie_word_embeddings, False)):
        if bool(value) is not wanted:
            raise ValueError(f"{class_name}: {name}={value!r} is not supported; calt's blocks are pre-norm "
                             "(norm_first=True) and batch-first, and the output head is never tied to the embedding.")
