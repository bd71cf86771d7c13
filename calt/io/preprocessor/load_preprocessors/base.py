"""The load-preprocessor protocol and the default readers of one sample.

A load preprocessor turns one raw sample (a text line, or a JSONL / pickle object with
``problem`` and ``answer``) into ``(input_text, target_text)`` once, when data is loaded.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class DatasetLoadPreprocessor(Protocol):
    def process_sample(self, source: str | dict[str, Any]) -> tuple[str, str]: ...


def split_line(line: str) -> tuple[str, str]:
    """``"problem # answer"`` → the two sides, stripped; the split is at the first ``#``."""
    problem, sep, answer = line.strip().partition("#")
    if not sep:
        raise ValueError(f"text line has no '#' between problem and answer: {line.strip()[:80]!r}")
    return problem.strip(), answer.strip()


def problem_and_answer(source: dict[str, Any]) -> tuple[Any, Any]:
    """The ``problem`` and ``answer`` (or legacy ``solution``) of a JSONL / pickle object."""
    if not isinstance(source, dict):
        raise TypeError(f"expected a dict with 'problem' and 'answer', got {type(source).__name__}")
    problem = source.get("problem")
    answer = source.get("answer", source.get("solution"))
    if problem is None or answer is None:
        raise ValueError(f"sample needs 'problem' and 'answer' (or 'solution') keys, has {sorted(source)}")
    return problem, answer


def to_text(value: Any) -> str:
    """A JSON value as text: lists joined the way the dataset writer joins them (`` | ``, `` || ``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        nested = any(isinstance(v, (list, tuple)) for v in value)
        return (" || " if nested else " | ").join(to_text(v) for v in value)
    return str(value)


class DefaultLoadPreprocessor:
    """Text lines split at ``#``; JSONL / pickle objects give their problem and answer as text."""

    def process_sample(self, source: str | dict[str, Any]) -> tuple[str, str]:
        if isinstance(source, str):
            return split_line(source)
        if isinstance(source, (list, tuple)) and len(source) == 2:
            return to_text(source[0]), to_text(source[1])
        problem, answer = problem_and_answer(source)
        return to_text(problem), to_text(answer)
