"""``ExpandedFormLoadPreprocessor``: polynomials → ``C<coeff> E<e1> E<e2> …`` terms joined by `` + ``."""

from __future__ import annotations

from typing import Any

from .base import problem_and_answer


def polynomial_terms(poly: Any) -> list[tuple[tuple[int, ...], Any]]:
    """(exponents, coefficient) pairs of a SymPy ``PolyElement``/``Poly`` or a SageMath polynomial."""
    from sympy import Poly
    from sympy.polys.rings import PolyElement

    if isinstance(poly, (PolyElement, Poly)):  # (Sage polynomials have a terms() method too)
        return [(tuple(int(e) for e in monom), coeff) for monom, coeff in poly.terms() if coeff != 0]
    if hasattr(poly, "dict"):  # SageMath
        items = poly.dict().items()
        return [((int(e),) if isinstance(e, int) else tuple(int(x) for x in e), c) for e, c in items if c != 0]
    raise TypeError(f"expected a SymPy or SageMath polynomial, got {type(poly).__name__}: {poly!r}")


def _coefficient(value: Any) -> str:
    try:
        as_int = int(value)
        if as_int == value:
            return str(as_int)
    except (TypeError, ValueError):
        pass
    return str(value)


def expanded_form(poly: Any) -> str:
    """One polynomial in C/E form; the zero polynomial is ``C0``."""
    terms = polynomial_terms(poly)
    if not terms:
        return "C0"
    return " + ".join(" ".join([f"C{_coefficient(c)}"] + [f"E{e}" for e in exps]) for exps, c in terms)


def poly_to_expanded_form(poly: Any) -> str:
    """One polynomial in C/E form (the original's name for ``expanded_form``)."""
    return expanded_form(poly)


def obj_to_expanded_form(obj: Any, delimiter: str = " || ") -> str:
    """A polynomial, or a list of them joined by ``delimiter``, in C/E form."""
    if isinstance(obj, (list, tuple)):
        return delimiter.join(expanded_form(p) for p in obj)
    return expanded_form(obj)


class ExpandedFormLoadPreprocessor:
    """Problem and answer (a polynomial or a list of them) → C/E text; lists joined by ``delimiter``."""

    def __init__(self, delimiter: str = " || ") -> None:
        self.delimiter = delimiter

    def process_sample(self, source: Any) -> tuple[str, str]:
        if isinstance(source, tuple) and len(source) == 2:
            problem, answer = source
        else:
            problem, answer = problem_and_answer(source)
        return self._convert(problem), self._convert(answer)

    def _convert(self, value: Any) -> str:
        return obj_to_expanded_form(value, self.delimiter)
