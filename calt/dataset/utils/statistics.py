"""Streaming summaries (count, mean, std, min, max) of per-sample numbers, per split."""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from typing import Any, Mapping, Sequence

import numpy as np


class BaseStatisticsCalculator(ABC):
    """Interface of a ``statistics_calculator``: ``(problem, answer) -> {category: {name: number}}``.

    Any callable with this signature works; subclassing is optional and only documents intent.
    """

    @abstractmethod
    def __call__(self, problem: Any, answer: Any) -> dict[str, dict[str, int | float]]:
        """Return the statistics of one sample, e.g. ``{"problem": {"degree": 3}}``."""


class RunningStatistics:
    """Count, mean, population std, min and max of a stream of numbers, updated a batch at a time.

    Batches are merged with Chan et al.'s pairwise formula, so memory stays constant
    however many samples a split has.
    """

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self._sum_sq_dev = 0.0
        self.min = math.inf
        self.max = -math.inf

    def update(self, values: Sequence[float]) -> None:
        """Fold a batch of numbers into the summary."""
        batch = np.asarray(values, dtype=np.float64)
        if batch.size == 0:
            return
        n_b, mean_b = batch.size, float(batch.mean())
        m2_b = float(((batch - mean_b) ** 2).sum())
        n = self.count + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / n
        self._sum_sq_dev += m2_b + delta * delta * self.count * n_b / n
        self.count = n
        self.min = min(self.min, float(batch.min()))
        self.max = max(self.max, float(batch.max()))

    def summary(self) -> dict[str, float | int]:
        """Return ``{count, mean, std, min, max}`` (zeros when nothing was seen)."""
        if self.count == 0:
            return {"count": 0, "mean": 0.0, "std": 0.0, "min": 0.0, "max": 0.0}
        return {
            "count": self.count,
            "mean": self.mean,
            "std": math.sqrt(self._sum_sq_dev / self.count),
            "min": self.min,
            "max": self.max,
        }


class SplitStatistics:
    """Collects generation times and ``statistics_calculator`` output of one split."""

    def __init__(self, split: str) -> None:
        self.split = split
        self.generation_time = RunningStatistics()
        self._fields: dict[tuple[str, str | None], RunningStatistics] = {}

    def update(self, seconds: Sequence[float], sample_stats: Sequence[tuple[int, Mapping | None]]) -> None:
        """Add one batch: per-sample generation seconds and ``(index, stats dict)`` pairs."""
        self.generation_time.update(seconds)
        columns: dict[tuple[str, str | None], list[float]] = {}
        for index, stats in sample_stats:
            if stats is None:
                continue
            for key, value in self._flatten(index, stats):
                columns.setdefault(key, []).append(value)
        for key, values in columns.items():
            self._fields.setdefault(key, RunningStatistics()).update(values)

    def _flatten(self, index: int, stats: Any):
        """Yield ``((category, name), float)`` for every number of one sample's statistics."""
        if not isinstance(stats, Mapping):
            raise TypeError(
                f"statistics_calculator must return a dict like {{'problem': {{'degree': 3}}}}; "
                f"got {stats!r} ({type(stats).__name__}) for {self.split} sample {index}"
            )
        for category, entry in stats.items():
            if isinstance(entry, Mapping):
                for name, value in entry.items():
                    yield (str(category), str(name)), self._number(index, f"{category}.{name}", value)
            else:
                yield (str(category), None), self._number(index, str(category), entry)

    def _number(self, index: int, field: str, value: Any) -> float:
        if isinstance(value, numbers.Real):
            return float(value)
        raise TypeError(
            f"statistics_calculator returned a non-numeric value for '{field}' of {self.split} "
            f"sample {index}: {value!r} ({type(value).__name__}); return int or float values"
        )

    def to_dict(self, num_requested: int, num_written: int, num_skipped: int, total_time: float) -> dict:
        """Return the YAML-ready summary of the split."""
        out: dict[str, Any] = {
            "num_samples": num_written,
            "num_requested": num_requested,
            "num_skipped": num_skipped,
            "total_time": total_time,
            "samples_per_second": num_written / total_time if total_time > 0 else 0.0,
            "generation_time": self.generation_time.summary(),
        }
        for (category, name), running in self._fields.items():
            section = f"{category}_stats"
            if name is None:
                out[section] = running.summary()
            else:
                out.setdefault(section, {})[name] = running.summary()
        return out
