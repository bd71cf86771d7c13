"""Random polynomials over ZZ, QQ, RR and GF(p) with bounds on degree, terms and coefficients."""

from __future__ import annotations

import itertools
import math
import random
import re
from typing import Any

import numpy as np
from sympy import GF, QQ, RR, ZZ
from sympy.polys.domains.domain import Domain
from sympy.polys.orderings import MonomialOrder
from sympy.polys.rings import PolyElement, PolyRing, ring

_FINITE_FIELD = re.compile(r"^GF\(?\s*(\d+)\s*\)?$")
_SAMPLING_MODES = ("uniform", "fixed")


class PolynomialSampler:
    """Draws random polynomials in a SymPy ring, e.g. ``PolynomialSampler("x, y", "GF(7)", max_degree=3)``.

    Degree: ``degree_sampling="uniform"`` picks the target degree uniformly in
    ``[min_degree, max_degree]`` and, for each further term, a degree uniformly in
    ``[0, degree]``; ``"fixed"`` uses ``max_degree`` and picks further monomials uniformly
    among all monomials of degree at most ``max_degree``. Terms: ``term_sampling="uniform"``
    picks the number of terms uniformly in ``[1, max_num_terms]``, ``"fixed"`` uses the
    bound (both capped by the number of monomials available). Coefficients: integers in
    ``[-max_coeff, max_coeff]`` (ZZ), reals in that interval (RR), fractions with
    ``|numerator| <= num_bound`` and ``1 <= denominator <= num_bound`` (QQ), any element
    (GF(p)); ``max_coeff`` and ``num_bound`` default to 10.

    With ``nonzero_instance`` (default) coefficients are non-zero, so every polynomial has
    exactly the chosen degree and number of terms. Randomness comes from ``seed`` when
    given, else from the global ``random`` module (which the dataset generator seeds per
    sample).
    """

    def __init__(
        self,
        symbols: str | list[str],
        field_str: str,
        order: str | MonomialOrder = "grevlex",
        max_num_terms: int | None = 10,
        max_degree: int = 5,
        min_degree: int = 0,
        degree_sampling: str = "uniform",
        term_sampling: str = "uniform",
        max_coeff: int | float | None = None,
        num_bound: int | None = None,
        strictly_conditioned: bool = True,
        nonzero_instance: bool = True,
        max_attempts: int = 1000,
        seed: int | None = None,
    ) -> None:
        if not 0 <= min_degree <= max_degree:
            raise ValueError(f"need 0 <= min_degree <= max_degree, got min_degree={min_degree}, max_degree={max_degree}")
        if max_num_terms is not None and max_num_terms < 1:
            raise ValueError(f"max_num_terms must be at least 1 (or None for no bound), got {max_num_terms}")
        for name, mode in (("degree_sampling", degree_sampling), ("term_sampling", term_sampling)):
            if mode not in _SAMPLING_MODES:
                raise ValueError(f"{name} must be one of {_SAMPLING_MODES}, got {mode!r}")
        for name, bound in (("max_coeff", max_coeff), ("num_bound", num_bound)):
            if bound is not None and bound <= 0:
                raise ValueError(f"{name} must be positive, got {bound}")
        self.symbols = symbols
        self.field_str = field_str
        self.order = order
        self.max_num_terms = max_num_terms
        self.max_degree = max_degree
        self.min_degree = min_degree
        self.degree_sampling = degree_sampling
        self.term_sampling = term_sampling
        self.max_coeff = max_coeff
        self.num_bound = num_bound
        self.strictly_conditioned = strictly_conditioned
        self.nonzero_instance = nonzero_instance
        self.max_attempts = max_attempts
        self.rng = random.Random(seed) if seed is not None else random
        self._ring = ring(symbols, self.get_field(), order)[0]

    # ---- ring ---------------------------------------------------------------------------
    def get_field(self) -> Domain:
        """Return the coefficient domain named by ``field_str``: ``ZZ``, ``QQ``, ``RR`` or ``GF(p)``."""
        named = {"ZZ": ZZ, "QQ": QQ, "RR": RR}
        text = str(self.field_str).strip()
        if text in named:
            return named[text]
        match = _FINITE_FIELD.match(text)
        if match and _is_prime(int(match.group(1))):
            return GF(int(match.group(1)))
        raise ValueError(f"unsupported field_str {self.field_str!r}: use 'ZZ', 'QQ', 'RR' or 'GF(p)' with p prime")

    def get_ring(self) -> PolyRing:
        """Return the polynomial ring over ``symbols`` with the chosen field and monomial order."""
        return self._ring

    # ---- sampling -----------------------------------------------------------------------
    def sample(
        self,
        num_samples: int = 1,
        size: tuple[int, int] | None = None,
        density: float = 1.0,
        matrix_type: str | None = None,
    ) -> list[PolyElement] | list[np.ndarray]:
        """Return ``num_samples`` polynomials, or matrices of shape ``size`` whose entries are non-zero with probability ``density``.

        ``matrix_type="unimodular_upper_triangular"`` puts ones on the diagonal and zeros below it.
        """
        if size is None:
            return [self._sample_polynomial() for _ in range(num_samples)]
        if not 0.0 <= density <= 1.0:
            raise ValueError(f"density must lie in [0, 1], got {density}")
        return [self._sample_matrix(size, density, matrix_type) for _ in range(num_samples)]

    def total_degree(self, poly: PolyElement) -> int:
        """Total degree of ``poly`` (0 for the zero polynomial)."""
        return max((sum(monom) for monom in poly.monoms()), default=0) if poly else 0

    def _sample_polynomial(self) -> PolyElement:
        degree = self.rng.randint(self.min_degree, self.max_degree) if self.degree_sampling == "uniform" else self.max_degree
        available = math.comb(degree + self._ring.ngens, degree)
        max_terms = available if self.max_num_terms is None else min(self.max_num_terms, available)
        num_terms = self.rng.randint(1, max_terms) if self.term_sampling == "uniform" else max_terms
        for _ in range(self.max_attempts):
            poly = self._random_polynomial(degree, num_terms)
            if self._accept(poly, degree, num_terms):
                return poly
        raise RuntimeError(
            f"no polynomial of degree {degree} with {num_terms} terms over {self.field_str} after "
            f"{self.max_attempts} attempts; allow zero coefficients less often (nonzero_instance=True) "
            f"or set strictly_conditioned=False"
        )

    def _accept(self, poly: PolyElement, degree: int, num_terms: int) -> bool:
        if not poly and self.nonzero_instance:
            return False
        if self.total_degree(poly) < self.min_degree:
            return False
        if self.strictly_conditioned:
            return self.total_degree(poly) == degree and len(poly) == num_terms
        return True

    def _random_polynomial(self, degree: int, num_terms: int) -> PolyElement:
        monomials = self._distinct_monomials(degree, num_terms)
        terms = {monom: self._random_coefficient() for monom in monomials}
        return self._ring.from_dict({m: c for m, c in terms.items() if c})

    def _distinct_monomials(self, degree: int, count: int) -> list[tuple[int, ...]]:
        """``count`` distinct monomials of degree <= ``degree``, the first of degree exactly ``degree``."""
        n = self._ring.ngens
        chosen = {_monomial_of_degree(self.rng, n, degree): None}
        for _ in range(20 * count + 100):
            if len(chosen) == count:
                return list(chosen)
            chosen.setdefault(self._random_monomial(n, degree), None)
        rest = [m for m in _all_monomials(n, degree) if m not in chosen]  # the space is nearly exhausted
        return list(chosen) + self.rng.sample(rest, count - len(chosen))

    def _random_monomial(self, n: int, degree: int) -> tuple[int, ...]:
        if self.degree_sampling == "uniform":
            return _monomial_of_degree(self.rng, n, self.rng.randint(0, degree))
        return _monomial_of_degree(self.rng, n + 1, degree)[:n]  # uniform over degree <= d via a slack variable

    def _random_coefficient(self) -> Any:
        domain = self._ring.domain
        while True:
            value = self._draw_coefficient(domain)
            if value or not self.nonzero_instance:
                return value

    def _draw_coefficient(self, domain: Domain) -> Any:
        if domain.is_FiniteField:
            return domain(self.rng.randint(0, int(domain.mod) - 1))
        if domain == QQ:
            bound = self.num_bound or 10
            return QQ(self.rng.randint(-bound, bound), self.rng.randint(1, bound))
        bound = self.max_coeff or 10
        if domain == RR:
            return RR(self.rng.uniform(-bound, bound))
        return ZZ(self.rng.randint(-int(bound), int(bound)))

    def _sample_matrix(self, size: tuple[int, int], density: float, matrix_type: str | None) -> np.ndarray:
        rows, cols = size
        matrix = np.empty((rows, cols), dtype=object)
        for i, j in itertools.product(range(rows), range(cols)):
            poly = self._sample_polynomial()
            matrix[i, j] = poly if self.rng.random() < density else self._ring.zero
        if matrix_type == "unimodular_upper_triangular":
            for i, j in itertools.product(range(rows), range(cols)):
                if i == j:
                    matrix[i, j] = self._ring.one
                elif i > j:
                    matrix[i, j] = self._ring.zero
        elif matrix_type is not None:
            raise ValueError(f"unknown matrix_type {matrix_type!r}; supported: 'unimodular_upper_triangular'")
        return matrix


def _monomial_of_degree(rng, n: int, degree: int) -> tuple[int, ...]:
    """A uniformly random exponent vector of ``n`` non-negative integers summing to ``degree`` (stars and bars)."""
    if n == 1:
        return (degree,)
    bars = sorted(rng.sample(range(degree + n - 1), n - 1))
    edges = [-1, *bars, degree + n - 1]
    return tuple(edges[k + 1] - edges[k] - 1 for k in range(n))


def _all_monomials(n: int, degree: int):
    """Every exponent vector in ``n`` variables of total degree at most ``degree``."""
    return (m for m in itertools.product(range(degree + 1), repeat=n) if sum(m) <= degree)


def _is_prime(p: int) -> bool:
    return p >= 2 and all(p % k for k in range(2, math.isqrt(p) + 1))


def compute_max_coefficient(poly: PolyElement) -> float:
    """Largest coefficient size of ``poly`` as a float: ``|c|`` over RR, ``max(|numerator|, |denominator|)``
    over ZZ and QQ, the representative's ``|c|`` over GF(p); 0 for the zero polynomial."""
    coefficients = poly.coeffs() if poly else []
    if not coefficients:
        return 0
    domain = poly.ring.domain
    if domain == RR:
        return max(abs(float(c)) for c in coefficients)
    if domain.is_FiniteField:
        return max(abs(float(domain.to_int(c))) for c in coefficients)
    return max(max(abs(float(domain.numer(c))), abs(float(domain.denom(c)))) for c in coefficients)


def compute_matrix_max_coefficient(M: np.ndarray) -> float:  # noqa: N803 (the original's parameter name)
    """``compute_max_coefficient`` over every entry of a matrix (nested rows) of polynomials."""
    return max(compute_max_coefficient(p) for row in M for p in row)
