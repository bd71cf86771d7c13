"""``SinglePolynomialSampler``: Sage's ``random_element`` of a multivariate polynomial ring, for SymPy rings.

It takes calt-x 1.5.0's arguments with their meaning and draws from Python's global ``random``
in the same order, so ``random.seed(s)`` gives the same polynomial under both libraries.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable

from sympy import QQ, RR, ZZ
from sympy.polys.domains.domain import Domain
from sympy.polys.rings import PolyElement, PolyRing

DEFAULT_TERMS = 5


def monomial_counts(n: int, degree: int) -> tuple[list[int], int]:
    """Number of monomials of each degree ``0..degree`` in ``n`` variables, and their sum."""
    counts = [1] + [math.comb(n + d - 1, d) for d in range(1, degree + 1)]
    return counts, sum(counts)


def combination_from_rank(rank: int, n: int, k: int) -> tuple[int, ...]:
    """The ``rank``-th ``k``-subset of ``range(n)`` in lexicographic order (ascending elements)."""
    if k < 0 or n < 0 or k > n or rank < 0:
        raise ValueError(f"need 0 <= k <= n and rank >= 0, got rank={rank}, n={n}, k={k}")
    if n == 0 or k == 0:
        return ()
    if rank >= math.comb(n, k):
        raise ValueError(f"rank {rank} is out of range: there are {math.comb(n, k)} {k}-subsets of {n}")
    subset, candidate = [], 0
    for position in range(k):
        while (block := math.comb(n - candidate - 1, k - position - 1)) <= rank:
            rank -= block
            candidate += 1
        subset.append(candidate)
        candidate += 1
    return tuple(subset)


def monomial_from_rank(rank: int, n: int, degree: int) -> tuple[int, ...]:
    """The ``rank``-th monomial of ``degree`` in ``n`` variables (stars and bars: bars at a ranked subset)."""
    if n < 1 or degree < 0:
        raise ValueError(f"need n >= 1 variables and degree >= 0, got n={n}, degree={degree}")
    if not 0 <= rank < math.comb(n + degree - 1, degree):
        raise ValueError(f"rank must be in [0, {math.comb(n + degree - 1, degree)}), got {rank}")
    bars = combination_from_rank(rank, n + degree - 1, n - 1)
    if not bars:
        return (degree,)
    gaps = [bars[0]] + [bars[j + 1] - bars[j] - 1 for j in range(n - 2)] + [n + degree - 2 - bars[-1]]
    return tuple(gaps)


def monomials_of_degree(degree: int, n: int) -> list[list[int]]:
    """All exponent vectors of ``degree`` in ``n`` variables, in descending lexicographic order."""
    if n == 1:
        return [[degree]]
    return [[first, *rest] for first in range(degree, -1, -1) for rest in monomials_of_degree(degree - first, n - 1)]


class SinglePolynomialSampler:
    """Random polynomials in a SymPy ``PolyRing``, as Sage's ``random_element(degree, terms, choose_degree)``.

    ``terms`` distinct monomials of degree ``<= degree`` are chosen, uniformly among all of them
    or (``choose_degree``) by first choosing a degree uniformly; each gets a random coefficient
    (``random_coeff``), possibly 0 unless ``non_zero_coeff``.
    """

    def random_coeff(self, field: Domain, non_zero: bool = False, **kwargs: Any) -> Any:
        """A random element of ZZ (``min``..``max``, default -10..10), RR (uniform in ``min``..``max``),
        QQ (``num/den``, ``|num| <= num_bound``, ``1 <= den <= num_bound``, default 10) or GF(p)."""
        draw = self._coefficient_draw(field, non_zero, kwargs)
        value = draw()
        while non_zero and value == 0:
            value = draw()
        return value

    def _coefficient_draw(self, field: Domain, non_zero: bool, options: dict) -> Callable[[], Any]:
        if field == ZZ:
            low, high = options.get("min", -10), options.get("max", 10)
            self._check_range(low, high, non_zero, "ZZ")
            return lambda: ZZ(random.randint(low, high))
        if field == RR:
            low, high = options.get("min", -10.0), options.get("max", 10.0)
            self._check_range(low, high, non_zero, "RR")
            return lambda: RR(random.uniform(low, high))
        if field == QQ:
            bound = options.get("num_bound", 10)
            if bound <= 0:
                raise ValueError(f"num_bound must be > 0, got {bound}")
            return lambda: QQ(random.randint(-bound, bound), random.randint(1, bound))
        if field.is_FiniteField:
            p = int(field.characteristic())
            return lambda: field(random.randint(0, p - 1))
        raise NotImplementedError(f"random coefficients are implemented for ZZ, QQ, RR and GF(p), not {field}")

    @staticmethod
    def _check_range(low: Any, high: Any, non_zero: bool, name: str) -> None:
        if low > high:
            raise ValueError(f"{name} coefficients need min <= max, got min={low}, max={high}")
        if non_zero and low == 0 and high == 0:
            raise ValueError(f"no non-zero {name} coefficient lies in [0, 0]")

    def random_element(self, R: PolyRing, degree: int = 2, terms: int | None = None, choose_degree: bool = False,
                       non_zero_coeff: bool = False, **kwargs: Any) -> PolyElement:
        """A random polynomial of ``R`` with at most ``terms`` terms (default 5) of degree ``<= degree``;
        ``kwargs`` go to ``random_coeff`` (``min``, ``max``, ``num_bound``)."""
        if terms is not None and terms < 0:
            raise ValueError(f"terms must be >= 0, got {terms}")
        if degree < 0:
            raise ValueError(f"degree must be >= 0, got {degree}")
        if terms == 0:
            return R.zero
        if degree == 0:
            return R(self.random_coeff(R.domain, non_zero=non_zero_coeff, **kwargs))
        counts, total = monomial_counts(R.ngens, degree)
        terms = min(DEFAULT_TERMS if terms is None else terms, total)
        if terms < total / 2:
            monomials = self._draw_distinct(R.ngens, degree, terms, choose_degree, counts, total)
        else:
            monomials = self._draw_from_all(R.ngens, degree, terms, choose_degree, total)
        coefficients = [self.random_coeff(R.domain, non_zero=non_zero_coeff, **kwargs) for _ in monomials]
        return R.from_dict(dict(zip(monomials, coefficients)))

    @staticmethod
    def _draw_distinct(n: int, degree: int, terms: int, choose_degree: bool, counts: list[int], total: int) -> set:
        """Few terms: draw monomials until ``terms`` distinct ones (a set, iterated in its own order)."""
        chosen: set[tuple[int, ...]] = set()
        while len(chosen) < terms:
            if choose_degree:
                d = random.randint(0, degree)
                monomial = monomial_from_rank(random.randint(0, math.comb(n + d - 1, d) - 1), n, d)
            else:
                rank, d = random.randint(0, total - 1), 0
                while rank >= counts[d]:
                    rank -= counts[d]
                    d += 1
                monomial = monomial_from_rank(rank, n, d)
            chosen.add(monomial)
        return chosen

    @staticmethod
    def _draw_from_all(n: int, degree: int, terms: int, choose_degree: bool, total: int) -> list:
        """Many terms: list every monomial, then drop random ones (or pick degree, then monomial)."""
        by_degree = [monomials_of_degree(d, n) for d in range(degree + 1)]
        if not choose_degree:
            pool = [m for group in by_degree for m in group]
            for _ in range(total - terms):
                pool.pop(random.randint(0, len(pool) - 1))
            return [tuple(m) for m in pool]
        picked = []
        for _ in range(terms):
            d = random.randint(0, len(by_degree) - 1)
            picked.append(by_degree[d].pop(random.randint(0, len(by_degree[d]) - 1)))
            if not by_degree[d]:
                by_degree.pop(d)
        return [tuple(m) for m in picked]
