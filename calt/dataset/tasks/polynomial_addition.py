"""calt-x's ``polynomial_addition`` example (needs Sage): 3 to 6 polynomials in ZZ[x0, x1, x2] and their
cumulative sums.

The files hold Sage's text, ``f1 | f2 | f3 # f1 | f1 + f2 | f1 + f2 + f3``; training reads them through
TextToSage then ExpandedForm (configs/polynomial_addition/train.yaml), so the model sees C/E terms.
Each polynomial has 1 to 3 terms of total degree 1 to 3. (calt's SymPy variant, a pair in ZZ[x, y], is
``polynomial_pair_addition``.)
"""

from __future__ import annotations

import random
from itertools import accumulate
from typing import Any

from calt.optional import require_sage

from ._polynomial_stats import sage_polynomial_list_stats

SYMBOLS = "x0, x1, x2"
MIN_POLYNOMIALS = 3
MAX_POLYNOMIALS = 6


def instance_generator(seed: int) -> tuple[list[Any], list[Any]]:
    """The polynomials and their running sums, as Sage elements (the dataset writer turns them into text)."""
    require_sage("the polynomial_addition example")
    from calt.dataset.sagemath.utils.polynomial_sampler import PolynomialSampler

    rng = random.Random(seed)
    sampler = PolynomialSampler(symbols=SYMBOLS, field_str="ZZ", order="degrevlex", max_num_terms=3,
                                max_degree=3, min_degree=1)
    polynomials = sampler.sample(rng.randint(MIN_POLYNOMIALS, MAX_POLYNOMIALS))
    return polynomials, list(accumulate(polynomials))


def statistics_calculator(problem: list[Any], answer: list[Any]) -> dict[str, dict[str, int]]:
    """Terms and largest total degree of the inputs and of the sums."""
    return {"problem": sage_polynomial_list_stats(problem), "answer": sage_polynomial_list_stats(answer)}
