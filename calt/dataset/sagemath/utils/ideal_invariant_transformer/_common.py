"""What both ideal-invariant transforms share: the sampler of their random matrices and the coefficient guard."""

from __future__ import annotations

from typing import Any

from ..polynomial_sampler import PolynomialSampler, compute_max_coefficient


def entry_sampler(ring: Any, **options: Any) -> PolynomialSampler:
    """The ``PolynomialSampler`` of the transform matrices' entries (never the zero polynomial)."""
    return PolynomialSampler(ring=ring, order=None, nonzero_instance=True, **options)


def max_abs_coefficient(matrix: Any) -> Any:
    """Largest coefficient size over the non-zero entries of a polynomial matrix (0 if all are zero)."""
    return max((compute_max_coefficient(entry) for entry in matrix.list() if entry != 0), default=0)


def check_size(max_size: int, num_generators: int, minimum: int) -> None:
    """``max_size`` must leave room for at least ``minimum`` generators."""
    if max_size < minimum:
        raise ValueError(
            f"max_size={max_size} is too small for a basis of {num_generators} polynomials: "
            f"F needs at least {minimum} generators"
        )
