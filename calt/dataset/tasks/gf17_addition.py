"""calt-x's ``gf17_addition`` example: 3 to 6 residues mod 17 and their prefix sums mod 17.

``13,1,8,16`` → ``13,14,5,4``. (calt's longer variant, 2 to 10 terms, is ``gf17_addition_long``.)
"""

from __future__ import annotations

import random
from itertools import accumulate

MODULUS = 17
MIN_TERMS = 3
MAX_TERMS = 6


def instance_generator(seed: int) -> tuple[str, str]:
    """A random sequence of residues mod 17 and its prefix sums mod 17, comma separated."""
    rng = random.Random(seed)
    values = [rng.randint(0, MODULUS - 1) for _ in range(rng.randint(MIN_TERMS, MAX_TERMS))]
    sums = accumulate(values, lambda total, value: (total + value) % MODULUS)
    return ",".join(map(str, values)), ",".join(map(str, sums))


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Sequence length and the final sum."""
    return {"problem": {"num_terms": problem.count(",") + 1}, "answer": {"total": int(answer.rsplit(",", 1)[-1])}}
