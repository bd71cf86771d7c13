"""Turn what an ``instance_generator`` returns into the strings written to the dataset files.

The rules are calt-x 1.5.0's, shared by every backend so that files match byte for byte:

- a ``list`` becomes a list of strings; a list holding at least one ``list`` keeps each inner
  list as a list of strings (two levels), anything deeper is written with ``str``;
- everything else, tuples included, is one scalar written by the backend's ``format_scalar``
  (``str`` for SageMath; SymPy ring polynomials get ``^`` for powers and lose `` mod p``).
"""

from __future__ import annotations

from typing import Any, Callable

StringStructure = str | list[str] | list[str | list[str]]
ScalarFormatter = Callable[[Any], str]


class InvalidSampleError(ValueError):
    """An ``instance_generator`` returned something that is not a ``(problem, answer)`` pair."""


def format_plain_scalar(value: Any) -> str:
    """``str(value)``: how calt-x writes any scalar a backend has no special rule for."""
    return str(value)


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


def to_string_structure(value: Any, format_scalar: ScalarFormatter = format_plain_scalar) -> StringStructure:
    """Convert one problem or answer: a string, a list of strings, or a list mixing strings and lists of strings."""
    if not isinstance(value, list):
        return format_scalar(value)
    if not any(isinstance(item, list) for item in value):
        return [format_scalar(item) for item in value]
    return [
        [format_scalar(sub) for sub in item] if isinstance(item, list) else format_scalar(item) for item in value
    ]
