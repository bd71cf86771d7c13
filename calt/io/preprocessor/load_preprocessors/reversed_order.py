"""The original's module path of ``ReversedOrderLoadPreprocessor`` (defined in ``sequence``)."""

from .sequence import ReversedOrderLoadPreprocessor

__all__ = ["ReversedOrderLoadPreprocessor"]
