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


class ReluMaskedScale(torch.autograd.Function):
    """``relu(h) * keep * scale`` that saves only its output (which the next linear layer saves anyway): the
    gradient passes where the output is positive, exactly as ReLU's and the mask's together."""

    @staticmethod
    def forward(ctx, h: torch.Tensor, keep: torch.Tensor, scale: float) -> torch.Tensor:
        out = h.mul(keep).relu_().mul_(scale)
        ctx.save_for_backward(out)
        ctx.scale = scale
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (out,) = ctx.saved_tensors
        return grad.mul(out > 0).mul_(ctx.scale), None, None


class Dropout(nn.Dropout):
    """``nn.Dropout`` (same argument, same module type and state) with cheaper masks on the CPU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.cheap_masks(x):
            return x if not self.training or self.p == 0.0 else F.dropout(x, self.p, True, self.inplace)
        return MaskedScale.apply(x, *self.keep_and_scale(x), self.inplace)

    def after_relu(self, h: torch.Tensor) -> torch.Tensor:
        """``self(F.relu(h))`` keeping one tensor for the backward pass instead of ReLU's output and a mask. ``h`` is
        the caller's fresh linear output: outside training ReLU overwrites it (no new activation-sized buffer)."""
        if not self.cheap_masks(h):
            return self(F.relu(h, inplace=not self.training))
        return ReluMaskedScale.apply(h, *self.keep_and_scale(h))

    def keep_and_scale(self, x: torch.Tensor) -> tuple[torch.Tensor, float]:
        """A fresh keep mask of ``x``'s shape, and the inverse of the rate it keeps."""
        drop_count = round(self.p * SLICE_VALUES)
        return keep_mask(x.shape, drop_count, x.device), SLICE_VALUES / (SLICE_VALUES - drop_count)

    def cheap_masks(self, x: torch.Tensor) -> bool:
        """Whether this call draws calt's masks: training on the CPU at a rate that keeps something."""
        return self.training and x.device.type == "cpu" and 0 < round(self.p * SLICE_VALUES) < SLICE_VALUES
