"""Generation evaluation: each rank decodes its shard, results are gathered once, in sample order."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.distributed as dist
from tqdm.auto import tqdm

from .sampler import ShardSampler


@dataclass
class GenerationResult:
    """Generated and reference texts of the whole eval set, in the dataset's order."""

    generated: list[str]
    reference: list[str]

    @property
    def success_rate(self) -> float:
        if not self.reference:
            return 0.0
        hits = sum(g.strip() == r.strip() for g, r in zip(self.generated, self.reference))
        return hits / len(self.reference)

    def rows(self) -> list[dict[str, str]]:
        return [{"generated": g, "reference": r} for g, r in zip(self.generated, self.reference)]


def rank_and_world() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


@torch.no_grad()
def generate_eval_set(model, dataset, collate_fn, tokenizer, max_length: int, num_beams: int = 1,
                      batch_size: int = 64, device: torch.device | None = None,
                      progress: bool = False) -> GenerationResult:
    """Greedy (or beam) decode of ``dataset``; every rank returns the same gathered result.

    ``progress`` shows a bar (samples decoded, samples/s) on rank 0.
    """
    rank, world = rank_and_world()
    data = dataset.encoded() if callable(getattr(dataset, "encoded", None)) else dataset
    indices = list(ShardSampler(len(data), shuffle=False, rank=rank, world_size=world, pad=False))
    indices = longest_first(indices, data)
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    local: list[tuple[int, str, str]] = []
    bar = tqdm(total=len(indices), desc="generation", unit="sample", disable=not progress or rank != 0,
               leave=False, dynamic_ncols=True)
    for start in range(0, len(indices), batch_size):
        chunk = indices[start : start + batch_size]
        batch = collate_fn([data[i] for i in chunk])
        output = model.generate(
            input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device),
            max_new_tokens=max_length, num_beams=num_beams, do_sample=False,
        )
        generated = tokenizer.batch_decode(output, skip_special_tokens=True)
        labels = batch["labels"].clone()
        labels[labels == -100] = tokenizer.pad_token_id
        reference = tokenizer.batch_decode(labels, skip_special_tokens=True)
        local.extend(zip(chunk, (g.strip() for g in generated), (r.strip() for r in reference)))
        bar.update(len(chunk))
    bar.close()
    if was_training:
        model.train()
    if world > 1:
        gathered: list = [None] * world
        dist.all_gather_object(gathered, local)
        local = [row for part in gathered for row in part]
    local.sort(key=lambda row: row[0])
    return GenerationResult([g for _, g, _ in local], [r for _, _, r in local])


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
