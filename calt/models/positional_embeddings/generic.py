"""Learned positions: one trainable vector per position, added to the embeddings (``generic`` / ``learned``)."""

from __future__ import annotations

import torch
from torch import nn


class GenericPositionalEmbedding(nn.Module):
    """A table of ``max_len`` trainable vectors; row ``p`` is added at position ``p``."""

    def __init__(self, d_model: int, max_len: int = 512):
        super().__init__()
        self.d_model = d_model
        self.max_len = max_len
        self.embedding = nn.Embedding(max_len, d_model)

    def forward(self, embeddings: torch.Tensor, position_ids: torch.LongTensor | None = None) -> torch.Tensor:
        """``embeddings`` (B, L, D) plus the rows of ``position_ids`` (B, L); positions 0…L-1 when None."""
        if position_ids is None:
            length = embeddings.size(1)
            if length > self.max_len:
                raise ValueError(f"sequence of {length} positions, but the learned position table has {self.max_len} "
                                 "rows; rebuild the model with a larger model.max_sequence_length")
            return embeddings + self.embedding.weight[:length].to(embeddings.dtype)
        return embeddings + self.embedding(position_ids).to(embeddings.dtype)


LearnedPositionalEmbedding = GenericPositionalEmbedding
"""calt-x 1.5.0's second name for the learned table."""
