"""The embedding names of a ``model`` block checked against the registries, before anything is built."""

from __future__ import annotations

from typing import Any

from calt.config import ConfigError

from .input_embeddings import INPUT_EMBEDDING_REGISTRY, input_embedding_names
from .positional_embeddings import POSITIONAL_EMBEDDING_REGISTRY, positional_embedding_names


def check_embedding_names(block: Any) -> None:
    """ConfigError naming ``model.use_positional_embedding`` / ``model.input_embedding_type`` when the name is
    not registered (registration must happen before the model is built, in every process)."""
    positions = str(block.use_positional_embedding).strip().lower()
    if positions not in POSITIONAL_EMBEDDING_REGISTRY:
        raise ConfigError(f"model.use_positional_embedding: {block.use_positional_embedding!r} is not registered; "
                          f"choose one of {positional_embedding_names()} or register it with "
                          "calt.models.register_positional_embedding(name, factory) before building the model.")
    embedding = str(getattr(block, "input_embedding_type", "token")).strip().lower()
    if embedding not in INPUT_EMBEDDING_REGISTRY:
        raise ConfigError(f"model.input_embedding_type: {block.input_embedding_type!r} is not registered; choose "
                          f"one of {input_embedding_names()} or register it with "
                          "calt.models.register_input_embedding(name, factory) before building the model.")
