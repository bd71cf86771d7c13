"""Polynomial addition of a pair in ZZ[x, y] with SymPy, calt's variant (calt-x's `polynomial_addition` is cumulative
sums of 3 to 6 polynomials in ZZ[x0, x1, x2] with Sage), expanded C/E form: ``f | g`` → ``f + g``.

``C-3 E2 E1`` is the term ``-3*x^2*y``; terms are joined by `` + ``; the zero polynomial is ``C0``.
"""

from __future__ import annotations

from calt.dataset.sympy.utils import PolynomialSampler, to_expanded_form

from ._polynomial_stats import expanded_form_stats, polynomial_list_stats

SYMBOLS = "x, y"
MAX_DEGREE = 3
MAX_TERMS = 4
MAX_COEFF = 10  # answers have coefficients in [-20, 20]


def instance_generator(seed: int) -> tuple[list[str], str]:
    """Two random polynomials with coefficients in ``[-10, 10]`` and their sum."""
    sampler = PolynomialSampler(
        SYMBOLS, "ZZ", max_degree=MAX_DEGREE, max_num_terms=MAX_TERMS, max_coeff=MAX_COEFF, seed=seed
    )
    f, g = sampler.sample(2)
    return [to_expanded_form(f), to_expanded_form(g)], to_expanded_form(f + g)


def statistics_calculator(problem: list[str], answer: str) -> dict[str, dict[str, int]]:
    """Terms and total degree of the inputs and of the sum."""
    return {"problem": polynomial_list_stats(problem), "answer": expanded_form_stats(answer)}
