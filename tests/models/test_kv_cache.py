"""``KeyValueCache``: storage allocated at the first append in the keys' dtype, grown by doubling, and
``keep_rows`` copying only what was filled; decoding results do not depend on the initial size."""

from __future__ import annotations

import pytest
import torch

from calt.models import ModelPipeline
from calt.models.generic.layers import KeyValueCache
from model_test_helpers import encode_batch, model_block


def steps(batch: int, count: int, dtype=torch.float32) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(0)
    return [(torch.randn(batch, 2, 1, 4, generator=generator).to(dtype),
             torch.randn(batch, 2, 1, 4, generator=generator).to(dtype)) for _ in range(count)]


def test_growth_keeps_every_position_and_stops_at_capacity(monkeypatch):
    monkeypatch.setattr(KeyValueCache, "INITIAL_POSITIONS", 2)
    cache = KeyValueCache(3, 2, 7, 4, torch.empty(0))
    assert cache.keys is None  # nothing allocated before the first step
    fed = steps(3, 7)
    sizes = []
    for k, v in fed:
        keys, values = cache.append(k, v)
        sizes.append(cache.keys.size(2))
    assert sizes == [2, 2, 4, 4, 7, 7, 7]  # doubling, capped at the capacity
    assert torch.equal(keys, torch.cat([k for k, _ in fed], dim=2))
    assert torch.equal(values, torch.cat([v for _, v in fed], dim=2))
    with pytest.raises(RuntimeError, match="overflow: 8 positions, capacity 7"):
        cache.append(*steps(3, 1)[0])


def test_storage_is_in_the_attention_dtype_and_keep_rows_keeps_the_filled_part():
    """bf16 keys (CPU autocast) are kept in fp32, the dtype decoding attention computes in on the CPU."""
    cache = KeyValueCache(4, 2, 128, 4, torch.empty(0))
    fed = steps(4, 3, torch.bfloat16)
    for k, v in fed:
        cache.append(k, v)
    assert cache.keys.dtype == torch.float32 and cache.keys.size(2) == KeyValueCache.INITIAL_POSITIONS
    cache.keep_rows(torch.tensor([3, 1]))
    keys, _ = cache.append(*steps(2, 1, torch.bfloat16)[0])
    expected = torch.cat([k for k, _ in fed], dim=2)[[3, 1]]
    assert keys.shape == (2, 2, 4, 4) and torch.equal(keys[:, :, :3], expected.float())


def test_greedy_output_does_not_depend_on_the_initial_cache_size(monkeypatch, tokenizer):
    torch.manual_seed(0)
    model = ModelPipeline(model_block(init_std=1.0), tokenizer).build().double().eval()
    input_ids, attention_mask = encode_batch(tokenizer, ["1 + 2", "3 * x ^ 2 + 16", "y"])
    full = model.generate(input_ids, attention_mask=attention_mask, max_length=20, eos_token_id=10**6)
    monkeypatch.setattr(KeyValueCache, "INITIAL_POSITIONS", 1)  # grows at steps 2, 3, 5, 9, 17
    assert torch.equal(model.generate(input_ids, attention_mask=attention_mask, max_length=20, eos_token_id=10**6),
                       full)


def test_bf16_decoding_attends_in_fp32_as_pytorchs_cpu_attention_does(tokenizer):
    """Under CPU autocast the decoding steps keep memory keys/values and caches in fp32 and attend in fp32, as
    scaled_dot_product_attention computes bf16 on the CPU."""
    from calt.models.generic.layers import single_query_attention

    torch.manual_seed(1)
    q, k, v = (torch.randn(3, 2, n, 8).bfloat16() for n in (1, 9, 9))
    fp32 = torch.nn.functional.scaled_dot_product_attention(q.float(), k.float(), v.float())
    assert torch.allclose(single_query_attention(q, k, v, None), fp32, atol=1e-6)
    model = ModelPipeline(model_block(), tokenizer).build().eval()
    input_ids, attention_mask = encode_batch(tokenizer, ["1 + 2", "3 * x ^ 2 + 16"])
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        state = model.start_decoding(model.encode(input_ids, attention_mask), attention_mask, capacity=8)
        model.decode_step(state, torch.full((2,), model.config.decoder_start_token_id))
    assert {t.dtype for kv in state.memory_kv for t in kv} == {torch.float32}
    assert state.caches[0].keys.dtype == torch.float32
