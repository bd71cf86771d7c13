"""`MonomialEmbedding`: one vector per monomial, registered as the ``monomial`` input embedding.

A monomial is a row of ``width`` ids (coefficient fields, one exponent per variable, the separator that follows
it). Each slot has its own block of one table, so ``x^3 y^2`` and ``x^2 y^3`` differ (a shared table would only
see the multiset of exponents). The vector is
``coeff_scale * mean(coefficient slots) + mean(exponent slots and separator)``, as in calt-x 1.5.0.
"""

from __future__ import annotations

import torch
from torch import nn

from ..input_embeddings import register_input_embedding


class MonomialEmbedding(nn.Module):
    """Embeds a ``(batch, monomials, width)`` id grid into ``(batch, monomials, d_model)``.

    ``coeff_noise_std`` adds Gaussian noise to the coefficient part in training (an ablation of the paper)."""

    def __init__(self, vocab_size: int, d_model: int, num_coeff_fields: int, num_variables: int,
                 coeff_scale: float = 1.0, coeff_noise_std: float = 0.0):
        super().__init__()
        self.vocab_size = vocab_size
        self.num_coeff_fields = num_coeff_fields
        self.num_variables = num_variables
        self.coeff_scale = coeff_scale
        self.coeff_noise_std = coeff_noise_std
        self.width = num_coeff_fields + num_variables + 1
        self.emb = nn.Embedding(self.width * vocab_size, d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if ids.size(-1) != self.width:
            raise ValueError(f"monomial ids of width {ids.size(-1)}, but this embedding's monomials have "
                             f"{self.width} slots ({self.num_coeff_fields} coefficient, {self.num_variables} "
                             "exponent, 1 separator)")
        offsets = torch.arange(self.width, device=ids.device) * self.vocab_size
        vectors = self.emb(ids + offsets)  # (B, L, width, D): each slot from its own block
        k = self.num_coeff_fields
        coefficient = vectors[..., :k, :].mean(dim=-2)
        if self.training and self.coeff_noise_std > 0.0:
            coefficient = coefficient + torch.randn_like(coefficient) * self.coeff_noise_std
        return self.coeff_scale * coefficient + vectors[..., k:, :].mean(dim=-2)


def _monomial_embedding(vocab_size: int, d_model: int, num_coeff_fields: int = 1, num_variables: int = 1,
                        coeff_scale: float = 1.0, coeff_noise_std: float = 0.0, **kwargs) -> MonomialEmbedding:
    """Factory of the ``monomial`` input embedding (the monomial model passes the grid's layout)."""
    return MonomialEmbedding(vocab_size, d_model, num_coeff_fields, num_variables, coeff_scale, coeff_noise_std)


register_input_embedding("monomial", _monomial_embedding)
