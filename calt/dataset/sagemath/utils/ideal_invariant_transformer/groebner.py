"""``F = U * P * A * G``: the Bruhat-decomposition transform of Groebner-basis data (NeurIPS 2024).

``A`` (m x n) and ``U`` (m x m) are polynomial matrices with 1 on the diagonal, 0 above it and
random entries below; ``P`` is a random permutation; ``n <= m <= max_size``.
"""

from __future__ import annotations

from typing import Any

from ....backends import require_sage
from ._common import check_size, entry_sampler, max_abs_coefficient

_sage = require_sage("GroebnerIdealTransformer")
from sage.misc.prandom import randint  # noqa: E402


def random_permutation_matrix(m: int) -> Any:
    """A random ``m x m`` permutation matrix (Sage's random state)."""
    permutation = _sage.Permutations(list(range(1, m + 1))).random_element()
    return _sage.matrix(_sage.Permutation(permutation))


def unit_lower_triangular(sampler: Any, rows: int, cols: int, density: float) -> Any:
    """A random ``rows x cols`` polynomial matrix with 1 on the diagonal and 0 above it.

    Rows below the square part stay random, so none of the generators of F is zero.
    """
    matrix = sampler.sample(num_samples=1, size=(rows, cols), density=density)[0]
    for i in range(rows):
        for j in range(i, cols):
            matrix[i, j] = 1 if i == j else 0
    return matrix


class GroebnerIdealTransformer:
    """Turns a basis ``G`` (list of ``ring`` elements) into a random generating set ``F`` of the same ideal.

    The entries of ``A`` and ``U`` come from a ``PolynomialSampler`` with the given degree, term and
    coefficient options (non-zero with probability ``density``). Over an infinite field the draw is
    repeated while F has a coefficient larger than ``coeff_bound``, at most ``max_iter`` times; the
    last draw is kept if none fits.
    """

    def __init__(
        self,
        ring: Any,
        max_size: int,
        max_degree: int = 1,
        min_degree: int = 1,
        max_num_terms: int | None = None,
        max_coeff: int | None = None,
        num_bound: int | None = None,
        degree_sampling: str = "uniform",
        term_sampling: str = "uniform",
        strictly_conditioned: bool = True,
        density: float = 1.0,
        coeff_bound: int = 100,
        max_iter: int = 100,
    ) -> None:
        if max_iter < 1:
            raise ValueError(f"max_iter must be at least 1, got {max_iter}")
        self.ring, self.max_size, self.density = ring, max_size, density
        self.coeff_bound, self.max_iter = coeff_bound, max_iter
        self._sampler = entry_sampler(
            ring, max_degree=max_degree, min_degree=min_degree, max_num_terms=max_num_terms,
            max_coeff=max_coeff, num_bound=num_bound, degree_sampling=degree_sampling,
            term_sampling=term_sampling, strictly_conditioned=strictly_conditioned,
        )

    def transform(self, G: list) -> list:
        """A generating set ``F`` (list of ``ring`` elements, ``len(G) <= len(F) <= max_size``) with ``<F> = <G>``."""
        n = len(G)
        check_size(self.max_size, n, n)
        column = _sage.matrix(self.ring, n, 1, list(G))
        finite = self.ring.base_ring().is_finite()
        for _ in range(self.max_iter):
            m = randint(0, self.max_size - n) + n
            A = unit_lower_triangular(self._sampler, m, n, self.density)
            U = unit_lower_triangular(self._sampler, m, m, self.density)
            F = U * random_permutation_matrix(m) * A * column
            if finite or max_abs_coefficient(F) <= self.coeff_bound:
                break
        return [F[i, 0] for i in range(F.nrows())]
