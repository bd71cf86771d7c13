"""Accuracy with a 95% interval, and accuracy broken down into buckets of a numeric property of the samples.

The interval is Wilson's score interval for a binomial proportion: unlike the normal ("Wald")
approximation it stays inside [0, 1] and keeps close to its nominal coverage for small test sets and
for rates near 0% or 100%, which is where success rates of short runs often are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal
INTERVAL_NAME = "Wilson score interval, 95%"


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of ``successes / total``; (0, 1) when there are no samples."""
    if total <= 0:
        return 0.0, 1.0
    rate = successes / total
    centre = (rate + z * z / (2 * total)) / (1 + z * z / total)
    half = z / (1 + z * z / total) * math.sqrt(rate * (1 - rate) / total + z * z / (4 * total * total))
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends where rounding would miss them
    high = 1.0 if successes == total else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Bucket:
    """Samples whose property lies in ``[low, high]``, and how many of them the model got right."""

    low: float
    high: float
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def label(self) -> str:
        return format_value(self.low) if self.low == self.high else f"{format_value(self.low)}–{format_value(self.high)}"


def format_value(value: float) -> str:
    """Integers without a decimal point, other numbers with 3 significant digits."""
    return str(int(value)) if float(value).is_integer() else f"{value:.3g}"


def bucket_ranges(values: Sequence[float], max_buckets: int = 10) -> list[tuple[float, float]]:
    """Inclusive ``(low, high)`` ranges covering ``values``: one per distinct value when there are at most
    ``max_buckets`` of them, else about ``max_buckets`` ranges of similar sample counts (equal values
    never split)."""
    ordered = sorted(values)
    distinct = sorted(set(ordered))
    if len(distinct) <= max_buckets:
        return [(value, value) for value in distinct]
    ranges, start = [], 0
    for bucket in range(1, max_buckets + 1):
        stop = round(bucket * len(ordered) / max_buckets)
        if stop <= start:
            continue
        high = ordered[stop - 1]
        while stop < len(ordered) and ordered[stop] == high:  # keep equal values together
            stop += 1
        ranges.append((ordered[start], high))
        start = stop
        if start >= len(ordered):
            break
    return ranges


def accuracy_in_ranges(values: Sequence[float | None], correct: Sequence[bool],
                       ranges: Sequence[tuple[float, float]]) -> list[Bucket]:
    """One bucket per range (samples with value ``None`` are left out)."""
    counts = [[0, 0] for _ in ranges]
    for value, right in zip(values, correct):
        if value is None:
            continue
        for index, (low, high) in enumerate(ranges):
            if low <= value <= high:
                counts[index][0] += 1
                counts[index][1] += bool(right)
                break
    return [Bucket(low, high, total, hits) for (low, high), (total, hits) in zip(ranges, counts)]


def accuracy_by_value(values: Sequence[float | None], correct: Sequence[bool], max_buckets: int = 10) -> list[Bucket]:
    """Accuracy in buckets of ``values`` (see :func:`bucket_ranges`)."""
    present = [value for value in values if value is not None]
    return accuracy_in_ranges(values, correct, bucket_ranges(present, max_buckets))
