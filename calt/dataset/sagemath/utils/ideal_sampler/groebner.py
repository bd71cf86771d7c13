"""Reduced Groebner bases of ideals in shape position, drawn without any Groebner computation.

In lex order ``x_0 > ... > x_{n-1}`` such a basis reads
``[x_0 - g_1(x_{n-1}), ..., x_{n-2} - g_{n-1}(x_{n-1}), h(x_{n-1})]`` with ``h`` monic and
``deg g_i < deg h`` (Kera et al., "Learning to Compute Groebner Bases", NeurIPS 2024).
"""

from __future__ import annotations

from typing import Any

from ....backends import require_sage
from ..polynomial_sampler import PolynomialSampler

_sage = require_sage("GroebnerBasisSampler")


class GroebnerBasisSampler:
    """Samples reduced Groebner bases in shape position in ``ring`` (its variable order is the lex order).

    ``h`` gets a degree in ``[min_degree, max_degree]`` (``min_degree`` is at least 1), the ``g_i``
    a degree below ``deg h``; the other arguments go to the ``PolynomialSampler`` of both.
    ``ring`` must be over a field, since ``h`` is made monic.
    """

    def __init__(
        self,
        ring: Any,
        max_degree: int = 5,
        min_degree: int = 1,
        max_num_terms: int | None = None,
        max_coeff: int | None = None,
        num_bound: int | None = None,
        degree_sampling: str = "uniform",
        term_sampling: str = "uniform",
        strictly_conditioned: bool = True,
    ) -> None:
        if not ring.base_ring().is_field():
            raise ValueError(f"GroebnerBasisSampler needs a ring over a field (h is made monic), got {ring}")
        self.ring = ring
        self.max_degree, self.min_degree = max_degree, max(1, min_degree)
        self.max_num_terms, self.max_coeff, self.num_bound = max_num_terms, max_coeff, num_bound
        self.degree_sampling, self.term_sampling = degree_sampling, term_sampling
        self.strictly_conditioned = strictly_conditioned
        last = str(ring.gens()[-1])
        self._univariate_ring = _sage.PolynomialRing(ring.base_ring(), names=[last], order="lex")

    def _univariate_sampler(self, max_degree: int, min_degree: int) -> PolynomialSampler:
        return PolynomialSampler(
            ring=self._univariate_ring, order=None, max_degree=max_degree, min_degree=min_degree,
            max_num_terms=self.max_num_terms, max_coeff=self.max_coeff, num_bound=self.num_bound,
            degree_sampling=self.degree_sampling, term_sampling=self.term_sampling,
            strictly_conditioned=self.strictly_conditioned, nonzero_instance=True,
        )

    def _sample_one(self) -> list:
        ring, gens = self.ring, self.ring.gens()
        h = self._univariate_sampler(self.max_degree, self.min_degree).sample(1)[0]
        h = h / h.lc()
        if ring.ngens() == 1:
            return [ring(h)]
        tails = self._univariate_sampler(max(0, int(h.degree()) - 1), 0).sample(1, size=(ring.ngens() - 1, 1))[0]
        return [gens[i] + ring(tails[i, 0]) for i in range(ring.ngens() - 1)] + [ring(h)]

    def sample(self, num_samples: int = 1) -> list[list]:
        """``num_samples`` Groebner bases, each a list of ``ring`` elements (``x_i + g_i`` first, ``h`` last)."""
        return [self._sample_one() for _ in range(num_samples)]
