"""``TextToSageLoadPreprocessor``: a text line ``f1 | f2 # g1 | g2`` → Sage ring elements, for chaining.

Its output ``{"problem": [f1, f2], "answer": [g1, g2]}`` is what ``ExpandedFormLoadPreprocessor``
reads, e.g. ``ChainLoadPreprocessor(TextToSageLoadPreprocessor(ring=R), ExpandedFormLoadPreprocessor())``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

RING_KEYS = ("symbols", "field_str", "order")
STANDARD_FIELDS = ("QQ", "RR", "ZZ")


def polynomial_ring(symbols: str, field_str: str, order: str = "degrevlex") -> Any:
    """The Sage ring ``PolynomialRing(field, symbols, order=order)``; ``field_str`` is QQ, RR, ZZ, GF(p) or GFp.

    The keys are those of a calt-x data.yaml ``sampler`` block, so YAML can name a ring:
    ``ring: {symbols: "x0, x1, x2", field_str: ZZ}``.
    """
    from calt.optional import require_sage

    sage = require_sage("a Sage polynomial ring")
    if field_str in STANDARD_FIELDS:
        base = getattr(sage, field_str)
    else:
        digits = str(field_str)[3:-1] if str(field_str).startswith("GF(") else str(field_str)[2:]
        if not (str(field_str).startswith("GF") and digits.isdigit() and sage.ZZ(int(digits)).is_prime()):
            raise ValueError(f"field_str must be QQ, RR, ZZ or GF(p) with p prime, got {field_str!r}")
        base = sage.GF(int(digits))
    names = [name.strip() for name in str(symbols).split(",") if name.strip()]
    if not names:
        raise ValueError(f"symbols must name at least one variable, e.g. 'x, y', got {symbols!r}")
    return sage.PolynomialRing(base, names, order="degrevlex" if order == "grevlex" else order)


def ring_from_mapping(spec: Mapping) -> Any:
    """``{symbols, field_str, order}`` → the Sage ring; unknown or missing keys are errors naming them."""
    unknown = sorted(set(spec) - set(RING_KEYS))
    if unknown or "symbols" not in spec or "field_str" not in spec:
        raise ValueError(f"a ring is given as {{symbols, field_str, order}} (order optional, default degrevlex); "
                         f"got keys {sorted(spec)}")
    return polynomial_ring(spec["symbols"], spec["field_str"], spec.get("order", "degrevlex"))


class TextToSageLoadPreprocessor:
    """Parses each side of ``problem # answer`` into a list of elements of ``ring``.

    ``ring`` is any callable from text to an element, typically a Sage polynomial ring
    (``PolynomialRing(ZZ, "x0, x1, x2")``, so that ``R("9*x0 + 5*x2 + 10")`` works), or, from YAML, a
    mapping ``{symbols, field_str, order}`` that names one (see ``polynomial_ring``). Each side is
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
        if isinstance(ring, Mapping):
            ring = ring_from_mapping(ring)
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
