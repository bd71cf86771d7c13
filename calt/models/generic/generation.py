"""Incremental decoding for the generic Transformer: greedy, sampling and beam search.

The encoder runs once; each decoder layer projects the encoder output to cross-attention keys/values
once; self-attention keys/values are cached and grown one token a step, so a step costs one token's
worth of compute. Rows that emit EOS continue with PAD and, for greedy/sampling, leave the batch.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from transformers.utils import logging

logger = logging.get_logger(__name__)

IGNORED_GENERATE_KWARGS = frozenset({"use_cache", "synced_gpus"})
"""HF ``generate`` keywords that cannot change this model's result (the cache is always used)."""


@contextmanager
def eval_mode(model: torch.nn.Module):
    """``model`` in eval mode for a generate call, back in training mode after it if it was training. It switches
    only when needed: ``train()`` walks every submodule (about half a millisecond on calt's models), and a
    generation eval calls generate once per batch on a model that is already in eval mode."""
    was_training = model.training
    if was_training:
        model.eval()
    try:
        yield
    finally:
        if was_training:
            model.train()


def _resolve_length(model, max_length: int, max_new_tokens: int | None) -> int:
    """Number of decoding steps: ``max_new_tokens`` or ``max_length``, capped at the model's positions."""
    steps = max_new_tokens if max_new_tokens is not None else max_length
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"generate: max_length / max_new_tokens must be a positive integer, got {steps!r}.")
    limit = model.config.max_input_len
    if steps > limit:
        logger.warning_once(
            f"generate: max_length={steps} exceeds the model's max_sequence_length={limit}; decoding at most "
            f"{limit} tokens. Rebuild the model with a larger model.max_sequence_length to decode longer outputs."
        )
        steps = limit
    return steps


def _check_options(num_beams, do_sample, temperature, top_k, num_return_sequences, kwargs) -> None:
    unknown = sorted(set(kwargs) - IGNORED_GENERATE_KWARGS)
    if unknown:
        raise TypeError(
            f"Transformer.generate got unsupported argument(s) {unknown}. Supported: input_ids, attention_mask, "
            "max_length, max_new_tokens, num_beams, num_return_sequences, temperature, do_sample, top_k, "
            "length_penalty, early_stopping, pad_token_id, eos_token_id, decoder_start_token_id, generator (use_cache, synced_gpus are ignored)."
        )
    if isinstance(num_beams, bool) or not isinstance(num_beams, int) or num_beams < 1:
        raise ValueError(f"generate: num_beams must be a positive integer, got {num_beams!r}.")
    if isinstance(num_return_sequences, bool) or not isinstance(num_return_sequences, int) or not (
            1 <= num_return_sequences <= num_beams):
        raise ValueError(f"generate: num_return_sequences must be an integer from 1 to num_beams={num_beams} "
                         f"(the beams kept, best first), got {num_return_sequences!r}.")
    if do_sample and num_beams > 1:
        raise ValueError("generate: do_sample=True with num_beams > 1 (beam sampling) is not supported; pick one.")
    if do_sample and not temperature > 0:
        raise ValueError(f"generate: temperature must be > 0 when do_sample=True, got {temperature!r}.")
    if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"generate: top_k must be a positive integer or None, got {top_k!r}.")


def generate_sequences(
    model,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None = None,
    max_length: int = 100,
    num_beams: int = 1,
    temperature: float = 1.0,
    do_sample: bool = False,
    pad_token_id: int | None = None,
    eos_token_id: int | None = None,
    *,
    max_new_tokens: int | None = None,
    top_k: int | None = None,
    length_penalty: float = 1.0,
    early_stopping: bool = False,
    decoder_start_token_id: int | None = None,
    generator: torch.Generator | None = None,
    num_return_sequences: int = 1,
    **kwargs,
) -> torch.LongTensor:
    """Implementation of :meth:`calt.models.Transformer.generate`; returns (B * num_return_sequences, 1 + steps run)
    ids: with beam search, the ``num_return_sequences`` best beams of each row, best first (HF's layout)."""
    _check_options(num_beams, do_sample, temperature, top_k, num_return_sequences, kwargs)
    config = model.config
    pad = config.pad_token_id if pad_token_id is None else pad_token_id
    eos = config.eos_token_id if eos_token_id is None else eos_token_id
    start = config.decoder_start_token_id if decoder_start_token_id is None else decoder_start_token_id
    steps = _resolve_length(model, max_length, max_new_tokens)
    with eval_mode(model), torch.no_grad():
        memory = model.encode(input_ids, attention_mask)
        if num_beams == 1:
            pick = _sampler(temperature, top_k, generator) if do_sample else _argmax
            return _decode_one_path(model, memory, attention_mask, steps, start, pad, eos, pick)
        return _beam_search(model, memory, attention_mask, steps, num_beams, start, pad, eos,
                            length_penalty, early_stopping, num_return_sequences)


def _argmax(logits: torch.Tensor) -> torch.Tensor:
    return logits.argmax(dim=-1)


def _sampler(temperature: float, top_k: int | None, generator: torch.Generator | None):
    """Draw the next token from softmax(logits / temperature), optionally among the top_k only."""

    def pick(logits: torch.Tensor) -> torch.Tensor:
        logits = logits.float() / temperature
        if top_k is not None and top_k < logits.size(-1):
            threshold = logits.topk(top_k, dim=-1).values[:, -1:]
            logits = logits.masked_fill(logits < threshold, float("-inf"))
        return torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator).squeeze(1)

    return pick


def _decode_one_path(model, memory, attention_mask, steps, start, pad, eos, pick) -> torch.LongTensor:
    """Greedy or sampled decoding; finished rows are dropped from the batch once they are half of it."""
    batch = memory.size(0)
    output = torch.full((batch, steps + 1), pad, dtype=torch.long, device=memory.device)
    output[:, 0] = start
    state = model.start_decoding(memory, attention_mask, capacity=steps)
    rows = torch.arange(batch, device=memory.device)  # output row of each row still in the state
    alive = torch.ones(batch, dtype=torch.bool, device=memory.device)
    tokens = output[:, 0]
    used = steps
    for step in range(1, steps + 1):
        next_tokens = pick(model.decode_step(state, tokens)).masked_fill(~alive, pad)
        output[rows, step] = next_tokens
        alive = alive & (next_tokens != eos)
        alive_count = int(alive.sum())
        if alive_count == 0:
            used = step
            break
        if alive_count * 2 <= alive.numel():
            keep = alive.nonzero().squeeze(1)
            state.keep_rows(keep)
            rows, alive, next_tokens = rows[keep], alive[keep], next_tokens[keep]
        tokens = next_tokens
    return output[:, : used + 1]


def _beam_search(model, memory, attention_mask, steps, num_beams, start, pad, eos, length_penalty, early_stopping,
                 num_return: int = 1):
    """Beam search with ``num_beams`` hypotheses per row, ranked at the end by sum log-prob / length**length_penalty.

    A finished hypothesis keeps its beam slot and its score (it can only be extended by PAD at no cost);
    a row is done when all its beams have finished (or, with ``early_stopping``, its best beam has).
    Returns the ``num_return`` best beams of each row, best first (ties: the lower beam slot first).
    """
    batch, vocab = memory.size(0), model.config.vocab_size
    memory = memory.repeat_interleave(num_beams, dim=0)
    mask = None if attention_mask is None else attention_mask.repeat_interleave(num_beams, dim=0)
    state = model.start_decoding(memory, mask, capacity=steps)
    device = memory.device
    sequences = torch.full((batch * num_beams, steps + 1), pad, dtype=torch.long, device=device)
    sequences[:, 0] = start
    scores = torch.zeros(batch, num_beams, device=device)
    scores[:, 1:] = float("-inf")  # the first step expands beam 0 only, so the beams differ
    finished = torch.zeros(batch * num_beams, dtype=torch.bool, device=device)
    lengths = torch.zeros(batch * num_beams, device=device)
    group_offset = torch.arange(batch, device=device).unsqueeze(1) * num_beams
    frozen = torch.full((vocab,), float("-inf"), device=device)
    frozen[pad] = 0.0
    tokens, used = sequences[:, 0], steps
    for step in range(1, steps + 1):
        log_probs = F.log_softmax(model.decode_step(state, tokens).float(), dim=-1)
        log_probs = torch.where(finished.unsqueeze(1), frozen, log_probs)
        candidates = (scores.view(-1, 1) + log_probs).view(batch, num_beams * vocab)
        scores, flat = candidates.topk(num_beams, dim=1)
        source = (flat // vocab + group_offset).view(-1)
        tokens = (flat % vocab).view(-1)
        sequences = sequences[source]
        sequences[:, step] = tokens
        was_finished = finished[source]
        lengths = torch.where(was_finished, lengths[source], torch.full_like(lengths, step))
        finished = was_finished | (tokens == eos)
        state.reorder(source)
        groups_done = finished.view(batch, num_beams)[:, 0] if early_stopping else finished.view(batch, num_beams).all(1)
        if bool(groups_done.all()):
            used = step
            break
    normalized = scores / lengths.view(batch, num_beams).clamp(min=1) ** length_penalty
    ranked = normalized.sort(dim=1, descending=True, stable=True).indices[:, :num_return] + group_offset
    return sequences[ranked.reshape(-1), : used + 1]
