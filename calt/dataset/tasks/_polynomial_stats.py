"""Statistics shared by the polynomial tasks, read from the expanded C/E form."""

from __future__ import annotations


def expanded_form_stats(text: str) -> dict[str, int]:
    """Number of terms and total degree of one polynomial written as ``C3 E2 E0 + C1 E0 E1``."""
    terms = [term.split() for term in text.split(" + ")]
    degrees = [sum(int(token[1:]) for token in term[1:]) for term in terms]
    return {"num_terms": len(terms), "total_degree": max(degrees)}


def polynomial_list_stats(polys: list[str]) -> dict[str, int]:
    """Terms (summed) and the largest total degree over a list of C/E polynomials."""
    stats = [expanded_form_stats(p) for p in polys]
    return {
        "num_terms": sum(s["num_terms"] for s in stats),
        "total_degree": max(s["total_degree"] for s in stats),
    }


def sage_polynomial_list_stats(polys: list) -> dict[str, int]:
    """Terms (summed) and the largest total degree over a list of Sage polynomials (the zero polynomial: degree 0)."""
    return {
        "num_terms": sum(len(p.monomials()) for p in polys),
        "total_degree": max((max(p.total_degree(), 0) for p in polys), default=0),
    }
