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


def test_storage_takes_the_dtype_of_the_keys_and_keep_rows_keeps_the_filled_part():
    cache = KeyValueCache(4, 2, 128, 4, torch.empty(0))
    fed = steps(4, 3, torch.bfloat16)
    for k, v in fed:
        cache.append(k, v)
    assert cache.keys.dtype == torch.bfloat16 and cache.keys.size(2) == KeyValueCache.INITIAL_POSITIONS
    cache.keep_rows(torch.tensor([3, 1]))
    keys, _ = cache.append(*steps(2, 1, torch.bfloat16)[0])
    expected = torch.cat([k for k, _ in fed], dim=2)[[3, 1]]
    assert keys.shape == (2, 2, 4, 4) and torch.equal(keys[:, :, :3], expected)


def test_greedy_output_does_not_depend_on_the_initial_cache_size(monkeypatch, tokenizer):
    torch.manual_seed(0)
    model = ModelPipeline(model_block(init_std=1.0), tokenizer).build().double().eval()
    input_ids, attention_mask = encode_batch(tokenizer, ["1 + 2", "3 * x ^ 2 + 16", "y"])
    full = model.generate(input_ids, attention_mask=attention_mask, max_length=20, eos_token_id=10**6)
    monkeypatch.setattr(KeyValueCache, "INITIAL_POSITIONS", 1)  # grows at steps 2, 3, 5, 9, 17
    assert torch.equal(model.generate(input_ids, attention_mask=attention_mask, max_length=20, eos_token_id=10**6),
                       full)
