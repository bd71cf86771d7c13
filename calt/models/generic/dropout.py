"""Dropout whose CPU masks cost a quarter of the random draws of ``nn.Dropout``'s.

On the CPU, ``nn.Dropout`` draws one double per element from PyTorch's Mersenne Twister (``bernoulli_``); for
calt's models that was a fifth of a training step. Here one 64-bit draw decides four elements, each by a 16-bit
slice compared with a threshold, from the same generator (``torch.manual_seed`` and Lightning's seeding govern
it). The drop rate is ``p`` rounded to a multiple of 1/65536, and kept values are scaled by the inverse of the
rate actually kept, so the expectation is exact. The backward pass keeps the bool mask (one byte an element)
where PyTorch's CPU dropout keeps a float copy of it (four): a quarter of the masks' share of activation memory.
Other devices use ``F.dropout`` (their generators are fast and their masks already bool).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

SLICE_BITS = 16
SLICES_PER_DRAW = 64 // SLICE_BITS
SLICE_VALUES = 1 << SLICE_BITS


def keep_mask(shape: torch.Size, drop_count: int, device: torch.device) -> torch.Tensor:
    """A bool tensor of ``shape``: each element True with probability 1 - drop_count / 65536, independently."""
    count = math.prod(shape)
    draws = torch.randint(-(2**63), 2**63 - 1, (-(-count // SLICES_PER_DRAW),), dtype=torch.int64, device=device)
    slices = draws.view(torch.int16)[:count].view(shape)  # uniform on [-32768, 32767]
    return slices >= drop_count - SLICE_VALUES // 2


class MaskedScale(torch.autograd.Function):
    """``x * keep * scale`` that saves only the bool ``keep`` for its gradient (the same mask and scale)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, keep: torch.Tensor, scale: float, inplace: bool) -> torch.Tensor:
        ctx.save_for_backward(keep)
        ctx.scale = scale
        if inplace:
            ctx.mark_dirty(x)
            return x.mul_(keep).mul_(scale)
        return x.mul(keep).mul_(scale)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (keep,) = ctx.saved_tensors
        return grad.mul(keep).mul_(ctx.scale), None, None, None


class Dropout(nn.Dropout):
    """``nn.Dropout`` (same argument, same module type and state) with cheaper masks on the CPU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if x.device.type != "cpu":
            return F.dropout(x, self.p, True, self.inplace)
        drop_count = round(self.p * SLICE_VALUES)
        if drop_count >= SLICE_VALUES:
            return x.mul(0.0) if not self.inplace else x.zero_()
        scale = SLICE_VALUES / (SLICE_VALUES - drop_count)
        return MaskedScale.apply(x, keep_mask(x.shape, drop_count, x.device), scale, self.inplace)
