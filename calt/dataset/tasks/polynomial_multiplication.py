"""Polynomial multiplication in GF(7)[x, y], expanded C/E form: ``f | g`` → ``f * g``."""

from __future__ import annotations

from calt.dataset.sympy.utils import PolynomialSampler, to_expanded_form

from ._polynomial_stats import expanded_form_stats, polynomial_list_stats

SYMBOLS = "x, y"
FIELD = "GF(7)"
MAX_DEGREE = 2  # products have degree at most 4
MAX_TERMS = 3


def instance_generator(seed: int) -> tuple[list[str], str]:
    """Two random non-zero polynomials over GF(7) and their product."""
    sampler = PolynomialSampler(SYMBOLS, FIELD, max_degree=MAX_DEGREE, max_num_terms=MAX_TERMS, seed=seed)
    f, g = sampler.sample(2)
    return [to_expanded_form(f), to_expanded_form(g)], to_expanded_form(f * g)


def statistics_calculator(problem: list[str], answer: str) -> dict[str, dict[str, int]]:
    """Terms and total degree of the factors and of the product."""
    return {"problem": polynomial_list_stats(problem), "answer": expanded_form_stats(answer)}
