"""Gröbner bases over GF(7) in 2 variables (needs Sage), drawn backward with calt-x 1.5's samplers.

``GroebnerBasisSampler`` draws a reduced lex Gröbner basis ``G`` in shape position (``x + g(y), h(y)``)
and ``GroebnerIdealTransformer`` turns it into a random generating set ``F`` of the same ideal; the task
is ``F`` → ``G``. The files hold Sage's text, ``f1 | f2 | f3 # g1 | g2``; training reads them through
TextToSage then ExpandedForm (configs/groebner_gf7/train.yaml). Set ``SYMBOLS`` to three names for the
3-variable task.
"""

from __future__ import annotations

from typing import Any

from calt.optional import require_sage

from ._polynomial_stats import sage_polynomial_list_stats

SYMBOLS = "x, y"
PRIME = 7
MAX_DEGREE = 3
MAX_GENERATORS = 3


def instance_generator(seed: int) -> tuple[list[Any], list[Any]]:
    """A random generating set ``F`` of an ideal and the ideal's reduced lex Gröbner basis ``G``."""
    sage = require_sage("the groebner_gf7 example")
    from calt.dataset.sagemath.utils.ideal_invariant_transformer import GroebnerIdealTransformer
    from calt.dataset.sagemath.utils.ideal_sampler import GroebnerBasisSampler

    ring = sage.PolynomialRing(sage.GF(PRIME), SYMBOLS, order="lex")
    basis = GroebnerBasisSampler(ring, max_degree=MAX_DEGREE, max_num_terms=3).sample(1)[0]
    generators = GroebnerIdealTransformer(ring, max_size=MAX_GENERATORS, max_degree=1, max_num_terms=2,
                                          density=0.5).transform(basis)
    return generators, basis


def statistics_calculator(problem: list[Any], answer: list[Any]) -> dict[str, dict[str, int]]:
    """Terms and largest total degree of ``F`` and of ``G``."""
    return {"problem": sage_polynomial_list_stats(problem), "answer": sage_polynomial_list_stats(answer)}
