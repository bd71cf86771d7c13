"""Dropout whose CPU masks cost a quarter of the random draws of ``nn.Dropout``'s.

On the CPU, ``nn.Dropout`` draws one double per element from PyTorch's Mersenne Twister (``bernoulli_``); for
calt's models that was a fifth of a training step. Here one 64-bit draw decides four elements, each by a 16-bit
slice compared with a threshold, from the same generator (``torch.manual_seed`` and Lightning's seeding govern
it). The drop rate is ``p`` rounded to a multiple of 1/65536, and kept values are scaled by the inverse of the
rate actually kept, so the expectation is exact. Other devices use ``F.dropout`` (their generators are fast).
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
        mask = keep_mask(x.shape, drop_count, x.device).to(x.dtype).mul_(scale)
        return x.mul_(mask) if self.inplace else x * mask
