"""A sampler that shards across ranks, reshuffles per epoch from one seed, and resumes mid-epoch.

Lightning saves the state of dataloaders that have ``state_dict``/``load_state_dict`` in every
checkpoint; ``ResumableDataLoader`` records how many batches of the current epoch were trained,
and on resume its sampler skips exactly those, so a resumed run sees the batches it would have seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import torch
from torch.utils.data import DataLoader, Sampler


class ShardSampler(Sampler[int]):
    """Indices of this rank: a seeded permutation per epoch (or the natural order), split round robin.

    ``pad`` repeats a few indices so every rank gets the same count (training, where DDP needs
    equal steps); without it shards may differ by one (evaluation: no sample counted twice).
    """

    def __init__(self, size: int, seed: int = 0, shuffle: bool = True, rank: int = 0,
                 world_size: int = 1, pad: bool = True) -> None:
        self.size, self.seed, self.shuffle = size, seed, shuffle
        self.rank, self.world_size, self.pad = rank, world_size, pad
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
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.size, generator=generator).tolist()
        else:
            order = list(range(self.size))
        if self.pad and self.size % self.world_size:
            order += order[: self.world_size - self.size % self.world_size]
        indices = order[self.rank :: self.world_size]
        skip = self.skip if self.epoch == self.skip_epoch else 0
        self.skip = 0
        return iter(indices[skip:])


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
