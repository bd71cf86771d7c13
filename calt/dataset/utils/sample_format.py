"""Turn what an ``instance_generator`` returns into strings, checking its shape on the way.

A problem or an answer is a scalar, a list of scalars, or a list mixing scalars and
lists of scalars (two levels at most). Tuples count as lists. Scalars become strings
through a backend-specific ``format_scalar`` that returns ``None`` for types it does
not know, which is reported as an error showing the value.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

StringStructure = str | list[str] | list[str | list[str]]
ScalarFormatter = Callable[[Any], "str | None"]


class InvalidSampleError(ValueError):
    """An ``instance_generator`` returned something that cannot be written as a sample."""


def format_plain_scalar(value: Any) -> str | None:
    """Format strings and numbers; ``None`` for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Number):
        return str(value)
    return None


def _short_repr(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ...(truncated)"


def split_problem_answer(result: Any, where: str) -> tuple[Any, Any]:
    """Check that a generator result is a ``(problem, answer)`` pair and return it."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise InvalidSampleError(
            f"instance_generator must return a (problem, answer) pair; {where} returned "
            f"{_short_repr(result)} ({type(result).__name__})"
        )
    return result[0], result[1]


def to_string_structure(value: Any, format_scalar: ScalarFormatter, where: str) -> StringStructure:
    """Convert one problem or answer to a string, a list of strings, or a list of lists of strings."""
    if isinstance(value, (list, tuple)):
        return [_convert_item(item, value, format_scalar, where) for item in value]
    return _convert_scalar(value, value, format_scalar, where)


def _convert_item(item: Any, whole: Any, format_scalar: ScalarFormatter, where: str) -> str | list[str]:
    if isinstance(item, (list, tuple)):
        for sub in item:
            if isinstance(sub, (list, tuple)):
                raise InvalidSampleError(
                    f"lists nest at most two levels deep; {where} returned {_short_repr(whole)}"
                )
        return [_convert_scalar(sub, whole, format_scalar, where) for sub in item]
    return _convert_scalar(item, whole, format_scalar, where)


def _convert_scalar(value: Any, whole: Any, format_scalar: ScalarFormatter, where: str) -> str:
    text = format_scalar(value)
    if text is None:
        raise InvalidSampleError(
            f"cannot write a {type(value).__name__} ({_short_repr(value)}) in {where}: "
            f"{_short_repr(whole)}; return strings, numbers or polynomials, in lists at most two deep"
        )
    return text
