"""Linear layers that compute bf16 CPU inference from a weight packed once (oneDNN's blocked layout).

Under bf16 autocast a linear layer casts its input and multiplies through oneDNN, which lays the weight out for its
kernels on every call: at the few dozen rows of a decoding step that is a fifth of the matmul's time. Inside
:func:`packed_linears` the model's ``nn.Linear`` layers use a copy packed at their first call instead, with
bitwise the same result. The two oneDNN operators are private PyTorch API (``torch.compile`` uses them for frozen
CPU graphs), so each is called in exactly one function, :func:`pack_weight` and :func:`packed_linear`.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import nn

PACKING_ROWS = 64
"""The row count oneDNN lays a weight out for; every row count computes the same values from the packed copy."""


def packing_supported() -> bool:
    """Whether this PyTorch has oneDNN's packed bf16 linear operators and the CPU computes bf16 with them."""
    ops = torch.ops.mkldnn
    return (torch.backends.mkldnn.is_available() and hasattr(ops, "_reorder_linear_weight")
            and hasattr(ops, "_linear_pointwise") and bool(ops._is_mkldnn_bf16_supported()))


def pack_weight(weight: torch.Tensor) -> torch.Tensor:
    """``weight`` (out, in) in bf16, laid out once for oneDNN's matmul kernels (an opaque oneDNN tensor)."""
    return torch.ops.mkldnn._reorder_linear_weight(weight.detach().to(torch.bfloat16), PACKING_ROWS)


def packed_linear(x: torch.Tensor, packed: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``F.linear`` of ``x`` (any leading dims) cast to bf16, with a weight from :func:`pack_weight`; bf16 out."""
    rows = x.reshape(-1, x.size(-1)).to(torch.bfloat16)
    out = torch.ops.mkldnn._linear_pointwise(rows, packed, bias, "none", [], "")
    return out.view(*x.shape[:-1], out.size(-1))


def bf16_cpu_autocast() -> bool:
    """Whether CPU autocast is on, in bf16."""
    return torch.is_autocast_enabled("cpu") and torch.get_autocast_dtype("cpu") == torch.bfloat16


def bf16_cpu_inference(x: torch.Tensor) -> bool:
    """A call that autocast would compute in bf16 on the CPU, with no gradient recorded."""
    return x.device.type == "cpu" and x.numel() > 0 and not torch.is_grad_enabled() and bf16_cpu_autocast()


class PackedForward:
    """The forward of one ``nn.Linear`` inside :func:`packed_linears`: packed for bf16 CPU inference, else its own."""

    def __init__(self, linear: nn.Linear):
        self.linear = linear
        self.packed: tuple[torch.Tensor, torch.Tensor | None] | None = None

    def packed_weight(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The packed weight and the bf16 bias, packed at the first request."""
        if self.packed is None:
            bias = self.linear.bias
            self.packed = pack_weight(self.linear.weight), None if bias is None else bias.detach().to(torch.bfloat16)
        return self.packed

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if not bf16_cpu_inference(x):
            return nn.Linear.forward(self.linear, x)
        return packed_linear(x, *self.packed_weight())


@contextmanager
def packed_linears(model: nn.Module):
    """Entered under bf16 CPU autocast: inside the block, every ``nn.Linear`` of ``model`` (with ``nn.Linear``'s own
    forward) computes bf16 CPU inference from a weight packed at its first such call; other calls compute as before.
    Entered in any other precision it changes nothing. The weights must not change inside the block (a generation
    eval); the packed copies are dropped when it ends."""
    if not (bf16_cpu_autocast() and packing_supported()):
        yield
        return
    linears = [m for m in model.modules() if type(m).forward is nn.Linear.forward and "forward" not in vars(m)]
    for linear in linears:
        linear.forward = PackedForward(linear)
    try:
        yield
    finally:
        for linear in linears:
            del linear.forward
