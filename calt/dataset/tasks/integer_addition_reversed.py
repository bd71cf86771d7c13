"""Integer addition with every number written least significant digit first, in fixed widths:
``4817+395`` is the problem ``71840+59300`` and the answer ``212500`` (5212, reversed, six digits).

Answer digit i depends only on problem digits i of both operands and on the carry from digit i − 1, which
the model has just written, so a causal model produces the sum left to right in one pass: a task that suits
``model_type: decoder_only``. Fixed widths put each operand digit at a fixed distance from the answer digit
that needs it. Operands have 1 to 5 significant digits, the digit count uniform.
"""

from __future__ import annotations

import random

MAX_DIGITS = 5


def random_operand(rng: random.Random) -> int:
    """A number of 1 to MAX_DIGITS digits, the digit count uniform."""
    digits = rng.randint(1, MAX_DIGITS)
    return rng.randrange(10 ** (digits - 1) if digits > 1 else 0, 10**digits)


def reversed_digits(value: int, width: int) -> str:
    """``value`` zero-padded to ``width`` digits, ones digit first."""
    return str(value).zfill(width)[::-1]


def instance_generator(seed: int) -> tuple[str, str]:
    """``a+b`` and a + b, each reversed and zero-padded (operands MAX_DIGITS, the sum MAX_DIGITS + 1)."""
    rng = random.Random(seed)
    a, b = random_operand(rng), random_operand(rng)
    problem = f"{reversed_digits(a, MAX_DIGITS)}+{reversed_digits(b, MAX_DIGITS)}"
    return problem, reversed_digits(a + b, MAX_DIGITS + 1)


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, int]]:
    """Significant digits of the longer operand and of the sum."""
    left, right = (part[::-1].lstrip("0") for part in problem.split("+"))
    return {"problem": {"digits": max(len(left), len(right), 1)},
            "answer": {"digits": max(len(answer[::-1].lstrip("0")), 1)}}
