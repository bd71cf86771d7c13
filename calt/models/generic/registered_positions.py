"""A positional embedding registered by name (``calt.models.register_positional_embedding``) in the generic model."""

from __future__ import annotations

import torch
from torch import nn

from ..positional_embeddings import build_positions


class RegisteredPositions(nn.Module):
    """Adds the registered module's positions: the generic model passes a start offset, registered modules
    take ``position_ids`` (the registry's contract), so the offset becomes ``offset … offset+L-1``."""

    def __init__(self, name: str, d_model: int, max_positions: int, num_heads: int):
        super().__init__()
        module, rotary = build_positions(name, d_model, max_positions, num_heads)
        if module is None:
            raise ValueError(f"model.use_positional_embedding: {name!r} gives no module added to the embeddings, "
                             "which the generic model needs (rotary kinds: use 'rope'); use it with decoder_only.")
        self.inner = module

    def forward(self, embeddings: torch.Tensor, offset: int = 0) -> torch.Tensor:
        positions = torch.arange(offset, offset + embeddings.size(1), device=embeddings.device)
        return self.inner(embeddings, position_ids=positions.unsqueeze(0).expand(embeddings.size(0), -1))
