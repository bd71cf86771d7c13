"""Both models round-trip through save_pretrained / from_pretrained, and transformers' Auto classes load
a saved generic model once calt.models (or calt, see the coordinator's __init__) has been imported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch
from transformers import AutoConfig, AutoModelForSeq2SeqLM, BartForConditionalGeneration

from calt.models import ModelPipeline, Transformer, TransformerConfig

from model_test_helpers import encode_batch, model_block

TEXTS = ["1 + 2", "x ^ 2 + 3 * y"]


def save(model, path, safe_serialization):
    """save_pretrained; for the PyTorch-bin layout write the state dict by hand, since transformers 5
    always writes safetensors (and still reads pytorch_model.bin)."""
    if safe_serialization:
        model.save_pretrained(path)
    else:
        model.config.save_pretrained(path)
        torch.save(model.state_dict(), path / "pytorch_model.bin")


def outputs(model, tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS)
    model.eval()
    return model(input_ids=ids, attention_mask=mask, decoder_input_ids=ids[:, :4]).logits


@pytest.mark.parametrize("safe_serialization", [True, False])
@pytest.mark.parametrize("positional", ["generic", "rope"])
def test_generic_round_trip(tokenizer, tmp_path, safe_serialization, positional):
    model = ModelPipeline(model_block(use_positional_embedding=positional, seed=5), tokenizer).build()
    save(model, tmp_path, safe_serialization)
    weights = "model.safetensors" if safe_serialization else "pytorch_model.bin"
    assert (tmp_path / weights).exists()
    loaded = Transformer.from_pretrained(tmp_path)
    bookkeeping = {"_name_or_path", "dtype", "torch_dtype", "transformers_version", "architectures"}
    same = lambda config: {k: v for k, v in config.to_dict().items() if k not in bookkeeping}
    assert same(loaded.config) == same(model.config)
    assert torch.equal(outputs(loaded, tokenizer), outputs(model, tokenizer))
    auto = AutoModelForSeq2SeqLM.from_pretrained(tmp_path)
    assert type(auto) is Transformer and isinstance(AutoConfig.from_pretrained(tmp_path), TransformerConfig)
    assert torch.equal(outputs(auto, tokenizer), outputs(model, tokenizer))


@pytest.mark.parametrize("safe_serialization", [True, False])
def test_bart_round_trip(tokenizer, tmp_path, safe_serialization):
    model = ModelPipeline(model_block(model_type="bart"), tokenizer).build()
    save(model, tmp_path, safe_serialization)
    loaded = BartForConditionalGeneration.from_pretrained(tmp_path)
    assert loaded.config.decoder_start_token_id == tokenizer.bos_token_id
    assert torch.allclose(outputs(loaded, tokenizer), outputs(model, tokenizer))


@pytest.mark.slow
def test_auto_classes_know_the_generic_model_after_importing_calt_models(tokenizer, tmp_path):
    """In a fresh process: importing calt.models registers the generic model with AutoConfig and
    AutoModelForSeq2SeqLM (transformers' public register API), which then load a saved model."""
    ModelPipeline(model_block(), tokenizer).build().save_pretrained(tmp_path)
    script = textwrap.dedent(f"""
        import calt.models
        from transformers import AutoConfig, AutoModelForSeq2SeqLM
        config = AutoConfig.from_pretrained({str(tmp_path)!r})
        model = AutoModelForSeq2SeqLM.from_pretrained({str(tmp_path)!r})
        print(type(config).__name__, type(model).__name__)
    """)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["TransformerConfig", "Transformer"]
