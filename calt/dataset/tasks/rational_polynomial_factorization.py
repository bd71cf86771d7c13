"""calt-x's ``rational_polynomial_factorization`` example (needs Sage): a random polynomial in QQ[x] of degree 1
or 2 (at most 3 terms, numerators and denominators up to 10), and Sage's factorization of it.

``-7/2*x^2 + 3*x`` → ``(-7/2) * (x - 6/7) * x``. calt-x's generator writes ``str(p.expand())``; Sage
polynomials have no ``expand``, so this one writes ``str(p)``, the same text.
"""

from __future__ import annotations

from typing import Any

from calt.optional import require_sage


def instance_generator(seed: int) -> tuple[str, str]:
    """A polynomial drawn by the Sage ``PolynomialSampler`` and its factorization, as text."""
    require_sage("the rational_polynomial_factorization example")
    from calt.dataset.sagemath.utils.polynomial_sampler import PolynomialSampler

    sampler = PolynomialSampler(symbols="x", field_str="QQ", order="degrevlex", max_num_terms=3, max_degree=2,
                                min_degree=1, num_bound=10)
    polynomial: Any = sampler.sample(1)[0]
    return str(polynomial), str(polynomial.factor())


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Degree of the polynomial; factors in the answer."""
    return {"problem": {"degree": 2 if "x^2" in problem else 1}, "answer": {"num_factors": answer.count(" * ") + 1}}
