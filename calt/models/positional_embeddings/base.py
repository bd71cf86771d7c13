"""Registry of positional embeddings: a name in ``model.use_positional_embedding`` → a module.

A factory is called as ``factory(d_model=, max_len=, **kwargs)`` (models pass ``num_heads`` and ``base``,
the RoPE base, as keywords too) and returns an ``nn.Module``, or None for no positions. The module is
applied to the embeddings as ``module(embeddings, position_ids=ids)``: embeddings (batch, seq, d_model),
ids (batch, seq) of positions counted from 0 at the first token — or None, meaning 0…seq-1 — and returns
embeddings of the same shape. A :class:`~.rope.QueryKeyRotaryEmbedding` is the exception: models apply it to
the queries and keys inside self-attention instead.

Built in: ``generic``/``learned`` (a trainable table), ``sinusoidal`` (the fixed table), ``rope`` (rotary on
queries and keys), ``rope_input`` (calt-x 1.5.0's ``rope``: the embeddings are rotated) and ``none``.
Register your own before the model is built, in every process that builds or loads it::

    from calt.models import register_positional_embedding
    register_positional_embedding("scaled", lambda d_model, max_len, **kw: MyPositions(d_model, max_len))

then set ``model.use_positional_embedding: scaled`` in train.yaml.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from torch import nn

POSITIONAL_EMBEDDING_REGISTRY: dict[str, Callable[..., nn.Module | None]] = {}
"""Lower-cased name → factory(d_model, max_len, **kwargs)."""

BUILTIN_POSITIONAL_EMBEDDINGS = ("generic", "learned", "sinusoidal", "rope", "rope_input", "none")
ROPE_BASE = 10000.0


def register_positional_embedding(name: str, factory: Callable[..., nn.Module | None]) -> None:
    """Make ``name`` (case-insensitive) build its positions with ``factory``; replaces an earlier entry."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"register_positional_embedding: name must be a non-empty string, got {name!r}")
    if not callable(factory):
        raise TypeError(f"register_positional_embedding({name!r}, …): factory must be callable, got {factory!r}")
    POSITIONAL_EMBEDDING_REGISTRY[name.strip().lower()] = factory


def positional_embedding_names() -> list[str]:
    """The registered names: the built-ins first, then the others sorted."""
    others = sorted(set(POSITIONAL_EMBEDDING_REGISTRY) - set(BUILTIN_POSITIONAL_EMBEDDINGS))
    return [name for name in BUILTIN_POSITIONAL_EMBEDDINGS if name in POSITIONAL_EMBEDDING_REGISTRY] + others


def get_positional_embedding(pe_type: str, d_model: int, max_len: int = 512, **kwargs) -> nn.Module | None:
    """The positions registered under ``pe_type`` for ``max_len`` positions; ValueError listing the names otherwise."""
    key = pe_type.strip().lower() if isinstance(pe_type, str) else pe_type
    if key not in POSITIONAL_EMBEDDING_REGISTRY:
        raise ValueError(
            f"Unsupported positional embedding type: {pe_type!r}. Registered: {positional_embedding_names()}; "
            "add yours with calt.models.register_positional_embedding(name, factory) before building the model."
        )
    module = POSITIONAL_EMBEDDING_REGISTRY[key](d_model=d_model, max_len=max_len, **kwargs)
    if module is not None and not isinstance(module, nn.Module):
        raise TypeError(f"positional embedding {pe_type!r}: the factory returned {type(module).__name__}, "
                        "not an nn.Module (or None)")
    if module is not None and not _is_rotary(module):
        _check_accepts_position_ids(pe_type, module)
    return module


def _is_rotary(module: nn.Module) -> bool:
    from .rope import QueryKeyRotaryEmbedding

    return isinstance(module, QueryKeyRotaryEmbedding)


def _check_accepts_position_ids(name: str, module: nn.Module) -> None:
    """Models call ``module(embeddings, position_ids=…)``: say so at build time, not mid-training."""
    parameters = inspect.signature(module.forward).parameters
    if "position_ids" not in parameters and not any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        raise TypeError(
            f"positional embedding {name!r}: {type(module).__name__}.forward must accept position_ids "
            "(forward(self, embeddings, position_ids=None)); incremental decoding passes the positions of each row."
        )


def build_positions(kind: str, d_model: int, max_len: int, num_heads: int, base: float = ROPE_BASE
                    ) -> tuple[nn.Module | None, nn.Module | None]:
    """(module applied to the embeddings, rotary module for queries/keys) of ``kind``; one of them is None."""
    module = get_positional_embedding(kind, d_model=d_model, max_len=max_len, num_heads=num_heads, base=base)
    if module is not None and _is_rotary(module):
        return None, module
    return module, None


def _make_learned(d_model: int, max_len: int, **kwargs) -> nn.Module:
    from .generic import GenericPositionalEmbedding

    return GenericPositionalEmbedding(d_model=d_model, max_len=max_len)


def _make_sinusoidal(d_model: int, max_len: int, **kwargs) -> nn.Module:
    from .sinusoidal import SinusoidalPositionalEmbedding

    return SinusoidalPositionalEmbedding(d_model=d_model, max_len=max_len)


def _make_rope(d_model: int, max_len: int, num_heads: int | None = None, base: float = ROPE_BASE, **kwargs) -> nn.Module:
    from .rope import QueryKeyRotaryEmbedding

    if num_heads is None:
        raise ValueError("positional embedding 'rope' rotates each attention head's queries and keys: pass num_heads "
                         "(or use 'rope_input', which rotates the embeddings as calt-x 1.5.0's 'rope' did)")
    head_dim = d_model // num_heads
    if head_dim % 2:
        raise ValueError(f"use_positional_embedding 'rope' needs an even head dimension, but d_model={d_model} / "
                         f"{num_heads} heads = {head_dim}; change d_model or the number of heads")
    return QueryKeyRotaryEmbedding(head_dim, base)


def _make_rope_input(d_model: int, max_len: int, base: float = ROPE_BASE, **kwargs) -> nn.Module:
    from .rope import RotaryPositionalEmbedding

    return RotaryPositionalEmbedding(d_model=d_model, max_len=max_len, base=base)


def _make_none(**kwargs) -> None:
    return None


for _name, _factory in (("generic", _make_learned), ("learned", _make_learned), ("sinusoidal", _make_sinusoidal),
                        ("rope", _make_rope), ("rope_input", _make_rope_input), ("none", _make_none)):
    register_positional_embedding(_name, _factory)
