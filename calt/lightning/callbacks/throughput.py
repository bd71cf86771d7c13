"""Training throughput (samples/s and tokens/s) from Lightning's ``ThroughputMonitor``."""

from __future__ import annotations

from lightning.pytorch.callbacks import ThroughputMonitor


def batch_samples(batch: dict) -> int:
    return int(batch["input_ids"].shape[0])


def batch_tokens(batch: dict) -> int:
    """Non-padding tokens of a batch, source and target: ``train/items_per_sec`` counts these."""
    return int(batch["attention_mask"].sum() + batch["decoder_attention_mask"].sum())


def throughput_monitor() -> ThroughputMonitor:
    """Logs ``train/samples_per_sec`` and ``train/items_per_sec`` (tokens) over a window of steps, all ranks together."""
    return ThroughputMonitor(batch_size_fn=batch_samples, length_fn=batch_tokens, window_size=20)
