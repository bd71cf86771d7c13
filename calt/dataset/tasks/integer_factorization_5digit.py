"""Integer factorization of 2..99999, calt's variant (calt-x's `integer_factorization` multiplies 5 distinct primes
below 30): ``360`` → ``2^3 * 3^2 * 5`` (primes ascending, exponents above 1 shown)."""

from __future__ import annotations

import random

from sympy import factorint

MIN_VALUE = 2
MAX_VALUE = 99_999


def instance_generator(seed: int) -> tuple[str, str]:
    """A random integer in ``[2, 99999]`` and its prime factorization."""
    value = random.Random(seed).randint(MIN_VALUE, MAX_VALUE)
    factors = sorted(factorint(value).items())
    return str(value), " * ".join(f"{p}^{e}" if e > 1 else str(p) for p, e in factors)


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Digits of the input; distinct prime factors of the answer."""
    return {"problem": {"num_digits": len(problem)}, "answer": {"num_distinct_primes": answer.count("*") + 1}}
