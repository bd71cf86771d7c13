"""calt-x's ``integer_polynomial_factorization`` example (needs Sage): a monic quadratic over ZZ with integer
roots in [-9, 9], and Sage's factorization of it.

``x^2 - 3*x - 4`` → ``(x - 4) * (x + 1)``; a repeated root prints as ``(x - 9)^2``, a zero root as ``x``.
"""

from __future__ import annotations

import random

from calt.optional import require_sage

MAX_ROOT = 9


def instance_generator(seed: int) -> tuple[str, str]:
    """``(x - a)(x - b)`` expanded, and factored, for roots ``a, b`` drawn uniformly from [-9, 9]."""
    sage = require_sage("the integer_polynomial_factorization example")
    x = sage.PolynomialRing(sage.ZZ, "x").gen()
    rng = random.Random(seed)
    a, b = rng.randint(-MAX_ROOT, MAX_ROOT), rng.randint(-MAX_ROOT, MAX_ROOT)
    polynomial = (x - a) * (x - b)
    return str(polynomial), str(polynomial.factor())


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Terms of the quadratic; distinct factors of the answer."""
    return {"problem": {"num_terms": problem.count(" + ") + problem.count(" - ") + 1},
            "answer": {"num_factors": answer.count(" * ") + 1}}
