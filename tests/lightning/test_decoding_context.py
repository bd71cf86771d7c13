"""Generation runs in the training's precision, with autocast's cast cache on: under Lightning's bf16 context
(cache off) a decode would cast every weight again at every step. (That a whole eval casts each weight once is
tests/trainer/test_precision.py's.)"""

from __future__ import annotations

import torch
from torch.profiler import profile

from calt.lightning.generation import decoding_context

CPU = torch.device("cpu")


def lightning_bf16():
    return torch.autocast("cpu", dtype=torch.bfloat16, cache_enabled=False)  # as Lightning's MixedPrecision


def weight_casts(context) -> tuple[int, torch.Tensor]:
    """How often two linear calls cast the (leaf, grad-requiring) weight inside ``context``, and their output."""
    weight = torch.nn.Parameter(torch.randn(64, 32))
    x = torch.randn(4, 32)
    with profile(record_shapes=True) as trace, context:
        first, second = torch.nn.functional.linear(x, weight), torch.nn.functional.linear(x, weight)
    casts = [e for e in trace.events() if e.name == "aten::_to_copy" and e.input_shapes and e.input_shapes[0] == [64, 32]]
    assert first.dtype == torch.bfloat16 and torch.equal(first, second)
    return len(casts), first


def test_the_weight_is_cast_once_per_context_not_once_per_call():
    torch.manual_seed(0)
    uncached, out_lightning = weight_casts(lightning_bf16())
    torch.manual_seed(0)
    cached, out_ours = weight_casts(decoding_context(lightning_bf16, CPU))
    assert (uncached, cached) == (2, 1) and torch.equal(out_lightning, out_ours)


def test_without_a_precision_context_nothing_is_autocast():
    with decoding_context(None, CPU):
        assert not torch.is_autocast_enabled("cpu")
