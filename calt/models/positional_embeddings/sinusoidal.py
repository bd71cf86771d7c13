"""Fixed sine/cosine positions ("Attention Is All You Need"), added to the embeddings (``sinusoidal``)."""

from __future__ import annotations

import math

import torch
from torch import nn


def sinusoid_table(length: int, d_model: int) -> torch.Tensor:
    """(length, d_model) float32 table, computed as calt-x 1.5.0 computes its stored ``pe`` buffer."""
    table = torch.zeros(length, d_model)
    position = torch.arange(0, length, dtype=torch.float).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
    table[:, 0::2] = torch.sin(position * div_term)
    table[:, 1::2] = torch.cos(position * div_term[: d_model // 2])
    return table


class SinusoidalPositionalEmbedding(nn.Module):
    """Adds the fixed table. The table is computed when first needed (per device and dtype), never stored, so
    checkpoints hold none and ``from_pretrained`` (which builds models on the meta device) has none to restore."""

    def __init__(self, d_model: int, max_len: int = 512):
        super().__init__()
        self.d_model = d_model
        self.max_len = max_len
        self._tables: dict[tuple, torch.Tensor] = {}

    @property
    def pe(self) -> torch.Tensor:
        """The (max_len, d_model) float32 table, as calt-x 1.5.0 stores it."""
        return sinusoid_table(self.max_len, self.d_model)

    def table(self, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        key = (device, dtype)
        if key not in self._tables:
            self._tables[key] = self.pe.to(device=device, dtype=dtype)
        return self._tables[key]

    def forward(self, embeddings: torch.Tensor, position_ids: torch.LongTensor | None = None) -> torch.Tensor:
        """``embeddings`` (B, L, D) plus the table rows of ``position_ids`` (B, L); 0…L-1 when None."""
        needed = embeddings.size(1) if position_ids is None else int(position_ids.max()) + 1
        if needed > self.max_len:
            raise ValueError(f"position {needed - 1} is past the sinusoidal table's {self.max_len} rows; rebuild the "
                             "model with a larger model.max_sequence_length")
        table = self.table(embeddings.device, embeddings.dtype)
        return embeddings + (table[: embeddings.size(1)] if position_ids is None else table[position_ids])
