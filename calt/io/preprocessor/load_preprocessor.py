"""The original's module of load preprocessors: the protocol, the user-callable wrapper and one default
per source format (text line, JSONL object, pickled object).

The defaults keep calt-x's meaning: a JSONL or pickle sample's problem and answer are turned into text
by ``str``, a list by joining its items' texts with a space. calt's own readers use
``DefaultLoadPreprocessor``, which joins lists the way the dataset writer does (`` | ``).
"""

from __future__ import annotations

from typing import Any

from .load_preprocessors.base import DatasetLoadPreprocessor, problem_and_answer, split_line
from .load_preprocessors.user_callable import UserCallableLoadPreprocessor

__all__ = ["DatasetLoadPreprocessor", "JsonlDefaultLoadPreprocessor", "PickleDefaultLoadPreprocessor",
           "TextDefaultLoadPreprocessor", "UserCallableLoadPreprocessor"]


def space_joined(value: Any) -> str:
    """Text of a problem or answer: strings as they are, lists as their items' texts joined by a space."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(space_joined(item) for item in value)
    return str(value)


class TextDefaultLoadPreprocessor:
    """A text line ``problem # answer`` → the two sides, stripped (split at the first ``#``)."""

    def process_sample(self, source: str | dict[str, Any]) -> tuple[str, str]:
        if not isinstance(source, str):
            raise TypeError(f"TextDefaultLoadPreprocessor expects str, got {type(source).__name__}: "
                            "use JsonlDefaultLoadPreprocessor for JSONL objects")
        return split_line(source)


class _ObjectDefault:
    """A ``{"problem", "answer"}`` (or ``"solution"``) mapping → both values as text."""

    source_kind = "object"

    def process_sample(self, source: str | dict[str, Any]) -> tuple[str, str]:
        if not isinstance(source, dict):
            raise TypeError(f"{type(self).__name__} expects a dict with 'problem' and 'answer', got "
                            f"{type(source).__name__}")
        problem, answer = problem_and_answer(source)
        return space_joined(problem), space_joined(answer)


class JsonlDefaultLoadPreprocessor(_ObjectDefault):
    """A JSONL object's problem and answer as text (lists joined by a space)."""


class PickleDefaultLoadPreprocessor(_ObjectDefault):
    """A pickled sample's problem and answer (Python or Sage objects) as text via ``str``."""
