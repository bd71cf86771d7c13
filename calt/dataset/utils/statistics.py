"""Streaming summaries (mean, std, min, max) of per-sample numbers, per split, in calt-x's layout.

Values are folded one at a time, in sample order, with Welford's update, as calt-x 1.5.0 does,
so the statistics of a split agree with the original's to the last bit.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from typing import Any, Iterable, Mapping, Sequence


class BaseStatisticsCalculator(ABC):
    """Interface of a ``statistics_calculator``: ``(problem, answer) -> {category: {name: number}}``.

    Any callable with this signature works; subclassing is optional and only documents intent.
    """

    @abstractmethod
    def __call__(self, problem: Any, answer: Any) -> dict[str, dict[str, int | float]]:
        """Return the statistics of one sample, e.g. ``{"problem": {"degree": 3}}``."""


class RunningStatistics:
    """Count, mean, population std, min and max of a stream of numbers, in constant memory."""

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self._sum_sq_dev = 0.0
        self.min = math.inf
        self.max = -math.inf

    def add(self, value: float) -> None:
        """Fold one number into the summary (Welford's update)."""
        self.count += 1
        delta = value - self.mean
        self.mean += delta / self.count
        self._sum_sq_dev += delta * (value - self.mean)
        self.min = min(self.min, value)
        self.max = max(self.max, value)

    def update(self, values: Iterable[float]) -> None:
        """Fold numbers into the summary, in order."""
        for value in values:
            self.add(value)

    def summary(self) -> dict[str, float]:
        """Return ``{mean, std, min, max}`` (all 0.0 when nothing was seen)."""
        if self.count == 0:
            return {"mean": 0.0, "std": 0.0, "min": 0.0, "max": 0.0}
        variance = self._sum_sq_dev / self.count if self.count > 1 else 0.0
        std = variance**0.5 if variance >= 0 else 0.0  # rounding can leave a tiny negative variance
        return {"mean": self.mean, "std": std, "min": self.min, "max": self.max}


class SplitStatistics:
    """Collects generation times and ``statistics_calculator`` output of one split."""

    def __init__(self, split: str) -> None:
        self.split = split
        self.generation_time = RunningStatistics()
        # category -> RunningStatistics (flat entries) or {name: RunningStatistics} (nested entries)
        self._categories: dict[str, RunningStatistics | dict[str, RunningStatistics]] = {}

    def update(self, seconds: Sequence[float], sample_stats: Sequence[tuple[int, Mapping | None]]) -> None:
        """Add one batch: per-sample generation seconds and ``(index, stats dict)`` pairs in sample order."""
        self.generation_time.update(seconds)
        for index, stats in sample_stats:
            if stats is not None:
                self._add_sample(index, stats)

    def _add_sample(self, index: int, stats: Any) -> None:
        if not isinstance(stats, Mapping):
            raise TypeError(
                f"statistics_calculator must return a dict like {{'problem': {{'degree': 3}}}}; "
                f"got {stats!r} ({type(stats).__name__}) for {self.split} sample {index}"
            )
        for category, entry in stats.items():
            if isinstance(entry, Mapping):
                fields = self._slot(index, category, dict)
                for name, value in entry.items():
                    fields.setdefault(name, RunningStatistics()).add(self._number(index, f"{category}.{name}", value))
            else:
                self._slot(index, category, RunningStatistics).add(self._number(index, str(category), entry))

    def _slot(self, index: int, category: str, kind: type) -> Any:
        """The accumulator of ``category``; a category is either always a dict or always a number."""
        slot = self._categories.setdefault(category, kind())
        if not isinstance(slot, kind):
            raise TypeError(
                f"statistics_calculator returned '{category}' as a {'dict' if kind is dict else 'number'} for "
                f"{self.split} sample {index} but not for earlier samples; keep each category's shape fixed"
            )
        return slot

    def _number(self, index: int, field: str, value: Any) -> float:
        if isinstance(value, numbers.Real):
            return float(value)
        raise TypeError(
            f"statistics_calculator returned a non-numeric value for '{field}' of {self.split} "
            f"sample {index}: {value!r} ({type(value).__name__}); return int or float values"
        )

    def to_dict(self, num_samples: int, total_time: float) -> dict[str, Any]:
        """The YAML-ready summary, keyed and ordered as calt-x's ``{split}_stats.yaml``."""
        out: dict[str, Any] = {
            "total_time": total_time,
            "num_samples": num_samples,
            "samples_per_second": num_samples / total_time if total_time > 0 else 0.0,
            "generation_time": self.generation_time.summary(),
        }
        for category, slot in self._categories.items():
            if isinstance(slot, dict):
                out[f"{category}_stats"] = {name: running.summary() for name, running in slot.items()}
            else:
                out[f"{category}_stats"] = slot.summary()
        return out
