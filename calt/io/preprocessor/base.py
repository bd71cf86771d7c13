"""The original's pre-processor interface: ``AbstractPreProcessor`` (``encode`` / ``decode``) and a chain of them.

``UnifiedLexer`` is registered as an ``AbstractPreProcessor``, so ``isinstance`` checks written for
calt-x hold for calt's lexer too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterable

from .lexer import UnifiedLexer


class TermParseException(Exception):
    """A term of an expression that a pre-processor cannot parse."""


class AbstractPreProcessor(ABC):
    """Turns text into other text (``encode``) and back (``decode``); calling it encodes."""

    def __call__(self, text: str) -> str:
        return self.encode(text)

    @abstractmethod
    def encode(self, text: str) -> str:
        """The transformed text."""

    @abstractmethod
    def decode(self, tokens: str) -> str:
        """The text ``encode`` was given, recovered from its output (as far as the transform allows)."""

    def process(self, text: str) -> str:
        """Same as ``encode`` (the original's older name)."""
        return self.encode(text)


class PreProcessorChain(AbstractPreProcessor):
    """Pre-processors applied in order by ``encode`` and in reverse order by ``decode``."""

    def __init__(self, processors: Iterable[AbstractPreProcessor]) -> None:
        self.processors = list(processors)
        if not self.processors:
            raise ValueError("PreProcessorChain requires at least one pre-processor: "
                             "pass a non-empty list, e.g. PreProcessorChain([lexer])")

    def encode(self, text: str) -> str:
        for processor in self.processors:
            text = processor.encode(text)
        return text

    def decode(self, tokens: str) -> str:
        for processor in reversed(self.processors):
            tokens = processor.decode(tokens)
        return tokens


AbstractPreProcessor.register(UnifiedLexer)
