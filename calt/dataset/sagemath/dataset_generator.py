"""The SageMath backend: the same parallel engine, with Sage elements written through ``str``.

Importing this module needs SageMath; ``calt.dataset.backends`` turns its absence into an
error that points to ``backend: sympy``.
"""

from __future__ import annotations

from typing import Any

from sage.structure.element import Element  # noqa: F401  (fails fast without SageMath)

from ..generation import BaseDatasetGenerator
from ..utils.sample_format import format_plain_scalar


def format_sage_scalar(value: Any) -> str | None:
    """Strings and numbers as they are; Sage elements (polynomials, field elements, ...) via ``str``."""
    if isinstance(value, Element):
        return str(value)
    return format_plain_scalar(value)


class DatasetGenerator(BaseDatasetGenerator):
    """Generates train/test splits in parallel from an instance generator that returns Sage objects."""

    format_scalar = staticmethod(format_sage_scalar)
