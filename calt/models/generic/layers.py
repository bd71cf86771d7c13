"""Building blocks of the generic Transformer: attention through ``scaled_dot_product_attention``,
the key/value cache used by incremental decoding, and pre-norm encoder and decoder blocks."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .configuration import TransformerConfig
from .dropout import Dropout
from .positional import RotaryEmbedding

ACTIVATION_FUNCTIONS = {
    "relu": F.relu,
    "gelu": F.gelu,
    "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "tanh": torch.tanh,
}


class KeyValueCache:
    """Self-attention keys/values of one decoder layer, filled one step at a time.

    Storage is allocated on ``like``'s device at the first append, in the dtype decoding attention computes in
    (``attention_dtype``), and doubles as needed up to ``capacity``: a decode that stops after a few tokens never
    allocates or copies the rest.
    """

    INITIAL_POSITIONS = 32

    def __init__(self, batch_size: int, num_heads: int, capacity: int, head_dim: int, like: torch.Tensor):
        self.batch_size, self.num_heads, self.capacity, self.head_dim = batch_size, num_heads, capacity, head_dim
        self.device = like.device
        self.keys: torch.Tensor | None = None
        self.values: torch.Tensor | None = None
        self.length = 0

    def _storage(self, rows: int, positions: int, like: torch.Tensor) -> torch.Tensor:
        """Room for ``rows`` x ``positions`` on the cache's device, in the attention dtype of ``like``."""
        return torch.empty((rows, self.num_heads, positions, self.head_dim), dtype=attention_dtype(like),
                           device=self.device)

    def _reserve(self, end: int, like: torch.Tensor) -> None:
        """Make room for ``end`` positions (doubling), keeping what is cached."""
        if end > self.capacity:
            raise RuntimeError(f"KeyValueCache overflow: {end} positions, capacity {self.capacity}.")
        if self.keys is None:
            size = min(self.capacity, max(end, self.INITIAL_POSITIONS))
            self.keys = self._storage(self.batch_size, size, like)
            self.values = self._storage(self.batch_size, size, like)
            return
        if end <= self.keys.size(2):
            return
        size = min(self.capacity, max(end, 2 * self.keys.size(2)))
        grown_keys, grown_values = self._storage(self.keys.size(0), size, self.keys), self._storage(
            self.values.size(0), size, self.values)
        grown_keys[:, :, : self.length] = self.keys[:, :, : self.length]
        grown_values[:, :, : self.length] = self.values[:, :, : self.length]
        self.keys, self.values = grown_keys, grown_values

    def append(self, keys: torch.Tensor, values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new (B, H, n, Dh) keys/values and return everything cached so far."""
        end = self.length + keys.size(2)
        self._reserve(end, keys)
        self.keys[:, :, self.length : end] = keys
        self.values[:, :, self.length : end] = values
        self.length = end
        return self.keys[:, :, :end], self.values[:, :, :end]

    def reorder(self, rows: torch.Tensor) -> None:
        """Make row i hold what row ``rows[i]`` held (beam search), in place."""
        if self.keys is None:
            return
        self.keys[:, :, : self.length] = self.keys[rows, :, : self.length]
        self.values[:, :, : self.length] = self.values[rows, :, : self.length]

    def keep_rows(self, rows: torch.Tensor) -> None:
        """Drop every row not in ``rows`` (finished sequences leave the batch); only the filled part is copied."""
        self.batch_size = rows.numel()
        if self.keys is None:
            return
        kept_keys = self._storage(self.batch_size, self.keys.size(2), self.keys)
        kept_values = self._storage(self.batch_size, self.values.size(2), self.values)
        kept_keys[:, :, : self.length] = self.keys[rows, :, : self.length]
        kept_values[:, :, : self.length] = self.values[rows, :, : self.length]
        self.keys, self.values = kept_keys, kept_values


def attention_dtype(x: torch.Tensor) -> torch.dtype:
    """The dtype attention computes in: fp32 for bf16/fp16 tensors on the CPU, as PyTorch's CPU attention does
    (under autocast only the linear layers run in bf16), else ``x``'s."""
    return torch.float32 if x.device.type == "cpu" and x.dtype in (torch.bfloat16, torch.float16) else x.dtype


def attention(q, k, v, attn_mask=None, is_causal=False, dropout_p=0.0) -> torch.Tensor:
    """``scaled_dot_product_attention`` (fused kernels on GPU), except for the single query of a decoding
    step on the CPU, where two small matmuls run 1.2-2.5x faster than PyTorch's CPU kernel."""
    if q.size(-2) == 1 and q.device.type == "cpu" and not is_causal and dropout_p == 0.0:
        return single_query_attention(q, k, v, attn_mask)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal, dropout_p=dropout_p)


def single_query_attention(q, k, v, attn_mask) -> torch.Tensor:
    """One decoding step's attention on the CPU, in ``attention_dtype`` whatever the autocast: the cached keys and
    values are kept in it, so a bf16 decode neither converts the cache each step nor builds a oneDNN matmul for
    each cache length (each one kept in oneDNN's primitive cache, megabytes apiece)."""
    if torch.is_autocast_enabled("cpu") or q.dtype != attention_dtype(q):
        dtype = attention_dtype(q)
        with torch.autocast("cpu", enabled=False):
            return single_query_attention(q.to(dtype), k.to(dtype), v.to(dtype), attn_mask)
    scores = torch.matmul(q, k.transpose(-1, -2)).mul_(q.size(-1) ** -0.5)
    if attn_mask is not None:
        scores.masked_fill_(~attn_mask, float("-inf"))
    return torch.matmul(scores.softmax(dim=-1), v)


def mark_attention_input(*projections: nn.Linear, d_model: int) -> None:
    """Tag q/k/v projections for Xavier-uniform init over the joint (3·d_model, d_model) matrix
    (PyTorch ``MultiheadAttention``'s ``in_proj_weight``); the model's ``_init_weights`` reads the tag."""
    for projection in projections:
        projection.xavier_bound = math.sqrt(6.0 / (d_model + 3 * d_model))


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, L, D) -> (B, H, L, D/H)."""
    batch, length, width = x.shape
    return x.view(batch, length, num_heads, width // num_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, H, L, Dh) -> (B, L, H*Dh)."""
    batch, heads, length, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_dim)


class SelfAttention(nn.Module):
    """Multi-head self-attention with one fused q/k/v projection and optional rotary positions."""

    def __init__(self, d_model: int, num_heads: int, dropout: float, bias: bool, rotary: RotaryEmbedding | None):
        super().__init__()
        self.num_heads = num_heads
        self.dropout = dropout
        self.qkv_proj = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.rotary = rotary
        mark_attention_input(self.qkv_proj, d_model=d_model)

    def forward(self, x, attn_mask=None, is_causal=False, cache: KeyValueCache | None = None, offset: int = 0):
        """Attend ``x`` (B, L, D) to itself; with ``cache``, to everything decoded before it as well."""
        q, k, v = (split_heads(part, self.num_heads) for part in self.qkv_proj(x).chunk(3, dim=-1))
        if self.rotary is not None:
            q, k = self.rotary(q, offset), self.rotary(k, offset)
        if cache is not None:
            k, v = cache.append(k, v)
        out = attention(q, k, v, attn_mask, is_causal, self.dropout if self.training else 0.0)
        return self.out_proj(merge_heads(out))


class CrossAttention(nn.Module):
    """Multi-head attention from decoder positions to the encoder output ("memory")."""

    def __init__(self, d_model: int, num_heads: int, dropout: float, bias: bool):
        super().__init__()
        self.num_heads = num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.kv_proj = nn.Linear(d_model, 2 * d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        mark_attention_input(self.q_proj, self.kv_proj, d_model=d_model)

    def project_memory(self, memory: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys and values of the memory, (B, H, S, Dh) each; computed once per generate call."""
        k, v = self.kv_proj(memory).chunk(2, dim=-1)
        # contiguous once here, so each decoding step's matmuls read them without copying
        return split_heads(k, self.num_heads).contiguous(), split_heads(v, self.num_heads).contiguous()

    def forward(self, x, memory_kv: tuple[torch.Tensor, torch.Tensor], memory_mask=None):
        """Attend ``x`` (B, L, D) to the projected memory."""
        q = split_heads(self.q_proj(x), self.num_heads)
        out = attention(q, *memory_kv, attn_mask=memory_mask, dropout_p=self.dropout if self.training else 0.0)
        return self.out_proj(merge_heads(out))


class FeedForward(nn.Module):
    """Position-wise two-layer MLP."""

    def __init__(self, d_model: int, ffn_dim: int, activation: str, dropout: float, bias: bool):
        super().__init__()
        self.fc_in = nn.Linear(d_model, ffn_dim, bias=bias)
        self.fc_out = nn.Linear(ffn_dim, d_model, bias=bias)
        self.activation = ACTIVATION_FUNCTIONS[activation]
        self.relu = activation == "relu"
        self.dropout = Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.fc_in(x)
        hidden = self.dropout.after_relu(hidden) if self.relu else self.dropout(self.activation(hidden))
        return self.fc_out(hidden)


class EncoderLayer(nn.Module):
    """Pre-norm block: x + SelfAttn(LN(x)), then x + FFN(LN(x))."""

    def __init__(self, config: TransformerConfig, rotary: RotaryEmbedding | None):
        super().__init__()
        d, eps = config.d_model, config.layer_norm_eps
        self.self_attn_norm = nn.LayerNorm(d, eps=eps)
        self.self_attn = SelfAttention(d, config.attention_heads, config.dropout, config.bias, rotary)
        self.ffn_norm = nn.LayerNorm(d, eps=eps)
        self.ffn = FeedForward(d, config.dim_feedforward, config.activation, config.dropout, config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None) -> torch.Tensor:
        x = x + self.dropout(self.self_attn(self.self_attn_norm(x), attn_mask=attn_mask))
        return x + self.dropout(self.ffn(self.ffn_norm(x)))


class DecoderLayer(nn.Module):
    """Pre-norm block: causal self-attention, cross-attention to the memory, then the FFN."""

    def __init__(self, config: TransformerConfig, rotary: RotaryEmbedding | None):
        super().__init__()
        d, eps, heads = config.d_model, config.layer_norm_eps, config.decoder_attention_heads
        self.self_attn_norm = nn.LayerNorm(d, eps=eps)
        self.self_attn = SelfAttention(d, heads, config.dropout, config.bias, rotary)
        self.cross_attn_norm = nn.LayerNorm(d, eps=eps)
        self.cross_attn = CrossAttention(d, heads, config.dropout, config.bias)
        self.ffn_norm = nn.LayerNorm(d, eps=eps)
        self.ffn = FeedForward(d, config.decoder_ffn_dim, config.activation, config.dropout, config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x, memory_kv, memory_mask=None, self_mask=None, is_causal=False, cache=None, offset=0):
        """``is_causal``/``self_mask`` for full sequences; ``cache``/``offset`` for one decoding step."""
        h = self.self_attn(self.self_attn_norm(x), attn_mask=self_mask, is_causal=is_causal, cache=cache, offset=offset)
        x = x + self.dropout(h)
        x = x + self.dropout(self.cross_attn(self.cross_attn_norm(x), memory_kv, memory_mask))
        return x + self.dropout(self.ffn(self.ffn_norm(x)))


class Encoder(nn.Module):
    """The encoder blocks and a final norm (pre-norm stacks need one); the input is the normalised embedding,
    without dropout (as PyTorch's ``nn.TransformerEncoder`` in the original)."""

    def __init__(self, config: TransformerConfig, rotary: RotaryEmbedding | None):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(config, rotary) for _ in range(config.num_encoder_layers))
        self.final_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor | None) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x, attn_mask)
        return self.final_norm(x)


class Decoder(nn.Module):
    """The decoder blocks and a final norm; the input is the normalised embedding, without dropout."""

    def __init__(self, config: TransformerConfig, rotary: RotaryEmbedding | None):
        super().__init__()
        self.layers = nn.ModuleList(DecoderLayer(config, rotary) for _ in range(config.num_decoder_layers))
        self.final_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)

    def project_memory(self, memory: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Cross-attention keys/values of every layer."""
        return [layer.cross_attn.project_memory(memory) for layer in self.layers]

    def forward(self, x, memory_kv, memory_mask=None, self_mask=None, is_causal=False, caches=None, offset=0):
        for i, layer in enumerate(self.layers):
            cache = caches[i] if caches is not None else None
            x = layer(x, memory_kv[i], memory_mask, self_mask, is_causal, cache, offset)
        return self.final_norm(x)
