"""``TextToSageLoadPreprocessor``: a text line ``f1 | f2 # g1 | g2`` → Sage ring elements, for chaining.

Its output ``{"problem": [f1, f2], "answer": [g1, g2]}`` is what ``ExpandedFormLoadPreprocessor``
reads, e.g. ``ChainLoadPreprocessor(TextToSageLoadPreprocessor(ring=R), ExpandedFormLoadPreprocessor())``.
"""

from __future__ import annotations

from typing import Any, Callable


class TextToSageLoadPreprocessor:
    """Parses each side of ``problem # answer`` into a list of elements of ``ring``.

    ``ring`` is any callable from text to an element, typically a Sage polynomial ring
    (``PolynomialRing(ZZ, "x0, x1, x2")``, so that ``R("9*x0 + 5*x2 + 10")`` works). Each side is
    split at ``delimiter`` (calt-x's default ``" | "``); an empty side gives ``[]``. A part that
    ``ring`` cannot parse raises ``ValueError`` naming the part (the dataset reader adds file and line).
    """

    def __init__(self, delimiter: str = " | ", ring: Callable[[str], Any] | None = None) -> None:
        if ring is None:
            from calt.optional import require_sage

            require_sage("TextToSageLoadPreprocessor", "or use TextToSympyLoadPreprocessor(delimiter, variables, domain)")
            raise ValueError(
                "TextToSageLoadPreprocessor needs ring: the polynomial ring to parse into, "
                "e.g. ring=PolynomialRing(ZZ, 'x0, x1, x2')"
            )
        if not callable(ring):
            raise TypeError(f"ring must turn a string into an element (a Sage ring is callable), got {ring!r}")
        if not isinstance(delimiter, str) or not delimiter.strip():
            raise ValueError(f"delimiter must be a non-blank string such as ' | ', got {delimiter!r}")
        self.delimiter = delimiter
        self.ring = ring

    def process_sample(self, source: str) -> dict[str, list]:
        """``"f1 | f2 # g"`` → ``{"problem": [f1, f2], "answer": [g]}``."""
        if not isinstance(source, str):
            raise TypeError(
                f"TextToSageLoadPreprocessor reads text lines 'f1 | f2 # g', got a {type(source).__name__}; "
                "point the data path at the .txt file"
            )
        line = source.strip()
        problem, sep, answer = line.partition("#")
        if not sep:
            raise ValueError(f"text line has no '#' between problem and answer: {line[:80]!r}")
        return {"problem": self._parse_side(problem), "answer": self._parse_side(answer)}

    def _parse_side(self, text: str) -> list:
        parts = [part.strip() for part in text.split(self.delimiter)]
        return [self._parse(part) for part in parts if part]

    def _parse(self, part: str) -> Any:
        try:
            return self.ring(part)
        except Exception as error:  # Sage raises TypeError, SyntaxError, NameError, ... for bad text
            reason = f"{type(error).__name__}: {error}"
            raise ValueError(f"cannot parse {part!r} as an element of {self.ring}: {reason}") from error
