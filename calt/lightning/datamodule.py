"""``CaltDataModule``: the io_dict's datasets as DataLoaders, sharded per rank, resumable mid-epoch."""

from __future__ import annotations

import logging
import math
from typing import Any

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from .compat import batches_started_this_epoch
from .sampler import ResumableDataLoader, ShardSampler

log = logging.getLogger(__name__)


def id_view(dataset: Dataset) -> Dataset:
    """The pre-encoded id view of a calt dataset when it has one (no lexing in the loop)."""
    encoded = getattr(dataset, "encoded", None)
    if callable(encoded):
        try:
            return encoded()
        except RuntimeError:  # a StandardDataset that was never built: fall back to text items
            return dataset
    return dataset


def sample_lengths(data: Dataset) -> np.ndarray | None:
    """Source + target token count of every sample of an id view; None for text items (not encoded)."""
    stores = getattr(data, "input_ids", None), getattr(data, "target_ids", None)
    if all(callable(getattr(store, "lengths", None)) for store in stores):
        return stores[0].lengths() + stores[1].lengths()
    return None


class CaltDataModule(L.LightningDataModule):
    """Train / eval loaders; ``batch_size`` and ``eval_batch_size`` are per device.

    ``group_by_length`` batches training samples of similar length together (less padding).
    """

    def __init__(
        self,
        train_dataset: Dataset | None,
        eval_dataset: Dataset | None,
        collate_fn: Any,
        batch_size: int = 8,
        eval_batch_size: int = 8,
        num_workers: int = 0,
        pin_memory: bool = True,
        seed: int = 42,
        group_by_length: bool = False,
    ) -> None:
        super().__init__()
        self.train_dataset, self.eval_dataset = train_dataset, eval_dataset
        self.collate_fn = collate_fn
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.num_workers, self.pin_memory, self.seed = num_workers, pin_memory, seed
        self.group_by_length = group_by_length

    def _rank_and_world(self) -> tuple[int, int]:
        trainer = self.trainer
        return (trainer.global_rank, trainer.world_size) if trainer is not None else (0, 1)

    def _progress(self) -> int:
        trainer = self.trainer
        return batches_started_this_epoch(trainer) if trainer is not None else 0

    def batches_per_epoch(self, world_size: int) -> int:
        """Training batches each rank sees in one epoch (shards are padded to equal size)."""
        per_rank = math.ceil(len(self.train_dataset) / world_size)
        return math.ceil(per_rank / self.batch_size)

    def train_dataloader(self) -> DataLoader:
        if self.train_dataset is None:
            raise ValueError("no training dataset: pass train_dataset (io_dict['train_dataset'])")
        rank, world = self._rank_and_world()
        data = id_view(self.train_dataset)
        stride = getattr(data, "samples_per_epoch", 0)  # generated on the fly: each epoch draws new indices
        lengths = sample_lengths(data) if self.group_by_length and not stride else None
        if self.group_by_length and stride:
            log.info("group_by_length: samples generated on the fly have no lengths in advance; not grouping")
        elif self.group_by_length and lengths is None:
            log.warning("group_by_length: the training set holds no token ids (build it with IOPipeline); "
                        "batches are drawn without grouping")
        sampler = ShardSampler(len(data), seed=self.seed, shuffle=True, rank=rank, world_size=world, pad=True,
                               lengths=lengths, batch_size=self.batch_size, epoch_stride=stride)
        return ResumableDataLoader(
            data, batch_size=self.batch_size, sampler=sampler, collate_fn=self.collate_fn,
            num_workers=self.num_workers, pin_memory=self.pin_memory, persistent_workers=self.num_workers > 0,
            progress=self._progress,
            # its own generator: starting an epoch's iterator then draws no number from the global RNG, so the
            # RNG state a checkpoint holds is the one the next batch's dropout sees, at an epoch boundary too
            generator=torch.Generator().manual_seed(self.seed),
        )

    def val_dataloader(self) -> DataLoader:
        return self.eval_loader(self.eval_dataset)

    def test_dataloader(self) -> DataLoader:
        """The eval set: ``Trainer.test`` (``calt test``) scores it like validation."""
        return self.eval_loader(self.eval_dataset)

    def eval_loader(self, dataset: Dataset | None) -> DataLoader:
        """This rank's shard of ``dataset``, in order, no sample repeated."""
        if dataset is None or len(dataset) == 0:
            return []
        rank, world = self._rank_and_world()
        data = id_view(dataset)
        sampler = ShardSampler(len(data), shuffle=False, rank=rank, world_size=world, pad=False)
        return DataLoader(data, batch_size=self.eval_batch_size, sampler=sampler, collate_fn=self.collate_fn,
                          num_workers=self.num_workers, pin_memory=self.pin_memory)
