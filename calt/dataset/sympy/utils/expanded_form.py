"""SymPy polynomials in the expanded ``C/E`` form: ``C<coeff> E<e1> ... E<en>`` per term, joined by `` + ``."""

from __future__ import annotations

from sympy.polys.rings import PolyElement


def coefficient_text(coeff, domain) -> str:
    """Coefficient as text: GF(p) elements as ``0 .. p-1``, integers as integers, others via ``str``."""
    if domain.is_FiniteField:
        return str(int(coeff) % int(domain.mod))
    if domain.is_ZZ:
        return str(int(coeff))
    return str(coeff)


def to_expanded_form(poly: PolyElement) -> str:
    """Return ``poly`` as ``C3 E2 E0 + C-1 E0 E1`` (terms in the ring's monomial order); zero is ``C0``."""
    domain = poly.ring.domain
    terms = [
        " ".join([f"C{coefficient_text(coeff, domain)}", *(f"E{e}" for e in monom)])
        for monom, coeff in poly.terms()
    ]
    return " + ".join(terms) if terms else "C0"
