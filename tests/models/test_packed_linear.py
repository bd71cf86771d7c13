"""``packed_linears``: inside it, bf16 CPU inference of every ``nn.Linear`` computes from a weight packed once for
oneDNN, with bitwise the result of autocast's own linear; training, fp32 and gradient-recording calls are left as
they are, and the layers are restored when the block ends. The two private oneDNN operators sit behind
``pack_weight`` and ``packed_linear``; the first test fails if a PyTorch release changes what they compute."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from calt.models import ModelPipeline
from calt.models.packed_linear import PackedForward, pack_weight, packed_linear, packed_linears, packing_supported
from model_test_helpers import encode_batch, model_block

needs_packing = pytest.mark.skipif(not packing_supported(), reason="this CPU/PyTorch has no oneDNN bf16 packing")


def bf16():
    return torch.autocast("cpu", dtype=torch.bfloat16)


@needs_packing
@pytest.mark.parametrize("shape", [(1, 48), (7, 48), (64, 48), (3, 5, 48)])
@pytest.mark.parametrize("bias", [True, False])
def test_packed_linear_equals_autocast_linear_bitwise(shape, bias):
    torch.manual_seed(0)
    layer = nn.Linear(48, 80, bias=bias)
    x = torch.randn(*shape)
    with torch.no_grad(), bf16():
        expected = F.linear(x, layer.weight, layer.bias)
    packed_bias = None if layer.bias is None else layer.bias.detach().to(torch.bfloat16)
    got = packed_linear(x, pack_weight(layer.weight), packed_bias)
    assert got.dtype == expected.dtype == torch.bfloat16 and got.shape == expected.shape
    assert torch.equal(got, expected)


@needs_packing
def test_inside_the_block_inference_is_packed_and_the_rest_computes_as_before():
    torch.manual_seed(0)
    layer = nn.Linear(16, 24)
    x = torch.randn(5, 16)
    with bf16(), packed_linears(layer):
        assert isinstance(vars(layer)["forward"], PackedForward)
        with torch.no_grad():
            inference = layer(x)
        assert vars(layer)["forward"].packed is not None  # packed at the first bf16 inference call
        recorded = layer(x)  # gradients recorded: autocast's own linear, differentiable
        with torch.autocast("cpu", enabled=False):
            fp32 = layer(x)
    assert "forward" not in vars(layer)  # restored
    with torch.no_grad(), bf16():
        assert torch.equal(inference, layer(x))
    assert recorded.grad_fn is not None and torch.equal(recorded.detach(), inference)
    assert fp32.dtype == torch.float32 and torch.equal(fp32, F.linear(x, layer.weight, layer.bias))


def test_without_bf16_autocast_or_packing_support_the_block_changes_nothing(monkeypatch):
    import calt.models.packed_linear as packed

    layer = nn.Linear(4, 4)
    with packed.packed_linears(layer):  # fp32: nothing to pack
        assert "forward" not in vars(layer)
    monkeypatch.setattr(packed, "packing_supported", lambda: False)
    with bf16(), packed.packed_linears(layer):
        assert "forward" not in vars(layer)


@needs_packing
def test_generation_inside_the_block_gives_the_same_ids(tokenizer):
    torch.manual_seed(0)
    model = ModelPipeline(model_block(), tokenizer).build().eval()
    ids, mask = encode_batch(tokenizer, ["1 2 3", "4 5", "6 7 8 9"])
    with bf16():
        plain = model.generate(input_ids=ids, attention_mask=mask, max_length=12)
        with packed_linears(model):
            assert any("forward" in vars(m) for m in model.modules())
            packed = model.generate(input_ids=ids, attention_mask=mask, max_length=12)
    assert torch.equal(packed, plain)
    assert not any("forward" in vars(m) for m in model.modules())
