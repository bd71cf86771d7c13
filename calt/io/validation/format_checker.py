"""``FormatChecker``: every problem and answer of a dataset parses as a Sage polynomial or number."""

from __future__ import annotations

import logging
import re
from typing import Any

from calt.optional import require_sage

logger = logging.getLogger(__name__)
SEPARATORS = re.compile(r"\|+")


class FormatChecker:
    """Checks dataset lines ``problem # answer`` (parts split at ``|``, ``||``, ...) against Sage.

    A part is valid when a polynomial ring over RR, QQ or ZZ in the given variables, or else
    RR, QQ or ZZ itself, parses it. Variables are ``variable_names`` (``"x, y, z"``) or
    ``num_vars`` names ``variable_name0, variable_name1, ...``; with neither, only numbers pass.
    """

    def __init__(self, variable_names: str | None = None, num_vars: int | None = None,
                 variable_name: str | None = None) -> None:
        self._sage = require_sage("FormatChecker")
        self.variables = self._variables(variable_names, num_vars, variable_name)
        rings = (self._sage.RR, self._sage.QQ, self._sage.ZZ)
        self.polynomial_rings = [self._sage.PolynomialRing(r, self.variables) for r in rings] if self.variables else []
        self.number_rings = list(rings)

    @staticmethod
    def _variables(variable_names: str | None, num_vars: int | None, variable_name: str | None) -> list[str] | None:
        if variable_names is not None:
            if num_vars is not None or variable_name is not None:
                raise ValueError("give either variable_names, or num_vars with variable_name, not both")
            names = [name.strip() for name in variable_names.split(",") if name.strip()]
            if not names:
                raise ValueError(f"variable_names holds no variable name: {variable_names!r}")
            duplicates = sorted({name for name in names if names.count(name) > 1})
            if duplicates:
                raise ValueError(f"variable_names repeats {duplicates}")
            return names
        if num_vars is not None:
            if variable_name is None:
                raise ValueError("num_vars needs variable_name (the base name, e.g. 'x' for x0, x1, ...)")
            if num_vars <= 0:
                raise ValueError(f"num_vars must be positive, got {num_vars}")
            return [f"{variable_name}{i}" for i in range(num_vars)]
        if variable_name is not None:
            raise ValueError("variable_name needs num_vars")
        return None

    def check_format(self, dataset: list[str], num_samples: int | None = None) -> bool:
        """True if the first ``num_samples`` non-empty lines (all if None) are valid; else logs the
        first bad line (1-based number and reason) and returns False."""
        if not isinstance(dataset, list):
            logger.error("dataset must be a list of lines (str), got %s", type(dataset).__name__)
            return False
        if num_samples is not None and num_samples <= 0:
            logger.error("num_samples must be positive or None, got %s", num_samples)
            return False
        if num_samples is not None and num_samples > len(dataset):
            logger.warning("num_samples (%d) is more than the %d lines: checking all", num_samples, len(dataset))
        checked = 0
        for number, line in enumerate(dataset, start=1):
            if num_samples is not None and checked >= num_samples:
                break
            if not isinstance(line, str):
                logger.error("Line %d: expected a str, got %s", number, type(line).__name__)
                return False
            if not line.strip():
                continue
            problem = self.first_invalid_part(line)
            if problem is not None:
                logger.error("Line %d: %s", number, problem)
                return False
            checked += 1
        return True

    def first_invalid_part(self, line: str) -> str | None:
        """Why ``line`` is invalid (no ``#``, or its first part that nothing parses), or None if it is valid."""
        problem, sep, answer = line.strip().partition("#")
        if not sep:
            return f"no '#' between problem and answer: {line.strip()[:80]!r}"
        for side, text in (("problem", problem), ("answer", answer)):
            parts = [p.strip() for p in SEPARATORS.split(text) if p.strip()] if "|" in text else [text.strip()]
            for part in parts:
                if not self.is_valid(part):
                    variables = self.variables or "no variables"
                    return f"invalid {side} format - {part!r} is not a polynomial in {variables} or a number"
        return None

    def is_valid(self, text: str) -> bool:
        """Whether a ring of the checker (polynomials first, then RR, QQ, ZZ) parses ``text``."""
        if not text.strip():
            return False
        return any(self._parses(ring, text.strip()) for ring in [*self.polynomial_rings, *self.number_rings])

    @staticmethod
    def _parses(ring: Any, text: str) -> bool:
        try:
            ring(text)
        except Exception:  # Sage's parsers raise many kinds (TypeError, SyntaxError, NameError, ...)
            return False
        return True
