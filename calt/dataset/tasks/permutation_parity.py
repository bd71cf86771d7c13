"""Permutation parity: ``3,0,2,1`` → ``-1`` (the sign of the permutation: +1 even, -1 odd).

A one-token answer, so it suits ``model_type: encoder_classifier``. Permutations of 0…n-1 for n from 4 to 8,
drawn uniformly; the two classes are equally likely.
"""

from __future__ import annotations

import random

MIN_SIZE = 4
MAX_SIZE = 8


def permutation_sign(permutation: list[int]) -> int:
    """+1 for an even permutation, -1 for an odd one (n minus its number of cycles is the transpositions needed)."""
    seen = [False] * len(permutation)
    cycles = 0
    for start in range(len(permutation)):
        if not seen[start]:
            cycles += 1
            position = start
            while not seen[position]:
                seen[position] = True
                position = permutation[position]
    return 1 if (len(permutation) - cycles) % 2 == 0 else -1


def instance_generator(seed: int) -> tuple[str, str]:
    """A random permutation of 0…n-1, comma separated, and its sign, ``+1`` or ``-1``."""
    rng = random.Random(seed)
    permutation = list(range(rng.randint(MIN_SIZE, MAX_SIZE)))
    rng.shuffle(permutation)
    return ",".join(map(str, permutation)), f"{permutation_sign(permutation):+d}"


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Permutation size and the sign."""
    return {"problem": {"size": problem.count(",") + 1}, "answer": {"sign": int(answer)}}
