"""Greatest common divisor in GF(7)[x, y]: ``g*a | g*b`` → the monic ``gcd`` (expanded C/E form).

A common factor ``g`` is planted so that the answer is rarely 1; the answer is the true
gcd (it contains ``g``, and more when ``a`` and ``b`` share a factor), made monic with
respect to the graded reverse lexicographic order.
"""

from __future__ import annotations

from calt.dataset.sympy.utils import PolynomialSampler, to_expanded_form

from ._polynomial_stats import expanded_form_stats, polynomial_list_stats

SYMBOLS = "x, y"
FIELD = "GF(7)"
MAX_DEGREE = 2  # inputs have degree at most 4
MAX_TERMS = 3


def instance_generator(seed: int) -> tuple[list[str], str]:
    """Two products ``g*a`` and ``g*b`` of random polynomials of degree 1..2, and their monic gcd."""
    sampler = PolynomialSampler(SYMBOLS, FIELD, max_degree=MAX_DEGREE, min_degree=1, max_num_terms=MAX_TERMS, seed=seed)
    g, a, b = sampler.sample(3)
    f1, f2 = g * a, g * b
    return [to_expanded_form(f1), to_expanded_form(f2)], to_expanded_form(f1.gcd(f2).monic())


def statistics_calculator(problem: list[str], answer: str) -> dict[str, dict[str, int]]:
    """Terms and total degree of the inputs and of the gcd."""
    return {"problem": polynomial_list_stats(problem), "answer": expanded_form_stats(answer)}
