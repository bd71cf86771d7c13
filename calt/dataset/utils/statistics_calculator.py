"""The original's statistics module: the calculator interface and its two streaming accumulators.

``IncrementalStatistics`` and ``MemoryEfficientStatisticsCalculator`` keep calt-x's method names over
calt's ``RunningStatistics`` / ``SplitStatistics`` (the same Welford update, so the same numbers).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .statistics import BaseStatisticsCalculator, RunningStatistics, SplitStatistics

__all__ = ["BaseStatisticsCalculator", "IncrementalStatistics", "MemoryEfficientStatisticsCalculator"]


class IncrementalStatistics:
    """Count, mean, population std, min and max of numbers fed one at a time."""

    def __init__(self) -> None:
        self._running = RunningStatistics()

    def update(self, value: float) -> None:
        """Fold one number in."""
        self._running.add(value)

    def update_batch(self, values: Sequence[float]) -> None:
        """Fold numbers in, in order."""
        self._running.update(values)

    def get_statistics(self) -> dict[str, float]:
        """``{mean, std, min, max}``; all 0.0 before the first number."""
        return self._running.summary()

    @property
    def count(self) -> int:
        return self._running.count

    @property
    def mean(self) -> float:
        return self._running.mean

    @property
    def M2(self) -> float:  # noqa: N802 (the original's attribute name)
        """Sum of squared deviations from the mean (variance × count)."""
        return self._running._sum_sq_dev

    @property
    def min_val(self) -> float:
        return self._running.min

    @property
    def max_val(self) -> float:
        return self._running.max


class MemoryEfficientStatisticsCalculator:
    """Generation times and per-sample statistics of a split, summarised as ``{split}_stats.yaml`` holds them."""

    def __init__(self) -> None:
        self._split = SplitStatistics("dataset")
        self._seen = 0

    def update_batch(self, runtimes: Sequence[float],
                     batch_sample_stats: Sequence[Mapping[str, Mapping[str, int | float] | int | float]]) -> None:
        """Add one batch: per-sample seconds and per-sample ``{category: {name: number}}`` (or ``{category: number}``)."""
        indexed = [(self._seen + i, stats) for i, stats in enumerate(batch_sample_stats)]
        self._seen += len(batch_sample_stats)
        self._split.update(runtimes, indexed)

    def get_overall_statistics(self, total_time: float, num_samples: int) -> dict[str, Any]:
        """``{total_time, num_samples, samples_per_second, generation_time, <category>_stats…}``."""
        return self._split.to_dict(num_samples, total_time)
