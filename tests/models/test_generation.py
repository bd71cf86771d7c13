"""Incremental (cached) generation gives exactly the tokens of a naive full re-decode, and the
greedy / sampling / beam-search contract: BOS first, PAD after EOS, early stop, length limits."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from calt.models import ModelPipeline

from model_test_helpers import encode_batch, model_block

TEXTS = ["1 + 2", "3 * x ^ 2 + 16", "y", "5 + 6 * 7 + 8 * 9 + 10", "x ^ 3", "2 * y + 1", "7", "x * y + 4 ^ 2"]
POSITIONAL = ["generic", "learned", "sinusoidal", "rope", "none"]


def naive_greedy(model, input_ids, attention_mask, max_length, bos, pad, eos):
    """Reference decoder: re-run the full model on the whole prefix for every new token."""
    sequences = torch.full((input_ids.size(0), 1), bos, dtype=torch.long)
    finished = torch.zeros(input_ids.size(0), dtype=torch.bool)
    for _ in range(max_length):
        logits = model(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=sequences).logits
        next_tokens = logits[:, -1].argmax(-1).masked_fill(finished, pad)
        finished |= next_tokens == eos
        sequences = torch.cat([sequences, next_tokens[:, None]], dim=1)
        if finished.all():
            break
    return sequences


def model_that_stops_at_mixed_lengths(tokenizer, positional, input_ids, mask, max_length):
    """A float64 model whose EOS logit is scaled until greedy rows end at different steps (so that
    finished rows, PAD filling and batch compaction are all exercised); fails if none is found."""
    for seed in range(5):
        for factor in torch.linspace(1.0, 3.0, 9).tolist():
            block = model_block(use_positional_embedding=positional, init_std=1.0, seed=seed)
            model = ModelPipeline(block, tokenizer).build().double().eval()
            with torch.no_grad():
                model.lm_head.weight[tokenizer.eos_token_id] *= factor
            out = model.generate(input_ids, mask, max_length=max_length)
            stops = {tuple((row == tokenizer.eos_token_id).nonzero().flatten()[:1].tolist()) for row in out}
            if len(stops) >= 3:
                return model
    pytest.fail(f"no EOS scaling gave mixed stopping steps for {positional}")


@pytest.mark.parametrize("positional", POSITIONAL)
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_cached_greedy_equals_naive_redecode(tokenizer, positional, padding_side):
    ids, mask = encode_batch(tokenizer, TEXTS, padding_side)
    model = model_that_stops_at_mixed_lengths(tokenizer, positional, ids, mask, max_length=12)
    for batch_size in (1, 3, 8):
        rows = slice(0, batch_size)
        cached = model.generate(ids[rows], attention_mask=mask[rows], max_length=12)
        naive = naive_greedy(model, ids[rows], mask[rows], 12, tokenizer.bos_token_id, tokenizer.pad_token_id,
                             tokenizer.eos_token_id)
        assert torch.equal(cached, naive), (positional, padding_side, batch_size)


@pytest.mark.parametrize("positional", ["generic", "rope"])
def test_untrained_model_decodes_full_length_and_matches_naive(tokenizer, positional):
    ids, mask = encode_batch(tokenizer, TEXTS[:4])
    model = ModelPipeline(model_block(use_positional_embedding=positional), tokenizer).build().double().eval()
    cached = model.generate(ids, attention_mask=mask, max_length=20)
    naive = naive_greedy(model, ids, mask, 20, tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id)
    assert torch.equal(cached, naive)


def test_output_starts_with_bos_pads_after_eos_and_stops_early(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS)
    model = model_that_stops_at_mixed_lengths(tokenizer, "rope", ids, mask, max_length=30)
    out = model.generate(ids, attention_mask=mask, max_length=30)
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    assert out.dtype == torch.long and (out[:, 0] == tokenizer.bos_token_id).all()
    for row in out:
        hits = (row == eos).nonzero().flatten()
        if len(hits):
            assert (row[hits[0] + 1 :] == pad).all()
    if all((row == eos).any() for row in out):  # every row finished: no step after the last EOS
        assert out.size(1) - 1 == max(int((row == eos).nonzero()[0]) for row in out)
    assert out.size(1) <= 31


def test_max_length_counts_tokens_after_bos_and_is_capped_by_model_positions(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS[:2])
    model = ModelPipeline(model_block(), tokenizer).build().eval()
    never = len(tokenizer)  # an EOS id the model cannot emit, so every row runs to the limit
    assert model.generate(ids, mask, max_length=7, eos_token_id=never).shape == (2, 8)
    assert model.generate(ids, mask, max_length=99, max_new_tokens=5, eos_token_id=never).shape == (2, 6)
    assert model.generate(ids, mask, max_length=1000, eos_token_id=never).shape == (2, 48 + 1)  # max_sequence_length=48


def test_generate_restores_training_mode(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS[:2])
    model = ModelPipeline(model_block(dropout=0.3), tokenizer).build().train()
    first = model.generate(ids, mask, max_length=6)
    assert model.training
    assert torch.equal(first, model.generate(ids, mask, max_length=6))  # dropout off while generating


def test_generate_switches_modes_only_for_a_training_model(tokenizer, monkeypatch):
    """A generation eval calls generate once per batch on a model already in eval mode: no walk over its modules."""
    ids, mask = encode_batch(tokenizer, TEXTS[:2])
    model = ModelPipeline(model_block(), tokenizer).build()
    switches = []
    train = model.train
    monkeypatch.setattr(model, "train", lambda mode=True: switches.append(mode) or train(mode))
    model.eval()
    switches.clear()
    model.generate(ids, mask, max_length=4)
    assert switches == []
    model.train()
    switches.clear()
    model.generate(ids, mask, max_length=4)
    assert switches == [False, True] and model.training


def test_sampling_is_reproducible_and_top_k_1_is_greedy(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS[:3])
    model = ModelPipeline(model_block(init_std=0.3), tokenizer).build().eval()
    draw = lambda seed, **kw: model.generate(ids, mask, max_length=10, do_sample=True,
                                             generator=torch.Generator().manual_seed(seed), **kw)
    assert torch.equal(draw(0), draw(0))
    assert any(not torch.equal(draw(0), draw(s)) for s in range(1, 6))
    assert torch.equal(draw(3, top_k=1), model.generate(ids, mask, max_length=10))
    assert torch.equal(draw(4, temperature=1e-4), model.generate(ids, mask, max_length=10))


def naive_beam_search(model, input_ids, attention_mask, max_length, num_beams, bos, pad, eos, length_penalty):
    """Reference beam search, one row at a time, re-decoding each hypothesis in full (same ranking rules)."""
    results = []
    for row in range(input_ids.size(0)):
        beams = [([bos], 0.0, False, 0)]  # tokens, score, finished, length
        for step in range(1, max_length + 1):
            candidates = []
            for tokens, score, done, length in beams:
                if done:
                    candidates.append((score, tokens + [pad], True, length))
                    continue
                logits = model(input_ids=input_ids[row : row + 1], attention_mask=attention_mask[row : row + 1],
                               decoder_input_ids=torch.tensor([tokens])).logits[0, -1]
                log_probs = F.log_softmax(logits.float(), -1)
                for token, lp in enumerate(log_probs.tolist()):
                    candidates.append((score + lp, tokens + [token], token == eos, step))
            candidates.sort(key=lambda c: -c[0])
            beams = [(tokens, score, done, length) for score, tokens, done, length in candidates[:num_beams]]
            if all(done for _, _, done, _ in beams):
                break
        best = max(beams, key=lambda b: b[1] / max(b[3], 1) ** length_penalty)
        results.append(best[0])
    return results


@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
def test_beam_search_matches_naive_reference(tokenizer, length_penalty):
    ids, mask = encode_batch(tokenizer, TEXTS[:3])
    model = model_that_stops_at_mixed_lengths(tokenizer, "generic", ids, mask, max_length=6)
    out = model.generate(ids, mask, max_length=6, num_beams=3, length_penalty=length_penalty)
    expected = naive_beam_search(model, ids, mask, 6, 3, tokenizer.bos_token_id, tokenizer.pad_token_id,
                                 tokenizer.eos_token_id, length_penalty)
    for row, tokens in zip(out.tolist(), expected):
        width = min(len(row), len(tokens))
        assert row[:width] == tokens[:width]
        assert all(t == tokenizer.pad_token_id for t in row[width:] + tokens[width:])


def test_beam_search_with_one_beam_is_greedy_and_finds_a_likelier_sequence(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS[:4])
    model = ModelPipeline(model_block(init_std=0.3), tokenizer).build().double().eval()
    greedy = model.generate(ids, mask, max_length=8)
    assert torch.equal(model.generate(ids, mask, max_length=8, num_beams=1), greedy)
    beams = model.generate(ids, mask, max_length=8, num_beams=4, length_penalty=0.0)

    def log_prob(seqs):
        """Sum of the log-probabilities of every token up to and including the first EOS."""
        logits = model(input_ids=ids, attention_mask=mask, decoder_input_ids=seqs[:, :-1]).logits
        picked = F.log_softmax(logits, -1).gather(-1, seqs[:, 1:, None]).squeeze(-1)
        is_eos = (seqs[:, 1:] == tokenizer.eos_token_id).long()
        ended_before = is_eos.cumsum(1) - is_eos
        return picked.masked_fill(ended_before > 0, 0.0).sum(1)

    assert (log_prob(beams) >= log_prob(greedy) - 1e-9).all()


def test_bad_generate_arguments(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS[:2])
    model = ModelPipeline(model_block(), tokenizer).build()
    assert model.generate(ids, mask, max_length=3, use_cache=True).shape == (2, 4)
    with pytest.raises(ValueError, match="num_return_sequences"):  # more sequences than beams
        model.generate(ids, mask, num_return_sequences=2)
    with pytest.raises(ValueError, match="num_beams"):
        model.generate(ids, mask, num_beams=0)
    with pytest.raises(ValueError, match="temperature"):
        model.generate(ids, mask, do_sample=True, temperature=0.0)
    with pytest.raises(ValueError, match="max_length"):
        model.generate(ids, mask, max_length=0)
