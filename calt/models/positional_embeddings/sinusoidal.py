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
    """Adds the fixed table; it is recomputed when the model is built, so checkpoints do not store it."""

    def __init__(self, d_model: int, max_len: int = 512):
        super().__init__()
        self.d_model = d_model
        self.max_len = max_len
        self.register_buffer("pe", sinusoid_table(max_len, d_model), persistent=False)

    def forward(self, embeddings: torch.Tensor, position_ids: torch.LongTensor | None = None) -> torch.Tensor:
        """``embeddings`` (B, L, D) plus the table rows of ``position_ids`` (B, L); 0…L-1 when None."""
        if position_ids is None:
            length = embeddings.size(1)
            if length > self.max_len:
                raise ValueError(f"sequence of {length} positions, but the sinusoidal table has {self.max_len} rows; "
                                 "rebuild the model with a larger model.max_sequence_length")
            return embeddings + self.pe[:length].to(embeddings.dtype)
        return embeddings + self.pe[position_ids].to(embeddings.dtype)
