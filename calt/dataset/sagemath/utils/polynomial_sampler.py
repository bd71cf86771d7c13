"""Random polynomials (and matrices of them) over QQ, RR, ZZ or GF(p), drawn from Sage's random state.

``PolynomialSampler`` takes calt-x 1.5.0's parameters with their meaning, and makes the same
random draws in the same order, so a seed given to ``set_random_seed`` yields the same
polynomials under both libraries.
"""

from __future__ import annotations

from typing import Any

from ...backends import require_sage

_sage = require_sage("the Sage PolynomialSampler")
from sage.misc.prandom import randint, sample  # noqa: E402

SAMPLING_MODES = ("uniform", "fixed")
STANDARD_FIELDS = ("QQ", "RR", "ZZ")
DEFAULT_BOUND = 10  # max_coeff (ZZ, RR) and num_bound (QQ) when not given
MATRIX_TYPES = (None, "unimodular_upper_triangular")


def base_ring_from_string(field_str: str) -> Any:
    """``"QQ"``, ``"RR"``, ``"ZZ"``, ``"GF(p)"`` or ``"GFp"`` (p prime) → the Sage ring."""
    if field_str in STANDARD_FIELDS:
        return getattr(_sage, field_str)
    if isinstance(field_str, str) and field_str.startswith("GF"):
        digits = field_str[3:-1] if field_str.startswith("GF(") and field_str.endswith(")") else field_str[2:]
        if digits.isdigit() and _sage.ZZ(int(digits)).is_prime():
            return _sage.GF(int(digits))
    raise ValueError(f"unsupported field_str {field_str!r}: use 'QQ', 'RR', 'ZZ' or 'GF(p)' with p prime")


def _term_order_of(ring: Any) -> Any:
    return ring.term_order() if ring.ngens() > 1 else None


class PolynomialSampler:
    """Random polynomials with a chosen degree and number of terms, in a ring given by
    ``(symbols, field_str, order)`` or as ``ring``.

    Each polynomial first gets a target degree (``degree_sampling``: ``'uniform'`` in
    ``[min_degree, max_degree]``, ``'fixed'``: ``max_degree``) and a number of terms
    (``term_sampling``: ``'uniform'`` in ``[1, max_num_terms]``, ``'fixed'``: ``max_num_terms``,
    both capped by the number of monomials of that degree); then monomials are drawn and get
    random coefficients: ``[-max_coeff, max_coeff]`` over ZZ and RR, ``num/den`` with
    ``|num|, den <= num_bound`` over QQ, any element of GF(p). With ``nonzero_coeff`` no
    coefficient is 0. ``strictly_conditioned`` retries (up to ``max_attempts``) until the
    polynomial has exactly the target degree and number of terms; otherwise the first one of
    degree ``>= min_degree`` (and non-zero, with ``nonzero_instance``) is taken.
    """

    def __init__(
        self,
        symbols: str | None = None,
        field_str: str | None = None,
        order: Any = "degrevlex",
        ring: Any = None,
        max_num_terms: int | None = 10,
        max_degree: int = 5,
        min_degree: int = 0,
        degree_sampling: str = "uniform",
        term_sampling: str = "uniform",
        max_coeff: int | None = None,
        num_bound: int | None = None,
        strictly_conditioned: bool = True,
        nonzero_instance: bool = True,
        nonzero_coeff: bool = True,
        max_attempts: int = 1000,
    ) -> None:
        self.ring = self._resolve_ring(symbols, field_str, order, ring)
        self.symbols, self.field_str = symbols, field_str
        self.order = None if ring is not None else ("degrevlex" if order == "grevlex" else order)
        for name, value in (("degree_sampling", degree_sampling), ("term_sampling", term_sampling)):
            if value not in SAMPLING_MODES:
                raise ValueError(f"{name} must be one of {SAMPLING_MODES}, got {value!r}")
        if not 0 <= min_degree <= max_degree:
            raise ValueError(f"need 0 <= min_degree <= max_degree, got min_degree={min_degree}, max_degree={max_degree}")
        if max_num_terms is not None and max_num_terms < 1:
            raise ValueError(f"max_num_terms must be at least 1 (or None for no limit), got {max_num_terms}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self.max_num_terms, self.max_degree, self.min_degree = max_num_terms, max_degree, min_degree
        self.degree_sampling, self.term_sampling = degree_sampling, term_sampling
        self.max_coeff, self.num_bound = max_coeff, num_bound
        self.strictly_conditioned, self.nonzero_instance = strictly_conditioned, nonzero_instance
        self.nonzero_coeff, self.max_attempts = nonzero_coeff, max_attempts
        self._coefficient = self._coefficient_sampler(self.ring.base_ring())

    # ---- ring ---------------------------------------------------------------------------
    @staticmethod
    def _resolve_ring(symbols, field_str, order, ring) -> Any:
        """The ring to sample in; ``ring`` excludes ``symbols``/``field_str`` and any other term order."""
        if ring is not None:
            if symbols is not None or field_str is not None:
                raise ValueError("give either ring or symbols/field_str/order, not both")
            own = _term_order_of(ring)
            if order is not None and own is not None and _sage.TermOrder(order) != own:
                raise ValueError(f"order={order!r} differs from the term order of ring ({own}); pass order=None with ring")
            return ring
        if symbols is None or field_str is None or order is None:
            raise ValueError("give either ring, or all of symbols, field_str and order")
        order = "degrevlex" if order == "grevlex" else order
        field = base_ring_from_string(field_str)
        try:
            return _sage.PolynomialRing(field, symbols, order=order)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"cannot build PolynomialRing({field}, {symbols!r}, order={order!r}): {exc}") from exc

    def get_field(self) -> Any:
        """The base ring of the polynomials (QQ, RR, ZZ or GF(p))."""
        return self.ring.base_ring()

    def get_ring(self) -> Any:
        """The polynomial ring the samples live in."""
        return self.ring

    # ---- sampling -----------------------------------------------------------------------
    def sample(self, num_samples: int = 1, size: tuple[int, int] | None = None, density: float = 1.0,
               matrix_type: str | None = None) -> list:
        """``num_samples`` polynomials, or ``num_samples`` matrices of shape ``size`` whose entries are
        non-zero with probability ``density`` (``matrix_type='unimodular_upper_triangular'``: 1 on the
        diagonal, 0 below it)."""
        if size is None:
            return [self._sample_polynomial() for _ in range(num_samples)]
        if matrix_type not in MATRIX_TYPES:
            raise ValueError(f"matrix_type must be one of {MATRIX_TYPES}, got {matrix_type!r}")
        return [self._sample_matrix(size, density, matrix_type) for _ in range(num_samples)]

    def _sample_polynomial(self) -> Any:
        degree = randint(self.min_degree, self.max_degree) if self.degree_sampling == "uniform" else self.max_degree
        monomials = int(_sage.binomial(degree + self.ring.ngens(), degree))
        max_terms = monomials if self.max_num_terms is None else min(self.max_num_terms, monomials)
        num_terms = randint(1, max_terms) if self.term_sampling == "uniform" else max_terms
        for _ in range(self.max_attempts):
            poly = self._random_polynomial(degree, num_terms)
            if self._accepts(poly, degree, num_terms):
                return poly
        raise RuntimeError(
            f"no polynomial of degree {degree} with {num_terms} terms (min_degree={self.min_degree}, "
            f"strictly_conditioned={self.strictly_conditioned}) in {self.max_attempts} attempts; "
            f"raise max_attempts or relax the conditions"
        )

    def _accepts(self, poly: Any, degree: int, num_terms: int) -> bool:
        if poly == 0 and self.nonzero_instance:
            return False
        poly_degree = poly.degree() if self.ring.ngens() == 1 else poly.total_degree()
        if poly_degree < self.min_degree:
            return False
        return not self.strictly_conditioned or (poly_degree == degree and len(poly.monomials()) == num_terms)

    def _random_polynomial(self, degree: int, num_terms: int) -> Any:
        """Monomials with coefficient 1 first (their exponents, in Sage's order), then the coefficients."""
        exponents = self._random_support(degree, num_terms)
        return self.ring({exps: self._coefficient() for exps in exponents})

    def _random_support(self, degree: int, num_terms: int) -> list:
        ring = self.ring
        if ring.ngens() == 1:
            chosen = sample(list(range(degree + 1)), num_terms)
            return list(sum((ring.gen(0) ** d for d in chosen), ring(0)).dict())
        integer_ring = _sage.PolynomialRing(_sage.ZZ, ring.variable_names(), order=ring.term_order())
        ones = integer_ring.random_element(
            degree=degree, terms=num_terms, choose_degree=self.degree_sampling == "uniform", x=1, y=2
        )
        return list(ones.dict())

    def _coefficient_sampler(self, field: Any):
        """A function drawing one coefficient of ``field``, by calt-x's rules for that field."""
        if field == _sage.QQ:
            return self._rational_coefficient
        if field == _sage.RR:
            return self._real_coefficient
        if field == _sage.ZZ:
            return self._integer_coefficient
        if field.characteristic() > 0 and field.is_prime_field():
            return self._finite_field_coefficient
        raise ValueError(f"unsupported base ring {field}: use QQ, RR, ZZ or GF(p) with p prime")

    def _signed_nonzero(self, bound: int) -> int:
        return randint(1, bound) if _sage.RR.random_element(0, 1) < 0.5 else randint(-bound, -1)

    def _rational_coefficient(self) -> Any:
        bound = self.num_bound if self.num_bound is not None else DEFAULT_BOUND
        numerator = self._signed_nonzero(bound) if self.nonzero_coeff else randint(-bound, bound)
        return _sage.QQ(numerator) / _sage.QQ(randint(1, bound))

    def _real_coefficient(self) -> Any:
        bound = self.max_coeff if self.max_coeff is not None else DEFAULT_BOUND
        value = _sage.RR.random_element(min=-bound, max=bound)
        while self.nonzero_coeff and value == 0:
            value = _sage.RR.random_element(min=-bound, max=bound)
        return value

    def _integer_coefficient(self) -> int:
        bound = self.max_coeff if self.max_coeff is not None else DEFAULT_BOUND
        return self._signed_nonzero(bound) if self.nonzero_coeff else randint(-bound, bound)

    def _finite_field_coefficient(self) -> Any:
        field = self.ring.base_ring()
        p = int(field.characteristic())
        return field(randint(1, p - 1) if self.nonzero_coeff else randint(0, p - 1))

    def _sample_matrix(self, size: tuple[int, int], density: float, matrix_type: str | None) -> Any:
        rows, cols = size
        entries = []
        for _ in range(rows * cols):
            poly = self._sample_polynomial()
            entries.append(poly if _sage.RR.random_element(0, 1) < density else self.ring(0))
        matrix = _sage.matrix(self.ring, rows, cols, entries)
        if matrix_type == "unimodular_upper_triangular":
            for i in range(rows):
                for j in range(min(i + 1, cols)):
                    matrix[i, j] = 1 if i == j else 0
        return matrix


def compute_max_coefficient(poly: Any) -> Any:
    """Largest coefficient size of ``poly``: ``|c|`` over RR, ``max(|numerator|, |denominator|)`` otherwise; 0 for 0."""
    coefficients = poly.coefficients()
    if not coefficients:
        return 0
    if poly.base_ring() == _sage.RR:
        return max(abs(c) for c in coefficients)
    return max(max(abs(c.numerator()), abs(c.denominator())) for c in coefficients)


def compute_matrix_max_coefficient(M: Any) -> Any:
    """``compute_max_coefficient`` over all entries of the polynomial matrix ``M``."""
    return max(compute_max_coefficient(p) for p in M.list())
