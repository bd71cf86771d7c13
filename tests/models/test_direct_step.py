"""``DirectDecoder``: the decoder layers of a CPU decoding step as direct calls give bitwise the logits of the module
path (``DecoderLayer.forward`` with a cache), in fp32, under bf16 autocast and with packed bf16 weights, with rotary
positions and other activations, padded memories, beam search and rows leaving the batch; it stands aside where
the module path must run (training mode, recorded gradients, another autocast state than the one it was built in)."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

import pytest
import torch

import calt.models.generic.modeling as modeling
from calt.models import ModelPipeline
from calt.models.generic.direct_step import DirectDecoder
from calt.models.packed_linear import packed_linears, packing_supported
from model_test_helpers import encode_batch, model_block

TEXTS = ["1 + 2", "3 * x ^ 2 + 16", "y", "5 + 6 * 7 + 8 * 9 + 10", "x ^ 3"]


def bf16():
    return torch.autocast("cpu", dtype=torch.bfloat16)


def packed(model):
    if not packing_supported():
        pytest.skip("this CPU/PyTorch has no oneDNN bf16 packing")
    return packed_linears(model)


PRECISIONS = ["fp32", "bf16", "bf16-packed"]


@contextmanager
def precision(name, model):
    """fp32; bf16 autocast; bf16 autocast with the linear layers packed, as a bf16 generation eval runs."""
    with ExitStack() as stack:
        if name != "fp32":
            stack.enter_context(bf16())
        if name == "bf16-packed":
            stack.enter_context(packed(model))
        yield


def steps(model, ids, mask, direct: bool, count=6):
    """Logits of ``count`` greedy steps, through the direct layers or the module path."""
    with torch.no_grad():
        state = model.start_decoding(model.encode(ids, mask), mask, capacity=count)
        assert state.direct is not None
        if not direct:
            state.direct = None
        tokens = torch.full((ids.size(0),), model.config.decoder_start_token_id)
        logits = []
        for _ in range(count):
            logits.append(model.decode_step(state, tokens))
            tokens = logits[-1].argmax(-1)
        return logits


@pytest.mark.parametrize("name", PRECISIONS)
@pytest.mark.parametrize("overrides", [{}, {"use_positional_embedding": "rope"}, {"activation": "gelu"}])
def test_direct_layers_give_the_module_paths_logits_bitwise(tokenizer, name, overrides):
    torch.manual_seed(0)
    model = ModelPipeline(model_block(d_model=64, **overrides), tokenizer).build().eval()
    ids, mask = encode_batch(tokenizer, TEXTS)  # rows of different lengths: a padded memory
    with precision(name, model):
        direct, module = steps(model, ids, mask, True), steps(model, ids, mask, False)
    assert all(torch.equal(a, b) for a, b in zip(direct, module))
    assert direct[0].dtype == (torch.float32 if name == "fp32" else torch.bfloat16)


@pytest.mark.parametrize("name", PRECISIONS)
def test_generate_with_and_without_the_direct_layers_agree(tokenizer, monkeypatch, name):
    """Greedy decoding drops finished rows, beam search reorders them: both read the same caches."""
    torch.manual_seed(1)
    model = ModelPipeline(model_block(d_model=64), tokenizer).build().eval()
    ids, mask = encode_batch(tokenizer, TEXTS)
    with precision(name, model):
        direct = [model.generate(ids, mask, max_length=10, num_beams=beams, num_return_sequences=beams)
                  for beams in (1, 3)]
        monkeypatch.setattr(modeling.DirectDecoder, "build", classmethod(lambda cls, model, device: None))
        module = [model.generate(ids, mask, max_length=10, num_beams=beams, num_return_sequences=beams)
                  for beams in (1, 3)]
    assert all(torch.equal(a, b) for a, b in zip(direct, module))


def test_the_module_path_runs_where_the_direct_layers_do_not_apply(tokenizer):
    torch.manual_seed(0)
    model = ModelPipeline(model_block(d_model=32), tokenizer).build()
    cpu = torch.device("cpu")
    with torch.no_grad():
        assert DirectDecoder.build(model.train(), cpu) is None  # dropout is live in training mode
        assert DirectDecoder.build(model.eval(), torch.device("meta")) is None  # CPU only
        with torch.autocast("cpu", dtype=torch.float16):
            assert DirectDecoder.build(model, cpu) is None  # fp16 autocast: not a precision it reproduces
        built_in_bf16 = None
        with bf16():
            built_in_bf16 = DirectDecoder.build(model, cpu)
            assert built_in_bf16.applies()
        assert not built_in_bf16.applies()  # a step outside the bf16 context it was built in
    assert DirectDecoder.build(model, cpu) is None  # gradients recorded
