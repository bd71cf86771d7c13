"""Border bases of zero-dimensional ideals, drawn directly (Kera et al., NeurIPS 2025).

1. draw an order ideal O (a divisor-closed staircase of monomials) by splitting boxes at
   random corners, 2. take its border B (the ``x_i * o`` outside O), 3. draw ``|O|`` points
   where the monomials of O are linearly independent, and 4. read the border basis off the
   kernel of ``[B(P) | O(P)]``: polynomials vanishing at the points, one per border monomial.

The staircase draws from NumPy's global random state and from Python's ``random``; the points
from Sage's. calt's Sage ``DatasetGenerator`` seeds all three per sample.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from ....backends import require_sage

_sage = require_sage("BorderBasisSampler")

MAX_SPLITS = 99  # corners split per order ideal
MAX_RECORDS_PER_SAMPLE = 1000  # failed draws tolerated per requested basis before giving up
POINT_NUM_BOUND = 10  # numerator/denominator bound of random points over QQ


def _grevlex_key(exponents: tuple[int, ...]) -> tuple[int, ...]:
    return (-sum(exponents), *reversed(exponents))


def _box(low: np.ndarray, high: np.ndarray) -> list[tuple[int, ...]]:
    """All integer points of the box spanned by two corners."""
    lo, hi = np.minimum(low, high), np.maximum(low, high)
    return list(itertools.product(*(range(int(a), int(b) + 1) for a, b in zip(lo, hi))))


def _segment(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An axis-parallel segment as its (lower, upper) integer corners."""
    return np.array(np.minimum(a, b), dtype=int), np.array(np.maximum(a, b), dtype=int)


@dataclass
class _Corner:
    """A point of the staircase where ``n`` segments meet; ``top`` bounds the box that may grow from it."""

    segments: list[tuple[np.ndarray, np.ndarray]]
    point: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.point)
        uppers = np.vstack([upper for _, upper in self.segments])
        self.top = np.min(uppers + np.eye(n, dtype=int) * 100000, axis=0)
        self.valid = bool(np.sum(self.top != self.point) > 1 and not np.all(self.top - self.point <= 1))

    def draw_split(self) -> np.ndarray:
        """A random point of the box between ``point`` and ``top`` (NumPy's global random state)."""
        free = np.array(self.point < self.top + 1)
        split = self.point.copy()
        split[free] = np.random.randint(self.point[free], self.top[free] + 1)
        return split

    def split_at(self, split: np.ndarray) -> list["_Corner"]:
        """The ``n`` corners that the box ``[point, split]`` leaves behind."""
        n = len(self.point)
        corners = []
        for i in range(n):
            segments = []
            for j, (lower, upper) in enumerate(self.segments):
                if i == j:
                    segments.append(_segment(self.point, split))
                else:
                    moved = lower.copy()
                    moved[j] = split[j]
                    segments.append(_segment(moved, upper))
            point = self.point + np.eye(n)[i] * (split[i] - self.point[i])
            corners.append(_Corner(segments, point))
        return corners


def border(order_ideal: list) -> list:
    """Border of an order ideal of monomials: the ``x_i * o`` (``o`` in it) that are not in it, sorted by Sage."""
    members = set(order_ideal)
    return sorted({x * o for x in order_ideal[0].args() for o in order_ideal if x * o not in members})


def evaluate(polynomials: list, points: Any) -> Any:
    """Matrix whose row ``r`` holds the polynomials evaluated at row ``r`` of ``points``."""
    field = points[0, 0].parent()
    values = [f(*point) for point, f in itertools.product(points, polynomials)]
    return _sage.MatrixSpace(field, points.nrows(), len(polynomials))(values)


class BorderBasisSampler:
    """Samples border bases of zero-dimensional ideals of ``ring`` (Kera et al., NeurIPS 2025)."""

    def __init__(self, ring: Any) -> None:
        self.ring = ring
        self.n = ring.ngens()

    # ---- order ideals -------------------------------------------------------------------
    def sample_order_ideal(self, degree_bounds, max_iters: int = MAX_SPLITS + 1) -> list[tuple[int, ...]]:
        """Exponents of a random order ideal inside the box ``[0, degree_bounds]``, in grevlex order."""
        n = self.n
        bounds = np.array([int(b) for b in degree_bounds])
        origin = np.zeros(n, dtype=int)
        axes = []
        for i in range(n):
            end = bounds.copy()
            end[i] = 0
            axes.append(_segment(origin, end))
        pending, done = [_Corner(axes, origin)], []
        exponents = set()
        for i in range(n):
            exponents.update(_box(origin, np.eye(n, dtype=int)[i] * bounds[i]))
        for step in range(max_iters):
            if step == max_iters - 1 or not pending:
                break
            corner = pending.pop()
            split = corner.draw_split()
            children = [c for c in corner.split_at(split) if c.valid]
            corner.top = split
            done.append(corner)
            pending.extend(children)
            random.shuffle(pending)
        for corner in done:
            exponents.update(_box(corner.point, corner.top))
        return sorted(exponents, key=_grevlex_key)

    def random_order_ideal(self, degree_bounds, total_degree_bound=None, degree_lower_bounds=None) -> list:
        """An order ideal whose box has random per-variable bounds (``<= degree_bounds``), or, with
        ``total_degree_bound``, the parts of a random partition of a total degree ``<= total_degree_bound``."""
        lower = 0 if degree_lower_bounds is None else degree_lower_bounds
        if total_degree_bound is None:
            bounds = np.random.randint(lower, np.array(degree_bounds) + 1)
        else:
            total = np.random.randint(1, total_degree_bound + 1)
            parts = list(_sage.Partitions(total, max_length=self.n, max_part=max(degree_bounds)))
            bounds = [int(p) for p in random.choice(parts)]
            bounds += [0] * (self.n - len(bounds))
            random.shuffle(bounds)
        return self.sample_order_ideal(bounds)

    # ---- bases --------------------------------------------------------------------------
    def compute_border_basis(self, border_monomials: list, order_ideal: list, points: Any):
        """``(kernel basis of [B(P) | O(P)], True)``, or ``(None, False)`` when O is singular at the points."""
        order_values = evaluate([self.ring(o) for o in order_ideal], points)
        if order_values.rank() != min(order_values.nrows(), order_values.ncols()):
            return None, False
        border_values = evaluate([self.ring(b) for b in border_monomials], points)
        return border_values.augment(order_values).transpose().kernel().basis(), True

    def random_border_basis(self, degree_bounds, max_sampling: int = 100, total_degree_bound=None,
                            degree_lower_bounds=None) -> dict:
        """One draw: ``{"basis", "order_coeff", "border", "order", "points", "success"}``.

        ``degree_bounds[i]`` bounds the degree in ``x_i`` of the order ideal's monomials
        (exclusive); up to ``max_sampling - 1`` point sets are tried.
        """
        if len(degree_bounds) != self.n:
            raise ValueError(
                f"degree_bounds needs one bound per variable of {self.ring} ({self.n}), got {list(degree_bounds)}"
            )
        ring, field = self.ring, self.ring.base_ring()
        total = None if total_degree_bound is None else total_degree_bound - 1
        exponents = self.random_order_ideal(np.array(degree_bounds) - 1, total, degree_lower_bounds)
        order = [ring.monomial(*e) for e in exponents]
        border_exponents = sorted((tuple(t.exponents()[0]) for t in border(order)), key=_grevlex_key)
        border_monomials = [ring.monomial(*e) for e in border_exponents]
        space = _sage.MatrixSpace(field, len(order), self.n)
        options = {"num_bound": POINT_NUM_BOUND} if field == _sage.QQ else {}
        kernel, success, points = None, False, None
        for _ in range(max_sampling - 1):
            points = space.random_element(**options)
            kernel, success = self.compute_border_basis(border_monomials, order, points)
            if success:
                break
        basis = []
        if success:
            row = _sage.matrix(border_monomials + order) * _sage.matrix(kernel).transpose()
            basis = [ring(g) for g in row[0]]
        return {"basis": basis, "order_coeff": kernel if success else None, "border": border_monomials,
                "order": order, "points": points, "success": success}

    def sample(self, num_samples: int, degree_bounds, total_degree_bound=None, max_sampling: int = 100) -> list[list]:
        """``num_samples`` border bases, each a list of ``ring`` elements; failed draws are retried."""
        bases: list[list] = []
        failures = 0
        while len(bases) < num_samples:
            record = self.random_border_basis(degree_bounds, max_sampling=max_sampling,
                                              total_degree_bound=total_degree_bound)
            if record["success"]:
                bases.append(record["basis"])
                continue
            failures += 1
            if failures >= MAX_RECORDS_PER_SAMPLE * num_samples:
                raise RuntimeError(
                    f"no border basis after {failures} draws: points where the order ideal's monomials are "
                    f"independent are too rare over {self.ring.base_ring()}; use a larger field or smaller degree_bounds"
                )
        return bases

