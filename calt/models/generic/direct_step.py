"""The decoder layers of one CPU decoding step as direct tensor calls, with the module path's values.

A decoding step of a few dozen rows is mostly per-call cost: ``nn.Module`` dispatch, autocast's per-op dispatch and
its switch to fp32 around each attention, dropout calls that return their input. Here the layers run with autocast
off and each linear layer in the precision autocast would give it: from oneDNN-packed bf16 weights inside
:func:`~calt.models.packed_linear.packed_linears`, from bf16 weights cast once per generate call under bf16
autocast, in its own dtype without autocast. Measured on the benchmark's d_model-256 model: 2.9 -> 2.4 ms per
64-row step, 1.4 -> 0.9 ms per 8-row step. ``tests/models/test_direct_step.py`` holds the logits bitwise equal to
the module path's (``DecoderLayer.forward`` with a cache).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..packed_linear import PackedForward, packed_linear
from .layers import single_query_attention


def autocast_dtype() -> torch.dtype | None:
    """The CPU autocast dtype in force, or None without CPU autocast."""
    return torch.get_autocast_dtype("cpu") if torch.is_autocast_enabled("cpu") else None


class DirectLinear:
    """One ``nn.Linear`` as the step calls it: packed bf16, cast-once bf16, or its own weights."""

    def __init__(self, module: nn.Linear, bf16: bool):
        forward = vars(module).get("forward")
        self.packed = forward.packed_weight() if bf16 and isinstance(forward, PackedForward) else None
        self.bf16 = bf16
        self.weight, self.bias = module.weight, module.bias
        if bf16 and self.packed is None:  # cast once per generate call, as autocast's weight cache does
            self.weight = module.weight.detach().to(torch.bfloat16)
            self.bias = None if module.bias is None else module.bias.detach().to(torch.bfloat16)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.packed is not None:
            return packed_linear(x, *self.packed)
        return F.linear(x.to(torch.bfloat16) if self.bf16 else x, self.weight, self.bias)


class DirectLayer:
    """One ``DecoderLayer``'s weights, gathered for :meth:`step`."""

    def __init__(self, layer, bf16: bool):
        self.layer = layer
        attn, cross, ffn = layer.self_attn, layer.cross_attn, layer.ffn
        self.heads = attn.num_heads
        self.qkv, self.self_out = DirectLinear(attn.qkv_proj, bf16), DirectLinear(attn.out_proj, bf16)
        self.cross_q, self.cross_out = DirectLinear(cross.q_proj, bf16), DirectLinear(cross.out_proj, bf16)
        self.fc_in, self.fc_out = DirectLinear(ffn.fc_in, bf16), DirectLinear(ffn.fc_out, bf16)
        self.activation = (lambda h: F.relu(h, inplace=True)) if ffn.relu else ffn.activation

    def step(self, x, memory_kv, memory_mask, cache, offset: int) -> torch.Tensor:
        """``x`` (B, 1, D) through the layer, as ``DecoderLayer.forward`` in eval mode with a cache."""
        layer, rows = self.layer, x.size(0)
        qkv = self.qkv(norm(layer.self_attn_norm, x)).view(rows, 3, self.heads, 1, -1)
        q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]
        rotary = layer.self_attn.rotary
        if rotary is not None:
            q, k = rotary(q, offset), rotary(k, offset)
        k, v = cache.append(k, v)
        out = single_query_attention(q.to(k.dtype), k, v, None)
        x = x + self.self_out(out.view(rows, 1, -1))
        q = self.cross_q(norm(layer.cross_attn_norm, x)).view(rows, self.heads, 1, -1)
        memory_k, memory_v = memory_kv
        out = single_query_attention(q.to(memory_k.dtype), memory_k, memory_v, memory_mask)
        x = x + self.cross_out(out.view(rows, 1, -1))
        return x + self.fc_out(self.activation(self.fc_in(norm(layer.ffn_norm, x))))


def norm(module: nn.LayerNorm, x: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, module.normalized_shape, module.weight, module.bias, module.eps)


class DirectDecoder:
    """The decoder layers of a CPU decoding step, for the autocast state of the generate call that built it."""

    def __init__(self, decoder, bf16: bool):
        self.layers = [DirectLayer(layer, bf16) for layer in decoder.layers]
        self.final_norm = decoder.final_norm
        self.dtype = torch.bfloat16 if bf16 else None

    @classmethod
    def build(cls, model, device: torch.device) -> DirectDecoder | None:
        """For an eval-mode model decoding on the CPU without gradients, in fp32 or under bf16 autocast; else None
        (the module path runs)."""
        dtype = autocast_dtype()
        if device.type != "cpu" or model.training or torch.is_grad_enabled() or dtype not in (None, torch.bfloat16):
            return None
        return cls(model.decoder, dtype == torch.bfloat16)

    def applies(self) -> bool:
        """Whether this step runs in the autocast state the decoder was built for."""
        return autocast_dtype() == self.dtype and not torch.is_grad_enabled()

    def __call__(self, x, memory_kv, memory_mask, caches, offset: int) -> torch.Tensor:
        with torch.autocast("cpu", enabled=False):
            for layer, kv, cache in zip(self.layers, memory_kv, caches):
                x = layer.step(x, kv, memory_mask, cache, offset)
            return norm(self.final_norm, x)
