"""SymPy helpers for instance generators: random polynomials and the expanded C/E form."""

from .expanded_form import to_expanded_form
from .polynomial_sampler import PolynomialSampler

__all__ = ["PolynomialSampler", "to_expanded_form"]
