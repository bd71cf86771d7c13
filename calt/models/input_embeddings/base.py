"""Registry of input (token) embeddings: a name in ``model.input_embedding_type`` → a module that embeds ids.

A factory is called as ``factory(vocab_size=, d_model=, **kwargs)`` and returns an ``nn.Module`` mapping ids
``(batch, seq)`` to ``(batch, seq, d_model)``. ``token`` (also ``default``, ``learned``) is a plain
``nn.Embedding``. Register your own before the model is built, in every process that builds or loads it::

    from calt.models import register_input_embedding
    register_input_embedding("scaled", lambda vocab_size, d_model, **kw: MyEmbedding(vocab_size, d_model))

then set ``model.input_embedding_type: scaled`` in train.yaml.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

INPUT_EMBEDDING_REGISTRY: dict[str, Callable[..., nn.Module]] = {}
"""Lower-cased name → factory(vocab_size, d_model, **kwargs)."""

TOKEN_EMBEDDINGS = ("token", "default", "learned")
"""Names of the built-in plain ``nn.Embedding``."""


def register_input_embedding(name: str, factory: Callable[..., nn.Module]) -> None:
    """Make ``name`` (case-insensitive) build its embedding with ``factory``; replaces an earlier entry."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"register_input_embedding: name must be a non-empty string, got {name!r}")
    if not callable(factory):
        raise TypeError(f"register_input_embedding({name!r}, …): factory must be callable, got {factory!r}")
    INPUT_EMBEDDING_REGISTRY[name.strip().lower()] = factory


def input_embedding_names() -> list[str]:
    """The registered names, sorted."""
    return sorted(INPUT_EMBEDDING_REGISTRY)


def get_input_embedding(emb_type: str, vocab_size: int, d_model: int, **kwargs) -> nn.Module:
    """The embedding registered under ``emb_type``; ValueError listing the registered names otherwise."""
    key = emb_type.strip().lower() if isinstance(emb_type, str) else emb_type
    if key not in INPUT_EMBEDDING_REGISTRY:
        raise ValueError(
            f"Unsupported input embedding type: {emb_type!r}. Registered: {input_embedding_names()}; "
            "add yours with calt.models.register_input_embedding(name, factory) before building the model."
        )
    module = INPUT_EMBEDDING_REGISTRY[key](vocab_size=vocab_size, d_model=d_model, **kwargs)
    if not isinstance(module, nn.Module):
        raise TypeError(f"input embedding {emb_type!r}: the factory returned {type(module).__name__}, not an nn.Module")
    return module


def _token_embedding(vocab_size: int, d_model: int, **kwargs) -> nn.Embedding:
    """A learnable table of one vector per token id."""
    return nn.Embedding(vocab_size, d_model)


for _name in TOKEN_EMBEDDINGS:
    register_input_embedding(_name, _token_embedding)
