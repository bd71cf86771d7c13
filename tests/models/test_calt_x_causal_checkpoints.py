"""save_dirs of calt-x 1.5.0's decoder_only and encoder_classifier models load into calt and answer the same.

The fixtures under tests/fixtures/calt_x_1_5_0/checkpoint_causal/ were made by running calt-x 1.5.0 (torch
2.13.0, transformers 4.57.6) on its documented script; the expected outputs were recorded by that same run
(see make_checkpoints.py and the README there). Nothing here runs the original.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from calt.models.decoder_only import DecoderOnlyTransformer
from calt.models.encoder_classifier import EncoderClassifier
from calt.models.generic.calt_x_compat import CaltXCheckpointError
from calt.models.loading import load_model_and_tokenizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "checkpoint_causal"
VARIANTS = {"decoder_only_generic": DecoderOnlyTransformer, "decoder_only_rope": DecoderOnlyTransformer,
            "encoder_classifier_sinusoidal": EncoderClassifier}
BATCH_KEYS = ("input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "labels")
LOGIT_TOLERANCE = 1e-4


def expected_of(variant: str) -> dict:
    return torch.load(FIXTURES / variant / "expected_outputs.pt", weights_only=True)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_original_checkpoint_loads_and_answers_the_same(variant):
    """Logits within 1e-4 at every answer position (the original's padded positions hold unused values), the
    same loss, and the same greedy ids and texts."""
    expected = expected_of(variant)
    model, tokenizer = load_model_and_tokenizer(FIXTURES / variant / "save_dir")
    assert type(model) is VARIANTS[variant]
    model.eval()
    with torch.no_grad():
        output = model(**{key: expected[key] for key in BATCH_KEYS})
    logits, reference = output.logits, expected["logits"]
    if logits.dim() == 3:
        answer = expected["labels"] != -100
        logits, reference = logits[answer], reference[answer]
    assert (logits - reference).abs().max().item() <= LOGIT_TOLERANCE
    assert output.loss.item() == pytest.approx(expected["loss"], abs=1e-5)
    generated = model.generate(expected["input_ids"], attention_mask=expected["attention_mask"],
                               max_length=expected["generate_max_length"])
    assert torch.equal(generated, expected["generated_ids"])
    assert tokenizer.batch_decode(generated, skip_special_tokens=True) == expected["generated_texts"]


def test_the_original_rope_is_kept_as_rope_input():
    model, _ = load_model_and_tokenizer(FIXTURES / "decoder_only_rope" / "save_dir")
    assert model.config.use_positional_embedding == "rope_input" and model.rotary is None


def test_a_missing_weight_is_named(tmp_path):
    folder = tmp_path / "save_dir"
    shutil.copytree(FIXTURES / "decoder_only_generic" / "save_dir", folder)
    state = torch.load(folder / "pytorch_model.bin", weights_only=True)
    del state["transformer.layers.1.linear2.weight"]
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(CaltXCheckpointError, match=r"missing calt-x weight\(s\) \['transformer.layers.1.linear2.weight'\]"):
        DecoderOnlyTransformer.from_pretrained(folder)


def test_a_stored_table_that_differs_is_an_error(tmp_path):
    folder = tmp_path / "save_dir"
    shutil.copytree(FIXTURES / "encoder_classifier_sinusoidal" / "save_dir", folder)
    state = torch.load(folder / "pytorch_model.bin", weights_only=True)
    state["positional_embedding.pe"] = state["positional_embedding.pe"] + 0.5
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(CaltXCheckpointError, match=r"positional_embedding.pe differs from the table calt computes"):
        EncoderClassifier.from_pretrained(folder)
