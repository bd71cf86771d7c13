"""Compare a predicted polynomial with the reference: load eval results, mark the wrong terms."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

TERM = re.compile(r"C(-?\d+)((?:\s*E\d+)*)")


def load_eval_results(path: str) -> tuple[list[str], list[str]]:
    """``eval_results.json`` → (generated texts, reference texts), in file order."""
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    if not isinstance(rows, list) or any(not isinstance(r, dict) or {"generated", "reference"} - set(r) for r in rows):
        raise ValueError(f"{path}: expected a list of {{'generated': …, 'reference': …}} objects")
    return [r["generated"] for r in rows], [r["reference"] for r in rows]


def parse_terms(poly: Any, var_order: Sequence[Any] | None = None) -> dict[tuple[int, ...], Any]:
    """Exponent tuple → coefficient, from C/E token text (``"C3 E2 E0 + C-1 E0 E1"``) or a SymPy expression."""
    if isinstance(poly, str):
        terms: dict[tuple[int, ...], int] = {}
        for coeff, exps in TERM.findall(poly):
            key = tuple(int(e) for e in re.findall(r"E(\d+)", exps))
            terms[key] = terms.get(key, 0) + int(coeff)
        return {k: v for k, v in terms.items() if v != 0}
    from sympy import Poly

    gens = list(var_order) if var_order else sorted(poly.free_symbols, key=lambda s: s.name)
    return {k: v for k, v in Poly(poly.expand(), *gens).as_dict().items() if v != 0}


def term_diff(gold: dict, pred: dict) -> dict[tuple[int, ...], str]:
    """Terms of the prediction that are wrong: ``"extra"`` (absent from gold) or ``"coefficient"``."""
    marks = {}
    for exps, coeff in pred.items():
        if exps not in gold:
            marks[exps] = "extra"
        elif gold[exps] != coeff:
            marks[exps] = "coefficient"
    return marks


def _monomial(exps: tuple[int, ...], coeff: Any, names: Sequence[str]) -> str:
    factors = [n if e == 1 else f"{n}^{{{e}}}" for n, e in zip(names, exps) if e]
    body = " ".join(factors)
    if not body:
        return str(coeff)
    return {1: body, -1: f"-{body}"}.get(coeff, f"{coeff} {body}")


def render_latex(terms: dict, names: Sequence[str], marks: dict | None = None) -> str:
    """LaTeX of a polynomial; marked terms struck through in red."""
    marks = marks or {}
    parts = []
    for exps in sorted(terms, reverse=True):
        tex = _monomial(exps, terms[exps], names)
        parts.append(rf"\color{{red}}{{\cancel{{{tex}}}}}" if exps in marks else tex)
    return " + ".join(parts).replace("+ -", "- ") or "0"


def display_with_diff(gold: Any, pred: Any, var_order: Sequence[Any] | None = None) -> str:
    """Show gold and prediction with the prediction's wrong terms marked; returns the LaTeX.

    In a notebook it renders as math; elsewhere it prints the LaTeX.
    """
    gold_terms, pred_terms = parse_terms(gold, var_order), parse_terms(pred, var_order)
    width = max((len(k) for k in (*gold_terms, *pred_terms)), default=1)
    names = [str(v) for v in var_order] if var_order else (["x", "y", "z", "w"] + [f"x_{i}" for i in range(4, 64)])[:width]
    marks = term_diff(gold_terms, pred_terms)
    tex = (r"\begin{aligned}\text{Ground truth:}\; & " + render_latex(gold_terms, names)
           + r"\\ \text{Prediction:}\; & " + render_latex(pred_terms, names, marks) + r"\end{aligned}")
    try:
        from IPython import get_ipython
        from IPython.display import Math, display

        if get_ipython() is not None:
            display(Math(tex))
            return tex
    except ImportError:
        pass
    print(tex)
    return tex
