"""``ChainLoadPreprocessor``: run load preprocessors in sequence."""

from __future__ import annotations

from typing import Any


class ChainLoadPreprocessor:
    """The first gets the raw sample, each next the previous output; the last returns ``(input, target)``."""

    def __init__(self, *preprocessors: Any) -> None:
        if not preprocessors:
            raise ValueError("ChainLoadPreprocessor needs at least one preprocessor")
        self.preprocessors = list(preprocessors)

    def process_sample(self, source: Any) -> tuple[str, str]:
        value = source
        for preprocessor in self.preprocessors:
            value = preprocessor.process_sample(value)
        if not (isinstance(value, tuple) and len(value) == 2):
            raise TypeError(
                f"the last preprocessor of the chain must return (input_text, target_text), got {type(value).__name__}"
            )
        return value
