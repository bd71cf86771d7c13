"""Generation evaluation: each rank decodes its shard, results are gathered once, in sample order."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from tqdm.auto import tqdm

from ..models.generic.generation import eval_mode
from ..models.packed_linear import packed_linears
from .sampler import ShardSampler


@dataclass
class GenerationResult:
    """Generated and reference texts of the whole eval set, in the dataset's order, with each input and,
    under beam search, every beam (best first: ``beams[i][0] == generated[i]``)."""

    generated: list[str]
    reference: list[str]
    inputs: list[str] = field(default_factory=list)
    beams: list[list[str]] = field(default_factory=list)

    @property
    def success_rate(self) -> float:
        if not self.reference:
            return 0.0
        hits = sum(g.strip() == r.strip() for g, r in zip(self.generated, self.reference))
        return hits / len(self.reference)

    def rows(self) -> list[dict]:
        """``eval_results.json`` rows: ``generated``, ``reference``, ``input``, and ``beam`` under beam search."""
        rows = [{"generated": g, "reference": r} for g, r in zip(self.generated, self.reference)]
        for row, text in zip(rows, self.inputs):
            row["input"] = text
        for row, candidates in zip(rows, self.beams):
            row["beam"] = candidates
        return rows


def rank_and_world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


@contextmanager
def decoding_context(forward_context, device: torch.device):
    """``forward_context`` (the training's precision) around a generation eval, with autocast's cast cache on.
    Lightning turns the cache off, which suits a training step (a forward casts each weight once anyway), but a
    decode would cast every weight again at every step: 12% of a bf16 decode's time on the CPU. One context for
    the whole eval keeps the cast weights from one batch to the next (the cache empties when the context ends)."""
    with forward_context() if forward_context is not None else nullcontext():
        if not torch.is_autocast_enabled(device.type):
            yield
            return
        with torch.autocast(device.type, dtype=torch.get_autocast_dtype(device.type), cache_enabled=True):
            yield


@torch.no_grad()
def generate_eval_set(model, dataset, collate_fn, tokenizer, max_length: int, num_beams: int = 1,
                      batch_size: int = 64, device: torch.device | None = None,
                      progress: bool = False, forward_context=None) -> GenerationResult:
    """Greedy (or beam) decode of ``dataset``; every rank returns the same gathered result.

    With ``num_beams > 1`` every beam is kept (best first), so a report can tell how often the right
    answer was in the beam but not on top. ``progress`` shows a bar (samples decoded, samples/s) on rank 0.
    ``forward_context`` (e.g. a Lightning precision plugin's ``forward_context``) wraps the decoding, so it runs in
    the training's precision (bf16 autocast under ``bf16-mixed``; on the CPU with linear weights packed once).
    """
    rank, world = rank_and_world()
    data = dataset.encoded() if callable(getattr(dataset, "encoded", None)) else dataset
    indices = list(ShardSampler(len(data), shuffle=False, rank=rank, world_size=world, pad=False))
    indices = longest_first(indices, data)
    device = device or next(model.parameters()).device
    local: list[tuple[int, str, str, str, list[str]]] = []
    bar = tqdm(total=len(indices), desc="generation", unit="sample", disable=not progress or rank != 0,
               leave=False, dynamic_ncols=True)
    with eval_mode(model), decoding_context(forward_context, device), packed_linears(model):
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            batch = collate_fn([data[i] for i in chunk])
            output = model.generate(
                input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device),
                max_new_tokens=max_length, num_beams=num_beams, num_return_sequences=num_beams, do_sample=False,
            )
            decoded = decode_texts(tokenizer, output)
            candidates = [decoded[row * num_beams : (row + 1) * num_beams] for row in range(len(chunk))]
            labels = batch["labels"].clone()
            labels[labels == -100] = tokenizer.pad_token_id
            local.extend(zip(chunk, (c[0] for c in candidates), decode_texts(tokenizer, labels),
                             decode_texts(tokenizer, batch["input_ids"]), candidates))
            bar.update(len(chunk))
    bar.close()
    if world > 1:
        gathered: list = [None] * world
        dist.all_gather_object(gathered, local)
        local = [row for part in gathered for row in part]
    local.sort(key=lambda row: row[0])
    return GenerationResult([row[1] for row in local], [row[2] for row in local], [row[3] for row in local],
                            [row[4] for row in local] if num_beams > 1 else [])


def decode_texts(tokenizer, ids) -> list[str]:
    """Token ids as the original's ``eval_results.json`` writes them: special tokens dropped and HF's clean-up of
    tokenization spaces applied (``"4 , 5"`` reads ``"4, 5"``), whatever the transformers version's default."""
    return tokenizer.batch_decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=True)


def longest_first(indices: list[int], data) -> list[int]:
    """``indices`` by decreasing source length, when the data hold ids: rows of one batch then finish at
    about the same step, so few steps are spent on rows that are already done (results are re-sorted)."""
    store = getattr(data, "input_ids", None)
    if not callable(getattr(store, "lengths", None)):
        return indices
    lengths = store.lengths()
    return sorted(indices, key=lambda index: -lengths[index])


def default_max_length(dataset, margin: int = 8) -> int:
    """Longest target in tokens plus a margin: enough to finish every answer, no blind 512."""
    lengths = getattr(dataset, "target_lengths", None)
    if callable(lengths):
        try:
            found = lengths()
            if len(found):
                return int(found.max()) + margin
        except RuntimeError:
            pass
    return 512
