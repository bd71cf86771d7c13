"""calt's Dropout: a correct dropout (rate, scale, independence, gradient) from a quarter of the random draws."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from calt.models.generic import Transformer, TransformerConfig
from calt.models.generic.dropout import Dropout

N = 1_000_000


def dropped_share(out: torch.Tensor) -> float:
    return (out == 0).float().mean().item()


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5])
def test_the_drop_rate_is_p_and_kept_values_are_scaled_to_keep_the_mean(p):
    torch.manual_seed(0)
    out = Dropout(p).train()(torch.ones(N))
    five_sigma = 5 * (p * (1 - p) / N) ** 0.5
    assert abs(dropped_share(out) - p) < five_sigma
    kept = out[out != 0]
    assert torch.all(kept == kept[0])
    assert kept[0].item() == pytest.approx(1 / (1 - round(p * 65536) / 65536), rel=1e-6)
    assert out.mean().item() == pytest.approx(1.0, abs=5 * (p / (1 - p) / N) ** 0.5)


def test_elements_decided_by_one_draw_are_independent():
    """Four neighbours share a 64-bit draw: each pair must still be dropped together with probability p * p."""
    torch.manual_seed(1)
    p = 0.3
    dropped = (Dropout(p).train()(torch.ones(N)) == 0).view(-1, 4)
    for a, b in [(0, 1), (1, 2), (2, 3), (0, 3)]:
        both = (dropped[:, a] & dropped[:, b]).float().mean().item()
        assert abs(both - p * p) < 5 * (p * p * (1 - p * p) / (N // 4)) ** 0.5, (a, b, both)


def test_masks_follow_torch_manual_seed_and_differ_between_calls():
    layer = Dropout(0.2).train()
    x = torch.ones(4096)
    torch.manual_seed(7)
    first, second = layer(x), layer(x)
    torch.manual_seed(7)
    assert torch.equal(layer(x), first)
    assert not torch.equal(first, second)


def test_gradient_is_the_same_mask_and_scale():
    torch.manual_seed(3)
    x = torch.randn(64, 13, 256, requires_grad=True)
    out = Dropout(0.1).train()(x)
    out.sum().backward()
    kept = (out.detach() != 0).float()
    scale = torch.tensor(65536 / (65536 - round(0.1 * 65536)))
    assert torch.equal(out.detach(), x.detach() * kept * scale)
    assert torch.equal(x.grad, kept * scale)


def test_eval_mode_zero_and_one():
    x = torch.randn(1000)
    assert torch.equal(Dropout(0.5).eval()(x), x)
    assert torch.equal(Dropout(0.0).train()(x), x)
    assert torch.equal(Dropout(1.0).train()(x), torch.zeros_like(x))
    with pytest.raises(ValueError, match="probability"):
        Dropout(1.5)


def test_bf16_input_keeps_its_dtype_and_shape():
    out = Dropout(0.1).train()(torch.ones(3, 5, 7, dtype=torch.bfloat16))
    assert out.dtype == torch.bfloat16 and out.shape == (3, 5, 7)


def test_the_generic_model_uses_it_as_an_nn_dropout():
    """Users who walk the modules for nn.Dropout (to change p) still find every dropout layer."""
    config = TransformerConfig(d_model=16, attention_heads=2, num_encoder_layers=1, num_decoder_layers=1,
                               dim_feedforward=32, decoder_ffn_dim=32, vocab_size=11, max_input_len=16)
    layers = [m for m in Transformer(config).modules() if isinstance(m, nn.Dropout)]
    assert layers and all(isinstance(m, Dropout) for m in layers)


@pytest.mark.parametrize("inplace", [False, True])
def test_backward_keeps_a_bool_mask_not_a_float_copy(inplace):
    """Activation memory: the mask saved for the gradient costs one byte an element (nn.Dropout's CPU path: four)."""
    saved = []
    x = torch.randn(8, 16, 32, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        out = Dropout(0.25, inplace=inplace).train()(x.clone() if inplace else x)
    assert [(t.dtype, t.shape) for t in saved] == [(torch.bool, x.shape)]
    out.backward(torch.ones_like(out))
    assert torch.equal(x.grad, (out.detach() != 0).float() * (65536 / (65536 - 16384)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_after_relu_is_relu_then_dropout_exactly(dtype):
    """The feed-forward layers' fused ReLU + dropout: same values and gradient as the two layers, same masks."""
    layer = Dropout(0.3).train()
    h = torch.randn(16, 9, 64, dtype=dtype, requires_grad=True)
    grad_out = torch.randn(16, 9, 64, dtype=dtype)
    torch.manual_seed(5)
    separate = layer(torch.relu(h))
    (separate_grad,) = torch.autograd.grad(separate, h, grad_out)
    torch.manual_seed(5)
    fused = layer.after_relu(h)
    (fused_grad,) = torch.autograd.grad(fused, h, grad_out)
    assert torch.equal(fused, separate) and torch.equal(fused_grad, separate_grad)
    assert 0 < (fused == 0).float().mean().item() < 1


def test_after_relu_saves_only_its_output():
    """ReLU's output and the mask are not kept: the output (which the next linear layer keeps) is enough."""
    saved = []
    h = torch.randn(8, 16, 32, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        out = Dropout(0.25).train().after_relu(h)
    assert len(saved) == 1 and saved[0].data_ptr() == out.data_ptr()


def test_after_relu_in_eval_mode_is_relu_in_place_and_differentiable():
    h = torch.randn(100)
    expected = torch.relu(h)
    out = Dropout(0.5).eval().after_relu(h)
    assert torch.equal(out, expected) and out.data_ptr() == h.data_ptr()  # the linear's fresh output, reused
    w = torch.randn(100, requires_grad=True)
    Dropout(0.5).eval().after_relu(w * 2).sum().backward()
    assert torch.equal(w.grad, 2 * (w > 0).float())
