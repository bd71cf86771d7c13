"""calt-x's ``polynomial_reduction`` example (needs Sage): reduce ``f`` by the Gröbner basis ``G`` of three
random polynomials in ZZ[x, y, z].

Samples are drawn as calt-x draws them (``f, g1, g2, g3`` with up to 5 terms of degree 1 to 4 and
coefficients up to 10, redrawn while one has fewer than 2 terms; ``G`` = the degrevlex Gröbner basis of
``<g1, g2, g3>``; ``r`` = ``f`` reduced by it) and written as text: ``f | G1 | ... | Gk # r``. Unlike
calt-x, a draw whose problem text passes ``MAX_PROBLEM_CHARS`` is redrawn too (it would not fit a model).
``PolynomialReductionLoadPreprocessor`` turns a sample into the training texts at load time:
``order`` grevlex keeps them, lex recomputes ``G`` and ``r`` in the lex order; ``pattern`` 1 targets
``r``, 2 the quotients and ``r``. It reads these text lines and also calt-x's pickled samples
(``{"problem": (f, G), "answer": (r,)}``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from calt.optional import require_sage

SYMBOLS = "x, y, z"
FIELD = "ZZ"
MAX_ATTEMPTS = 1000
SEPARATOR = " | "
# calt-only: Groebner bases over ZZ grow large (half of calt-x's problems pass 800 characters, a tenth 5000, the
# longest 40000), more than a model's max_sequence_length; such draws are redrawn, as calt-x redraws 1-term ones.
MAX_PROBLEM_CHARS = 1000


def instance_generator(seed: int) -> tuple[list[Any], Any]:
    """``[f, *G]`` and the remainder ``r`` of ``f`` modulo ``<G>``, as Sage elements."""
    sage = require_sage("the polynomial_reduction example")
    from calt.dataset.sagemath.utils.polynomial_sampler import PolynomialSampler

    for attempt in range(MAX_ATTEMPTS):  # calt-x moves on to the next seed; here the draw repeats under a new one
        sage.set_random_seed(seed * MAX_ATTEMPTS + attempt)
        sampler = PolynomialSampler(symbols=SYMBOLS, field_str=FIELD, order="degrevlex", max_num_terms=5,
                                    max_degree=4, min_degree=1, max_coeff=10)
        f = sampler.sample(1)[0]
        generators = sampler.sample(3)
        if all(len(p.monomials()) >= 2 for p in (f, *generators)):
            ideal = f.parent().ideal(generators)
            problem = [f, *ideal.groebner_basis()]
            if len(SEPARATOR.join(map(str, problem))) <= MAX_PROBLEM_CHARS:
                return problem, ideal.reduce(f)
    raise RuntimeError(f"no sample with at least 2 terms per polynomial and a problem of at most {MAX_PROBLEM_CHARS} "
                       f"characters in {MAX_ATTEMPTS} draws from seed {seed}")


def statistics_calculator(problem: list[Any], answer: Any) -> dict[str, dict[str, int]]:
    """Size of the basis and terms of ``f``; terms of the remainder."""
    return {"problem": {"basis_size": len(problem) - 1, "f_terms": len(problem[0].monomials())},
            "answer": {"remainder_terms": len(answer.monomials())}}


class PolynomialReductionLoadPreprocessor:
    """``f | G # r`` (text) or ``{"problem": (f, G), "answer": (r,)}`` (Sage objects) → ``(input, target)`` texts.

    The input is ``f | G1 | ... | Gk``; the target ``r`` (``pattern=1``) or ``q1 | ... | qk | r`` with
    ``f = sum(qi * Gi) + r`` (``pattern=2``). ``order="lex"`` maps ``f`` into the lex ring and replaces ``G``
    by the lex Gröbner basis of the same ideal and ``r`` by the lex remainder. ``symbols`` and
    ``field_str`` name the ring the text is parsed in.
    """

    def __init__(self, order: str = "grevlex", pattern: int = 1, symbols: str = SYMBOLS,
                 field_str: str = FIELD) -> None:
        if order not in ("grevlex", "degrevlex", "lex"):
            raise ValueError(f"order must be 'grevlex' or 'lex', got {order!r}")
        if pattern not in (1, 2):
            raise ValueError(f"pattern must be 1 (remainder) or 2 (quotients | remainder), got {pattern!r}")
        self.order, self.pattern, self.symbols, self.field_str = order, pattern, symbols, field_str

    def process_sample(self, source: str | Mapping) -> tuple[str, str]:
        f, basis, remainder = self._read(source)
        if self.order == "lex":
            f, basis, remainder = _in_lex_order(f, basis)
        target = [remainder] if self.pattern == 1 else [*_quotients(f, remainder, basis), remainder]
        return SEPARATOR.join(map(str, [f, *basis])), SEPARATOR.join(map(str, target))

    def _read(self, source: str | Mapping) -> tuple[Any, list[Any], Any]:
        if isinstance(source, Mapping):
            (f, basis), answer = source["problem"], source.get("answer", source.get("solution"))
            return f, list(basis), answer[0] if isinstance(answer, Sequence) else answer
        if not isinstance(source, str):
            raise TypeError(f"PolynomialReductionLoadPreprocessor reads 'f | G # r' lines or {{problem, answer}} "
                            f"dicts, got a {type(source).__name__}")
        problem, sep, answer = source.partition("#")
        parts = [part.strip() for part in problem.split(SEPARATOR.strip()) if part.strip()]
        if not sep or len(parts) < 2:
            raise ValueError(f"expected 'f | G1 | ... | Gk # r', got {source.strip()[:80]!r}")
        ring = _ring(self.symbols, self.field_str, "degrevlex")
        try:
            f, *basis = (ring(part) for part in parts)
            return f, basis, ring(answer.strip())
        except Exception as error:  # Sage raises TypeError, SyntaxError, ... for text it cannot parse
            raise ValueError(f"cannot parse {source.strip()[:80]!r} in {ring}: {type(error).__name__}: {error}") from None


def _ring(symbols: str, field_str: str, order: str) -> Any:
    sage = require_sage("PolynomialReductionLoadPreprocessor")
    base = sage.ZZ if field_str == "ZZ" else sage.QQ if field_str == "QQ" else sage.GF(int(field_str.strip("GF()")))
    return sage.PolynomialRing(base, [s.strip() for s in symbols.split(",")], order=order)


def _quotients(f: Any, remainder: Any, basis: list[Any]) -> list[Any]:
    """``q`` with ``f - r = sum(q_i * G_i)`` (Sage's ``lift``)."""
    return list((f - remainder).lift(f.parent().ideal(basis)))


def _in_lex_order(f: Any, basis: list[Any]) -> tuple[Any, list[Any], Any]:
    """``f``, the lex Gröbner basis of ``<basis>`` and the lex remainder of ``f``, in the lex ring."""
    ring = f.parent()
    lex_ring = ring.change_ring(order="lex")
    ideal = lex_ring.ideal([lex_ring(g) for g in basis])
    lex_basis = list(ideal.groebner_basis())
    f_lex = lex_ring(f)
    return f_lex, lex_basis, ideal.reduce(f_lex)
