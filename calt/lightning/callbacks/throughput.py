"""``Throughput``: training samples/s and tokens/s (all ranks together) in the logs and progress bar."""

from __future__ import annotations

import time

import lightning as L


class Throughput(L.Callback):
    """Measured between logging steps, over every rank's batches."""

    def __init__(self) -> None:
        self._start: float | None = None
        self._samples = self._tokens = 0

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._start, self._samples, self._tokens = time.perf_counter(), 0, 0

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self._samples += batch["input_ids"].shape[0] * trainer.world_size
        tokens = batch["attention_mask"].sum() + batch["decoder_attention_mask"].sum()
        self._tokens += int(tokens) * trainer.world_size
        if (trainer.global_step % max(trainer.log_every_n_steps, 1)) != 0 or self._start is None:
            return
        elapsed = time.perf_counter() - self._start
        if elapsed > 0:
            pl_module.log_dict({"train/samples_per_sec": self._samples / elapsed,
                                "train/tokens_per_sec": self._tokens / elapsed}, prog_bar=True, rank_zero_only=True)
        self._start, self._samples, self._tokens = time.perf_counter(), 0, 0
