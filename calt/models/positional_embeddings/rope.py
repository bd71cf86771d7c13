"""Rotary positions, two ways.

- :class:`QueryKeyRotaryEmbedding` (``rope``, the standard RoFormer placement): each attention head's queries
  and keys are rotated by position-dependent angles inside attention, so scores depend on relative offsets.
- :class:`RotaryPositionalEmbedding` (``rope_input``): the whole embedding vector is rotated once, before the
  first layer. This is what calt-x 1.5.0 calls ``rope``; it is kept under its own name so the original's
  checkpoints load and answer the same.
"""

from __future__ import annotations

import torch
from torch import nn

from ..generic.positional import RotaryEmbedding


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(x1, x2) → (-x2, x1) over the last dimension."""
    half = x.size(-1) // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class QueryKeyRotaryEmbedding(RotaryEmbedding):
    """RoPE on queries and keys of ``head_dim`` channels; models apply it inside self-attention."""

    def rotate(self, x: torch.Tensor, position_ids: torch.LongTensor) -> torch.Tensor:
        """Rotate ``x`` (B, H, L, head_dim) by per-row positions ``position_ids`` (B, L)."""
        length = int(position_ids.max()) + 1 if position_ids.numel() else 1
        cos, sin = self.cos_sin(length, x.device, x.dtype)
        cos, sin = cos[position_ids].unsqueeze(1), sin[position_ids].unsqueeze(1)
        return x * cos + rotate_half(x) * sin


class RotaryPositionalEmbedding(nn.Module):
    """calt-x 1.5.0's ``rope``: ``x * cos + rotate_half(x) * sin`` over all ``d_model`` channels of the embeddings,
    with the angles computed in float32 as the original does (so its checkpoints give the same outputs). The
    tables are computed when first needed, never stored (see :class:`~.sinusoidal.SinusoidalPositionalEmbedding`)."""

    def __init__(self, d_model: int, max_len: int = 512, base: float = 10000.0):
        super().__init__()
        if d_model % 2:
            raise ValueError(f"rope_input rotates channel pairs: d_model must be even, got {d_model}")
        self.d_model = d_model
        self.max_len = max_len
        self.base = base
        self._tables: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}

    def angles(self, length: int) -> torch.Tensor:
        """(length, d_model) float32 rotation angles."""
        inv_freq = 1.0 / (self.base ** (torch.arange(0, self.d_model, 2).float() / self.d_model))
        angles = torch.outer(torch.arange(length, dtype=inv_freq.dtype), inv_freq)
        return torch.cat([angles, angles], dim=-1)

    @property
    def cos_cached(self) -> torch.Tensor:
        return self.angles(self.max_len).cos()

    @property
    def sin_cached(self) -> torch.Tensor:
        return self.angles(self.max_len).sin()

    def tables(self, length: int, device: torch.device, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sin of at least ``length`` positions (the original extends its tables past max_len too)."""
        key = (device, dtype)
        cached = self._tables.get(key)
        if cached is None or cached[0].size(0) < length:
            angles = self.angles(max(length, self.max_len))
            self._tables[key] = (angles.cos().to(device=device, dtype=dtype), angles.sin().to(device=device, dtype=dtype))
        return self._tables[key]

    def forward(self, embeddings: torch.Tensor, position_ids: torch.LongTensor | None = None) -> torch.Tensor:
        """Rotate ``embeddings`` (B, L, D) as positions ``position_ids`` (B, L); 0…L-1 when None."""
        needed = embeddings.size(1) if position_ids is None else int(position_ids.max()) + 1
        cos, sin = self.tables(needed, embeddings.device, embeddings.dtype)
        if position_ids is None:
            cos, sin = cos[: embeddings.size(1)], sin[: embeddings.size(1)]
        else:
            cos, sin = cos[position_ids], sin[position_ids]
        return embeddings * cos + rotate_half(embeddings) * sin
