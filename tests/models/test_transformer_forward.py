"""Transformer.forward: loss and logits a trainer relies on, masking, positional embeddings, length limits."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from calt.models import ModelPipeline

from model_test_helpers import encode_batch, model_block

PROBLEMS = ["1 + 2", "3 * x ^ 2 + 16", "y ^ 2"]
ANSWERS = ["3", "x ^ 2 + 1", "y * y + 0"]
POSITIONAL = ["generic", "sinusoidal", "rope", "none"]


def seq2seq_batch(tokenizer):
    """Batch in the collator's layout: decoder inputs = target[:-1], labels = target[1:] with -100 padding."""
    input_ids, attention_mask = encode_batch(tokenizer, PROBLEMS)
    target, target_mask = encode_batch(tokenizer, ANSWERS)
    labels = target[:, 1:].masked_fill(target_mask[:, 1:] == 0, -100)
    return dict(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=target[:, :-1],
                decoder_attention_mask=target_mask[:, :-1], labels=labels)


@pytest.mark.parametrize("positional", POSITIONAL)
def test_loss_is_mean_cross_entropy_over_real_labels_and_trains(tokenizer, positional):
    model = ModelPipeline(model_block(use_positional_embedding=positional), tokenizer).build()
    batch = seq2seq_batch(tokenizer)
    out = model(**batch)
    assert out.logits.shape == (3, batch["labels"].size(1), len(tokenizer))
    expected = F.cross_entropy(out.logits.reshape(-1, len(tokenizer)), batch["labels"].reshape(-1), ignore_index=-100)
    assert torch.allclose(out.loss, expected)
    if positional not in ("generic", "rope"):
        return
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    first = out.loss.item()
    for _ in range(8):
        optimizer.zero_grad()
        model(**batch).loss.backward()
        optimizer.step()
    assert model(**batch).loss.item() < first * 0.7


def test_labels_alone_give_the_same_loss_as_shifted_decoder_inputs(tokenizer):
    model = ModelPipeline(model_block(), tokenizer).build().eval()
    target, mask = encode_batch(tokenizer, ANSWERS)
    labels = target.masked_fill(mask == 0, -100)
    input_ids, attention_mask = encode_batch(tokenizer, PROBLEMS)
    derived = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)
    starts = torch.full((3, 1), tokenizer.bos_token_id)
    explicit = model(input_ids=input_ids, attention_mask=attention_mask,
                     decoder_input_ids=torch.cat([starts, target[:, :-1]], 1), labels=labels)
    assert torch.allclose(derived.loss, explicit.loss)


@pytest.mark.parametrize("positional", POSITIONAL)
def test_padding_and_future_tokens_do_not_change_real_positions(tokenizer, positional):
    model = ModelPipeline(model_block(use_positional_embedding=positional), tokenizer).build().double().eval()
    batch = seq2seq_batch(tokenizer)
    logits = model(**batch).logits
    for row in range(3):
        n_in, n_out = int(batch["attention_mask"][row].sum()), int(batch["decoder_attention_mask"][row].sum())
        alone = model(input_ids=batch["input_ids"][row : row + 1, :n_in],
                      decoder_input_ids=batch["decoder_input_ids"][row : row + 1, :n_out]).logits
        assert torch.allclose(logits[row, :n_out], alone[0], atol=1e-10)
    changed = batch["decoder_input_ids"].clone()
    changed[:, -1] = 5
    prefix = model(**{**batch, "decoder_input_ids": changed}).logits
    assert torch.allclose(prefix[:, :-1], logits[:, :-1], atol=1e-10)


@pytest.mark.parametrize("positional", ["none", "rope"])  # position-shift invariant, so left padding is a no-op
def test_left_padded_decoder_inputs_are_masked(tokenizer, positional):
    model = ModelPipeline(model_block(use_positional_embedding=positional), tokenizer).build().double().eval()
    input_ids, attention_mask = encode_batch(tokenizer, PROBLEMS[:1])
    target, _ = encode_batch(tokenizer, ANSWERS[1:2])
    padded = torch.cat([torch.full((1, 2), tokenizer.pad_token_id), target], 1)
    mask = torch.cat([torch.zeros(1, 2, dtype=torch.long), torch.ones_like(target)], 1)
    with_pad = model(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=padded,
                     decoder_attention_mask=mask).logits
    without = model(input_ids=input_ids, attention_mask=attention_mask, decoder_input_ids=target).logits
    assert torch.allclose(with_pad[:, 2:], without, atol=1e-10)


def test_sequences_longer_than_max_sequence_length_are_refused_clearly(tokenizer):
    model = ModelPipeline(model_block(max_sequence_length=8), tokenizer).build()
    long_input = torch.full((1, 9), 3)
    with pytest.raises(ValueError, match=r"input_ids has 9 positions.*max_sequence_length=8"):
        model(input_ids=long_input, decoder_input_ids=torch.full((1, 2), 3))
    with pytest.raises(ValueError, match=r"decoder_input_ids has 9 positions.*max_sequence_length=8"):
        model(input_ids=torch.full((1, 3), 3), decoder_input_ids=long_input)
    with pytest.raises(ValueError, match="input_ids has 9 positions"):
        model.generate(long_input, max_length=3)


def test_return_dict_false_gives_a_tuple(tokenizer):
    model = ModelPipeline(model_block(), tokenizer).build()
    loss, logits, _ = model(**seq2seq_batch(tokenizer), return_dict=False)
    assert loss.dim() == 0 and logits.dim() == 3
