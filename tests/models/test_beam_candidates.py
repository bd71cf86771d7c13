"""``num_return_sequences``: beam search returns its best beams, best first, the first one being the usual answer."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from calt.models import ModelPipeline

from model_test_helpers import encode_batch, model_block

TEXTS = ["1 + 2", "3 * x ^ 2 + 16", "y", "5 + 6 * 7 + 8 * 9 + 10"]


def test_returned_beams_are_ranked_and_the_first_is_the_single_answer(tokenizer):
    ids, mask = encode_batch(tokenizer, TEXTS)
    model = ModelPipeline(model_block(init_std=0.3), tokenizer).build().double().eval()
    best = model.generate(ids, mask, max_length=8, num_beams=4, length_penalty=0.0)
    beams = model.generate(ids, mask, max_length=8, num_beams=4, length_penalty=0.0, num_return_sequences=3)
    assert beams.shape[0] == 3 * len(TEXTS)
    assert torch.equal(beams[::3, : best.size(1)], best)

    def log_prob(seqs, sources):
        """Sum of the log-probabilities of every token up to and including the first EOS."""
        logits = model(input_ids=ids[sources], attention_mask=mask[sources], decoder_input_ids=seqs[:, :-1]).logits
        picked = F.log_softmax(logits, -1).gather(-1, seqs[:, 1:, None]).squeeze(-1)
        is_eos = (seqs[:, 1:] == tokenizer.eos_token_id).long()
        return picked.masked_fill(is_eos.cumsum(1) - is_eos > 0, 0.0).sum(1)

    scores = log_prob(beams, torch.arange(len(TEXTS)).repeat_interleave(3)).view(len(TEXTS), 3)
    assert (scores[:, :-1] >= scores[:, 1:] - 1e-9).all()  # best first
    for row in range(len(TEXTS)):  # different hypotheses, not copies of the best
        assert len({tuple(seq) for seq in beams[3 * row : 3 * row + 3].tolist()}) == 3
