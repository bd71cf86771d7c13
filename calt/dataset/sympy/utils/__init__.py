"""SymPy helpers for instance generators: random polynomials and the expanded C/E form."""

from .expanded_form import to_expanded_form
from .polynomial_sampler import PolynomialSampler
from .single_polynomial_sampler import SinglePolynomialSampler

__all__ = ["PolynomialSampler", "SinglePolynomialSampler", "to_expanded_form"]
