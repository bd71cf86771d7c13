"""The monomial model (one monomial per position): token groups from the vocabulary, forward and loss shapes,
save/load, cached vs re-decoded generation, learning a toy task, calt-x 1.5.0's checkpoint, and bad input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf
from transformers import AutoConfig, AutoModelForSeq2SeqLM

from calt.config import ConfigError
from calt.io.tokenizer import get_tokenizer
from calt.io.vocabulary.config import VocabConfig
from calt.models import get_model_from_config
from calt.models.monomial import MonomialTransformer, MonomialTransformerConfig, monomial_token_groups

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "checkpoint_monomial"


@pytest.fixture(scope="module")
def poly_tokenizer():
    """C0..C6, E0..E3, '+', '|' and the specials."""
    vocab = VocabConfig().from_config({"range": {"coefficients": ["C", 0, 6], "exponents": ["E", 0, 3]},
                                       "misc": ["+", "|"]})
    return get_tokenizer(vocab)


def block(**overrides):
    values = dict(model_type="monomial", num_encoder_layers=1, num_encoder_heads=2, num_decoder_layers=1, d_model=32,
                  encoder_ffn_dim=64, max_sequence_length=16, num_variables=2, monomial_separators=["+", "|"],
                  dropout=0.0)
    values.update(overrides)
    return OmegaConf.create(values)


def polynomial(rng: random.Random, terms: int) -> str:
    return " + ".join(f"C{rng.randint(0, 6)} E{rng.randint(0, 3)} E{rng.randint(0, 3)}" for _ in range(terms))


def batch_of(tokenizer, pairs):
    """input_ids / attention_mask / labels as the seq2seq collator makes them."""
    from calt.io.collator import StandardDataCollator

    return StandardDataCollator(tokenizer)([{"input": p, "target": a} for p, a in pairs])


def test_token_groups_come_from_the_vocabulary(poly_tokenizer):
    vocab = poly_tokenizer.get_vocab()
    groups = monomial_token_groups(vocab, num_variables=2, separators=["+", "|"])
    assert groups.coeff_token_ids == [[vocab[f"C{c}"] for c in range(7)]]
    assert groups.exp_token_ids == [[vocab[f"E{e}"] for e in range(4)]] * 2
    assert groups.separator_token_ids == [vocab["+"], vocab["|"]]
    assert monomial_token_groups(vocab, num_variables=1).separator_token_ids == [vocab["+"]]  # the default: '+', '||'
    per_variable = {"C-1": 0, "C1": 1, "Ex0": 2, "Ex1": 3, "Ey0": 4, "Ey2": 5, "+": 6}
    groups = monomial_token_groups(per_variable, variables=["x", "y"])
    assert groups.coeff_token_ids == [[0, 1]] and groups.exp_token_ids == [[2, 3], [4, 5]]
    with pytest.raises(ConfigError, match="model.num_variables is required"):
        monomial_token_groups(vocab)
    with pytest.raises(ConfigError, match=r"model.monomial_separators: \['\|\|'\]"):
        monomial_token_groups(vocab, num_variables=2, separators=["+", "||"])


def test_forward_loss_and_flat_logits_shapes(poly_tokenizer):
    model = get_model_from_config(block(), poly_tokenizer)
    rng = random.Random(0)
    pairs = [(f"{polynomial(rng, 2)} | {polynomial(rng, 1)}", polynomial(rng, n)) for n in (1, 3, 2)]
    batch = batch_of(poly_tokenizer, pairs)
    output = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"])
    assert output.loss.shape == () and torch.isfinite(output.loss)
    assert output.logits.shape == (*batch["labels"].shape, len(poly_tokenizer))
    assert batch["labels"].size(1) == 3 * 4  # 3 monomials of width 1 + 2 + 1: 12 flat tokens, 3 positions
    predicted = output.logits.argmax(-1)
    slots = model.slot_groups()
    for position in range(predicted.size(1)):  # every prediction comes from its slot's head
        assert set(predicted[:, position].tolist()) <= set(slots[position % 4])
    without_labels = model(input_ids=batch["input_ids"], decoder_input_ids=batch["decoder_input_ids"])
    assert torch.equal(without_labels.logits.argmax(-1), predicted[:, : batch["decoder_input_ids"].size(1) - 1])


def test_save_load_round_trip_and_auto_classes(poly_tokenizer, tmp_path):
    model = get_model_from_config(block(coeff_scale=1.5, use_positional_embedding="sinusoidal"), poly_tokenizer).eval()
    model.save_pretrained(tmp_path)
    assert AutoConfig.from_pretrained(tmp_path).model_type == "monomial"
    loaded = AutoModelForSeq2SeqLM.from_pretrained(tmp_path).eval()
    assert isinstance(loaded, MonomialTransformer) and loaded.config.coeff_scale == 1.5
    batch = batch_of(poly_tokenizer, [("C1 E0 E1 + C2 E1 E0", "C3 E1 E1")])
    with torch.no_grad():
        torch.testing.assert_close(model(**batch).logits, loaded(**batch).logits, atol=1e-6, rtol=1e-6)


def test_cached_decode_equals_naive_redecode(poly_tokenizer):
    model = get_model_from_config(block(num_decoder_layers=2, num_decoder_heads=4, seed=3), poly_tokenizer).eval()
    rng = random.Random(1)
    batch = batch_of(poly_tokenizer, [(f"{polynomial(rng, n)} | {polynomial(rng, 2)}", "C0 E0 E0") for n in (1, 4, 2)])
    cached = model.generate(batch["input_ids"], attention_mask=batch["attention_mask"], max_new_tokens=40)
    naive = model.generate(batch["input_ids"], attention_mask=batch["attention_mask"], max_new_tokens=40,
                           use_cache=False)
    assert torch.equal(cached, naive)
    assert cached.shape[1] == 1 + 4 * (cached.shape[1] // 4) and cached[0, 0] == poly_tokenizer.bos_token_id
    with pytest.raises(ValueError, match="num_beams: 1"):
        model.generate(batch["input_ids"], num_beams=2)


@pytest.mark.slow
def test_learns_to_copy_a_polynomial(poly_tokenizer):
    """200 Adam steps on 'f # f' (1–3 monomials): greedy generation must copy at least 90% of held-out ones."""
    torch.manual_seed(0)
    model = get_model_from_config(block(d_model=64, encoder_ffn_dim=128, num_encoder_heads=4), poly_tokenizer)
    rng = random.Random(5)
    samples = [polynomial(rng, rng.randint(1, 3)) for _ in range(600)]
    train, held_out = samples[:512], samples[512:]
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for step in range(200):
        chunk = [train[(step * 32 + i) % len(train)] for i in range(32)]
        loss = model(**batch_of(poly_tokenizer, [(s, s) for s in chunk])).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    batch = batch_of(poly_tokenizer, [(s, s) for s in held_out])
    generated = poly_tokenizer.batch_decode(model.generate(batch["input_ids"], max_new_tokens=16),
                                            skip_special_tokens=True)
    exact = sum(g.strip() == s for g, s in zip(generated, held_out)) / len(held_out)
    assert exact >= 0.9, exact


def test_original_checkpoint_answers_the_same():
    """calt-x 1.5.0's monomial save_dir (see the fixture's README): same head logits, loss, predictions and
    generated ids; dropout where the original has it (train-mode loss mean within 4 standard errors)."""
    expected = torch.load(FIXTURE / "expected_outputs.pt")
    model = MonomialTransformer.from_pretrained(str(FIXTURE / "save_dir")).eval()
    captured = {}
    hook = model.head.register_forward_hook(lambda module, args, out: captured.__setitem__("heads", out))
    batch = {k: expected[k] for k in ("input_ids", "attention_mask", "labels")}
    with torch.no_grad():
        output = model(**batch)
    hook.remove()
    heads = captured["heads"]
    torch.testing.assert_close(heads["coeffs"][0], expected["coeff_logits"][0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(torch.stack(heads["exps"], dim=2), expected["exp_logits"], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(heads["follow"][0], expected["follow_logits"], atol=1e-5, rtol=1e-5)
    assert float(output.loss) == pytest.approx(expected["loss"], abs=1e-5)
    assert torch.equal(output.logits.argmax(-1), expected["predicted_ids"])
    generated = model.generate(expected["input_ids"], attention_mask=expected["attention_mask"],
                               max_length=expected["generate_max_length"])
    assert torch.equal(generated, expected["generated_ids"])
    model.train()
    torch.manual_seed(1)
    with torch.no_grad():
        losses = torch.tensor([float(model(**batch).loss) for _ in range(200)], dtype=torch.float64)
    gap = abs(float(losses.mean()) - expected["train_mode_loss_mean"])
    assert gap < 4 * (expected["train_mode_loss_se"] ** 2 + float(losses.std() / 200**0.5) ** 2) ** 0.5


def test_original_checkpoint_with_a_tampered_id_map_is_refused(tmp_path):
    import shutil

    from calt.models.generic.calt_x_compat import CaltXCheckpointError

    folder = tmp_path / "save_dir"
    shutil.copytree(FIXTURE / "save_dir", folder)
    state = torch.load(folder / "pytorch_model.bin")
    state["follow_gid_map"] = state["follow_gid_map"].flip(0)
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(CaltXCheckpointError, match="follow_gid_map"):
        MonomialTransformer.from_pretrained(str(folder))


def test_bad_sizes_and_missing_groups_name_the_key(poly_tokenizer):
    with pytest.raises(ConfigError, match=r"model.d_model=30 is not divisible by model.num_encoder_heads=4"):
        get_model_from_config(block(d_model=30, num_encoder_heads=4), poly_tokenizer)
    with pytest.raises(ConfigError, match="model.num_variables is required"):
        get_model_from_config(block(num_variables=None), poly_tokenizer)
    with pytest.raises(ConfigError, match="needs the tokenizer"):
        get_model_from_config(block(), None)
    with pytest.raises(ValueError, match="coeff_token_ids is empty"):
        MonomialTransformerConfig(d_model=32, attention_heads=2)


def test_input_embedding_is_chosen_by_name(poly_tokenizer):
    """``input_embedding_type`` picks a registered embedding of whole monomials; a token embedding is refused."""
    from torch import nn

    from calt.models.input_embeddings import INPUT_EMBEDDING_REGISTRY, register_input_embedding

    class FirstSlotOnly(nn.Module):
        def __init__(self, vocab_size, d_model):
            super().__init__()
            self.table = nn.Embedding(vocab_size, d_model)

        def forward(self, grid):
            return self.table(grid[..., 0])

    register_input_embedding("monomial_first_slot", lambda vocab_size, d_model, **kw: FirstSlotOnly(vocab_size, d_model))
    try:
        model = get_model_from_config(block(input_embedding_type="monomial_first_slot"), poly_tokenizer)
    finally:
        INPUT_EMBEDDING_REGISTRY.pop("monomial_first_slot")
    assert isinstance(model.src_emb, FirstSlotOnly) and isinstance(model.tgt_emb, FirstSlotOnly)
    batch = batch_of(poly_tokenizer, [("C1 E0 E1", "C3 E1 E1")])
    assert torch.isfinite(model(**batch).loss)
    with pytest.raises(ValueError, match=r"input_embedding_type 'token' maps a \(1, 1, 4\) monomial grid"):
        get_model_from_config(block(input_embedding_type="token"), poly_tokenizer)
