"""Integer addition with the sum written least significant digit first: ``4817+395`` → ``2125`` (5212 reversed).

Each answer digit depends on the two problem digits of its place and on the carry from the digit just
written, so a causal model can produce the sum left to right in one pass: a task that suits
``model_type: decoder_only``. Operands have 1 to 5 digits, drawn log-uniformly.
"""

from __future__ import annotations

import random

MAX_DIGITS = 5


def random_operand(rng: random.Random) -> int:
    """A number of 1 to MAX_DIGITS digits, the digit count uniform."""
    digits = rng.randint(1, MAX_DIGITS)
    return rng.randrange(10 ** (digits - 1) if digits > 1 else 0, 10**digits)


def instance_generator(seed: int) -> tuple[str, str]:
    """``a+b`` and the digits of a + b from the ones place up."""
    rng = random.Random(seed)
    a, b = random_operand(rng), random_operand(rng)
    return f"{a}+{b}", str(a + b)[::-1]


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Operand digits and answer digits."""
    left, right = problem.split("+")
    return {"problem": {"digits": max(len(left), len(right))}, "answer": {"digits": len(answer)}}
