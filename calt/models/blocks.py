"""Pieces shared by the decoder_only, encoder_classifier and monomial models: weight initialisation,
embeddings chosen by name, and the causal self-attention block with per-row positions and a key/value cache.

The attention kernels, feed-forward, key/value cache and encoder/decoder blocks are the generic model's
(:mod:`calt.models.generic.layers`); config objects are read by attribute (``d_model``, ``attention_heads``,
``dim_feedforward``, ``dropout``, ``activation``, ``layer_norm_eps``, ``bias``), which every calt config has.
"""

from __future__ import annotations

import torch
from torch import nn

from .generic.dropout import Dropout
from .generic.layers import FeedForward, KeyValueCache, attention, mark_attention_input, merge_heads, split_heads
from .input_embeddings import get_input_embedding
from .positional_embeddings import GenericPositionalEmbedding


def init_weights(module: nn.Module, std: float) -> None:
    """calt's (and the original's) initialisation: Normal(0, std) for linear and embedding weights, zero biases,
    identity LayerNorms; q/k/v projections Xavier-uniform over the joint matrix, as ``nn.MultiheadAttention``."""
    bound = getattr(module, "xavier_bound", None)
    if isinstance(module, nn.Linear) and bound is not None:
        nn.init.uniform_(module.weight, -bound, bound)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, mean=0.0, std=std)
        if getattr(module, "bias", None) is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
    elif isinstance(module, GenericPositionalEmbedding):
        nn.init.normal_(module.embedding.weight, mean=0.0, std=std)


def token_embedding(config) -> nn.Module:
    """The input embedding named by ``config.input_embedding_type`` (a plain table for ``token``)."""
    return get_input_embedding(config.input_embedding_type, config.vocab_size, config.d_model)


def full_positions(batch: int, length: int, device: torch.device) -> torch.Tensor:
    """Position ids 0…length-1 for every row, (batch, length)."""
    return torch.arange(length, device=device).expand(batch, length)


class CausalSelfAttention(nn.Module):
    """Self-attention with one fused q/k/v projection; rotary positions per row (``position_ids``) and a cache."""

    def __init__(self, d_model: int, num_heads: int, dropout: float, bias: bool, rotary: nn.Module | None):
        super().__init__()
        self.num_heads = num_heads
        self.dropout = dropout
        self.qkv_proj = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.rotary = rotary
        mark_attention_input(self.qkv_proj, d_model=d_model)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False,
                position_ids: torch.Tensor | None = None, cache: KeyValueCache | None = None) -> torch.Tensor:
        """Attend ``x`` (B, L, D); ``position_ids`` (B, L) place rotary positions (0…L-1 when None)."""
        q, k, v = (split_heads(part, self.num_heads) for part in self.qkv_proj(x).chunk(3, dim=-1))
        if self.rotary is not None:
            if position_ids is None:
                q, k = self.rotary(q, 0), self.rotary(k, 0)
            else:
                q, k = self.rotary.rotate(q, position_ids), self.rotary.rotate(k, position_ids)
        if cache is not None:
            k, v = cache.append(k, v)
        out = attention(q, k, v, attn_mask, is_causal, self.dropout if self.training else 0.0)
        return self.out_proj(merge_heads(out))


class CausalLayer(nn.Module):
    """Pre-norm block ``x + SelfAttn(LN(x))``, then ``x + FFN(LN(x))`` (``nn.TransformerEncoderLayer`` with
    ``norm_first``), dropout on both residual branches as there."""

    def __init__(self, config, rotary: nn.Module | None):
        super().__init__()
        d, eps = config.d_model, config.layer_norm_eps
        self.self_attn_norm = nn.LayerNorm(d, eps=eps)
        self.self_attn = CausalSelfAttention(d, config.attention_heads, config.dropout, config.bias, rotary)
        self.ffn_norm = nn.LayerNorm(d, eps=eps)
        self.ffn = FeedForward(d, config.dim_feedforward, config.activation, config.dropout, config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None = None, is_causal: bool = False,
                position_ids: torch.Tensor | None = None, cache: KeyValueCache | None = None) -> torch.Tensor:
        x = x + self.dropout(self.self_attn(self.self_attn_norm(x), attn_mask, is_causal, position_ids, cache))
        return x + self.dropout(self.ffn(self.ffn_norm(x)))
