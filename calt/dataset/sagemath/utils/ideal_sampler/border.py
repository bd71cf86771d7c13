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


@dataclass
class Segment:
    """An axis-parallel segment of the staircase, given by two end points; ``lb``/``ub`` are its integer corners."""

    endpoints: list

    def __post_init__(self) -> None:
        self.lb = np.array(np.minimum.reduce(self.endpoints), dtype=int)
        self.ub = np.array(np.maximum.reduce(self.endpoints), dtype=int)
        self.n = len(self.lb)

    def __hash__(self) -> int:
        return hash((tuple(self.lb), tuple(self.ub)))


@dataclass
class NeighborSegments:
    """A point of the staircase where ``n`` segments meet; ``max_point`` bounds the box that may grow from it."""

    segments: list
    intersecting_point: np.ndarray

    def __post_init__(self) -> None:
        self.n = self.segments[0].n
        uppers = np.vstack([segment.ub for segment in self.segments])
        self.max_point = np.min(uppers + np.eye(self.n, dtype=int) * 100000, axis=0)
        spread = self.max_point - self.intersecting_point
        self.valid = bool(np.sum(self.max_point != self.intersecting_point) > 1 and not np.all(spread <= 1))

    def sampling(self) -> np.ndarray:
        """A random point of the box between ``intersecting_point`` and ``max_point`` (NumPy's global state)."""
        free = np.array(self.intersecting_point < self.max_point + 1)
        split = self.intersecting_point.copy()
        split[free] = np.random.randint(self.intersecting_point[free], self.max_point[free] + 1)
        return split

    def split_at(self, splitpoint: np.ndarray) -> list["NeighborSegments"]:
        """The ``n`` meeting points that the box ``[intersecting_point, splitpoint]`` leaves behind."""
        corners = []
        for i in range(self.n):
            segments = []
            for j, segment in enumerate(self.segments):
                if i == j:
                    segments.append(Segment([self.intersecting_point.copy(), np.array(splitpoint).copy()]))
                else:
                    moved = segment.lb.copy()
                    moved[j] = splitpoint[j]
                    segments.append(Segment([moved, segment.ub.copy()]))
            point = self.intersecting_point + np.eye(self.n)[i] * (splitpoint[i] - self.intersecting_point[i])
            corners.append(NeighborSegments(segments, point))
        return corners


def border(order_ideal: list) -> list:
    """Border of an order ideal of monomials: the ``x_i * o`` (``o`` in it) that are not in it, sorted by Sage."""
    members = set(order_ideal)
    return sorted({x * o for x in order_ideal[0].args() for o in order_ideal if x * o not in members})


def subs(F: list, P: Any) -> Any:
    """Matrix whose row ``r`` holds the polynomials ``F`` evaluated at row ``r`` of the point matrix ``P``."""
    field = P[0, 0].parent()
    values = [f(*point) for point, f in itertools.product(P, F)]
    return _sage.MatrixSpace(field, P.nrows(), len(F))(values)


def is_regular(M: Any) -> bool:
    """Whether the matrix ``M`` has full rank, ``min(rows, columns)``."""
    return M.rank() == min(M.nrows(), M.ncols())


def keyword_for_numbound(field: Any, bound: int) -> dict:
    """``random_element`` keywords that bound numerators and denominators: only over QQ, else none."""
    return {"num_bound": bound} if field == _sage.QQ else {}


class BorderBasisSampler:
    """Samples border bases of zero-dimensional ideals of ``ring`` (Kera et al., NeurIPS 2025)."""

    def __init__(self, ring: Any) -> None:
        self.ring = ring
        self.n = ring.ngens()

    # ---- order ideals -------------------------------------------------------------------
    def hypercube_points(self, u, v, exclude_max: bool = True) -> list[tuple[int, ...]]:
        """Integer points of the box spanned by ``u`` and ``v``; without its top corner when ``exclude_max``."""
        top = tuple(int(x) for x in np.maximum(u, v))
        return [p for p in _box(np.asarray(u), np.asarray(v)) if not (exclude_max and p == top)]

    def span_order_ideal(self, neighbor_segments: list) -> list[tuple[int, ...]]:
        """The points of every box ``[intersecting_point, max_point]`` of ``neighbor_segments`` (with repeats)."""
        points = []
        for corner in neighbor_segments:
            points.extend(self.hypercube_points(corner.intersecting_point, corner.max_point, exclude_max=False))
        return points

    def sample_order_ideal(self, degree_bounds, max_iters: int = MAX_SPLITS + 1) -> list[tuple[int, ...]]:
        """Exponents of a random order ideal inside the box ``[0, degree_bounds]``, in grevlex order."""
        n = self.n
        bounds = np.array([int(b) for b in degree_bounds])
        origin = np.zeros(n, dtype=int)
        axes = []
        for i in range(n):
            end = bounds.copy()
            end[i] = 0
            axes.append(Segment([origin, end]))
        pending, done = [NeighborSegments(axes, origin)], []
        exponents = set()
        for i in range(n):
            exponents.update(self.hypercube_points(origin, np.eye(n, dtype=int)[i] * bounds[i], exclude_max=False))
        for step in range(max_iters):
            if step == max_iters - 1 or not pending:
                break
            corner = pending.pop()
            split = corner.sampling()
            children = [c for c in corner.split_at(split) if c.valid]
            corner.max_point = split
            done.append(corner)
            pending.extend(children)
            random.shuffle(pending)
        exponents.update(self.span_order_ideal(done))
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
    def compute_border_basis(self, B: list, O: list, P: Any):  # noqa: E741 - calt-x's names: border, order ideal, points
        """``(kernel basis of [B(P) | O(P)], True)``, or ``(None, False)`` when the order ideal ``O`` is
        singular at the points ``P`` (``B``: the border monomials)."""
        order_values = subs([self.ring(o) for o in O], P)
        if not is_regular(order_values):
            return None, False
        border_values = subs([self.ring(b) for b in B], P)
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
        options = keyword_for_numbound(field, POINT_NUM_BOUND)
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

