"""Load preprocessors that rewrite a delimited answer: keep its last element, or reverse it."""

from __future__ import annotations

from typing import Any, Callable

from .base import problem_and_answer, split_line, to_text


def _elements(answer: Any, delimiter: str) -> list[str]:
    if isinstance(answer, (list, tuple)):
        return [to_text(a) for a in answer]
    text = to_text(answer).strip()
    return [part.strip() for part in text.split(delimiter) if part.strip()] or [text]


class _AnswerRewrite:
    def __init__(self, problem_to_str: Callable[[Any], str] | None = None, delimiter: str = ",") -> None:
        self.problem_to_str = problem_to_str or to_text
        self.delimiter = delimiter

    def process_sample(self, source: str | dict[str, Any]) -> tuple[str, str]:
        if isinstance(source, str):
            problem, answer = split_line(source)
            return problem, self.rewrite(_elements(answer, self.delimiter))
        problem, answer = problem_and_answer(source)
        return self.problem_to_str(problem), self.rewrite(_elements(answer, self.delimiter))

    def rewrite(self, elements: list[str]) -> str:
        raise NotImplementedError


class LastElementLoadPreprocessor(_AnswerRewrite):
    """Target = the last element of the answer: ``"11,4 # 11,15"`` → (``"11,4"``, ``"15"``)."""

    def rewrite(self, elements: list[str]) -> str:
        return elements[-1]


class ReversedOrderLoadPreprocessor(_AnswerRewrite):
    """Target = the answer's elements in reverse: ``"11,4 # 11,15"`` → (``"11,4"``, ``"15,11"``)."""

    def rewrite(self, elements: list[str]) -> str:
        return self.delimiter.join(reversed(elements))
