"""Sage samplers: random polynomials, Groebner/border bases, and ideal-invariant transforms."""

from .polynomial_sampler import PolynomialSampler

__all__ = ["PolynomialSampler"]
