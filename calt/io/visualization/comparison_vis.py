"""Compare a predicted polynomial with the reference: load eval results, mark the wrong terms.

Polynomials come as SymPy expressions or as text: an expression as Sage or SymPy print it
(``4*x0 + 4*x1``, ``3*x^2 - 1/2*y``) or C/E tokens (``C3 E2 E0 C-1 E0 E1``, with or without
`` + `` between terms). ``display_with_diff`` renders calt-x 1.5.0's LaTeX.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sympy import Expr, Integer, Poly, Symbol, latex
from sympy.parsing.sympy_parser import parse_expr

__all__ = ["display_with_diff", "load_eval_results", "parse_poly", "parse_terms", "term_diff"]

EXPRESSION_CHARS = re.compile(r"[A-Za-z0-9_+\-*/^(). ]*")
TEX_TEMPLATE = (
    "\\begin{{aligned}}\n"
    "        \\text{{Ground truth\\,:}}\\; & {{}}{gold}\\\\\n"
    "        \\text{{Prediction\\,:}}\\;   & {{}}{pred}\n"
    "        \\end{{aligned}}"
)


def load_eval_results(file_path: str) -> tuple[list[str], list[str]]:
    """``eval_results.json`` → (generated texts, reference texts), in file order."""
    with open(file_path, encoding="utf-8") as handle:
        rows = json.load(handle)
    if not isinstance(rows, list) or any(not isinstance(r, dict) or {"generated", "reference"} - set(r) for r in rows):
        raise ValueError(f"{file_path}: expected a list of {{'generated': …, 'reference': …}} objects")
    return [r["generated"] for r in rows], [r["reference"] for r in rows]


# ---- text → SymPy --------------------------------------------------------------------------------
def _symbols(names: Sequence[Any] | None, count: int) -> tuple[Symbol, ...]:
    if names is None:
        return tuple(Symbol(f"x{i}") for i in range(count))
    if len(names) != count:
        raise ValueError(f"the tokens have {count} exponent(s) per term but var_names has {len(names)}: {list(names)}")
    return tuple(v if isinstance(v, Symbol) else Symbol(str(v)) for v in names)


def _from_tokens(text: str, var_names: Sequence[Any] | None) -> Expr:
    """``C3 E2 E0 C-1 E0 E1`` (``+`` between terms allowed) → ``3*x0**2 - x1``."""
    terms: list[tuple[int, list[int]]] = []
    for token in text.split():
        if token == "+":
            continue
        if re.fullmatch(r"C-?\d+", token):
            terms.append((int(token[1:]), []))
        elif re.fullmatch(r"E\d+", token) and terms:
            terms[-1][1].append(int(token[1:]))
        else:
            raise ValueError(f"unexpected token {token!r}")
    width = len(terms[0][1]) if terms else 0
    if width == 0 or any(len(exps) != width for _, exps in terms):
        raise ValueError("every C token needs the same number (at least one) of E tokens after it")
    gens = _symbols(var_names, width)
    expr = Integer(0)
    for coeff, exps in terms:
        term = Integer(coeff)
        for gen, exp in zip(gens, exps):
            term *= gen**exp
        expr += term
    return expr


def _from_expression(text: str, var_names: Sequence[Any] | None) -> Expr:
    """``3*x0^2 - 1/2*x1`` → a SymPy expression (only polynomial characters are accepted)."""
    if not EXPRESSION_CHARS.fullmatch(text):
        raise ValueError("only letters, digits, _ and + - * / ^ ( ) . may appear in a polynomial")
    local = {str(v): v if isinstance(v, Symbol) else Symbol(str(v)) for v in var_names or ()}
    expr = parse_expr(text.replace("^", "**"), local_dict=local, evaluate=True)
    if not isinstance(expr, Expr):
        raise ValueError(f"not a polynomial expression (parsed as {type(expr).__name__})")
    return expr


def parse_poly(text: str, var_names: Sequence[Any] | None = None) -> Expr:
    """A polynomial written as C/E tokens or as an expression (``^`` or ``**`` powers) → SymPy expression.

    Token variables are ``var_names`` or ``x0, x1, ...``; a bad text raises ``ValueError`` naming it.
    """
    stripped = text.strip()
    reasons = []
    if stripped.startswith("C"):
        try:
            return _from_tokens(stripped, var_names)
        except ValueError as error:
            reasons.append(f"as C/E tokens: {error}")
    try:
        return _from_expression(stripped, var_names)
    except (ValueError, SyntaxError, TypeError, NameError) as error:  # SyntaxError covers tokenize errors
        reasons.append(f"as an expression: {type(error).__name__}: {error}")
    raise ValueError(
        f"cannot read {text!r} as a polynomial ({'; '.join(reasons)}); give C/E tokens such as "
        f"'C3 E2 E0 C-1 E0 E1' or an expression such as '3*x0^2 - x1'"
    )


def _gens(var_order: Sequence[Any] | None, *exprs: Expr) -> list[Symbol]:
    if var_order is not None:
        return [v if isinstance(v, Symbol) else Symbol(str(v)) for v in var_order]
    return sorted(set().union(*(e.free_symbols for e in exprs)), key=lambda s: s.name)


def _terms(expr: Expr, gens: Sequence[Symbol]) -> dict[tuple[int, ...], Any]:
    """Exponent tuple → non-zero coefficient (integers as ``int``, rationals exact)."""
    if not gens:
        value = expr.expand()
        return {(): _plain(value)} if value != 0 else {}
    return {exps: _plain(c) for exps, c in Poly(expr.expand(), *gens).terms() if c != 0}


def _plain(coeff: Any) -> Any:
    return int(coeff) if getattr(coeff, "is_Integer", False) else coeff


def parse_terms(poly: Any, var_order: Sequence[Any] | None = None) -> dict[tuple[int, ...], Any]:
    """Exponent tuple → coefficient of a polynomial (text as in ``parse_poly``, or a SymPy expression)."""
    expr = parse_poly(poly, var_order) if isinstance(poly, str) else poly
    return _terms(expr, _gens(var_order, expr))


def term_diff(gold: dict, pred: dict) -> dict[tuple[int, ...], str]:
    """Terms of the prediction that are wrong: ``"extra"`` (absent from gold) or ``"coefficient"``.

    Terms of gold missing from the prediction are not marked (the prediction has nothing to strike).
    """
    marks = {}
    for exps, coeff in pred.items():
        if exps not in gold:
            marks[exps] = "extra"
        elif gold[exps] != coeff:
            marks[exps] = "coefficient"
    return marks


# ---- LaTeX ---------------------------------------------------------------------------------------
def _term_tex(coeff: Any, exps: Sequence[int], gens: Sequence[Symbol], mark: str | None) -> str:
    """One term: ``-3\\, x_{0}^{2}``; an extra term struck whole, a wrong coefficient struck alone."""
    has_vars = any(exps)
    magnitude = str(abs(coeff))
    coeff_tex = "" if magnitude == "1" and has_vars else magnitude
    factors = [latex(g) if e == 1 else f"{latex(g)}^{{{e}}}" for g, e in zip(gens, exps) if e]
    body = coeff_tex + (r"\, " if coeff_tex and factors else "") + r"\, ".join(factors)
    sign = "-" if coeff < 0 else ""
    if mark == "extra" or (mark == "coefficient" and not coeff_tex):  # an implicit 1 has no coefficient to strike
        return rf"\cancel{{{sign}{body}}}"
    if mark == "coefficient":
        body = rf"\cancel{{{coeff_tex}}}" + body[len(coeff_tex):]
    return sign + body


def render_prediction(terms: dict, gens: Sequence[Symbol], marks: dict) -> str:
    """LaTeX of the predicted polynomial, terms in descending exponent order, wrong ones struck."""
    parts: list[str] = []
    for exps in sorted(terms, reverse=True):
        tex = _term_tex(terms[exps], exps, gens, marks.get(exps))
        parts.append(tex if tex.startswith("-") or not parts else "+" + tex)
    return " ".join(parts) or "0"


def display_with_diff(gold: Any, pred: Any, var_order: Sequence[Any] | None = None) -> str:
    """Show gold and prediction, the prediction's wrong terms struck through; returns the LaTeX.

    ``gold`` and ``pred`` are SymPy expressions or text (see ``parse_poly``); ``var_order`` (symbols
    or names) fixes the variables, else they are the sorted symbols of both. In a notebook the
    LaTeX renders as math; elsewhere it is printed.
    """
    gold_expr = parse_poly(gold, var_order) if isinstance(gold, str) else gold
    pred_expr = parse_poly(pred, var_order) if isinstance(pred, str) else pred
    gens = _gens(var_order, gold_expr, pred_expr)
    pred_terms = _terms(pred_expr, gens)
    marks = term_diff(_terms(gold_expr, gens), pred_terms)
    tex = TEX_TEMPLATE.format(gold=latex(gold_expr.expand()), pred=render_prediction(pred_terms, gens, marks))
    _show(tex)
    return tex


def _show(tex: str) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Math, display

        if get_ipython() is not None:
            display(Math(tex))
            return
    except ImportError:
        pass
    print(tex)
