"""Positional and input embeddings chosen by name: the built-ins, and users' own registered ones."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from calt.models import (INPUT_EMBEDDING_REGISTRY, POSITIONAL_EMBEDDING_REGISTRY, get_input_embedding,
                         get_positional_embedding, register_input_embedding, register_positional_embedding)
from calt.models.decoder_only import DecoderOnlyConfig, DecoderOnlyTransformer
from calt.models.encoder_classifier import EncoderClassifier
from calt.models.loading import load_model_and_tokenizer
from calt.models.positional_embeddings import (GenericPositionalEmbedding, QueryKeyRotaryEmbedding,
                                               RotaryPositionalEmbedding, SinusoidalPositionalEmbedding)

from causal_test_helpers import CLASSIFIER_BLOCK, majority_lines, task_config, train_and_save


class CountingPositions(nn.Module):
    """A learned table scaled by a learned gate; counts its calls, so a test can see it was used."""

    def __init__(self, d_model: int, max_len: int):
        super().__init__()
        self.table = nn.Parameter(torch.zeros(max_len, d_model))
        self.gate = nn.Parameter(torch.ones(()))
        self.calls = 0

    def forward(self, embeddings, position_ids=None):
        self.calls += 1
        rows = self.table[: embeddings.size(1)] if position_ids is None else self.table[position_ids]
        return embeddings + self.gate * rows


class ScaledEmbedding(nn.Embedding):
    """A token table whose output is multiplied by sqrt(d_model)."""

    def forward(self, ids):
        return super().forward(ids) * self.embedding_dim**0.5


@pytest.fixture
def registered():
    """Register the test's embeddings, and remove them afterwards (the registries are process-wide)."""
    register_positional_embedding("Counting", lambda d_model, max_len, **kw: CountingPositions(d_model, max_len))
    register_input_embedding("scaled", lambda vocab_size, d_model, **kw: ScaledEmbedding(vocab_size, d_model))
    yield
    POSITIONAL_EMBEDDING_REGISTRY.pop("counting")
    INPUT_EMBEDDING_REGISTRY.pop("scaled")


def test_built_in_positional_embeddings():
    assert isinstance(get_positional_embedding("generic", 8, 10), GenericPositionalEmbedding)
    assert isinstance(get_positional_embedding("Learned", 8, 10), GenericPositionalEmbedding)
    assert isinstance(get_positional_embedding("sinusoidal", 8, 10), SinusoidalPositionalEmbedding)
    assert isinstance(get_positional_embedding("rope", 8, 10, num_heads=2), QueryKeyRotaryEmbedding)
    assert isinstance(get_positional_embedding("rope_input", 8, 10), RotaryPositionalEmbedding)
    assert get_positional_embedding("none", 8, 10) is None
    with pytest.raises(ValueError, match=r"Unsupported positional embedding type: 'alibi'. Registered: \['generic'"):
        get_positional_embedding("alibi", 8, 10)
    with pytest.raises(ValueError, match="even head dimension"):
        get_positional_embedding("rope", 12, 10, num_heads=4)


def test_rope_rotates_queries_and_keys_so_scores_depend_on_offsets_only():
    rope = get_positional_embedding("rope", 8, 32, num_heads=1)
    q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)
    score = lambda i, j: (rope.rotate(q, torch.tensor([[i]])) * rope.rotate(k, torch.tensor([[j]]))).sum()  # noqa: E731
    assert torch.allclose(score(3, 1), score(9, 7), atol=1e-5)
    model = DecoderOnlyTransformer(DecoderOnlyConfig(d_model=16, attention_heads=2, num_layers=1, dim_feedforward=16,
                                                     vocab_size=10, max_input_len=8, use_positional_embedding="rope"))
    assert model.embed_positions is None and all(layer.self_attn.rotary is model.rotary for layer in model.layers)


def test_input_embeddings():
    assert isinstance(get_input_embedding("token", 10, 4), nn.Embedding)
    with pytest.raises(ValueError, match=r"Unsupported input embedding type: 'hashed'"):
        get_input_embedding("hashed", 10, 4)


def test_a_registered_embedding_without_position_ids_is_refused_at_build_time():
    register_positional_embedding("plain", lambda d_model, max_len, **kw: nn.Identity())
    try:
        with pytest.raises(TypeError, match="must accept position_ids"):
            get_positional_embedding("plain", 8, 10)
    finally:
        POSITIONAL_EMBEDDING_REGISTRY.pop("plain")


@pytest.mark.slow
def test_a_run_trains_and_reloads_with_registered_embeddings(registered, tmp_path):
    """The names in train.yaml pick the user's modules; they train (the gate moves), the run learns the toy task
    (>= 85%, as with the built-ins) and the export loads back with them while they are registered."""
    block = {**CLASSIFIER_BLOCK, "use_positional_embedding": "counting", "input_embedding_type": "scaled"}
    cfg = task_config(tmp_path, majority_lines, block, train_count=400, epochs=10)
    pipeline, _ = train_and_save(cfg)
    model = pipeline.model
    assert isinstance(model.embed_positions, CountingPositions) and isinstance(model.embed_tokens, ScaledEmbedding)
    assert model.embed_positions.calls > 100 and model.embed_positions.gate.item() != 1.0
    assert pipeline.evaluate_and_save_generation() >= 0.85
    loaded, _ = load_model_and_tokenizer(cfg.train.save_dir)
    assert isinstance(loaded, EncoderClassifier) and isinstance(loaded.embed_positions, CountingPositions)
    assert torch.equal(loaded.embed_positions.table, model.embed_positions.table)
    POSITIONAL_EMBEDDING_REGISTRY.pop("counting")
    with pytest.raises(ValueError, match=r"use_positional_embedding='counting' is not registered"):
        load_model_and_tokenizer(cfg.train.save_dir)
    register_positional_embedding("counting", lambda d_model, max_len, **kw: CountingPositions(d_model, max_len))


GENERIC_BLOCK = {"model_type": "generic", "num_encoder_layers": 1, "num_encoder_heads": 2, "num_decoder_layers": 1,
                 "d_model": 32, "encoder_ffn_dim": 64, "max_sequence_length": 16, "dropout": 0.0}


@pytest.mark.slow
def test_the_generic_model_trains_and_reloads_with_a_registered_positional_embedding(registered, tmp_path):
    """``model_type: generic`` takes a registered name too: the user's module gets ``position_ids`` (the encoder's
    from 0, the decoder's continuing at the cached offset), trains, learns the copy task and reloads."""
    from calt.models import Transformer
    from calt.models.generic.registered_positions import RegisteredPositions
    from causal_test_helpers import copy_lines

    cfg = task_config(tmp_path, copy_lines, {**GENERIC_BLOCK, "use_positional_embedding": "counting"},
                      train_count=400, epochs=12)
    pipeline, _ = train_and_save(cfg)
    positions = pipeline.model.embed_positions
    assert isinstance(positions, RegisteredPositions) and isinstance(positions.inner, CountingPositions)
    assert positions.inner.calls > 100 and positions.inner.gate.item() != 1.0
    assert pipeline.evaluate_and_save_generation() >= 0.5
    loaded, _ = load_model_and_tokenizer(cfg.train.save_dir)
    assert isinstance(loaded, Transformer) and torch.equal(loaded.embed_positions.inner.table, positions.inner.table)


def test_the_generic_model_refuses_an_unregistered_positional_embedding(tmp_path):
    from calt.models.generic import create_transformer_config

    with pytest.raises(ValueError, match=r"model.use_positional_embedding: 'alibi' is not registered"):
        create_transformer_config({**GENERIC_BLOCK, "use_positional_embedding": "alibi", "vocab_size": 20})
