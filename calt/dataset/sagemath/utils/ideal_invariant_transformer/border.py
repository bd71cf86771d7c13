"""``F = A * G`` with a random polynomial matrix ``A``: the border-basis transform (NeurIPS 2025).

With constant entries (``max_degree=0``) F spans the same ideal exactly; with higher degrees only
generically, unless ``identity_block`` keeps G itself as the first rows of F.
"""

from __future__ import annotations

from typing import Any

from ....backends import require_sage
from ._common import entry_sampler, max_abs_coefficient

_sage = require_sage("BorderIdealTransformer")
from sage.misc.prandom import randint  # noqa: E402


class BorderIdealTransformer:
    """Turns a basis ``G`` (list of ``ring`` elements) into ``m`` random combinations ``F = A * G``,
    ``len(G) < m <= max(max_size, len(G)) + 1``.

    ``identity_block=True`` makes the first ``len(G)`` rows of ``A`` the identity, so ``<F> = <G>``
    for any entry degree. Entries, ``density``, ``coeff_bound`` and ``max_iter`` as in
    ``GroebnerIdealTransformer``.
    """

    def __init__(
        self,
        ring: Any,
        max_size: int,
        identity_block: bool = False,
        max_degree: int = 1,
        min_degree: int = 0,
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
        self.ring, self.max_size, self.identity_block = ring, max_size, identity_block
        self.density, self.coeff_bound, self.max_iter = density, coeff_bound, max_iter
        self._sampler = entry_sampler(
            ring, max_degree=max_degree, min_degree=min_degree, max_num_terms=max_num_terms,
            max_coeff=max_coeff, num_bound=num_bound, degree_sampling=degree_sampling,
            term_sampling=term_sampling, strictly_conditioned=strictly_conditioned,
        )

    def _random_matrix(self, m: int, n: int) -> Any:
        if not self.identity_block:
            return self._sampler.sample(num_samples=1, size=(m, n), density=self.density)[0]
        extra = self._sampler.sample(num_samples=1, size=(m - n, n), density=self.density)[0]
        return _sage.identity_matrix(self.ring, n).stack(extra)

    def transform(self, G: list) -> list:
        """A generating set ``F`` (list of ``ring`` elements) of the ideal of ``G``."""
        n = len(G)
        column = _sage.matrix(self.ring, n, 1, list(G))
        finite = self.ring.base_ring().is_finite()
        for _ in range(self.max_iter):
            m = randint(0, max(0, self.max_size - n)) + n + 1
            F = self._random_matrix(m, n) * column
            if finite or max_abs_coefficient(F) <= self.coeff_bound:
                break
        return [F[i, 0] for i in range(F.nrows())]
