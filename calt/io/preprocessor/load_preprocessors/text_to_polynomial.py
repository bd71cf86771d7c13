"""Text → polynomial objects, for ``ExpandedFormLoadPreprocessor``: SymPy (always) or SageMath (if present)."""

from __future__ import annotations

from typing import Any

from .base import problem_and_answer, split_line


def _sides(source: Any) -> tuple[str, str]:
    if isinstance(source, str):
        return split_line(source)
    problem, answer = problem_and_answer(source)
    return str(problem), str(answer)


class TextToSympyLoadPreprocessor:
    """Parses ``"f1 | f2 # g"`` into SymPy ring elements over ``domain`` in ``variables``.

    Returns ``{"problem": [...], "answer": [...]}`` (a single element when there is no delimiter),
    ready for ``ExpandedFormLoadPreprocessor``.
    """

    def __init__(self, delimiter: str = "|", variables: str | list[str] = "x", domain: str = "ZZ") -> None:
        from sympy import QQ, RR, ZZ, GF
        from sympy.polys.rings import ring

        names = variables if isinstance(variables, str) else ",".join(variables)
        domains = {"ZZ": ZZ, "QQ": QQ, "RR": RR}
        if domain in domains:
            dom = domains[domain]
        elif domain.startswith("GF(") and domain.endswith(")"):
            dom = GF(int(domain[3:-1]))
        else:
            raise ValueError(f"domain must be ZZ, QQ, RR or GF(p), got {domain!r}")
        self.ring, *_ = ring(names, dom)
        self.delimiter = delimiter

    def process_sample(self, source: Any) -> dict[str, Any]:
        problem, answer = _sides(source)
        return {"problem": self._parse(problem), "answer": self._parse(answer)}

    def _parse(self, text: str) -> Any:
        parts = [p.strip() for p in text.split(self.delimiter)] if self.delimiter in text else [text.strip()]
        try:
            from sympy import sympify

            polys = [self.ring.from_expr(sympify(p.replace("^", "**"))) for p in parts]
        except Exception as error:
            raise ValueError(f"cannot parse {text!r} as polynomials over {self.ring}: {error}") from error
        return polys if len(polys) > 1 else polys[0]
