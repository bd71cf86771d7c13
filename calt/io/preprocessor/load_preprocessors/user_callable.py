"""``UserCallableLoadPreprocessor``: a user function ``(problem, answer) -> (input_text, target_text)``."""

from __future__ import annotations

from typing import Any, Callable

from .base import problem_and_answer, split_line


class UserCallableLoadPreprocessor:
    """Calls ``callable_(problem, answer)``: the two sides of a text line, or the objects of a JSONL/pickle sample."""

    def __init__(self, callable_: Callable[[Any, Any], tuple[str, str]], source_type: str = "auto") -> None:
        if not callable(callable_):
            raise TypeError(f"UserCallableLoadPreprocessor needs a callable, got {callable_!r}")
        if source_type not in ("auto", "text", "jsonl"):
            raise ValueError(f"source_type must be 'auto', 'text' or 'jsonl', got {source_type!r}")
        self.fn = callable_
        self.source_type = source_type

    def process_sample(self, source: str | dict[str, Any]) -> tuple[str, str]:
        if isinstance(source, str):
            if self.source_type == "jsonl":
                raise TypeError("configured for JSONL objects but got a text line")
            return self.fn(*split_line(source))
        if self.source_type == "text":
            raise TypeError(f"configured for text lines but got {type(source).__name__}")
        if isinstance(source, (list, tuple)) and len(source) == 2:
            return self.fn(source[0], source[1])
        return self.fn(*problem_and_answer(source))
