"""Positional information for the generic Transformer: learned or sinusoidal tables added to the
token embeddings, or rotary embeddings (RoPE) applied to queries and keys inside self-attention.

Fixed tables are computed on demand (and memoised per length, device and dtype) rather than stored as
buffers, so checkpoints hold only trained weights and loading never has to rebuild them.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class LearnedPositionalEmbedding(nn.Module):
    """A trainable vector per position, added to the token embeddings (``generic`` / ``learned``)."""

    def __init__(self, max_positions: int, d_model: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(max_positions, d_model))

    def forward(self, embeddings: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Add positions ``offset … offset+L-1`` to ``embeddings`` of shape (B, L, D)."""
        return embeddings + self.weight[offset : offset + embeddings.size(1)].to(embeddings.dtype)


class SinusoidalPositionalEmbedding(nn.Module):
    """The fixed sine/cosine table of "Attention Is All You Need", added to the token embeddings."""

    def __init__(self, d_model: int):
        super().__init__()
        self.d_model = d_model
        self._tables: dict[tuple, torch.Tensor] = {}

    def table(self, length: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """A table of at least ``length`` rows, grown geometrically and memoised per device/dtype."""
        key = (device, dtype)
        cached = self._tables.get(key)
        if cached is None or cached.size(0) < length:
            size = max(length, 2 * cached.size(0) if cached is not None else 64)
            position = torch.arange(size, dtype=torch.float64, device=device).unsqueeze(1)
            inv_freq = torch.exp(
                torch.arange(0, self.d_model, 2, dtype=torch.float64, device=device) * (-math.log(10000.0) / self.d_model)
            )
            table = torch.zeros(size, self.d_model, dtype=torch.float64, device=device)
            table[:, 0::2] = torch.sin(position * inv_freq)
            table[:, 1::2] = torch.cos(position * inv_freq[: self.d_model // 2])
            self._tables[key] = table.to(dtype)
        return self._tables[key]

    def forward(self, embeddings: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Add positions ``offset … offset+L-1`` to ``embeddings`` of shape (B, L, D)."""
        length = offset + embeddings.size(1)
        return embeddings + self.table(length, embeddings.device, embeddings.dtype)[offset:length]


class RotaryEmbedding(nn.Module):
    """Rotary position embedding (RoFormer): rotates each head's query/key pairs by position-dependent angles."""

    def __init__(self, head_dim: int, theta: float = 10000.0):
        super().__init__()
        self.head_dim = head_dim
        self.theta = theta
        self._cos_sin: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}

    def cos_sin(self, length: int, device: torch.device, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sin tables of shape (length, head_dim), grown geometrically and memoised."""
        key = (device, dtype)
        cached = self._cos_sin.get(key)
        if cached is None or cached[0].size(0) < length:
            size = max(length, 2 * cached[0].size(0) if cached is not None else 64)
            inv_freq = 1.0 / (
                self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float64, device=device) / self.head_dim)
            )
            angles = torch.outer(torch.arange(size, dtype=torch.float64, device=device), inv_freq)
            angles = torch.cat([angles, angles], dim=-1)
            self._cos_sin[key] = (angles.cos().to(dtype), angles.sin().to(dtype))
        cos, sin = self._cos_sin[key]
        return cos[:length], sin[:length]

    def forward(self, x: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Rotate ``x`` of shape (B, H, L, head_dim) as positions ``offset … offset+L-1``."""
        cos, sin = self.cos_sin(offset + x.size(-2), x.device, x.dtype)
        cos, sin = cos[offset:], sin[offset:]
        half = x.size(-1) // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rotated * sin


def build_additive_positional_embedding(kind: str, max_positions: int, d_model: int) -> nn.Module | None:
    """The module added to token embeddings for ``kind``; None for ``rope`` (applied in attention) and ``none``."""
    if kind in ("generic", "learned"):
        return LearnedPositionalEmbedding(max_positions, d_model)
    if kind == "sinusoidal":
        return SinusoidalPositionalEmbedding(d_model)
    return None
