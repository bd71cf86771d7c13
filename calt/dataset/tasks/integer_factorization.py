"""calt-x's ``integer_factorization`` example: the product of 5 distinct primes below 30, and those primes.

``30015`` → ``[3, 5, 23, 29, ...]`` sorted ascending; the writer joins the list with `` | ``.
(calt's variant over every integer up to 99999, with exponents, is ``integer_factorization_5digit``.)
"""

from __future__ import annotations

import math
import random

PRIMES_BELOW_30 = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29)
NUM_FACTORS = 5


def instance_generator(seed: int) -> tuple[int, list[int]]:
    """Five distinct primes below 30 drawn at random; their product and the primes in ascending order."""
    primes = random.Random(seed).sample(PRIMES_BELOW_30, NUM_FACTORS)
    return math.prod(primes), sorted(primes)


def statistics_calculator(problem: int, answer: list[int]) -> dict[str, dict[str, int]]:
    """Digits of the product; the largest prime."""
    return {"problem": {"num_digits": len(str(problem))}, "answer": {"largest_prime": max(answer)}}
