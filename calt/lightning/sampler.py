"""A sampler that shards across ranks, reshuffles per epoch from one seed, and resumes mid-epoch.

With ``lengths`` it also groups samples of similar length into the same batch (HF's
``group_by_length``): less padding, so less compute spent on it, while the batch order stays random.

Lightning saves the state of dataloaders that have ``state_dict``/``load_state_dict`` in every
checkpoint; ``ResumableDataLoader`` records how many batches of the current epoch were trained,
and on resume its sampler skips exactly those, so a resumed run sees the batches it would have seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler

MEGABATCH = 50  # batches sorted together by length (the HF LengthGroupedSampler's choice)


class ShardSampler(Sampler[int]):
    """Indices of this rank: a seeded permutation per epoch (or the natural order), split round robin.

    ``pad`` repeats a few indices so every rank gets the same count (training, where DDP needs
    equal steps); without it shards may differ by one (evaluation: no sample counted twice).
    ``lengths`` and ``batch_size`` (per rank) turn on grouping by length, see :func:`group_by_length`.
    """

    def __init__(self, size: int, seed: int = 0, shuffle: bool = True, rank: int = 0,
                 world_size: int = 1, pad: bool = True, lengths: np.ndarray | None = None,
                 batch_size: int = 1, epoch_stride: int = 0) -> None:
        if lengths is not None and len(lengths) != size:
            raise ValueError(f"lengths has {len(lengths)} entries for a dataset of {size} samples")
        self.size, self.seed, self.shuffle = size, seed, shuffle
        self.rank, self.world_size, self.pad = rank, world_size, pad
        self.lengths, self.batch_size = lengths, batch_size
        self.epoch_stride = epoch_stride  # > 0: epoch e yields i + e*epoch_stride (fresh generated samples)
        self.epoch = 0
        self.skip = 0
        self.skip_epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        if self.pad:
            return math.ceil(self.size / self.world_size)
        return len(range(self.rank, self.size, self.world_size))

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        if self.shuffle:
            order = torch.randperm(self.size, generator=generator).tolist()
        else:
            order = list(range(self.size))
        if self.pad and self.size % self.world_size:
            order += order[: self.world_size - self.size % self.world_size]
        if self.lengths is not None:
            order = group_by_length(order, self.lengths, self.batch_size * self.world_size, generator)
        indices = order[self.rank :: self.world_size]
        skip = self.skip if self.epoch == self.skip_epoch else 0
        self.skip = 0
        offset = self.epoch * self.epoch_stride
        return iter([index + offset for index in indices[skip:]] if offset else indices[skip:])


def group_by_length(order: list[int], lengths: np.ndarray, global_batch: int,
                    generator: torch.Generator) -> list[int]:
    """Reorder ``order`` so that each run of ``global_batch`` indices holds samples of similar length.

    Chunks of ``MEGABATCH`` global batches are sorted by length, cut into batches, and the full
    batches are shuffled; the longest comes first (an out-of-memory shows at the first step) and a
    short last batch stays last, so the round-robin split over ranks keeps every batch together.
    """
    order_array = np.asarray(order, dtype=np.int64)
    batches = []
    for start in range(0, len(order_array), MEGABATCH * global_batch):
        chunk = order_array[start : start + MEGABATCH * global_batch]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches += [chunk[i : i + global_batch] for i in range(0, len(chunk), global_batch)]
    tail = [batches.pop()] if batches and len(batches[-1]) < global_batch else []
    if batches:
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
        longest = max(range(len(batches)), key=lambda i: lengths[batches[i]].max())
        batches[0], batches[longest] = batches[longest], batches[0]
    return np.concatenate(batches + tail).tolist() if batches or tail else []


class ResumableDataLoader(DataLoader):
    """A DataLoader whose checkpointed state is (epoch, batches trained in it)."""

    def __init__(self, *args, progress: Callable[[], int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.progress = progress

    def state_dict(self) -> dict:
        done = self.progress() if self.progress is not None else 0
        return {"epoch": self.sampler.epoch, "batches_done": int(done)}

    def load_state_dict(self, state: dict) -> None:
        done = state.get("batches_done", 0)
        if done >= len(self):  # saved at the end of an epoch: the next one starts afresh
            return
        self.sampler.skip_epoch = state.get("epoch", 0)
        self.sampler.skip = done * (self.batch_size or 1)
