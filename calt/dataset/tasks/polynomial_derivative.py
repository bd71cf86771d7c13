"""Differentiation of univariate polynomials over ZZ, expanded C/E form: ``f`` → ``f'``.

``C3 E4 + C-2 E1 + C5 E0`` is ``3*x^4 - 2*x + 5``; its derivative is ``C12 E3 + C-2 E0``.
Terms are in descending exponent order; a constant input differentiates to ``C0 E0``.
This is calt's default task (``configs/data.yaml``): small enough for a CPU to learn in minutes.
"""

from __future__ import annotations

import random

MAX_COEFF = 9  # input coefficients are non-zero integers in [-9, 9]
MAX_EXPONENT = 6  # answers have coefficients in [-54, 54] and exponents up to 5
MAX_TERMS = 4
ZERO_POLYNOMIAL = "C0 E0"


def format_terms(terms: list[tuple[int, int]]) -> str:
    """``[(coeff, exponent), ...]`` as ``C<coeff> E<exponent>`` terms joined by `` + ``; empty → ``C0 E0``."""
    if not terms:
        return ZERO_POLYNOMIAL
    return " + ".join(f"C{coeff} E{exponent}" for coeff, exponent in terms)


def differentiate(terms: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Term-wise derivative of ``[(coeff, exponent), ...]``; constant terms vanish."""
    return [(coeff * exponent, exponent - 1) for coeff, exponent in terms if exponent > 0]


def instance_generator(seed: int) -> tuple[str, str]:
    """A random polynomial of 1 to 4 terms (exponents at most 6, descending) and its derivative."""
    rng = random.Random(seed)
    num_terms = rng.randint(1, MAX_TERMS)
    exponents = sorted(rng.sample(range(MAX_EXPONENT + 1), num_terms), reverse=True)
    terms = [(rng.choice([-1, 1]) * rng.randint(1, MAX_COEFF), exponent) for exponent in exponents]
    return format_terms(terms), format_terms(differentiate(terms))


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Number of terms and degree of the polynomial and of its derivative."""
    return {"problem": _term_stats(problem), "answer": _term_stats(answer)}


def _term_stats(text: str) -> dict[str, int]:
    exponents = [int(term.split()[1][1:]) for term in text.split(" + ")]
    return {"num_terms": len(exponents), "degree": max(exponents)}
